/**
 * Conformance against the spec: every operation is called through `ClerkBackend`
 * with minimal valid params against Stoplight Prism, which validates each request
 * against the spec. No request may be refused; in dynamic mode every answer must
 * decode; in static mode only the listed placeholder bodies may fail to decode.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import type { Operation } from "../scripts/generator/operations.js"
import { ClerkBackend } from "../src/ClerkBackend.js"
import { ClerkClient } from "../src/ClerkClient.js"
import { ClerkConfig } from "../src/ClerkConfig.js"
import type { Descriptor } from "../src/ClerkDescriptor.js"
import type { ClerkError } from "../src/ClerkError.js"
import { ClerkRetryPolicy } from "../src/ClerkRetryPolicy.js"
import * as Invitations from "../src/generated/Invitations.js"
import * as Users from "../src/generated/Users.js"
import {
  describeFailure,
  expectAccepted,
  prismBlames,
  refusals,
  staticDecodeExceptions
} from "./support/conformance.js"
import type { LoadedSpec } from "./support/minimalParams.js"
import { loadOperations, minimalParams, specPath, stringForPattern } from "./support/minimalParams.js"
import type { Exchange } from "./support/Prism.js"
import { recording, startPrism, stopAll } from "./support/Prism.js"

const specFile = specPath()
const specPresent = fs.existsSync(specFile)
const skipMessage = `Prism conformance skipped: no Backend API spec at ${specFile} (set CLERK_OPENAPI_SPEC to run it)`
if (!specPresent) console.warn(skipMessage)

const loaded: LoadedSpec | undefined = specPresent ? loadOperations(specFile) : undefined

/** Seeds of the dynamic runs: each a separate Prism with its own deterministic data. */
const seeds = [1, 2, 3] as const

/** Past this the calls stop, every Prism is stopped, and each operation not yet called fails as such. */
const suiteBudgetMs = 6 * 60_000

type AnyApi = Record<string, Record<string, (params: unknown) => Effect.Effect<unknown, ClerkError>>>

interface Outcome {
  readonly exchanges: ReadonlyArray<Exchange>
  /** The call's result; a defect when the params could not be built or the method does not exist. */
  readonly exit: Exit.Exit<unknown, ClerkError>
}

/** Runs `use` against `ClerkBackend` pointed at `url`, retries off, recording what Prism said. */
const callThroughPrism = (
  url: string,
  use: (clerk: AnyApi) => Effect.Effect<Exit.Exit<unknown, ClerkError>, never, ClerkClient>
): Effect.Effect<Outcome> =>
  Effect.gen(function*() {
    const exchanges: Array<Exchange> = []
    const layer = ClerkBackend.layerWith({ transformClient: recording(exchanges) }).pipe(
      Layer.provide(ClerkConfig.layer({
        secretKey: Redacted.make("sk_test_conformance_fake_0000000000"),
        apiUrl: url,
        timeout: "20 seconds"
      })),
      Layer.provide(FetchHttpClient.layer)
    )
    const exit = yield* Effect.flatMap(ClerkBackend, (clerk) => use(clerk as unknown as AnyApi)).pipe(
      Effect.provideService(ClerkRetryPolicy, ClerkRetryPolicy.none),
      Effect.provide(layer)
    )
    return { exchanges, exit }
  })

/** Calls `op` with its minimal params. */
const callOperation =
  (op: Operation, spec: LoadedSpec) => (clerk: AnyApi): Effect.Effect<Exit.Exit<unknown, ClerkError>> => {
    const call = clerk[op.group]?.[op.name]
    if (call === undefined) return Effect.succeed(Exit.die(`ClerkBackend has no ${op.group}.${op.name}`))
    let params: Record<string, unknown>
    try {
      params = minimalParams(op, spec)
    } catch (error) {
      return Effect.succeed(Exit.die(`no params for ${op.operationId}: ${String(error)}`))
    }
    return Effect.exit(call(params))
  }

/**
 * The operation with a params schema that takes any `limit`: our client refuses `limit: 0`
 * itself, so the controls go around that check, as a caller on another client could.
 */
const withoutLimitCheck = (descriptor: Descriptor): Descriptor => ({
  ...descriptor,
  params: Schema.Struct({ limit: Schema.Number })
})

const sendUnchecked = (descriptor: Descriptor) =>
  Effect.exit(Effect.flatMap(ClerkClient, (client) => client.execute(withoutLimitCheck(descriptor), { limit: 0 })))

