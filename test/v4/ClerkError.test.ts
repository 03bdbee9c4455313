/**
 * The Effect 4 errors: the same tags, fields and status mapping as the Effect 3 ones, as Effect 4 values
 * (yieldable, `catchTag`-able, real `Error`s).
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { describe, expect, it } from "vitest"
import * as ClerkError3 from "../../src/ClerkError.js"
import * as ClerkError from "../../src/v4/ClerkError.js"

const fields = {
  operation: "users.get",
  status: 404,
  errors: [new ClerkError.ClerkErrorDetail({ code: "resource_not_found", message: "not found" })],
  clerkTraceId: "trace_1",
  message: "users.get failed with status 404: resource_not_found: not found"
}

describe("ClerkError (Effect 4)", () => {
  it("maps every status and declared set to the tag the Effect 3 line gives", () => {
    const declaredSets = [new Set<number>(), new Set([400, 402, 403, 404, 409, 422, 423])]
    let compared = 0
    for (const declared of declaredSets) {
      for (let status = 300; status < 600; status++) {
        const v4 = ClerkError.fromStatus(status, declared, { ...fields, status })
        const v3 = ClerkError3.fromStatus(status, declared, { ...fields, status, errors: [] })
        expect(v4._tag, `status ${status}`).toBe(v3._tag)
        expect(ClerkError.isClerkApiError(v4)).toBe(true)
        compared++
      }
    }
    expect(compared).toBe(600)
    expect(ClerkError.fromStatus(404, new Set([404]), fields)._tag).toBe("ClerkNotFound")
    expect(ClerkError.fromStatus(404, new Set(), fields)._tag).toBe("ClerkUnexpectedStatus")
  })

  it("fails an Effect 4 program with a value catchTag finds, carrying its fields and message", async () => {
    const program = Effect.gen(function*() {
      return yield* new ClerkError.ClerkNotFound(fields)
    }).pipe(Effect.catchTag("ClerkNotFound", (error) => Effect.succeed(error)))
    const error = await Effect.runPromise(program)
    expect(error).toBeInstanceOf(Error)
    expect(error.message).toBe(fields.message)
    expect(error.status).toBe(404)
    expect(error.errors[0]!.code).toBe("resource_not_found")
    expect(ClerkError.isClerkError(error)).toBe(true)
    expect(ClerkError.isClerkError(new Error("other"))).toBe(false)
  })

  it("keeps Retry-After as a Duration, and tells a transport failure that never reached the server", () => {
    const limited = new ClerkError.ClerkRateLimited({ ...fields, status: 429, retryAfter: Duration.seconds(2) })
    expect(Duration.toMillis(limited.retryAfter!)).toBe(2000)
    const transport = (kind: ClerkError.TransportFailureKind) =>
      new ClerkError.ClerkTransportError({ operation: "users.get", kind, message: `users.get: ${kind}` })
    expect(transport("ConnectionRefused").neverReachedServer).toBe(true)
    expect(transport("DnsFailure").neverReachedServer).toBe(true)
    expect(transport("ConnectionReset").neverReachedServer).toBe(false)
    expect(transport("Timeout")._tag).toBe("ClerkTransportError")
    expect(new ClerkError.ClerkDecodeError({ operation: "o", status: 200, path: "a", message: "m" })._tag).toBe(
      "ClerkDecodeError"
    )
    expect(new ClerkError.ClerkInvalidRequest({ operation: "o", path: "a", message: "m" })._tag).toBe(
      "ClerkInvalidRequest"
    )
  })

  it("guards by tag, so each line recognises the other's errors and nothing else", () => {
    const v3 = new ClerkError3.ClerkDecodeError({ operation: "o", status: 200, path: "", message: "m" })
    const v4 = ClerkError.fromStatus(404, new Set([404]), fields)
    expect(ClerkError.isClerkError(v3)).toBe(true)
    expect(ClerkError3.isClerkError(v4)).toBe(true)
    expect(ClerkError3.isClerkApiError(v4)).toBe(true)
    expect(ClerkError.isClerkApiError(v3)).toBe(false)
    expect(ClerkError.isClerkError({ _tag: "ClerkNotFound" })).toBe(false)
    expect(ClerkError.isClerkError({ _tag: "Other", status: 404 })).toBe(false)
    expect(ClerkError.isClerkError(null)).toBe(false)
  })
})
