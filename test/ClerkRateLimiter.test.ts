/**
 * ClerkRateLimiter with ClerkClient: every attempt waits for the budget of its secret key (a sliding
 * window, on the Clock), a 429 with `Retry-After` holds every caller of that key, budgets of other keys are
 * apart, and a limiter that cannot decide fails the call with a typed error without sending it.
 */
import { describe, expect, it } from "@effect/vitest"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { ClerkBackend } from "../src/ClerkBackend.js"
import { withSecretKey } from "../src/ClerkClient.js"
import { ClerkRateLimiter } from "../src/ClerkRateLimiter.js"
import type { RateLimitOptions } from "../src/ClerkRateLimiter.js"
import { ClerkRetryPolicy } from "../src/ClerkRetryPolicy.js"
import { ClerkTest } from "../src/ClerkTest.js"
import { rateWindows } from "../src/internal/rateWindow.js"
import { digestOfSecret } from "../src/internal/secretDigest.js"

const budgeted = (limit: number, window: Duration.DurationInput) =>
  ClerkTest.layer.pipe(Layer.provide(ClerkRateLimiter.memory({ limit, window })))

/** How many of the calls `n` forked calls of `users.count` have finished. */
const forkCalls = (n: number) =>
  Effect.flatMap(
    ClerkBackend,
    (clerk) =>
      Effect.forEach(Array.from({ length: n }), () => Effect.fork(clerk.users.count()), { concurrency: "unbounded" })
  )

const finished = (fibers: ReadonlyArray<Fiber.RuntimeFiber<unknown, unknown>>) =>
  Effect.map(
    Effect.forEach(fibers, (fiber) => fiber.poll),
    (polls) => polls.filter((poll) => poll._tag === "Some").length
  )

describe("ClerkRateLimiter", () => {
  it.effect("at most `limit` requests in any window: the rest wait on the Clock for the window to slide", () =>
    Effect.gen(function*() {
      const fibers = yield* forkCalls(5)
      yield* TestClock.adjust("1 millis")
      expect(yield* finished(fibers)).toBe(2)
      yield* TestClock.adjust("1 second")
      expect(yield* finished(fibers)).toBe(4)
      yield* TestClock.adjust("1 second")
      expect(yield* finished(fibers)).toBe(5)
      expect((yield* ClerkTest.calls).length).toBe(5)
    }).pipe(Effect.provide(budgeted(2, "1 second"))))

  it.effect("a 429 with Retry-After holds every caller of the key, and the retry goes after it", () =>
    Effect.gen(function*() {
      yield* ClerkTest.script("users.count", [ClerkTest.rateLimited("3 seconds")])
      const clerk = yield* ClerkBackend
      const refused = yield* Effect.fork(clerk.users.count())
      const other = yield* Effect.fork(Effect.zipRight(Effect.sleep("10 millis"), clerk.users.list()))
      yield* TestClock.adjust("2 seconds")
      // Both wait: the one refused for its retry, the other for the hold its key got.
      expect((yield* ClerkTest.calls).map((call) => call.status)).toEqual([429])
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(refused)
      yield* Fiber.join(other)
      expect((yield* ClerkTest.calls).map((call) => call.status)).toEqual([429, 200, 200])
    }).pipe(Effect.provide(budgeted(100, "1 second"))))

  it.effect("keeps one budget per secret key", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* clerk.users.count()
      const sameKey = yield* Effect.fork(clerk.users.count())
      const otherKey = yield* Effect.fork(withSecretKey(clerk.users.count(), Redacted.make("sk_test_other_key")))
      yield* TestClock.adjust("1 millis")
      expect(yield* finished([sameKey, otherKey])).toBe(1)
      expect(otherKey.unsafePoll()?._tag).toBe("Success")
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(sameKey)
    }).pipe(Effect.provide(budgeted(1, "1 minute"))))

  it.effect("a limiter that cannot decide fails the call with ClerkTransportError, and nothing is sent", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const error = yield* Effect.flip(clerk.users.count())
      expect(error).toMatchObject({ _tag: "ClerkTransportError", kind: "Other", operation: "users.count" })
      expect(error.message).toMatch(/rate limiter could not be consulted/)
      expect(yield* ClerkTest.calls).toEqual([])
    }).pipe(
      Effect.provide(ClerkTest.layer.pipe(Layer.provide(Layer.succeed(
        ClerkRateLimiter,
        ClerkRateLimiter.make({ acquire: () => Effect.die(new Error("store gone")), backOff: () => Effect.void })
      )))),
      Effect.provide(Layer.succeed(ClerkRetryPolicy, ClerkRetryPolicy.none))
    ))

  it.effect("refuses a limit that is not a positive integer, and an empty window, when the layer is built", () =>
    Effect.gen(function*() {
      const refused: ReadonlyArray<RateLimitOptions> = [
        { limit: 0, window: "1 second" },
        { limit: 1.5, window: "1 second" },
        { limit: 1, window: 0 }
      ]
      for (const options of refused) {
        const exit = yield* Effect.exit(Effect.provide(ClerkRateLimiter, ClerkRateLimiter.memory(options)))
        expect(exit._tag).toBe("Failure")
      }
    }))

  it("windows: a sliding log per key, holds that only lengthen, and keys that never show the secret", async () => {
    const windows = rateWindows(2, 100)
    expect([windows.tryAcquire("a", 0), windows.tryAcquire("a", 10), windows.tryAcquire("a", 20)]).toEqual([0, 0, 80])
    expect(windows.tryAcquire("a", 100)).toBe(0)
    windows.hold("a", 500)
    windows.hold("a", 300)
    expect(windows.tryAcquire("a", 200)).toBe(300)
    expect(windows.tryAcquire("b", 200)).toBe(0)
    const key = await digestOfSecret("sk_test_secret")
    expect(key).toMatch(/^[0-9a-f]{24}$/)
    expect(key).not.toContain("secret")
    expect(await digestOfSecret("sk_test_secret")).toBe(key)
  })
})
