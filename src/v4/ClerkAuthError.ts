/**
 * For Effect 4. Why a token was not accepted, and why an authentication setup is wrong: the same tags,
 * fields and 401 answer as the Effect 3 line.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as HttpServerRespondable from "effect/http/HttpServerRespondable"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Schema from "effect/Schema"
import { signedOutHeaders } from "../internal/authHeaders.js"
import * as Reasons from "../internal/authReasons.js"

/**
 * Why a token is refused, in the strings Clerk's own SDKs use (`TokenVerificationErrorReason`
 * and the machine-token codes). Where Clerk folds several cases into one string
 * (`token-verification-failed`), {@link TokenVerificationDetail} keeps them apart.
 *
 * @since 0.2.0
 * @category models
 */
export const TokenVerificationReason = Schema.Literals(Reasons.reasons)

/**
 * @since 0.2.0
 * @category models
 */
export type TokenVerificationReason = typeof TokenVerificationReason.Type

/**
 * The specific case behind a {@link TokenVerificationReason}: equal to it where Clerk's string
 * is already specific, finer where it is not.
 *
 * @since 0.2.0
 * @category models
 */
export const TokenVerificationDetail = Schema.Literals(Reasons.details)

/**
 * @since 0.2.0
 * @category models
 */
export type TokenVerificationDetail = typeof TokenVerificationDetail.Type

/**
 * The Clerk SDK reason of each detail: the mapping documented in docs/authentication.md.
 *
 * @since 0.2.0
 * @category models
 */
export const reasonOfDetail: { readonly [D in TokenVerificationDetail]: TokenVerificationReason } =
  Reasons.reasonOfDetail

/**
 * A token that was not accepted: `reason` in Clerk's SDK vocabulary, `detail` the specific
 * case, `message` for people. None of them carries the token.
 *
 * @since 0.2.0
 * @category errors
 */
export class TokenVerificationError extends Schema.TaggedError<TokenVerificationError>()("TokenVerificationError", {
  reason: TokenVerificationReason,
  detail: TokenVerificationDetail,
  message: Schema.String
}) {
  /** The error of a detail, its `reason` taken from {@link reasonOfDetail}. */
  static fromDetail(detail: TokenVerificationDetail, message: string): TokenVerificationError {
    return new TokenVerificationError({ reason: reasonOfDetail[detail], detail, message })
  }
}

/**
 * Options that cannot work together (e.g. opaque machine tokens with no Backend API), or
 * a key that cannot be read. Fails the layer, not a request.
 *
 * @since 0.2.0
 * @category errors
 */
export class ClerkAuthConfigError extends Schema.TaggedError<ClerkAuthConfigError>()("ClerkAuthConfigError", {
  message: Schema.String
}) {}

/**
 * A request without an accepted token. In an `HttpApi` it is encoded as a 401 with a JSON body
 * `{ _tag, reason, detail, message }`; anywhere else (an `HttpRouter` handler failing with it)
 * it answers the same body, with the `x-clerk-auth-*` debug headers.
 *
 * @since 0.2.0
 * @category errors
 */
export class ClerkUnauthorized extends Schema.TaggedError<ClerkUnauthorized>()(
  "ClerkUnauthorized",
  { reason: TokenVerificationReason, detail: TokenVerificationDetail, message: Schema.String },
  { httpApiStatus: 401, description: "The request carries no accepted Clerk token" }
) {
  /** The error for a signed-out outcome (a `SignedOut` of `ClerkAuth`, or anything of its shape). */
  static fromSignedOut(
    state: {
      readonly reason: TokenVerificationReason
      readonly detail: TokenVerificationDetail
      readonly message: string
    }
  ): ClerkUnauthorized {
    return new ClerkUnauthorized({ reason: state.reason, detail: state.detail, message: state.message })
  }

  /**
   * `x-clerk-auth-status`, `-reason` and `-message`, as Clerk's SDKs send them, kept writable: a
   * message may quote the token's unverified header, and Node refuses a header value outside ASCII.
   */
  get headers(): Record<string, string> {
    return signedOutHeaders(this.reason, this.message)
  }

  /** The 401 response, so an `HttpRouter` app needs no error handler for it. */
  [HttpServerRespondable.symbol](): Effect.Effect<HttpServerResponse.HttpServerResponse> {
    return Effect.succeed(unauthorizedResponse(this))
  }
}

/** The JSON body `{ _tag, reason, detail, message }` and the debug headers. */
const unauthorizedResponse = (error: ClerkUnauthorized): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.jsonUnsafe(
    { _tag: error._tag, reason: error.reason, detail: error.detail, message: error.message },
    { status: 401, headers: error.headers }
  )
