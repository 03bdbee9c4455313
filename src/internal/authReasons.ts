/**
 * The vocabulary of refused tokens, shared by both lines' `ClerkAuthError` schemas: Clerk's SDK reasons, the
 * finer details and the mapping between them, and a refusal as plain data for the Effect-free checks.
 *
 * @internal
 */

/** Clerk's `TokenVerificationErrorReason` strings and machine-token codes. */
export const reasons = [
  "session-token-missing",
  "token-expired",
  "token-not-active-yet",
  "token-iat-in-the-future",
  "token-invalid",
  "token-invalid-signature",
  "token-invalid-algorithm",
  "token-invalid-authorized-parties",
  "token-verification-failed",
  "jwk-kid-mismatch",
  "jwk-remote-failed-to-load",
  "token-type-mismatch",
  "unexpected-error"
] as const

/** A Clerk SDK reason. */
export type Reason = typeof reasons[number]

/** The specific cases behind the reasons. */
export const details = [
  "session-token-missing",
  "token-expired",
  "token-not-active-yet",
  "token-iat-in-the-future",
  "token-invalid",
  "token-invalid-expiry",
  "token-invalid-signature",
  "token-invalid-algorithm",
  "token-invalid-authorized-parties",
  "token-invalid-audience",
  "token-missing-subject",
  "jwk-kid-mismatch",
  "jwk-failed-to-load",
  "token-type-mismatch",
  "machine-token-invalid",
  "unexpected-error"
] as const

/** A specific case. */
export type Detail = typeof details[number]

/** The Clerk SDK reason of each detail, as docs/authentication.md documents it. */
export const reasonOfDetail: { readonly [D in Detail]: Reason } = {
  "session-token-missing": "session-token-missing",
  "token-expired": "token-expired",
  "token-not-active-yet": "token-not-active-yet",
  "token-iat-in-the-future": "token-iat-in-the-future",
  "token-invalid": "token-invalid",
  "token-invalid-expiry": "token-verification-failed",
  "token-invalid-signature": "token-invalid-signature",
  "token-invalid-algorithm": "token-invalid-algorithm",
  "token-invalid-authorized-parties": "token-invalid-authorized-parties",
  "token-invalid-audience": "token-verification-failed",
  "token-missing-subject": "token-verification-failed",
  "jwk-kid-mismatch": "jwk-kid-mismatch",
  "jwk-failed-to-load": "jwk-remote-failed-to-load",
  "token-type-mismatch": "token-type-mismatch",
  "machine-token-invalid": "token-invalid",
  "unexpected-error": "unexpected-error"
}

/**
 * A refusal before it becomes a line's `TokenVerificationError`: the checks below `internal/` return these, so
 * they need neither Effect nor either line's error class.
 */
export interface Problem {
  readonly _tag: "Problem"
  readonly detail: Detail
  readonly message: string
}

/** A refusal. */
export const problem = (detail: Detail, message: string): Problem => ({ _tag: "Problem", detail, message })

/** Whether a check's answer is a refusal. */
export const isProblem = (u: unknown): u is Problem =>
  typeof u === "object" && u !== null && (u as { readonly _tag?: unknown })._tag === "Problem"
