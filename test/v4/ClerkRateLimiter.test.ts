/**
 * ClerkRateLimiter on the Effect 4 line, with its ClerkClient: every attempt waits for the budget of its
 * secret key (a sliding window, on the Clock), a 429 with `Retry-After` holds every caller of that key, and a
 * limiter that cannot decide fails the call with a typed error without sending it.
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/testing/TestClock"
import { describe, expect, it } from "vitest"
import { ClerkBackend } from "../../src/v4/ClerkBackend.js"
import { ClerkRateLimiter } from "../../src/v4/ClerkRateLimiter.js"
import { ClerkRetryPolicy } from "../../src/v4/ClerkRetryPolicy.js"
import { ClerkTest } from "../../src/v4/ClerkTest.js"

const run = <A, E>(effect: Effect.Effect<A, E, ClerkBackend | ClerkTest>, limiter: Layer.Layer<ClerkRateLimiter>) =>
  Effect.runPromise(
    effect.pipe(
      Effect.provide(Layer.orDie(ClerkTest.layerWith({}).pipe(Layer.provide(limiter)))),
      Effect.provide(TestClock.layer())
    )
  )

describe("ClerkRateLimiter (Effect 4)", () => {
  it("at most `limit` requests in any window; a 429 holds the key; the rest wait on the Clock", async () => {
    const outcome = await run(
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        // Moves the TestClock in steps until `done` holds: a fiber's sleep may start after any one step.
        const advanceUntil = (done: () => boolean, step: Duration.Input, steps: number) =>
          Effect.gen(function*() {
            for (let i = 0; i < steps && !done(); i++) {
              yield* Effect.yieldNow
              yield* TestClock.adjust(step)
            }
          })
        let finished = 0
        const fibers = yield* Effect.forEach(
          [1, 2, 3],
          () => Effect.forkChild(Effect.tap(clerk.users.count(), () => Effect.sync(() => finished++)))
        )
        yield* advanceUntil(() => finished >= 2, "1 millis", 100)
        const withinWindow = finished
        yield* advanceUntil(() => finished >= 3, "100 millis", 40)
        yield* Effect.forEach(fibers, Fiber.join)
        yield* ClerkTest.script("users.count", [ClerkTest.rateLimited("3 seconds")])
        let retried = false
        const held = yield* Effect.forkChild(Effect.tap(clerk.users.count(), () => Effect.sync(() => (retried = true))))
        yield* advanceUntil(() => retried, "100 millis", 100)
        yield* Fiber.join(held)
        return { withinWindow, calls: yield* ClerkTest.calls }
      }),
      ClerkRateLimiter.memory({ limit: 2, window: "1 second" })
    )
    expect(outcome.withinWindow).toBe(2)
    expect(outcome.calls.map((call) => call.status)).toEqual([200, 200, 200, 429, 200])
    // The third waited for the window to slide; the retry after the 429 waited for its hold.
    expect(outcome.calls[2]!.at - outcome.calls[0]!.at).toBeGreaterThanOrEqual(1_000)
    expect(outcome.calls[4]!.at - outcome.calls[3]!.at).toBeGreaterThanOrEqual(3_000)
  })

  it("a limiter that cannot decide fails the call with ClerkTransportError, and nothing is sent", async () => {
    const outcome = await run(
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const error = yield* Effect.flip(clerk.users.count())
        return { error, calls: (yield* ClerkTest.calls).length }
      }).pipe(Effect.provideService(ClerkRetryPolicy, ClerkRetryPolicy.none)),
      Layer.succeed(
        ClerkRateLimiter,
        ClerkRateLimiter.make({ acquire: () => Effect.die(new Error("store gone")), backOff: () => Effect.void })
      )
    )
    expect(outcome.error).toMatchObject({ _tag: "ClerkTransportError", kind: "Other", operation: "users.count" })
    expect(outcome.calls).toBe(0)
  })
})
