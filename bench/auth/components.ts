/**
 * Profiles several cases in one inspector session, taking turns every few
 * milliseconds, and splits the main thread's samples by the case whose turn
 * it was and by the component whose code was running (the sampled frame's
 * own code, "self" time). Taking turns puts load from elsewhere on every case
 * alike, as the timed rounds do. The components are coarser than
 * bench/lib/profile.ts's areas, made to compare jose alone with jose called
 * through effect-clerk.
 */
import * as fs from "node:fs"
import * as inspector from "node:inspector/promises"
import type { CallFrame, CpuProfile } from "../lib/profile.js"

export type Component =
  | "WebCrypto verify"
  | "jose"
  | "effect runtime"
  | "effect-clerk src/"
  | "garbage collector"
  | "V8 builtins"
  | "other"

/** Milliseconds of samples per component, and their sum. */
export interface Components {
  readonly totalMs: number
  readonly ms: Readonly<Record<Component, number>>
}

export const componentNames: ReadonlyArray<Component> = [
  "WebCrypto verify",
  "jose",
  "effect runtime",
  "effect-clerk src/",
  "garbage collector",
  "V8 builtins",
  "other"
]

const componentOf = (frame: CallFrame): Component => {
  const { functionName, url } = frame
  // The crypto job's native frames (`run` queues the RSA check; its wall time on a busy machine lands here).
  if (
    url.startsWith("node:internal/crypto") || (url === "" && (functionName === "run" || functionName === "SignJob"))
  ) {
    return "WebCrypto verify"
  }
  if (url === "" && functionName === "(garbage collector)") return "garbage collector"
  if (url.includes("node_modules/jose/")) return "jose"
  if (url.includes("node_modules/effect/")) return "effect runtime"
  if (url.includes("/src/")) return "effect-clerk src/"
  if (url === "" && !functionName.startsWith("(")) return "V8 builtins"
  return "other"
}

export interface CaseProfile {
  readonly calls: number
  /** Wall time of the case's turns ÷ its calls. */
  readonly wallUs: number
  readonly components: Components
}

/** Monotonic microseconds, the clock of the profile's timestamps. */
const nowUs = () => Number(process.hrtime.bigint() / 1_000n)

export const profileInterleaved = async <K extends string>(
  cases: ReadonlyArray<{ readonly key: K; readonly run: () => Promise<unknown> }>,
  options: { readonly durationMs: number; readonly turnMs: number; readonly saveTo: string }
): Promise<Record<K, CaseProfile>> => {
  const turns: Array<{ readonly key: K; readonly from: number; readonly to: number; readonly calls: number }> = []
  const session = new inspector.Session()
  session.connect()
  let profile: CpuProfile
  try {
    await session.post("Profiler.enable")
    await session.post("Profiler.setSamplingInterval", { interval: 100 })
    await session.post("Profiler.start")
    const end = nowUs() + options.durationMs * 1_000
    for (let turn = 0; nowUs() < end; turn++) {
      const c = cases[turn % cases.length]!
      const from = nowUs()
      let calls = 0
      while (nowUs() - from < options.turnMs * 1_000) {
        await c.run()
        calls++
      }
      turns.push({ key: c.key, from, to: nowUs(), calls })
    }
    profile = (await session.post("Profiler.stop")).profile as unknown as CpuProfile
  } finally {
    session.disconnect()
  }
  fs.writeFileSync(options.saveTo, JSON.stringify(profile))

  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const result = Object.fromEntries(cases.map((c) => [c.key, {
    calls: 0,
    wallUs: 0,
    components: {
      totalMs: 0,
      ms: Object.fromEntries(componentNames.map((name) => [name, 0])) as Record<Component, number>
    }
  }])) as Record<K, { calls: number; wallUs: number; components: { totalMs: number; ms: Record<Component, number> } }>
  for (const t of turns) {
    result[t.key].calls += t.calls
    result[t.key].wallUs += t.to - t.from
  }
  let at = profile.startTime
  let turn = 0
  profile.samples.forEach((id, i) => {
    const deltaUs = profile.timeDeltas[i] ?? 0
    at += deltaUs
    while (turn < turns.length && turns[turn]!.to < at) turn++
    const t = turns[turn]
    if (t === undefined || at < t.from) return
    const node = byId.get(id)!
    if (node.callFrame.functionName === "(idle)") return
    for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) {
      if (byId.get(up)!.callFrame.url === "node:inspector") return
    }
    const into = result[t.key].components
    into.totalMs += deltaUs / 1_000
    into.ms[componentOf(node.callFrame)] += deltaUs / 1_000
  })
  for (const r of Object.values(result) as Array<{ calls: number; wallUs: number }>) {
    r.wallUs = r.wallUs / Math.max(1, r.calls)
  }
  return result
}
