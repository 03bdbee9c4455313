/**
 * The reasons of refused tokens: each is a string Clerk's own SDK uses, and the finer detail is
 * kept alongside. Checked against `@clerk/backend`'s published enums, not a copy of them.
 */
import { MachineTokenVerificationErrorCode, TokenVerificationErrorReason } from "@clerk/backend/errors"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import {
  ClerkUnauthorized,
  reasonOfDetail,
  TokenVerificationDetail,
  TokenVerificationError,
  TokenVerificationReason
} from "../src/ClerkAuthError.js"

/** `AuthErrorReason` (request-level reasons such as `session-token-missing`) is not exported at run time: read from its declaration. */
const authErrorReasons = (): Array<string> => {
  const declaration = readFileSync(
    fileURLToPath(new URL("../node_modules/@clerk/backend/dist/tokens/authStatus.d.ts", import.meta.url)),
    "utf8"
  )
  const block = declaration.slice(declaration.indexOf("export declare const AuthErrorReason"))
  return [...block.slice(0, block.indexOf("};")).matchAll(/: "([a-z-]+)";/g)].map((match) => match[1]!)
}

const clerkStrings = new Set<string>([
  ...Object.values(TokenVerificationErrorReason),
  ...Object.values(MachineTokenVerificationErrorCode),
  ...authErrorReasons()
])

describe("ClerkAuthError", () => {
  it("every reason is one of the strings Clerk's SDK uses", () => {
    expect(authErrorReasons()).toContain("session-token-missing")
    const notClerks = TokenVerificationReason.literals.filter((reason) => !clerkStrings.has(reason))
    expect(notClerks).toEqual([])
  })

  it("maps each detail to a reason, the cases Clerk folds into token-verification-failed included", () => {
    expect(Object.keys(reasonOfDetail).sort()).toEqual([...TokenVerificationDetail.literals].sort())
    expect(reasonOfDetail["token-missing-subject"]).toBe("token-verification-failed")
    expect(reasonOfDetail["token-invalid-audience"]).toBe("token-verification-failed")
    expect(reasonOfDetail["token-invalid-expiry"]).toBe("token-verification-failed")
    expect(reasonOfDetail["jwk-failed-to-load"]).toBe("jwk-remote-failed-to-load")
    expect(reasonOfDetail["machine-token-invalid"]).toBe("token-invalid")
    // Where Clerk's string is already specific, the detail is the same string.
    const same = TokenVerificationDetail.literals.filter((detail) => reasonOfDetail[detail] === detail)
    expect(same).toEqual(TokenVerificationDetail.literals.filter((detail) => clerkStrings.has(detail)))
  })

  it.effect("fromDetail fills the reason; the error encodes and decodes with both", () =>
    Effect.gen(function*() {
      const error = TokenVerificationError.fromDetail("token-missing-subject", "the token has no subject (sub)")
      expect({ reason: error.reason, detail: error.detail, message: error.message }).toStrictEqual({
        reason: "token-verification-failed",
        detail: "token-missing-subject",
        message: "the token has no subject (sub)"
      })
      const encoded = yield* Schema.encode(TokenVerificationError)(error)
      expect(encoded).toStrictEqual({
        _tag: "TokenVerificationError",
        reason: "token-verification-failed",
        detail: "token-missing-subject",
        message: "the token has no subject (sub)"
      })
      const unauthorized = ClerkUnauthorized.fromSignedOut(error)
      expect(unauthorized.headers["x-clerk-auth-reason"]).toBe("token-verification-failed")
      expect(unauthorized.detail).toBe("token-missing-subject")
    }))
})
