/**
 * Cold start: `await import(...)` in a fresh Node process, time and resident memory, for effect-clerk's built entry
 * point against the Effect modules it imports (the baseline any Effect program of the same shape pays) and
 * `@clerk/backend`. Processes of the cases alternate, so a burst of load from elsewhere lands on all alike.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"

export type ColdCaseKey = "node" | "effectBaseline" | "effectClerk" | "clerkSdk"

export interface ColdCase {
  readonly key: ColdCaseKey
  /** Milliseconds spent in the `import()`, one entry per process. */
  readonly ms: ReadonlyArray<number>
  /** Resident set size after the import, in bytes, one entry per process. */
  readonly rss: ReadonlyArray<number>
}

export interface ColdStartResult {
  readonly processes: number
  /** The bare package specifiers dist/ imports, which the baseline process imports and nothing else. */
  readonly baselineModules: ReadonlyArray<string>
  readonly cases: Readonly<Record<ColdCaseKey, ColdCase>>
}

export interface ColdStartOptions {
  readonly root: string
  readonly tmpDir: string
  readonly processes: number
  readonly log: (line: string) => void
}

/** Every bare specifier (`effect/Schema`, `jose`, …) that the built package imports from its own files. */
export const externalImports = (distDir: string): Array<string> => {
  const found = new Set<string>()
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(file)
      else if (entry.name.endsWith(".js")) {
        const text = fs.readFileSync(file, "utf8")
        for (
          const match of text.matchAll(
            /(?:^|\n)\s*(?:import|export)[^"';]*?from\s*"([^"]+)"|import\s*\(\s*"([^"]+)"\s*\)/g
          )
        ) {
          const specifier = match[1] ?? match[2]!
          if (!specifier.startsWith(".") && !specifier.startsWith("node:")) found.add(specifier)
        }
      }
    }
  }
  walk(distDir)
  return [...found].sort()
}

const probe = (imports: ReadonlyArray<string>) =>
  [
    "const before = performance.now()",
    ...imports.map((specifier) => `await import(${JSON.stringify(specifier)})`),
    "const ms = performance.now() - before",
    "console.log(JSON.stringify({ ms, rss: process.memoryUsage().rss }))"
  ].join("\n")

export const run = (options: ColdStartOptions): ColdStartResult => {
  const dist = path.join(options.root, "dist")
  if (!fs.existsSync(path.join(dist, "index.js"))) throw new Error("dist/index.js is missing: run `npm run build`")
  const baselineModules = externalImports(dist)
  fs.mkdirSync(options.tmpDir, { recursive: true })
  // Scripts live under the project so that bare specifiers resolve from its node_modules.
  const scripts: Record<ColdCaseKey, string> = {
    node: probe([]),
    effectBaseline: probe(baselineModules),
    effectClerk: probe([pathToFileURL(path.join(dist, "index.js")).href]),
    clerkSdk: probe(["@clerk/backend"])
  }
  const files = Object.fromEntries(
    Object.entries(scripts).map(([key, text]) => {
      const file = path.join(options.tmpDir, `${key}.mjs`)
      fs.writeFileSync(file, text)
      return [key, file]
    })
  ) as Record<ColdCaseKey, string>
  const samples: Record<ColdCaseKey, { ms: Array<number>; rss: Array<number> }> = {
    node: { ms: [], rss: [] },
    effectBaseline: { ms: [], rss: [] },
    effectClerk: { ms: [], rss: [] },
    clerkSdk: { ms: [], rss: [] }
  }
  const keys = Object.keys(files) as Array<ColdCaseKey>
  for (let i = 0; i < options.processes; i++) {
    // Rotate the order: the first process after a pause pays for a cold file cache more than the others.
    const order = keys.map((_, j) => keys[(i + j) % keys.length]!)
    for (const key of order) {
      const child = spawnSync(process.execPath, [files[key]], { cwd: options.root, encoding: "utf8" })
      if (child.status !== 0) throw new Error(`cold start of ${key} failed: ${child.stderr.slice(-1_000)}`)
      const { ms, rss } = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as { ms: number; rss: number }
      samples[key].ms.push(ms)
      samples[key].rss.push(rss)
    }
  }
  options.log(`  ${options.processes} processes per case; baseline imports ${baselineModules.length} modules`)
  const caseOf = (key: ColdCaseKey): ColdCase => ({ key, ...samples[key] })
  const cases = {
    node: caseOf("node"),
    effectBaseline: caseOf("effectBaseline"),
    effectClerk: caseOf("effectClerk"),
    clerkSdk: caseOf("clerkSdk")
  }
  return { processes: options.processes, baselineModules, cases }
}
