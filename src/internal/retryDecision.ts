/**
 * Which failures the default retry policy tries again, without Effect: both Effect lines' policies use it.
 *
 * @internal
 */
import { neverReached } from "./errorTags.js"

const idempotentMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])

/** What of a failure the decision reads. */
export interface RetryCandidate {
  readonly _tag: string
  readonly status?: number
  readonly kind?: string
}

/**
 * 429 always; 5xx (but 501) and transport failures for idempotent methods (GET, HEAD, OPTIONS, PUT,
 * DELETE); for POST and PATCH only failures where the request provably never reached Clerk.
 */
export const isRetryableByDefault = (error: RetryCandidate, method: string): boolean => {
  switch (error._tag) {
    case "ClerkRateLimited":
      return true
    case "ClerkServerError":
      // 501 says the operation does not exist there: asking again cannot help.
      return error.status !== 501 && idempotentMethods.has(method)
    case "ClerkTransportError":
      return idempotentMethods.has(method) || (error.kind !== undefined && neverReached(error.kind))
    default:
      return false
  }
}
