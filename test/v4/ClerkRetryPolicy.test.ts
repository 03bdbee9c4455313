/** The Effect 4 retry policy: the Effect 3 line's decision, and its default schedule on Effect 4's `Schedule`. */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/testing/TestClock"
import { describe, expect, it } from "vitest"
import * as ClerkError3 from "../../src/ClerkError.js"
import * as ClerkRetryPolicy3 from "../../src/ClerkRetryPolicy.js"
import * as ClerkError from "../../src/v4/ClerkError.js"
import { ClerkRetryPolicy, defaultIsRetryable, defaultSchedule } from "../../src/v4/ClerkRetryPolicy.js"

const api = { operation: "users.get", errors: [], message: "failed" }
const methods = ["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "POST", "PATCH"] as const
const kinds = ["ConnectionRefused", "DnsFailure", "Timeout", "ConnectionReset", "BodyRead", "Other"] as const

/** The same failure on both lines. */
const failures = (): Array<[ClerkError.ClerkError, ClerkError3.ClerkError]> => [
  ...[400, 401, 404, 429, 500, 501, 503].map((status): [ClerkError.ClerkError, ClerkError3.ClerkError] => [
    ClerkError.fromStatus(status, new Set([400, 404]), { ...api, status }),
    ClerkError3.fromStatus(status, new Set([400, 404]), { ...api, status })
  ]),
  ...kinds.map((kind): [ClerkError.ClerkError, ClerkError3.ClerkError] => [
    new ClerkError.ClerkTransportError({ operation: "users.get", kind, message: kind }),
    new ClerkError3.ClerkTransportError({ operation: "users.get", kind, message: kind })
  ]),
  [
    new ClerkError.ClerkDecodeError({ operation: "o", status: 200, path: "", message: "m" }),
    new ClerkError3.ClerkDecodeError({ operation: "o", status: 200, path: "", message: "m" })
  ]
]

/** Runs an always-failing attempt under the policy with a test clock; the attempts it made and when. */
const attemptsUnder = (policy: ClerkRetryPolicy["Service"]) => {
  const times: Array<number> = []
  const failing = Effect.gen(function*() {
    times.push(yield* Clock.currentTimeMillis)
    return yield* Effect.fail(ClerkError.fromStatus(503, new Set(), { ...api, status: 503 }))
  })
  const program = Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(Effect.retry(failing, policy.schedule))
    yield* TestClock.adjust("1 minute")
    return yield* Effect.flip(Fiber.join(fiber))
  })
  return Effect.runPromise(Effect.provide(program, TestClock.layer())).then((error) => ({ error, times }))
}

describe("ClerkRetryPolicy (Effect 4)", () => {
  it("decides like the Effect 3 line for every failure and method", () => {
    let compared = 0
    for (const [v4, v3] of failures()) {
      for (const method of methods) {
        expect(defaultIsRetryable(v4, method), `${v4._tag} ${method}`).toBe(
          ClerkRetryPolicy3.defaultIsRetryable(v3, method)
        )
        compared++
      }
    }
    expect(compared).toBe(14 * methods.length)
    expect(defaultIsRetryable(ClerkError.fromStatus(429, new Set(), { ...api, status: 429 }), "POST")).toBe(true)
    expect(defaultIsRetryable(ClerkError.fromStatus(503, new Set(), { ...api, status: 503 }), "POST")).toBe(false)
  })

  it("tries four more times by default, each wait at most 5 s, then fails with the last error", async () => {
    const { error, times } = await attemptsUnder(ClerkRetryPolicy.default)
    expect(error._tag).toBe("ClerkServerError")
    expect(times).toHaveLength(5)
    const waits = times.slice(1).map((t, i) => t - times[i]!)
    for (const wait of waits) expect(wait).toBeLessThanOrEqual(5000)
    // Exponential from 500 ms by 1.5, jittered: the last wait is longer than the first.
    expect(waits[3]!).toBeGreaterThan(waits[0]!)
  })

  it("never retries with none, and takes the parts it is given", async () => {
    expect((await attemptsUnder(ClerkRetryPolicy.none)).times).toHaveLength(1)
    const policy = ClerkRetryPolicy.make({ maxRetryAfter: "3 seconds", isRetryable: () => false })
    expect(Duration.toMillis(policy.maxRetryAfter)).toBe(3000)
    expect(policy.schedule).toBe(defaultSchedule)
    expect(policy.isRetryable(ClerkError.fromStatus(429, new Set(), { ...api, status: 429 }), "GET")).toBe(false)
  })
})
