/**
 * Section 3: how long `tsc --noEmit` takes, and how much memory it peaks
 * at, for a small app using effect-clerk - against the built declarations
 * (what users get from npm) and, for information, against src/.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

export interface TscRun {
  readonly wallS: number
  /** User plus system CPU seconds: on a busy machine, wall time minus this is waiting. */
  readonly cpuS: number
  readonly maxRssMb: number
  readonly ok: boolean
  readonly output: string
  /** From `--extendedDiagnostics`: files, lines, instantiations, parse/bind/check seconds. */
  readonly diagnostics: Readonly<Record<string, number>>
}

export interface TypecheckTarget {
  readonly label: string
  readonly project: string
  readonly runs: ReadonlyArray<TscRun>
}

export interface TypecheckResult {
  readonly build: { readonly ok: boolean; readonly wallS: number; readonly output: string }
  /** The same kind of app with `@effect/platform` only: the floor set by effect's and Node's declarations. */
  readonly baseline: TypecheckTarget
  readonly dist: TypecheckTarget | undefined
  readonly src: TypecheckTarget
  readonly measuredWith: string
  readonly typescriptVersion: string
}

const root = path.resolve(import.meta.dirname, "../..")
const tscJs = path.join(root, "node_modules/typescript/bin/tsc")
const haveGnuTime = fs.existsSync("/usr/bin/time")

/** Without GNU time, a preload prints the child's own peak RSS and CPU when it exits. */
const usageProbe =
  `process.on("exit", () => { const u = process.resourceUsage(); process.stderr.write("\\nBENCH_USAGE " + JSON.stringify({ maxRSS: u.maxRSS, cpu: (u.userCPUTime + u.systemCPUTime) / 1e6 }) + "\\n") })`

const runTsc = (project: string): TscRun => {
  const args = [tscJs, "-p", project, "--noEmit", "--pretty", "false", "--extendedDiagnostics"]
  const started = performance.now()
  const child = haveGnuTime
    ? spawnSync("/usr/bin/time", ["-v", process.execPath, ...args], { cwd: root, encoding: "utf8" })
    : spawnSync(process.execPath, ["--require", "data:text/javascript," + encodeURIComponent(usageProbe), ...args], {
      cwd: root,
      encoding: "utf8"
    })
  const wallMs = performance.now() - started
  const stderr = child.stderr ?? ""
  let maxRssMb = Number.NaN
  let cpuS = Number.NaN
  if (haveGnuTime) {
    const rss = stderr.match(/Maximum resident set size \(kbytes\): (\d+)/)
    const user = stderr.match(/User time \(seconds\): ([\d.]+)/)
    const system = stderr.match(/System time \(seconds\): ([\d.]+)/)
    if (rss !== null) maxRssMb = Number(rss[1]) / 1024
    if (user !== null && system !== null) cpuS = Number(user[1]) + Number(system[1])
  } else {
    const probe = stderr.match(/BENCH_USAGE (\{.*\})/)
    if (probe !== null) {
      const usage = JSON.parse(probe[1]!) as { maxRSS: number; cpu: number }
      maxRssMb = usage.maxRSS / 1024
      cpuS = usage.cpu
    }
  }
  // GNU time reports the child's status as "Exit status: N"; without it, the status is the child's own.
  const exit = haveGnuTime ? Number(stderr.match(/Exit status: (\d+)/)?.[1] ?? child.status) : child.status
  const stdout = child.stdout ?? ""
  const diagnostics: Record<string, number> = {}
  for (const [, name, value] of stdout.matchAll(/^([A-Za-z][A-Za-z ]+):\s+([\d.]+)s?$/gm)) {
    diagnostics[name!.trim()] = Number(value)
  }
  const errors = stdout.split("\n").filter((line) => line.includes("error TS")).join("\n")
  return { wallS: wallMs / 1_000, cpuS, maxRssMb, ok: exit === 0, output: errors.slice(0, 2_000), diagnostics }
}

/** The consumer importing the package by its own name, so TypeScript resolves it through `exports` to dist/. */
const writeDistConsumer = (dir: string): string => {
  fs.mkdirSync(dir, { recursive: true })
  const source = fs.readFileSync(path.join(root, "bench/typecheck/consumer.ts"), "utf8")
  const rewritten = source.replace(`from "../../src/index.js"`, `from "effect-clerk"`)
  if (rewritten === source) throw new Error("bench/typecheck/consumer.ts no longer imports ../../src/index.js")
  fs.writeFileSync(path.join(dir, "consumer.ts"), rewritten)
  const extendsPath = path.relative(dir, path.join(root, "tsconfig.json")).split(path.sep).join("/")
  fs.writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify(
      { extends: extendsPath, compilerOptions: { noEmit: true }, include: [], files: ["consumer.ts"] },
      null,
      2
    )
  )
  return path.join(dir, "tsconfig.json")
}

export const run = (options: {
  readonly tmpDir: string
  readonly distRuns: number
  readonly srcRuns: number
  readonly log: (line: string) => void
}): TypecheckResult => {
  // The package's own build script (empties dist/, then `tsc -p tsconfig.build.json`).
  const started = performance.now()
  const build = spawnSync("npm", ["run", "build"], { cwd: root, encoding: "utf8" })
  const buildResult = {
    ok: build.status === 0,
    wallS: (performance.now() - started) / 1_000,
    output: `${build.stdout ?? ""}${build.stderr ?? ""}`.trim().slice(-2_000)
  }
  options.log(`  npm run build: ${buildResult.ok ? "ok" : "FAILED"} in ${buildResult.wallS.toFixed(1)} s`)

  const baselineProject = "bench/typecheck/tsconfig.baseline.json"
  const distProject = buildResult.ok && fs.existsSync(path.join(root, "dist/index.d.ts"))
    ? writeDistConsumer(options.tmpDir)
    : undefined
  const baselineRuns: Array<TscRun> = []
  const distRuns: Array<TscRun> = []
  // Alternated, so that a burst of load from elsewhere hits both alike.
  for (let i = 0; i < options.distRuns; i++) {
    baselineRuns.push(runTsc(baselineProject))
    options.log(`  tsc baseline #${i + 1}: ${baselineRuns[i]!.wallS.toFixed(2)} s`)
    if (distProject !== undefined) {
      distRuns.push(runTsc(distProject))
      options.log(`  tsc against dist/ #${i + 1}: ${distRuns[i]!.wallS.toFixed(2)} s`)
    }
  }
  const dist: TypecheckTarget | undefined = distProject === undefined
    ? undefined
    : {
      label: "consumer.ts against dist/ (declarations, via package exports)",
      project: path.relative(root, distProject),
      runs: distRuns
    }
  const srcProject = "bench/typecheck/tsconfig.src.json"
  const srcRuns: Array<TscRun> = []
  for (let i = 0; i < options.srcRuns; i++) {
    srcRuns.push(runTsc(srcProject))
    options.log(`  tsc against src/ #${i + 1}: ${srcRuns[i]!.wallS.toFixed(2)} s`)
  }
  return {
    build: buildResult,
    baseline: { label: "baseline.ts (@effect/platform only)", project: baselineProject, runs: baselineRuns },
    dist,
    src: { label: "consumer.ts against src/ (TypeScript sources)", project: srcProject, runs: srcRuns },
    measuredWith: haveGnuTime ? "/usr/bin/time -v" : "process.resourceUsage() of the child",
    typescriptVersion:
      (JSON.parse(fs.readFileSync(path.join(root, "node_modules/typescript/package.json"), "utf8")) as {
        version: string
      }).version
  }
}
