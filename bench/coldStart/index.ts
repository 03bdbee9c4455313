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

/** Where the time of effect-clerk's own share of the import goes, from a CPU profile of one more process. */
export interface ColdProfileRow {
  readonly area: string
  readonly ms: number
}

export interface ColdStartResult {
  readonly processes: number
  /** Self time by area while dist/index.js is imported, the Effect modules having been imported (unprofiled) before. */
  readonly profile: ReadonlyArray<ColdProfileRow>
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

/**
 * Every bare specifier (`effect/Schema`, `jose`, …) that the built package imports from its own files, leaving out
 * the folders named in `skip` (dist/v4, the Effect 4 line, whose `effect/http/*` imports Effect 3 does not have).
 */
export const externalImports = (distDir: string, skip: ReadonlyArray<string> = []): Array<string> => {
  const found = new Set<string>()
  const skipped = new Set(skip.map((dir) => path.join(distDir, dir)))
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (!skipped.has(file)) walk(file)
      } else if (entry.name.endsWith(".js")) {
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

/**
 * A process that imports the baseline modules first, then profiles only the import of the package: the profile
 * covers what effect-clerk adds, not what Effect costs any program.
 */
const profiledProbe = (baseline: ReadonlyArray<string>, entry: string) =>
  [
    `import * as Inspector from "node:inspector/promises"`,
    ...baseline.map((specifier) => `await import(${JSON.stringify(specifier)})`),
    "const session = new Inspector.Session()",
    "session.connect()",
    "await session.post(\"Profiler.enable\")",
    "await session.post(\"Profiler.setSamplingInterval\", { interval: 100 })",
    "await session.post(\"Profiler.start\")",
    `await import(${JSON.stringify(entry)})`,
    "const { profile } = await session.post(\"Profiler.stop\")",
    "console.log(JSON.stringify(profile))"
  ].join("\n")

interface CpuProfile {
  readonly nodes: ReadonlyArray<
    { readonly id: number; readonly callFrame: { readonly url: string; readonly functionName: string } }
  >
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

/** The area a sampled frame belongs to, by its script and function. */
const areaOf = (url: string, functionName: string): string | undefined => {
  // The inspector answering the profiler's own messages, not the import.
  if (functionName === "dispatch" && url === "") return undefined
  if (functionName === "(garbage collector)") return "garbage collector"
  if (functionName === "(idle)") return "idle (waiting on file reads)"
  if (functionName === "(program)") return "native, not attributed to a script"
  if (functionName === "compileSourceTextModule" || functionName === "compileForInternalLoader") {
    return "compiling module source (V8)"
  }
  if (url.includes("/node_modules/effect/dist/esm/Schema") || url.includes("/node_modules/effect/dist/esm/SchemaAST")) {
    return "building schemas (effect/Schema, SchemaAST)"
  }
  if (url.includes("/node_modules/")) return "other Effect and library code run at import"
  if (url.includes("/dist/")) return "effect-clerk module bodies (dist/)"
  if (
    url.startsWith("node:internal/modules") || url === "node:internal/url" || url.startsWith("node:fs") || url === ""
  ) {
    return "resolving and loading files (module loader, fs, URL; native)"
  }
  return "other Node internals"
}

const summarize = (profile: CpuProfile): Array<ColdProfileRow> => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const ms = new Map<string, number>()
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!
    const area = areaOf(node.callFrame.url, node.callFrame.functionName)
    if (area === undefined) return
    ms.set(area, (ms.get(area) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1_000)
  })
  return [...ms].map(([area, value]) => ({ area, ms: value })).sort((a, b) => b.ms - a.ms)
}

export const run = (options: ColdStartOptions): ColdStartResult => {
  const dist = path.join(options.root, "dist")
  if (!fs.existsSync(path.join(dist, "index.js"))) throw new Error("dist/index.js is missing: run `npm run build`")
  const baselineModules = externalImports(dist, ["v4"])
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
  const profileFile = path.join(options.tmpDir, "profiled.mjs")
  fs.writeFileSync(profileFile, profiledProbe(baselineModules, pathToFileURL(path.join(dist, "index.js")).href))
  const profiled = spawnSync(process.execPath, [profileFile], {
    cwd: options.root,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024
  })
  if (profiled.status !== 0) throw new Error(`profiled cold start failed: ${profiled.stderr.slice(-1_000)}`)
  const profile = summarize(JSON.parse(profiled.stdout.trim().split("\n").at(-1)!) as CpuProfile)
  const caseOf = (key: ColdCaseKey): ColdCase => ({ key, ...samples[key] })
  const cases = {
    node: caseOf("node"),
    effectBaseline: caseOf("effectBaseline"),
    effectClerk: caseOf("effectClerk"),
    clerkSdk: caseOf("clerkSdk")
  }
  return { processes: options.processes, profile, baselineModules, cases }
}
