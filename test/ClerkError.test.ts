import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Inspectable from "effect/Inspectable"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as util from "node:util"
import { ClerkBackend } from "../src/ClerkBackend.js"
import { ClerkConfig } from "../src/ClerkConfig.js"
import * as ClerkError from "../src/ClerkError.js"
import { ClerkRetryPolicy } from "../src/ClerkRetryPolicy.js"
import { backendWith, clerkErrors, fakeSecret, json } from "./support/MockHttp.js"

const noRetry = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.provideService(self, ClerkRetryPolicy, ClerkRetryPolicy.none)

/** Fails `users.get` (which declares 400, 401, 404) with the given response and returns the error. */
const failGet = (response: Response | (() => Response)) =>
  Effect.gen(function*() {
    const { layer } = backendWith(typeof response === "function" ? response : () => response.clone())
    const clerk = yield* Effect.provide(ClerkBackend, layer)
    return yield* Effect.flip(noRetry(clerk.users.get({ userId: "user_1" })))
  })

/** Fails `organizations.create` (which declares 400, 402, 403, 422) the same way. */
const failCreateOrganization = (response: Response) =>
  Effect.gen(function*() {
    const { layer } = backendWith(() => response.clone())
    const clerk = yield* Effect.provide(ClerkBackend, layer)
    return yield* Effect.flip(noRetry(clerk.organizations.create({ name: "Acme" })))
  })

