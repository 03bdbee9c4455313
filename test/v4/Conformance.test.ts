/**
 * Conformance of the Effect 4 line against the spec: every operation is called through the Effect 4
 * `ClerkBackend` with minimal valid params against Stoplight Prism, which validates each request. No request
 * may be refused; against a static Prism only the placeholder bodies listed for the Effect 3 line may fail to
 * decode, and against a seeded dynamic Prism every answer must decode. Controls show a refusal is seen.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { Operation } from "../../scripts/generator/operations.js"
import { ClerkBackend } from "../../src/v4/ClerkBackend.js"
import { ClerkClient } from "../../src/v4/ClerkClient.js"
import { ClerkConfig } from "../../src/v4/ClerkConfig.js"
import type { Descriptor } from "../../src/v4/ClerkDescriptor.js"
import type { ClerkError } from "../../src/v4/ClerkError.js"
import { ClerkRetryPolicy } from "../../src/v4/ClerkRetryPolicy.js"
import * as Invitations from "../../src/v4/generated/Invitations.js"
import * as Users from "../../src/v4/generated/Users.js"
import type { Failure } from "../support/conformance.js"
import {
  describeFailure,
  expectAccepted,
  prismBlames,
  refusals,
  staticDecodeExceptions
} from "../support/conformance.js"
import type { LoadedSpec } from "../support/minimalParams.js"
import { loadOperations, minimalParams, specPath } from "../support/minimalParams.js"
import type { Exchange } from "../support/Prism.js"
import { parseViolations, startPrism, stopAll } from "../support/Prism.js"

const specFile = specPath()
const specPresent = fs.existsSync(specFile)
const skipMessage =
  `Prism conformance (Effect 4) skipped: no Backend API spec at ${specFile} (set CLERK_OPENAPI_SPEC to run it)`
if (!specPresent) console.warn(skipMessage)

const loaded: LoadedSpec | undefined = specPresent ? loadOperations(specFile) : undefined

/** Past this the calls stop, and each operation not yet called fails as such. */
const suiteBudgetMs = 5 * 60_000

interface Outcome {
  readonly exchanges: ReadonlyArray<Exchange>
  readonly failure: Failure | undefined
}

type AnyApi = Record<string, Record<string, (params: unknown) => Effect.Effect<unknown, ClerkError>>>

