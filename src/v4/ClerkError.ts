/**
 * Typed failures of a Clerk Backend API call, for Effect 4: the same tags and fields as the Effect 3 line.
 *
 * Every HTTP failure Clerk can answer with has its own tag, so programs can
 * `Effect.catchTag("ClerkNotFound", ...)`; transport failures, undecodable
 * success bodies and parameters that cannot be encoded have theirs.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as ErrorTags from "../internal/errorTags.js"

/**
 * One entry of the `errors` array of a Clerk error body, in camelCase.
 *
 * @since 0.1.0
 * @category models
 */
export class ClerkErrorDetail extends Schema.Class<ClerkErrorDetail>("ClerkErrorDetail")({
  code: Schema.String,
  message: Schema.String,
  longMessage: Schema.optional(Schema.String),
  meta: Schema.optional(Schema.Unknown)
}) {}

const apiErrorFields = {
  /** The operation that failed, e.g. `users.get`. */
  operation: Schema.String,
  /** The HTTP status Clerk answered with. */
  status: Schema.Number,
  /** The decoded entries of the error body (empty when the body had none). */
  errors: Schema.Array(ClerkErrorDetail),
  /** Clerk's trace id, from the body or the `Clerk-Trace-Id` header. */
  clerkTraceId: Schema.optional(Schema.String),
  /** The delay Clerk asked for with `Retry-After` (429 and 503). */
  retryAfter: Schema.optional(Schema.Duration),
  /** A one-line summary: status, first error code and message. */
  message: Schema.String
}

/**
 * 400: the request was malformed.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkBadRequest extends Schema.TaggedError<ClerkBadRequest>()("ClerkBadRequest", apiErrorFields) {}

/**
 * 401: the secret key is missing, wrong or revoked.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkUnauthorized extends Schema.TaggedError<ClerkUnauthorized>()("ClerkUnauthorized", apiErrorFields) {}

/**
 * 402: the operation needs a paid plan or feature.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkPaymentRequired
  extends Schema.TaggedError<ClerkPaymentRequired>()("ClerkPaymentRequired", apiErrorFields)
{}

/**
 * 403: the key may not perform this operation.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkForbidden extends Schema.TaggedError<ClerkForbidden>()("ClerkForbidden", apiErrorFields) {}

/**
 * 404: the resource does not exist.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkNotFound extends Schema.TaggedError<ClerkNotFound>()("ClerkNotFound", apiErrorFields) {}

/**
 * 409: the request conflicts with the resource's current state.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkConflict extends Schema.TaggedError<ClerkConflict>()("ClerkConflict", apiErrorFields) {}

/**
 * 422: the request was well formed but its values were refused.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkUnprocessable
  extends Schema.TaggedError<ClerkUnprocessable>()("ClerkUnprocessable", apiErrorFields)
{}

/**
 * 423: the resource (usually a user) is locked.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkLocked extends Schema.TaggedError<ClerkLocked>()("ClerkLocked", apiErrorFields) {}

/**
 * 429: too many requests; `retryAfter` carries Clerk's requested delay when sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkRateLimited extends Schema.TaggedError<ClerkRateLimited>()("ClerkRateLimited", apiErrorFields) {}

/**
 * 5xx: Clerk failed to handle the request.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkServerError extends Schema.TaggedError<ClerkServerError>()("ClerkServerError", apiErrorFields) {}

/**
 * Any other non-2xx status, including a status the operation does not declare.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkUnexpectedStatus
  extends Schema.TaggedError<ClerkUnexpectedStatus>()("ClerkUnexpectedStatus", apiErrorFields)
{}

/**
 * What went wrong below HTTP.
 *
 * - `ConnectionRefused`, `DnsFailure`: the request never reached a server.
 * - `Timeout`: no complete answer within the configured time.
 * - `ConnectionReset`: the connection dropped; the server may have acted.
 * - `BodyRead`: the status arrived but the body could not be read.
 * - `Other`: anything else the HTTP client reported.
 *
 * @since 0.1.0
 * @category models
 */