describe("ClerkError", () => {
  it.effect.each(
    [
      [400, "ClerkBadRequest"],
      [401, "ClerkUnauthorized"],
      [404, "ClerkNotFound"],
      [429, "ClerkRateLimited"],
      [500, "ClerkServerError"],
      [502, "ClerkServerError"],
      [503, "ClerkServerError"],
      [418, "ClerkUnexpectedStatus"]
    ] as const
  )("maps %i on users.get to %s", ([status, tag]) =>
    Effect.gen(function*() {
      const error = yield* failGet(clerkErrors(status, "code_x", { "clerk-trace-id": "trace_h" }))
      expect(error._tag).toBe(tag)
      expect(ClerkError.isClerkApiError(error)).toBe(true)
      expect(ClerkError.isClerkError(error)).toBe(true)
      if (ClerkError.isClerkApiError(error)) {
        expect(error.status).toBe(status)
        expect(error.operation).toBe("users.get")
        expect(error.clerkTraceId).toBe("trace_h")
        expect(error.errors).toEqual([
          new ClerkError.ClerkErrorDetail({
            code: "code_x",
            message: "message of code_x",
            longMessage: "long message of code_x"
          })
        ])
        expect(error.message).toContain(String(status))
        expect(error.message).toContain("code_x")
      }
    }))

  it.effect.each(
    [
      [402, "ClerkPaymentRequired"],
      [403, "ClerkForbidden"],
      [422, "ClerkUnprocessable"]
    ] as const
  )("maps declared %i on organizations.create to %s", ([status, tag]) =>
    Effect.gen(function*() {
      const error = yield* failCreateOrganization(clerkErrors(status))
      expect(error._tag).toBe(tag)
    }))

  it.effect("maps declared 409 and 423 to ClerkConflict and ClerkLocked", () =>
    Effect.gen(function*() {
      const { layer } = backendWith((sent) => clerkErrors(sent.url.pathname.endsWith("toggle_delivery") ? 423 : 409))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const conflict = yield* Effect.flip(
        noRetry(clerk.emailAddresses.create({ userId: "u", emailAddress: "a@b.test" }))
      )
      expect(conflict._tag).toBe("ClerkConflict")
      // Only the template operations declare 423.
      const locked = yield* Effect.flip(
        noRetry(clerk.emailSMSTemplates.toggleTemplateDelivery({ templateType: "email", slug: "s" }))
      )
      expect(locked._tag).toBe("ClerkLocked")
    }))

  it.effect("maps a status the operation does not declare to ClerkUnexpectedStatus", () =>
    Effect.gen(function*() {
      // users.get declares no 409.
      const error = yield* failGet(clerkErrors(409))
      expect(error._tag).toBe("ClerkUnexpectedStatus")
      if (error._tag === "ClerkUnexpectedStatus") expect(error.status).toBe(409)
    }))

  it.effect("normalises the inline errors[] shape and the body's clerk_trace_id", () =>
    Effect.gen(function*() {
      const { layer } = backendWith(() =>
        json(
          { errors: [{ code: "api_key_invalid", message: "m", long_message: "lm" }], clerk_trace_id: "trace_b" },
          404,
          {
            "clerk-trace-id": "trace_header"
          }
        )
      )
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const error = yield* Effect.flip(noRetry(clerk.apiKeys.get({ apiKeyID: "ak_1" })))
      expect(error._tag).toBe("ClerkNotFound")
      if (error._tag === "ClerkNotFound") {
        expect(error.errors[0]).toEqual(
          new ClerkError.ClerkErrorDetail({ code: "api_key_invalid", message: "m", longMessage: "lm" })
        )
        expect(error.clerkTraceId).toBe("trace_b")
      }
    }))

  it.effect("keeps the meta of an error entry", () =>
    Effect.gen(function*() {
      const error = yield* failGet(
        json(
          { errors: [{ code: "form_param_missing", message: "m", long_message: "l", meta: { param_name: "x" } }] },
          400
        )
      )
      expect(ClerkError.isClerkApiError(error) && error.errors[0]!.meta).toEqual({ param_name: "x" })
    }))

  it.effect.each(
    [
      ["an HTML 502 page", () =>
        new Response("<html><body>Bad gateway</body></html>", {
          status: 502,
          headers: { "content-type": "text/html" }
        }), "ClerkServerError"],
      ["truncated JSON", () =>
        new Response("{\"errors\": [{\"code\": \"x\"", {
          status: 400,
          headers: { "content-type": "application/json" }
        }), "ClerkBadRequest"],
      ["an empty body", () => new Response(null, { status: 404 }), "ClerkNotFound"],
      ["JSON without errors", () => json({ unexpected: true }, 400), "ClerkBadRequest"],
      ["errors of the wrong type", () => json({ errors: "nope" }, 400), "ClerkBadRequest"],
      ["malformed entries", () => json({ errors: [null, 3, { code: 7 }] }, 400), "ClerkBadRequest"]
    ] as const
  )("turns %s into a typed error, never a defect", ([, response, tag]) =>
    Effect.gen(function*() {
      const error = yield* failGet(response)
      expect(error._tag).toBe(tag)
      if (ClerkError.isClerkApiError(error)) {
        expect(error.errors.every((e) => typeof e.code === "string")).toBe(true)
        expect(error.message).toContain("users.get")
      }
    }))

  it.effect.each(
    [
      ["an HTML 200 page", () => new Response("<html></html>", { headers: { "content-type": "text/html" } }), ""],
      [
        "truncated JSON",
        () => new Response("{\"id\": \"user_1\"", { headers: { "content-type": "application/json" } }),
        ""
      ],
      ["an empty body", () => new Response("", { status: 200 }), ""],
      ["a body of the wrong shape", () => json({ id: 5 }), "id"]
    ] as const
  )(
    "fails a 2xx with %s with ClerkDecodeError naming the operation and path",
    ([, response, path]) =>
      Effect.gen(function*() {
        const error = yield* failGet(response)
        expect(error._tag).toBe("ClerkDecodeError")
        if (error._tag === "ClerkDecodeError") {
          expect(error.operation).toBe("users.get")
          expect(error.status).toBe(200)
          expect(error.path).toBe(path)
        }
      })
  )

  it.effect("reports a nested decode mismatch with its wire path", () =>
    Effect.gen(function*() {
      const { layer } = backendWith(() => json([{ id: "user_1" }]))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const error = yield* Effect.flip(clerk.users.list())
      expect(error._tag).toBe("ClerkDecodeError")
      if (error._tag === "ClerkDecodeError") expect(error.path).toMatch(/^\[0\]\./)
    }))

  it.effect("reads Retry-After in seconds on 429 and 503", () =>
    Effect.gen(function*() {
      const limited = yield* failGet(clerkErrors(429, "too_many_requests", { "retry-after": "7" }))
      expect(limited._tag === "ClerkRateLimited" && limited.retryAfter).toEqual(Duration.seconds(7))
      const unavailable = yield* failGet(clerkErrors(503, "unavailable", { "retry-after": "3" }))
      expect(unavailable._tag === "ClerkServerError" && unavailable.retryAfter).toEqual(Duration.seconds(3))
      const other = yield* failGet(clerkErrors(500, "boom", { "retry-after": "3" }))
      expect(other._tag === "ClerkServerError" && other.retryAfter).toBeUndefined()
    }))

  it.effect("reads Retry-After as an HTTP date against the clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-01-01T00:00:00Z"))
      const error = yield* failGet(
        clerkErrors(429, "too_many_requests", { "retry-after": "Thu, 01 Jan 2026 00:00:12 GMT" })
      )
      expect(error._tag === "ClerkRateLimited" && error.retryAfter).toEqual(Duration.millis(12_000))
      const past = yield* failGet(
        clerkErrors(429, "too_many_requests", { "retry-after": "Wed, 31 Dec 2025 23:00:00 GMT" })
      )
      expect(past._tag === "ClerkRateLimited" && past.retryAfter).toEqual(Duration.zero)
      const garbage = yield* failGet(clerkErrors(429, "too_many_requests", { "retry-after": "soon" }))
      expect(garbage._tag === "ClerkRateLimited" && garbage.retryAfter).toBeUndefined()
    }))

  it.effect("lets programs catch one tag and keep the others typed", () =>
    Effect.gen(function*() {
      const { layer } = backendWith(() => clerkErrors(404, "resource_not_found"))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const result = yield* clerk.users.get({ userId: "missing" }).pipe(
        Effect.map((user) => user.id),
        Effect.catchTag("ClerkNotFound", (error) => Effect.succeed(`absent (${error.errors[0]?.code})`))
      )
      expect(result).toBe("absent (resource_not_found)")
    }))

  it.effect("never shows the secret key in errors, logs of errors, config or JSON", () =>
    Effect.gen(function*() {
      const errors = [
        yield* failGet(clerkErrors(401)),
        yield* failGet(new Response("<html>", { status: 200 })),
        yield* failGet(() => {
          throw new TypeError("fetch failed", {
            cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })
          })
        })
      ]
      const config = ClerkConfig.make({ secretKey: Redacted.make(fakeSecret) })
      for (const value of [...errors, config]) {
        for (
          const text of [
            String(value),
            JSON.stringify(value),
            util.inspect(value, { depth: 10 }),
            Inspectable.format(value)
          ]
        ) {
          expect(text).not.toContain(fakeSecret)
        }
      }
    }))
})
