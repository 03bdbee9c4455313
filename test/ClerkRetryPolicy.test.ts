import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import { ClerkBackend } from "../src/ClerkBackend.js"
import { withTimeout } from "../src/ClerkClient.js"
import { type ClerkError, ClerkServerError, ClerkTransportError } from "../src/ClerkError.js"
import { ClerkRetryPolicy, defaultIsRetryable } from "../src/ClerkRetryPolicy.js"
import { wireOrganization, wireUser } from "./support/Fixtures.js"
import { backendWith, clerkErrors, json } from "./support/MockHttp.js"
import { settle, settleUntil } from "./support/settle.js"

const user = wireUser()

const refused = () => {
  throw new TypeError("fetch failed", {
    cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })
  })
}
const reset = () => {
  throw new TypeError("fetch failed", { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) })
}

/** Answers from a script, one entry per attempt; the last entry repeats. */
const scripted = (...replies: Array<() => Response>) => (_: unknown, index: number) =>
  replies[Math.min(index, replies.length - 1)]!()

/** Runs a call in a fiber and advances the test clock in steps until it completes. */
const drive = <A, E>(effect: Effect.Effect<A, E>, step: Duration.DurationInput = "100 millis", maxSteps = 1000) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let i = 0; i < maxSteps; i++) {
      yield* settle
      const done = yield* Fiber.poll(fiber)
      if (done._tag === "Some") return done.value
      yield* TestClock.adjust(step)
    }
    return yield* Effect.dieMessage("the call did not finish")
  })

/**
 * Forks a call whose first attempt fails, and checks the retry is sent after exactly `earliest` and by `latest`
 * (test-clock milliseconds); returns the call's exit.
 */
const retrySentBetween = <A, E>(
  call: Effect.Effect<A, E>,
  sent: ReadonlyArray<unknown>,
  earliest: number,
  latest = earliest
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(call)
    yield* settleUntil(() => sent.length === 1)
    if (earliest > 0) {
      yield* TestClock.adjust(Duration.millis(earliest - 1))
      yield* settle
      expect(sent).toHaveLength(1)
    }
    yield* TestClock.adjust(Duration.millis(latest - Math.max(0, earliest - 1)))
    yield* settleUntil(() => sent.length === 2)
    return yield* Fiber.await(fiber)
  })