/** Keeps what Prism said of each exchange: its status, content type and `sl-violations`. */
const recording = (exchanges: Array<Exchange>) => (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.tap(client, (response) => {
    const contentType = response.headers["content-type"] ?? ""
    const ok = response.status >= 200 && response.status < 300 && !contentType.includes("problem+json")
    const url = new URL(response.request.url)
    return Effect.map(
      ok ? Effect.succeed(undefined) : Effect.orElseSucceed(response.text, () => "<unreadable>"),
      (errorBody) => {
        exchanges.push({
          operation: undefined,
          method: response.request.method,
          url: `${url.pathname}${url.search}`,
          status: response.status,
          contentType,
          violations: parseViolations(response.headers["sl-violations"]),
          errorBody
        })
      }
    )
  })

const failureOf = (exit: Exit.Exit<unknown, ClerkError>): Failure | undefined =>
  Exit.isSuccess(exit)
    ? undefined
    : Option.getOrElse(Cause.findErrorOption(exit.cause), (): Failure => Cause.pretty(exit.cause))

/** Runs `use` against the Effect 4 `ClerkBackend` pointed at `url`, retries off, recording what Prism said. */
const callThroughPrism = (
  url: string,
  use: (clerk: AnyApi) => Effect.Effect<unknown, ClerkError, ClerkClient>
): Promise<Outcome> => {
  const exchanges: Array<Exchange> = []
  const layer = ClerkBackend.layerWith({ transformClient: recording(exchanges) }).pipe(
    Layer.provide(ClerkConfig.layer({
      secretKey: Redacted.make("sk_test_conformance_fake_0000000000"),
      apiUrl: url,
      timeout: "20 seconds"
    })),
    Layer.provide(FetchHttpClient.layer)
  )
  return Effect.runPromise(
    Effect.exit(Effect.flatMap(ClerkBackend, (clerk) => use(clerk as unknown as AnyApi))).pipe(
      Effect.provideService(ClerkRetryPolicy, ClerkRetryPolicy.none),
      Effect.provide(layer),
      Effect.map((exit) => ({ exchanges, failure: failureOf(exit) }))
    )
  )
}

const callOperation = (op: Operation, spec: LoadedSpec) => (clerk: AnyApi) => {
  const call = clerk[op.group]?.[op.name]
  if (call === undefined) return Effect.die(`ClerkBackend has no ${op.group}.${op.name}`)
  return Effect.suspend(() => call(minimalParams(op, spec)))
}

/** `limit: 0` sent around our own check, as a caller on another client could: Prism must refuse it. */
const sendUnchecked = (descriptor: Descriptor) =>
  Effect.flatMap(
    ClerkClient,
    (client) => client.execute({ ...descriptor, params: Schema.Struct({ limit: Schema.Number }) }, { limit: 0 })
  )

interface ModeRun {
  readonly name: string
  readonly seed: number | undefined
  readonly outcomes: Map<string, Outcome>
  readonly controls: Map<string, Outcome>
}

const runMode = async (run: ModeRun, spec: LoadedSpec, deadline: number) => {
  const prism = await startPrism({ spec: specFile, seed: run.seed })
  try {
    for (const op of spec.operations) {
      if (performance.now() > deadline) break
      run.outcomes.set(op.operationId, await callThroughPrism(prism.url, callOperation(op, spec)))
    }
    if (run.seed === undefined) {
      run.controls.set("slViolations", await callThroughPrism(prism.url, () => sendUnchecked(Users.list.descriptor)))
      run.controls.set(
        "problemDocument",
        await callThroughPrism(prism.url, () => sendUnchecked(Invitations.list.descriptor))
      )
    }
  } finally {
    await prism.stop()
  }
}

if (!specPresent) {
  describe("Prism conformance (Effect 4)", () => {
    it.skip(skipMessage, () => {})
  })
}

describe.skipIf(!specPresent)("Prism conformance (Effect 4)", () => {
  const operations = loaded?.operations ?? []
  const runs: ReadonlyArray<ModeRun> = [undefined, 1].map((seed) => ({
    name: seed === undefined ? "static" : `seed ${seed}`,
    seed,
    outcomes: new Map(),
    controls: new Map()
  }))
  const [staticRun, seededRun] = runs as [ModeRun, ModeRun]

  beforeAll(async () => {
    const deadline = performance.now() + suiteBudgetMs
    await Promise.all(runs.map((run) => runMode(run, loaded!, deadline)))
  }, suiteBudgetMs + 60_000)

  afterAll(async () => {
    await stopAll()
    for (const run of runs) {
      const outcomes = [...run.outcomes.values()]
      console.log(
        `Prism conformance (Effect 4), ${run.name}: called ${outcomes.length}, decoded ${
          outcomes.filter((o) => o.failure === undefined).length
        }`
      )
    }
  }, 15_000)

  const outcomeOf = (run: ModeRun, op: Operation): Outcome => {
    const outcome = run.outcomes.get(op.operationId)
    if (outcome === undefined) throw new Error(`${op.operationId} was not called in ${run.name}`)
    return outcome
  }

  it("sees a refused request, in sl-violations and as a problem document", () => {
    const violations = staticRun.controls.get("slViolations")
    expect(violations, "control not run").toBeDefined()
    expect(refusals(violations!).join("\n")).toContain("limit")
    expect(violations!.failure).toBeDefined()
    const problem = staticRun.controls.get("problemDocument")
    expect(problem!.exchanges.map((e) => e.contentType).join(" ")).toContain("problem+json")
    expect(problem!.failure).toBeDefined()
  })

  it("covers every operation of the spec", () => {
    expect(operations.length).toBe(249)
  })

  describe("static mode: every request accepted, only the listed placeholder bodies fail to decode", () => {
    for (const op of operations) {
      it(`${op.group}.${op.name} (${op.operationId})`, () => {
        const outcome = outcomeOf(staticRun, op)
        expectAccepted(op, outcome)
        const exception = staticDecodeExceptions[op.operationId]
        if (exception === undefined) {
          expect(outcome.failure === undefined ? undefined : describeFailure(outcome.failure)).toBeUndefined()
        } else {
          const failure = outcome.failure
          expect(typeof failure === "string" ? failure : failure?._tag).toBe("ClerkDecodeError")
          expect((failure as { readonly path?: unknown }).path).toBe(exception.path)
          expect(prismBlames(outcome, exception.path)).toBe(true)
        }
      })
    }
  })

  describe(`dynamic mode, ${seededRun.name}: every request accepted and decoded`, () => {
    for (const op of operations) {
      it(`${op.group}.${op.name} (${op.operationId})`, () => {
        const outcome = outcomeOf(seededRun, op)
        expectAccepted(op, outcome)
        expect(outcome.failure === undefined ? undefined : describeFailure(outcome.failure)).toBeUndefined()
      })
    }
  })
})
