/**
 * Why a token was not accepted, and why an authentication setup is wrong.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The reasons a token is refused. The names follow the strings Clerk's SDKs use, so
 * logs and dashboards read the same.
 *
 * @since 0.1.0
 */
export const TokenVerificationReason = Schema.Literal(
  "session-token-missing",
  "token-expired",
  "token-not-active-yet",
  "token-iat-in-the-future",
  "token-invalid",
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
)

/**
 * @since 0.1.0
 */
export type TokenVerificationReason = typeof TokenVerificationReason.Type

/**
 * A token that was not accepted: `reason` says why, `message` says it for people. Neither
 * carries the token.
 *
 * @since 0.1.0
 */
export class TokenVerificationError extends Schema.TaggedError<TokenVerificationError>()("TokenVerificationError", {
  reason: TokenVerificationReason,
  message: Schema.String
}) {}

/**
 * Options that cannot work together (e.g. a networkless key with opaque machine tokens), or
 * a key that cannot be read. Fails the layer, not a request.
 *
 * @since 0.1.0
 */
export class ClerkAuthConfigError extends Schema.TaggedError<ClerkAuthConfigError>()("ClerkAuthConfigError", {
  message: Schema.String
}) {}
