/**
 * CPU profile of a piece of work run in this process, through the inspector
 * (started after warm-up, so tsx's transpiling of src/ at start-up stays out
 * of it), summarized as self time per function and time per area of code.
 */
import * as fs from "node:fs"
import * as inspector from "node:inspector/promises"
import { fileURLToPath } from "node:url"

/** A frame of a V8 CPU profile (the parts read here). */
export interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
  readonly columnNumber: number
}
/** A node of a V8 CPU profile. */
export interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly children?: ReadonlyArray<number>
}
/** A V8 CPU profile, as the inspector returns it. */
export interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly startTime: number
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

export interface Row {
  readonly name: string
  readonly ms: number
  readonly share: number
  /** The start of the frame's source line, for frames in installed packages. */
  readonly code?: string | undefined
}

export interface ProfileSummary {
  readonly totalMs: number
  readonly calls: number
  readonly topSelf: ReadonlyArray<Row>
  /** Self time grouped by area (file or package). */
  readonly areasSelf: ReadonlyArray<Row>
  /**
   * Time with at least one frame of the area on the stack, for the areas
   * that do not sit under every sample anyway (Node's task queue, V8's
   * microtask builtins, the Effect fiber loop, the bench loop).
   */
  readonly areasInclusive: ReadonlyArray<Row>
}

/** Where a frame's code lives, in words a reader of the report knows. */
const areaOf = (frame: CallFrame): string => {
  const { functionName, url } = frame
  if (url === "") {
    if (functionName === "(garbage collector)") return "garbage collector"
    if (functionName === "(program)" || functionName === "(idle)" || functionName === "(root)") return "idle / native"
    return functionName.startsWith("JSON") || functionName === "parse" ? "JSON.parse" : "V8 builtins"
  }
  if (url.includes("node_modules/effect/")) {
    if (/\/(Schema|ParseResult|SchemaAST)\.js$|\/internal\/schema\//.test(url)) return "effect Schema (ParseResult)"
    // Small data modules the parser leans on for every field (guards, Either/Option values, `dual`).
    if (/\/esm\/(internal\/)?(Predicate|Either|either|Option|option|Function|Array)\.js$/.test(url)) {
      return "effect data helpers (Predicate, Either, Option, dual)"
    }
    return "effect runtime (fibers, Effect, Context)"
  }
  if (url.includes("node_modules/@effect/platform/")) return "@effect/platform HttpClient"
  if (url.includes("/bench/")) return "bench harness"
  // undici parses HTTP with llhttp compiled to WebAssembly.
  if (url.startsWith("wasm://")) return "fetch (undici)"
  if (url.includes("/src/")) return `effect-clerk ${url.slice(url.indexOf("/src/") + 1).replace(/\?.*$/, "")}`
  if (url.includes("undici") || url.startsWith("node:internal/deps/undici")) return "fetch (undici)"
  if (url.startsWith("node:")) return "node internals (streams, net, http)"
  return url.replace(/^.*node_modules\//, "")
}

const frameName = (frame: CallFrame): string => {
  const file = frame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/(src|bench)\//, "$1/").replace(
    /\?.*$/,
    ""
  )
  const where = frame.url === "" ? "" : ` ${file}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`
  return `${frame.functionName === "" ? "(anonymous)" : frame.functionName}${where}`
}

const sourceCache = new Map<string, ReadonlyArray<string>>()

/** The frame's line of source, trimmed: names the anonymous closures of packages without a source map. */
const codeOf = (frame: CallFrame): string | undefined => {
  if (!frame.url.startsWith("file://") || !frame.url.includes("/node_modules/") || frame.lineNumber < 0) {
    return undefined
  }
  let lines = sourceCache.get(frame.url)
  if (lines === undefined) {
    try {
      lines = fs.readFileSync(fileURLToPath(frame.url), "utf8").split("\n")
    } catch {
      lines = []
    }
    sourceCache.set(frame.url, lines)
  }
  const line = lines[frame.lineNumber]?.trim()
  return line === undefined ? undefined : line.length > 90 ? `${line.slice(0, 90)}…` : line
}

const rows = (
  totals: Map<string, number>,
  totalMs: number,
  limit: number,
  frames?: Map<string, CallFrame>
): Array<Row> =>
  [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, ms]) => {
      const frame = frames?.get(name)
      return { name, ms, share: ms / totalMs, code: frame === undefined ? undefined : codeOf(frame) }
    })

const containers = new Set([
  "node internals (streams, net, http)",
  "V8 builtins",
  "idle / native",
  "effect runtime (fibers, Effect, Context)",
  "bench harness"
])

export const summarize = (profile: CpuProfile, calls: number): ProfileSummary => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const self = new Map<string, number>()
  const frames = new Map<string, CallFrame>()
  const areaSelf = new Map<string, number>()
  const areaInclusive = new Map<string, number>()
  let totalMs = 0
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1_000
    const node = byId.get(id)!
    if (node.callFrame.functionName === "(idle)") return
    const stack: Array<CallFrame> = []
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!.callFrame)
    // The profiler's own start/stop messages: their first delta spans the set-up, not the work.
    if (stack.some((frame) => frame.url === "node:inspector")) return
    totalMs += ms
    const name = frameName(node.callFrame)
    self.set(name, (self.get(name) ?? 0) + ms)
    frames.set(name, node.callFrame)
    areaSelf.set(areaOf(node.callFrame), (areaSelf.get(areaOf(node.callFrame)) ?? 0) + ms)
    const onStack = new Set(stack.filter((frame) => frame.functionName !== "(root)").map(areaOf))
    for (const area of onStack) {
      if (!containers.has(area)) areaInclusive.set(area, (areaInclusive.get(area) ?? 0) + ms)
    }
  })
  return {
    totalMs,
    calls,
    topSelf: rows(self, totalMs, 15, frames),
    areasSelf: rows(areaSelf, totalMs, 12),
    areasInclusive: rows(areaInclusive, totalMs, 12)
  }
}

/** Profiles `run` called repeatedly (awaited one at a time) for about `durationMs`, at most `maxCalls` times. */
export const profileCalls = async (
  run: () => Promise<unknown>,
  options: { readonly durationMs: number; readonly maxCalls: number; readonly saveTo?: string | undefined }
): Promise<ProfileSummary> => {
  const session = new inspector.Session()
  session.connect()
  try {
    await session.post("Profiler.enable")
    await session.post("Profiler.setSamplingInterval", { interval: 100 })
    await session.post("Profiler.start")
    const started = performance.now()
    let calls = 0
    while (calls < options.maxCalls && performance.now() - started < options.durationMs) {
      await run()
      calls++
    }
    const { profile } = await session.post("Profiler.stop")
    if (options.saveTo !== undefined) fs.writeFileSync(options.saveTo, JSON.stringify(profile))
    return summarize(profile as unknown as CpuProfile, calls)
  } finally {
    session.disconnect()
  }
}
