/**
 * Every ```ts block of README.md and the hand-written docs/*.md is type-checked
 * against the sources: each block becomes its own module in a temp project whose
 * `effect-clerk` / `effect-clerk/...` imports are mapped onto `src/`, and one
 * `tsc --noEmit` run over all of them must report no error. An example that
 * drifts from the API fails here, pointing at `file.md` block N (and its line).
 */
import { describe, expect, it } from "@effect/vitest"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Url from "node:url"

const repoRoot = Path.resolve(Url.fileURLToPath(new URL("..", import.meta.url)))

// Generated from the spec or by the benchmark script, not written by hand.
const generatedDocs = new Set(["operations.md", "webhook-events.md", "benchmarks.md"])

interface Block {
  readonly doc: string // relative to the repository, e.g. "docs/webhooks.md"
  readonly index: number // 1-based among the document's ts blocks
  readonly line: number // 1-based line of the block's first code line in the document
  readonly code: string
  readonly file: string // module name in the temp project
}

const docFiles = (): ReadonlyArray<string> => [
  "README.md",
  ...Fs.readdirSync(Path.join(repoRoot, "docs"))
    .filter((name) => name.endsWith(".md") && !generatedDocs.has(name))
    .sort()
    .map((name) => `docs/${name}`)
]

const extractBlocks = (doc: string): ReadonlyArray<Block> => {
  const lines = Fs.readFileSync(Path.join(repoRoot, doc), "utf8").split("\n")
  const blocks: Array<Block> = []
  let open: { indent: string; start: number; body: Array<string> } | undefined
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (open === undefined) {
      const fence = /^(\s*)```(ts|typescript)\s*$/.exec(line)
      if (fence) open = { indent: fence[1]!, start: i + 2, body: [] }
    } else if (/^\s*```\s*$/.test(line)) {
      const index = blocks.length + 1
      const slug = doc.replace(/[^A-Za-z0-9]+/g, "_")
      blocks.push({ doc, index, line: open.start, code: open.body.join("\n"), file: `${slug}_${index}.ts` })
      open = undefined
    } else {
      // Blocks nested in a list item are indented; strip that indent.
      open.body.push(line.startsWith(open.indent) ? line.slice(open.indent.length) : line)
    }
  }
  return blocks
}

/** Where a project's packages come from, and what the `effect-clerk` specifiers resolve to. */
interface Project {
  readonly name: string
  readonly modules: (dir: string) => void
  readonly paths: Record<string, Array<string>>
}

const src = Path.join(repoRoot, "src")

const effect3Project: Project = {
  name: "Effect 3",
  // Dependencies (effect, @effect/platform, @types/node) resolve from the repository.
  modules: (dir) => Fs.symlinkSync(Path.join(repoRoot, "node_modules"), Path.join(dir, "node_modules"), "junction"),
  paths: {
    "effect-clerk": [Path.join(src, "index.ts")],
    "effect-clerk/generated/*": [Path.join(src, "generated", "*.ts")],
    "effect-clerk/testing": [Path.join(src, "ClerkTest.ts")],
    "effect-clerk/redis": [Path.join(src, "ClerkRedis.ts")],
    "effect-clerk/*": [Path.join(src, "*.ts")]
  }
}

// An Effect 4 program's packages: the copy of Effect 4 that src/v4 resolves, and no @effect/platform.
const effect4Project: Project = {
  name: "Effect 4",
  modules: (dir) => {
    const modules = Path.join(dir, "node_modules")
    Fs.mkdirSync(modules)
    Fs.symlinkSync(Path.join(src, "v4", "node_modules", "effect"), Path.join(modules, "effect"), "junction")
    Fs.symlinkSync(Path.join(repoRoot, "node_modules", "@types"), Path.join(modules, "@types"), "junction")
    Fs.symlinkSync(Path.join(repoRoot, "node_modules", "jose"), Path.join(modules, "jose"), "junction")
  },
  paths: {
    "effect-clerk/v4": [Path.join(src, "v4", "index.ts")],
    "effect-clerk/v4/generated/*": [Path.join(src, "v4", "generated", "*.ts")],
    "effect-clerk/v4/testing": [Path.join(src, "v4", "ClerkTest.ts")],
    "effect-clerk/v4/*": [Path.join(src, "v4", "*.ts")]
  }
}

/** A block written for Effect 4 imports the `effect-clerk/v4` entry. */
const isEffect4 = (block: Block) => /from "effect-clerk\/v4(?:\/[^"]*)?"/.test(block.code)

/** Type-checks the blocks as modules of one scratch project; the errors, located in their documents. */
const typeCheck = (blocks: ReadonlyArray<Block>, project: Project): ReadonlyArray<string> => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-clerk-docs-"))
  try {
    project.modules(dir)
    Fs.writeFileSync(Path.join(dir, "package.json"), JSON.stringify({ type: "module", private: true }))
    Fs.writeFileSync(
      Path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2022", "DOM", "DOM.Iterable"],
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: true,
          esModuleInterop: true,
          noEmit: true,
          types: ["node"],
          typeRoots: [Path.join(repoRoot, "node_modules", "@types")],
          baseUrl: dir,
          paths: project.paths
        },
        files: blocks.map((b) => b.file)
      })
    )
    for (const block of blocks) {
      // Every block is a module of its own, even one without imports.
      Fs.writeFileSync(Path.join(dir, block.file), `${block.code}\n\nexport {}\n`)
    }
    const run = ChildProcess.spawnSync(
      process.execPath,
      [
        Path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"),
        "--noEmit",
        "--pretty",
        "false",
        "-p",
        "tsconfig.json"
      ],
      { cwd: dir, encoding: "utf8", timeout: 110_000 }
    )
    const output = `${run.stdout ?? ""}${run.stderr ?? ""}`
    const byFile = new Map(blocks.map((b) => [b.file, b]))
    const errors = output
      .split("\n")
      .filter((line) => /error TS\d+/.test(line))
      .map((line) => {
        const m = /^(.+?)\((\d+),(\d+)\): (.*)$/.exec(line)
        const block = m ? byFile.get(Path.basename(m[1]!)) : undefined
        if (m === null || block === undefined) return `${project.name}: ${line}`
        const at = block.line + Number(m[2]) - 1
        return `${block.doc} block ${block.index} (line ${at}, col ${m[3]}): ${m[4]}`
      })
    if (run.error !== undefined) errors.push(`${project.name}: tsc did not run: ${run.error.message}`)
    else if (run.status !== 0 && errors.length === 0) {
      errors.push(`${project.name}: tsc exited with ${run.status}:\n${output}`)
    }
    return errors
  } finally {
    Fs.rmSync(dir, { recursive: true, force: true })
  }
}

describe("documentation examples", () => {
  it("every ts block of README.md and docs/*.md type-checks against src/ (or src/v4/ for an Effect 4 block)", () => {
    const blocks = docFiles().flatMap(extractBlocks)
    const blocks4 = blocks.filter(isEffect4)
    expect(blocks.length).toBeGreaterThan(0)
    expect(blocks4.length).toBeGreaterThan(0)
    const errors = [
      ...typeCheck(blocks.filter((block) => !isEffect4(block)), effect3Project),
      ...typeCheck(blocks4, effect4Project)
    ]
    expect(errors.join("\n")).toBe("")
  }, 180_000)
})