describe("ClerkRetryPolicy", () => {
  it.effect("retries a GET on 503 and succeeds", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(scripted(() => clerkErrors(503), () => clerkErrors(502), () => json(user)))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const exit = yield* drive(clerk.users.get({ userId: "user_1" }))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(sent).toHaveLength(3)
    }))

  it.effect("waits the jittered backoff: the first retry between 400 and 600 ms", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(scripted(() => clerkErrors(500), () => json(user)))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      expect(Exit.isSuccess(yield* retrySentBetween(clerk.users.get({ userId: "user_1" }), sent, 400, 600))).toBe(true)
    }))

  it.effect("gives up after the default's attempts with the last error", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(() => clerkErrors(503))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const exit = yield* drive(clerk.users.get({ userId: "user_1" }))
      expect(sent).toHaveLength(5)
      const error = yield* Effect.flip(exit)
      expect(error).toBeInstanceOf(ClerkServerError)
      expect((error as ClerkServerError).status).toBe(503)
    }))

  it.effect("does not replay a POST on 503", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(() => clerkErrors(503))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const exit = yield* drive(clerk.organizations.create({ name: "Acme" }))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(sent).toHaveLength(1)
    }))

  it.effect("retries a POST on 429, waiting exactly the Retry-After seconds", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(scripted(
        () => clerkErrors(429, "too_many_requests", { "retry-after": "7" }),
        () => json(wireOrganization())
      ))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      expect(Exit.isSuccess(yield* retrySentBetween(clerk.organizations.create({ name: "Acme" }), sent, 7000))).toBe(
        true
      )
    }))

  it.effect("honours an HTTP-date Retry-After", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-03-01T10:00:00Z"))
      const { layer, sent } = backendWith(scripted(
        () => clerkErrors(429, "too_many_requests", { "retry-after": "Sun, 01 Mar 2026 10:00:04 GMT" }),
        () => json(user)
      ))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      expect(Exit.isSuccess(yield* retrySentBetween(clerk.users.get({ userId: "user_1" }), sent, 4000))).toBe(true)
    }))

  it.effect("caps a long Retry-After at maxRetryAfter", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(scripted(
        () => clerkErrors(429, "too_many_requests", { "retry-after": "3600" }),
        () => json(user)
      ))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const call = clerk.users.get({ userId: "user_1" }).pipe(
        Effect.provideService(ClerkRetryPolicy, ClerkRetryPolicy.make({ maxRetryAfter: "3 seconds" }))
      )
      expect(Exit.isSuccess(yield* retrySentBetween(call, sent, 3000))).toBe(true)
    }))

  it.effect("retries a POST whose connection was refused, but not one whose connection was reset", () =>
    Effect.gen(function*() {
      const refusedOnce = backendWith(scripted(refused, () => json(wireOrganization())))
      const clerk = yield* Effect.provide(ClerkBackend, refusedOnce.layer)
      yield* drive(clerk.organizations.create({ name: "Acme" }))
      expect(refusedOnce.sent).toHaveLength(2)

      const resetOnce = backendWith(scripted(reset, () => json(wireOrganization())))
      const clerk2 = yield* Effect.provide(ClerkBackend, resetOnce.layer)
      const exit = yield* drive(clerk2.organizations.create({ name: "Acme" }))
      expect(resetOnce.sent).toHaveLength(1)
      const error = yield* Effect.flip(exit)
      expect(error).toBeInstanceOf(ClerkTransportError)
      expect((error as ClerkTransportError).kind).toBe("ConnectionReset")
    }))

  it.effect("retries a GET whose connection was reset", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(scripted(reset, () => json(user)))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      expect(Exit.isSuccess(yield* drive(clerk.users.get({ userId: "user_1" })))).toBe(true)
      expect(sent).toHaveLength(2)
    }))

  it.effect("lets one call turn retries off with ClerkRetryPolicy.none", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(() => clerkErrors(503))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const exit = yield* drive(
        clerk.users.get({ userId: "user_1" }).pipe(Effect.provideService(ClerkRetryPolicy, ClerkRetryPolicy.none))
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(sent).toHaveLength(1)
    }))

  it.effect("lets one call use its own schedule", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(() => clerkErrors(503))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const policy = ClerkRetryPolicy.make({
        schedule: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(1)))
      })
      yield* drive(clerk.users.get({ userId: "user_1" }).pipe(Effect.provideService(ClerkRetryPolicy, policy)))
      expect(sent).toHaveLength(2)
    }))

  it.effect("takes a program-wide policy from a layer given to ClerkBackend.layer", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(() => clerkErrors(503))
      const clerk = yield* Effect.provide(
        ClerkBackend,
        Layer.provide(layer, ClerkRetryPolicy.layer({ schedule: Schedule.recurs(2) }))
      )
      yield* drive(clerk.users.get({ userId: "user_1" }))
      expect(sent).toHaveLength(3)
    }))

  it.effect("decides retryability by status and method", () =>
    Effect.sync(() => {
      const fields = { operation: "x", status: 503, errors: [], message: "m" }
      const serverError = new ClerkServerError(fields)
      expect(defaultIsRetryable(serverError, "GET")).toBe(true)
      expect(defaultIsRetryable(serverError, "PUT")).toBe(true)
      expect(defaultIsRetryable(serverError, "DELETE")).toBe(true)
      expect(defaultIsRetryable(serverError, "POST")).toBe(false)
      expect(defaultIsRetryable(serverError, "PATCH")).toBe(false)
      // 501: the server does not have the operation; asking again cannot help.
      const notImplemented = new ClerkServerError({ ...fields, status: 501 })
      expect(defaultIsRetryable(notImplemented, "GET")).toBe(false)
      expect(defaultIsRetryable(new ClerkServerError({ ...fields, status: 500 }), "GET")).toBe(true)
      expect(defaultIsRetryable(new ClerkServerError({ ...fields, status: 502 }), "GET")).toBe(true)
      const refusedError = new ClerkTransportError({ operation: "x", kind: "ConnectionRefused", message: "m" })
      expect(defaultIsRetryable(refusedError, "PATCH")).toBe(true)
      const timeoutError = new ClerkTransportError({ operation: "x", kind: "Timeout", message: "m" })
      expect(defaultIsRetryable(timeoutError, "POST")).toBe(false)
      expect(defaultIsRetryable(timeoutError, "GET")).toBe(true)
    }))

  /** Runs a call with debug logging captured, and returns the retry log lines it wrote. */
  const retryLogs = <A, E>(call: Effect.Effect<A, E>) =>
    Effect.gen(function*() {
      const logs: Array<{ message: unknown; level: string; annotations: Record<string, unknown> }> = []
      const capture = Logger.make(({ annotations, logLevel, message }) => {
        logs.push({ message, level: logLevel.label, annotations: Object.fromEntries(HashMap.toEntries(annotations)) })
      })
      const exit = yield* drive(
        call.pipe(
          Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
          Logger.withMinimumLogLevel(LogLevel.Debug)
        )
      )
      const lines = logs.filter((log) => String(log.message).includes("effect-clerk: retrying"))
      return { exit, lines }
    })

  it.effect("logs each retry that happens at debug level, with its attempt and the delay it waits", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(
        scripted(() => clerkErrors(429, "too_many_requests", { "retry-after": "2" }), () => json(user))
      )
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const { exit, lines } = yield* retryLogs(clerk.users.get({ userId: "user_1" }))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(sent).toHaveLength(2)
      expect(lines).toEqual([{
        message: ["effect-clerk: retrying"],
        level: "DEBUG",
        annotations: { operation: "users.get", attempt: 2, delay: "2s", reason: "ClerkRateLimited" }
      }])
    }))

  it.effect("a retried 503 logs one line per retry, numbered from attempt 2", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(
        scripted(() => clerkErrors(503, "service_unavailable"), () =>
          clerkErrors(503, "service_unavailable"), () =>
          json(user))
      )
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const { exit, lines } = yield* retryLogs(clerk.users.get({ userId: "user_1" }))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(sent).toHaveLength(3)
      expect(lines.map((line) => [line.annotations.attempt, line.annotations.reason])).toEqual([
        [2, "ClerkServerError"],
        [3, "ClerkServerError"]
      ])
    }))

  for (
    const [label, reply, call] of [
      ["a 404 on a GET", () => clerkErrors(404, "resource_not_found"), "get"],
      ["a 422 on a POST", () => clerkErrors(422, "form_param_invalid"), "create"],
      ["a 401", () => clerkErrors(401, "authentication_invalid"), "get"],
      ["a 503 on a POST", () => clerkErrors(503, "service_unavailable"), "create"]
    ] as const
  ) {
    it.effect(`${label} is not retried and logs no retry`, () =>
      Effect.gen(function*() {
        const { layer, sent } = backendWith(scripted(reply))
        const clerk = yield* Effect.provide(ClerkBackend, layer)
        const { exit, lines } = yield* retryLogs(
          call === "get"
            ? Effect.asVoid<unknown, ClerkError, never>(clerk.users.get({ userId: "user_1" }))
            : Effect.asVoid<unknown, ClerkError, never>(clerk.users.create({ emailAddress: ["a@example.com"] }))
        )
        expect(Exit.isFailure(exit)).toBe(true)
        expect(sent).toHaveLength(1)
        expect(lines).toEqual([])
      }))
  }

  it.effect("the attempt after the schedule's last retry logs nothing: it fails instead", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(scripted(() => clerkErrors(503, "service_unavailable")))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const { exit, lines } = yield* retryLogs(
        clerk.users.get({ userId: "user_1" }).pipe(
          Effect.provideService(ClerkRetryPolicy, ClerkRetryPolicy.make({ schedule: Schedule.recurs(2) }))
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      expect(sent).toHaveLength(3)
      expect(lines.map((line) => line.annotations.attempt)).toEqual([2, 3])
    }))
})