/**
 * Requests Prism must refuse, sent once to the static Prism to show that a refusal is seen:
 * `limit` is at least 1 for every list. `users.list` declares 4xx answers, so Prism reports the
 * violation in `sl-violations`; `invitations.list` declares none, so it answers a problem document.
 */
const controls: Readonly<
  Record<string, (clerk: AnyApi) => Effect.Effect<Exit.Exit<unknown, ClerkError>, never, ClerkClient>>
> = {
  slViolations: () => sendUnchecked(Users.list.descriptor),
  problemDocument: () => sendUnchecked(Invitations.list.descriptor)
}

const failureOf = (exit: Exit.Exit<unknown, ClerkError>): ClerkError | string | undefined =>
  Exit.isSuccess(exit)
    ? undefined
    : Option.getOrElse(Cause.failureOption(exit.cause), (): ClerkError | string => Cause.pretty(exit.cause))

/** One Prism and everything the calls against it produced. */
interface ModeRun {
  readonly name: string
  readonly seed: number | undefined
  readonly outcomes: Map<string, Outcome>
  readonly controls: Map<string, Outcome>
  startupMs: number
  callsMs: number
}

/**
 * Starts this mode's Prism, calls every operation against it in spec order (one at a time, so a
 * seed always yields the same data for the same call), then stops it.
 */
const runMode = (run: ModeRun, spec: LoadedSpec): Effect.Effect<void, Error> =>
  Effect.scoped(Effect.gen(function*() {
    const startedAt = performance.now()
    const prism = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => startPrism({ spec: specFile, seed: run.seed }),
        catch: (cause) => new Error(`${run.name}: ${cause instanceof Error ? cause.message : String(cause)}`)
      }),
      (prism) => Effect.promise(() => prism.stop())
    )
    run.startupMs = performance.now() - startedAt
    const callsFrom = performance.now()
    yield* Effect.forEach(spec.operations, (op) =>
      Effect.map(callThroughPrism(prism.url, callOperation(op, spec)), (outcome) => {
        run.outcomes.set(op.operationId, outcome)
      }), { discard: true })
    run.callsMs = performance.now() - callsFrom
    if (run.seed === undefined) {
      for (const [name, use] of Object.entries(controls)) {
        run.controls.set(name, yield* callThroughPrism(prism.url, use))
      }
    }
  }))

const summary = (run: ModeRun): string => {
  const outcomes = [...run.outcomes.values()]
  const accepted = outcomes.filter((o) => o.exchanges.length === 1 && refusals(o).length === 0).length
  const decoded = outcomes.filter((o) => Exit.isSuccess(o.exit)).length
  const responseViolations = outcomes.reduce(
    (n, o) => n + o.exchanges.reduce((m, e) => m + e.violations.filter((v) => v.location[0] === "response").length, 0),
    0
  )
  return `  ${run.name.padEnd(7)} called ${outcomes.length}, accepted ${accepted}, decoded ${decoded}; ` +
    `Prism's own response violations ${responseViolations}; startup ${(run.startupMs / 1000).toFixed(1)} s, ` +
    `calls ${(run.callsMs / 1000).toFixed(1)} s`
}

if (!specPresent) {
  describe("Prism conformance", () => {
    it.skip(skipMessage, () => {})
  })
}

