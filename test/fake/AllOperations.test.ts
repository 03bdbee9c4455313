/**
 * Every operation of the spec, called through `ClerkBackend` against the in-memory fake: params drawn from
 * each operation's own params schema (seeded, so every run calls the same), so the test needs no spec file.
 * Each call succeeds, or fails with a typed Clerk error its (random) params deserve; none answers 501, none
 * dies, none answers what its success schema refuses. The count of operations with state of their own and of
 * those answered by generated values is printed.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import { ClerkBackend } from "../../src/ClerkBackend.js"
import type { ClerkError } from "../../src/ClerkError.js"
import { ClerkTest } from "../../src/ClerkTest.js"
import { operations } from "../../src/generated/Operations.js"
import { derivedOf } from "../../src/internal/fake/instance.js"
import { builtinRoutes } from "../../src/internal/fake/routes.js"

type AnyApi = Record<string, Record<string, (params?: unknown) => Effect.Effect<unknown, ClerkError>>>

/** Typed outcomes a call with random params may deserve; anything else fails the test. */
const deserved = new Set([
  "ClerkInvalidRequest",
  "ClerkBadRequest",
  "ClerkNotFound",
  "ClerkConflict",
  "ClerkUnprocessable",
  "ClerkForbidden"
])

const paramsFor = (name: string, seed: number): unknown => {
  const params = operations[name as keyof typeof operations].descriptor.params
  if (params === undefined) return undefined
  return FastCheck.sample(Arbitrary.make(params as Schema.Schema<any, any>), { seed, numRuns: 1 })[0]
}

const names = Object.keys(operations).sort()
const derived = derivedOf({ operations })
const stateful = names.filter((name) => name in builtinRoutes || derived.has(name))

describe("every operation against the fake", () => {
  it("counts the operations with state of their own and those answered by generated values", () => {
    const handWritten = names.filter((name) => name in builtinRoutes).length
    console.log(
      `ClerkTest: ${names.length} operations; ${stateful.length} keep state (${handWritten} hand-written, ${
        stateful.length - handWritten
      } derived from the descriptors), ${names.length - stateful.length} answer generated valid values (strict: 501)`
    )
    expect(names.length).toBe(249)
    expect(stateful.length).toBeGreaterThanOrEqual(160)
  })

  it.effect("each of the 249 succeeds or fails with a typed error its params deserve, never 501 nor a defect", () =>
    Effect.gen(function*() {
      const clerk = (yield* ClerkBackend) as unknown as AnyApi
      const problems: Array<string> = []
      const outcomes = { succeeded: 0, refused: 0 }
      for (const name of names) {
        const [group, method] = name.split(".") as [string, string]
        const exit = yield* Effect.exit(
          Effect.suspend(() => clerk[group]![method]!(paramsFor(name, 20261207)))
        )
        if (Exit.isSuccess(exit)) {
          outcomes.succeeded++
          continue
        }
        const failure = Cause.failureOption(exit.cause)
        if (Option.isNone(failure)) {
          problems.push(`${name}: ${Cause.pretty(exit.cause).split("\n")[0]}`)
        } else if (
          deserved.has(failure.value._tag) ||
          // A 4xx the spec does not declare for the operation (a missing user for `users.ban`) is still typed.
          (failure.value._tag === "ClerkUnexpectedStatus" && failure.value.status < 500)
        ) {
          outcomes.refused++
        } else {
          problems.push(`${name}: ${failure.value._tag}: ${failure.value.message}`)
        }
      }
      console.log(`ClerkTest: ${outcomes.succeeded} calls succeeded, ${outcomes.refused} were refused with 4xx`)
      expect(problems).toEqual([])
      expect(outcomes.succeeded).toBeGreaterThan(100)
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("in strict mode, operations without state of their own answer 501, and only those", () =>
    Effect.gen(function*() {
      const clerk = (yield* ClerkBackend) as unknown as AnyApi
      const answered501: Array<string> = []
      for (const name of names) {
        const [group, method] = name.split(".") as [string, string]
        const error = yield* Effect.flip(clerk[group]![method]!(paramsFor(name, 20261207))).pipe(
          Effect.orElseSucceed(() => undefined),
          Effect.catchAllDefect(() => Effect.succeed(undefined))
        )
        if (error !== undefined && "status" in error && error.status === 501) answered501.push(name)
      }
      // Random path ids can miss every route (a 404 before any operation is chosen), so not all of them get here.
      expect(answered501.filter((name) => stateful.includes(name))).toEqual([])
      expect(answered501.length).toBeGreaterThan(60)
    }).pipe(Effect.provide(ClerkTest.layerWith({ strict: true }))))
})
