/**
 * Why a token was not accepted, and why an authentication setup is wrong.
 *
 * @since 0.1.0
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import * as HttpServerRespondable from "@effect/platform/HttpServerRespondable"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { signedOutHeaders } from "./internal/authHeaders.js"
import * as Reasons from "./internal/authReasons.js"

/**
 * Why a token is refused, in the strings Clerk's own SDKs use (`TokenVerificationErrorReason`
 * and the machine-token codes), so logs, dashboards and `x-clerk-auth-reason` read the same
 * whichever SDK wrote them. Where Clerk folds several cases into one string
 * (`token-verification-failed`), {@link TokenVerificationDetail} keeps them apart.
 *
 * @since 0.1.0
 * @category models
 */
export const TokenVerificationReason = Schema.Literal(...Reasons.reasons)

/**
 * @since 0.1.0
 * @category models
 */
export type TokenVerificationReason = typeof TokenVerificationReason.Type

/**
 * The specific case behind a {@link TokenVerificationReason}: equal to it where Clerk's string
 * is already specific, finer where it is not (`token-missing-subject` and
 * `token-invalid-audience` are both `token-verification-failed` in Clerk's SDKs).
 *
 * @since 0.2.0
 * @category models
 */
export const TokenVerificationDetail = Schema.Literal(...Reasons.details)

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
 * @since 0.1.0
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
 * Options that cannot work together (e.g. a networkless key with opaque machine tokens), or
 * a key that cannot be read. Fails the layer, not a request.
 *
 * @since 0.1.0
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
 * @since 0.1.0
 * @category errors
 */
export class ClerkUnauthorized extends Schema.TaggedError<ClerkUnauthorized>()(
  "ClerkUnauthorized",
  { reason: TokenVerificationReason, detail: TokenVerificationDetail, message: Schema.String },
  HttpApiSchema.annotations({ status: 401, description: "The request carries no accepted Clerk token" })
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
    return Effect.succeed(
      HttpServerResponse.unsafeJson(
        { _tag: this._tag, reason: this.reason, detail: this.detail, message: this.message },
        { status: 401, headers: this.headers }
      )
    )
  }
}