describe("timeouts", () => {
  const hanging = () => backendWith(() => Effect.never as unknown as Response)

  it.effect("fails an attempt that outlives the configured timeout with a Timeout transport error", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(() => Effect.never as never, { timeout: "2 seconds" })
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const exit = yield* drive(clerk.organizations.create({ name: "Acme" }), "500 millis")
      const error = yield* Effect.flip(exit)
      expect(error).toBeInstanceOf(ClerkTransportError)
      expect((error as ClerkTransportError).kind).toBe("Timeout")
      expect(sent).toHaveLength(1)
    }))

  it.effect("applies a per-call timeout and retries a timed-out GET", () =>
    Effect.gen(function*() {
      const { layer, sent } = hanging()
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const fiber = yield* Effect.fork(withTimeout(clerk.users.get({ userId: "user_1" }), "1 second"))
      yield* settleUntil(() => sent.length === 1)
      yield* TestClock.adjust("1 second")
      yield* settle
      // The first attempt timed out; the retry waits its backoff, then a second attempt is sent.
      yield* TestClock.adjust("1 second")
      yield* settleUntil(() => sent.length === 2)
      yield* Fiber.interrupt(fiber)
    }))

  it.effect("is interruptible while a request is in flight", () =>
    Effect.gen(function*() {
      const { layer, sent } = hanging()
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const fiber = yield* Effect.fork(clerk.users.get({ userId: "user_1" }))
      yield* settleUntil(() => sent.length === 1)
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
    }))
})