export const TransportFailureKind = Schema.Literals([
  "ConnectionRefused",
  "DnsFailure",
  "Timeout",
  "ConnectionReset",
  "BodyRead",
  "Other"
])

/**
 * @since 0.1.0
 * @category models
 */
export type TransportFailureKind = typeof TransportFailureKind.Type

/**
 * The request or its response failed below HTTP (refused, reset, DNS, timeout, body read).
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkTransportError extends Schema.TaggedError<ClerkTransportError>()("ClerkTransportError", {
  operation: Schema.String,
  kind: TransportFailureKind,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {
  /** True when the request provably never reached Clerk, so even a POST may be sent again. */
  get neverReachedServer(): boolean {
    return ErrorTags.neverReached(this.kind)
  }
}

/**
 * A 2xx response whose body does not match the operation's schema.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkDecodeError extends Schema.TaggedError<ClerkDecodeError>()("ClerkDecodeError", {
  operation: Schema.String,
  status: Schema.Number,
  /** Where in the body the first mismatch is, e.g. `data[3].email_addresses[0].id` (wire names). */
  path: Schema.String,
  message: Schema.String
}) {}

/**
 * The call's parameters could not be encoded for the wire; nothing was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClerkInvalidRequest extends Schema.TaggedError<ClerkInvalidRequest>()("ClerkInvalidRequest", {
  operation: Schema.String,
  /** Where in the parameters the first problem is (camelCase names). */
  path: Schema.String,
  message: Schema.String
}) {}

/**
 * An error answer from the Clerk Backend API (any non-2xx status).
 *
 * @since 0.1.0
 * @category models
 */
export type ClerkApiError =
  | ClerkBadRequest
  | ClerkUnauthorized
  | ClerkPaymentRequired
  | ClerkForbidden
  | ClerkNotFound
  | ClerkConflict
  | ClerkUnprocessable
  | ClerkLocked
  | ClerkRateLimited
  | ClerkServerError
  | ClerkUnexpectedStatus

/**
 * Every failure a Clerk Backend API call can end with.
 *
 * @since 0.1.0
 * @category models
 */
export type ClerkError = ClerkApiError | ClerkTransportError | ClerkDecodeError | ClerkInvalidRequest

/**
 * The failures every operation can meet, whatever statuses the spec declares for it.
 *
 * @since 0.1.0
 * @category models
 */
export type ClerkCommonError =
  | ClerkUnauthorized
  | ClerkRateLimited
  | ClerkServerError
  | ClerkUnexpectedStatus
  | ClerkTransportError
  | ClerkDecodeError
  | ClerkInvalidRequest

/**
 * True for an error answer from the Clerk Backend API, whatever its status.
 *
 * @since 0.1.0
 * @category guards
 */
export const isClerkApiError = (u: unknown): u is ClerkApiError => ErrorTags.hasApiErrorTag(u)

/**
 * True for any failure of a Clerk Backend API call.
 *
 * @since 0.1.0
 * @category guards
 */
export const isClerkError = (u: unknown): u is ClerkError => ErrorTags.hasClerkErrorTag(u)

/**
 * @internal
 *
 * @since 0.1.0
 * @category models
 */
export type ApiErrorFields = Schema.Struct.MakeIn<typeof apiErrorFields>

/**
 * @internal
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromStatus = (
  status: number,
  declared: ReadonlySet<number>,
  fields: ApiErrorFields
): ClerkApiError => new apiErrorClasses[ErrorTags.apiErrorTagOf(status, declared)](fields)

const apiErrorClasses: { readonly [T in ErrorTags.ApiErrorTag]: new(fields: ApiErrorFields) => ClerkApiError } = {
  ClerkBadRequest,
  ClerkUnauthorized,
  ClerkPaymentRequired,
  ClerkForbidden,
  ClerkNotFound,
  ClerkConflict,
  ClerkUnprocessable,
  ClerkLocked,
  ClerkRateLimited,
  ClerkServerError,
  ClerkUnexpectedStatus
}