describe.skipIf(!specPresent)("Prism conformance", () => {
  const operations = loaded?.operations ?? []
  const runs: ReadonlyArray<ModeRun> = [undefined, ...seeds].map((seed) => ({
    name: seed === undefined ? "static" : `seed ${seed}`,
    seed,
    outcomes: new Map(),
    controls: new Map(),
    startupMs: 0,
    callsMs: 0
  }))
  let suiteMs = 0
  let budgetExceeded = false

  beforeAll(async () => {
    const startedAt = performance.now()
    // The modes run side by side, each against its own Prism: Prism is single-threaded, so this is
    // what makes the run shorter; within a mode calls stay sequential for deterministic seeds.
    await Effect.runPromise(
      Effect.forEach(runs, (run) => runMode(run, loaded!), { concurrency: "unbounded", discard: true }).pipe(
        Effect.timeoutFail({ duration: suiteBudgetMs, onTimeout: () => "budget" as const }),
        Effect.catchIf((e) => e === "budget", () => Effect.sync(() => void (budgetExceeded = true)))
      )
    )
    suiteMs = performance.now() - startedAt
  }, suiteBudgetMs + 30_000)

  afterAll(async () => {
    // Normally every Prism is already stopped with its mode; this catches an interrupted run.
    await stopAll()
    console.log(
      `Prism conformance: ${operations.length} operations, ${(suiteMs / 1000).toFixed(1)} s` +
        `${budgetExceeded ? ` (stopped at the ${suiteBudgetMs / 1000} s budget)` : ""}\n${runs.map(summary).join("\n")}`
    )
  }, 15_000)

  const outcomeOf = (run: ModeRun, op: Operation): Outcome => {
    const outcome = run.outcomes.get(op.operationId)
    if (outcome === undefined) {
      throw new Error(
        `${op.operationId} was not called in ${run.name}${budgetExceeded ? ": the suite budget ran out" : ""}`
      )
    }
    return outcome
  }

  it("synthesizes a matching value for every pattern in the spec", () => {
    const patterns = new Set<string>()
    const collect = (node: unknown): void => {
      if (node === null || typeof node !== "object") return
      if (Array.isArray(node)) return node.forEach(collect)
      for (const [key, value] of Object.entries(node)) {
        if (key === "pattern" && typeof value === "string") patterns.add(value)
        else collect(value)
      }
    }
    collect(loaded!.spec)
    expect(patterns.size).toBeGreaterThan(0)
    for (const pattern of patterns) expect(stringForPattern(pattern)).toMatch(new RegExp(pattern, "u"))
  })

  it("covers every operation of the spec, each exception naming a real one", () => {
    expect(operations.length).toBeGreaterThan(0)
    expect(new Set(operations.map((op) => op.operationId)).size).toBe(operations.length)
    for (const id of Object.keys(staticDecodeExceptions)) {
      expect(operations.some((op) => op.operationId === id), `unknown exception ${id}`).toBe(true)
    }
  })

  const [staticRun, ...seedRuns] = runs

  describe("the check itself sees a refused request", () => {
    it("reported in sl-violations", () => {
      const outcome = staticRun!.controls.get("slViolations")
      expect(outcome, "control not run").toBeDefined()
      expect(outcome!.exchanges.flatMap((e) => e.violations).some((v) => v.location[0] === "request")).toBe(true)
      expect(refusals(outcome!).join("\n")).toContain("limit")
      expect(Exit.isFailure(outcome!.exit)).toBe(true)
    })

    it("reported as a problem document", () => {
      const outcome = staticRun!.controls.get("problemDocument")
      expect(outcome, "control not run").toBeDefined()
      expect(outcome!.exchanges.map((e) => e.contentType).join(" ")).toContain("problem+json")
      expect(refusals(outcome!).join("\n")).toContain("limit")
      expect(Exit.isFailure(outcome!.exit)).toBe(true)
    })
  })

  describe("static mode: every request accepted, only the listed placeholder bodies fail to decode", () => {
    for (const op of operations) {
      it(`${op.group}.${op.name} (${op.operationId})`, () => {
        const outcome = outcomeOf(staticRun!, op)
        expectAccepted(op, outcome)
        const failure = failureOf(outcome.exit)
        const exception = staticDecodeExceptions[op.operationId]
        if (exception === undefined) {
          expect(failure === undefined ? undefined : describeFailure(failure), `${op.operationId} should decode`)
            .toBeUndefined()
        } else {
          expect(failure, `${op.operationId} is listed as failing to decode (${exception.reason})`).toBeDefined()
          expect(typeof failure === "string" ? failure : failure!._tag).toBe("ClerkDecodeError")
          expect((failure as Extract<ClerkError, { _tag: "ClerkDecodeError" }>).path).toBe(exception.path)
          // The blame is Prism's only if Prism itself says its body breaks the spec right there.
          expect(
            prismBlames(outcome, exception.path),
            `${op.operationId}: Prism reports no response violation for ${exception.path}`
          ).toBe(true)
        }
      })
    }
  })

  for (const run of seedRuns) {
    describe(`dynamic mode, ${run.name}: every request accepted and decoded`, () => {
      for (const op of operations) {
        it(`${op.group}.${op.name} (${op.operationId})`, () => {
          const outcome = outcomeOf(run, op)
          expectAccepted(op, outcome)
          const failure = failureOf(outcome.exit)
          expect(failure === undefined ? undefined : describeFailure(failure), `${op.operationId} should decode`)
            .toBeUndefined()
        })
      }
    })
  }
})
