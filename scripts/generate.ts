/**
 * `npm run generate`: writes src/generated/, docs/operations.md and docs/webhook-events.md from the specs.
 * `npm run generate:check`: fails when the committed files differ from what the generator produces.
 *
 * Flags: --spec PATH (default: $CLERK_OPENAPI_SPEC or ../shared/clerk-openapi/bapi-2026-05-12.yml),
 *        --webhooks PATH (default: webhooks-2025-04-15.yml beside the spec, or ../webhooks/2025-04-15.yml),
 *        --out DIR (default: the repository root), --check.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { generate } from "./generator/index.js"
import { loadSpec } from "./generator/spec.js"
import * as specPaths from "./generator/specPaths.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
export const defaultSpecPath = () => specPaths.defaultSpecPath(root)

const args = process.argv.slice(2)
const flag = (name: string) => {
  const i = args.indexOf(name)
  return i === -1 ? undefined : args[i + 1]
}
const specPath = flag("--spec") ?? defaultSpecPath()
const webhooksPath = flag("--webhooks") ?? specPaths.webhooksSpecFor(specPath)
const out = path.resolve(flag("--out") ?? root)
const check = args.includes("--check")

const started = performance.now()
const result = generate(
  loadSpec(specPath),
  JSON.parse(fs.readFileSync(path.join(root, "codegen/patches.json"), "utf8")),
  JSON.parse(fs.readFileSync(path.join(root, "codegen/names.json"), "utf8")),
  fs.existsSync(webhooksPath) ? { webhooks: loadSpec(webhooksPath) } : {}
)
if (!fs.existsSync(webhooksPath)) {
  console.warn(`warning: no webhooks spec at ${webhooksPath}; WebhookEvents.ts not generated`)
}
const elapsed = performance.now() - started
for (const warning of result.warnings) console.warn(`warning: ${warning}`)

// Every folder the generator owns whole: what it does not produce there is stale.
const generatedDirs = ["src/generated", "src/generated/decoders", "src/v4/generated"]
if (check) {
  const stale: Array<string> = []
  for (const [file, text] of result.files) {
    const target = path.join(out, file)
    if (!fs.existsSync(target) || fs.readFileSync(target, "utf8") !== text) stale.push(file)
  }
  for (const dir of generatedDirs) {
    const folder = path.join(out, dir)
    const entries = fs.existsSync(folder) ? fs.readdirSync(folder, { withFileTypes: true }) : []
    for (const file of entries.filter((entry) => entry.isFile()).map((entry) => entry.name)) {
      if (!result.files.has(`${dir}/${file}`)) stale.push(`${dir}/${file} (not produced by the generator)`)
    }
  }
  if (stale.length > 0) {
    console.error(
      `generate:check: ${stale.length} file(s) differ from the generator's output; run npm run generate:\n  ${
        stale.join("\n  ")
      }`
    )
    process.exit(1)
  }
  console.log(`generate:check: ${result.files.size} files match (${result.operations.length} operations)`)
} else {
  for (const dir of generatedDirs) fs.rmSync(path.join(out, dir), { recursive: true, force: true })
  for (const [file, text] of result.files) {
    fs.mkdirSync(path.dirname(path.join(out, file)), { recursive: true })
    fs.writeFileSync(path.join(out, file), text)
  }
  console.log(
    `generated ${result.files.size} files, ${result.operations.length} operations, in ${
      elapsed.toFixed(0)
    } ms (patches applied: ${result.patchesApplied.length}, skipped: ${result.patchesSkipped.length})`
  )
}
