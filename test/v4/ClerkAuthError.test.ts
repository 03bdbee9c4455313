/**
 * The Effect 4 auth errors: the same reasons, details, tags and 401 answer as the Effect 3 line.
 */
import * as Effect from "effect/Effect"
import * as HttpServerRespondable from "effect/http/HttpServerRespondable"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Schema from "effect/Schema"
import { describe, expect, it } from "vitest"
import * as Three from "../../src/ClerkAuthError.js"
import {
  ClerkAuthConfigError,
  ClerkUnauthorized,
  reasonOfDetail,
  TokenVerificationDetail,
  TokenVerificationError,
  TokenVerificationReason
} from "../../src/v4/ClerkAuthError.js"

describe("ClerkAuthError (Effect 4)", () => {
  it("has the Effect 3 line's reasons, details and mapping", () => {
    expect([...TokenVerificationReason.literals]).toEqual([...Three.TokenVerificationReason.literals])
    expect([...TokenVerificationDetail.literals]).toEqual([...Three.TokenVerificationDetail.literals])
    expect(reasonOfDetail).toStrictEqual(Three.reasonOfDetail)
    expect(Object.keys(reasonOfDetail).sort()).toEqual([...TokenVerificationDetail.literals].sort())
    expect(reasonOfDetail["token-missing-subject"]).toBe("token-verification-failed")
    expect(reasonOfDetail["jwk-failed-to-load"]).toBe("jwk-remote-failed-to-load")
  })

  it("fromDetail fills the reason; the error encodes with its tag and refuses an unknown reason", () => {
    const error = TokenVerificationError.fromDetail(
      "token-invalid-audience",
      "the token's audience (aud) is not accepted"
    )
    expect(error._tag).toBe("TokenVerificationError")
    expect(error.reason).toBe("token-verification-failed")
    expect(Schema.encodeSync(TokenVerificationError)(error)).toStrictEqual({
      _tag: "TokenVerificationError",
      reason: "token-verification-failed",
      detail: "token-invalid-audience",
      message: "the token's audience (aud) is not accepted"
    })
    expect(() =>
      Schema.decodeUnknownSync(TokenVerificationError)({
        _tag: "TokenVerificationError",
        reason: "made-up",
        detail: "token-expired",
        message: "x"
      })
    ).toThrow()
    expect(new ClerkAuthConfigError({ message: "bad" })._tag).toBe("ClerkAuthConfigError")
  })

  it("ClerkUnauthorized answers 401 with its body and ASCII-safe debug headers", async () => {
    const error = ClerkUnauthorized.fromSignedOut({
      reason: "jwk-kid-mismatch",
      detail: "jwk-kid-mismatch",
      message: "no signing key with kid \"ключ\""
    })
    expect(error._tag).toBe("ClerkUnauthorized")
    expect(error.headers["x-clerk-auth-status"]).toBe("signed-out")
    expect(error.headers["x-clerk-auth-message"]).toMatch(/^[\x20-\x7e]*$/)
    const response = await Effect.runPromise(error[HttpServerRespondable.symbol]())
    expect(response.status).toBe(401)
    expect(response.headers["x-clerk-auth-reason"]).toBe("jwk-kid-mismatch")
    const web = HttpServerResponse.toWeb(response)
    expect(await web.json()).toEqual({
      _tag: "ClerkUnauthorized",
      reason: "jwk-kid-mismatch",
      detail: "jwk-kid-mismatch",
      message: "no signing key with kid \"ключ\""
    })
  })
})
