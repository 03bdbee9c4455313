/**
 * Which error an answer becomes, without Effect: both Effect lines build their own error classes under
 * these tags, so `catchTag` reads the same on either.
 *
 * @internal
 */

/** The tags of the error answers, one per status class. */
export const apiErrorTags = [
  "ClerkBadRequest",
  "ClerkUnauthorized",
  "ClerkPaymentRequired",
  "ClerkForbidden",
  "ClerkNotFound",
  "ClerkConflict",
  "ClerkUnprocessable",
  "ClerkLocked",
  "ClerkRateLimited",
  "ClerkServerError",
  "ClerkUnexpectedStatus"
] as const

/** The tag of an error answer. */
export type ApiErrorTag = typeof apiErrorTags[number]

const byDeclaredStatus: Readonly<Record<number, ApiErrorTag>> = {
  400: "ClerkBadRequest",
  402: "ClerkPaymentRequired",
  403: "ClerkForbidden",
  404: "ClerkNotFound",
  409: "ClerkConflict",
  422: "ClerkUnprocessable",
  423: "ClerkLocked"
}

/**
 * The tag of a non-2xx answer: 5xx, 401 and 429 whatever the operation declares; the other statuses by
 * their own tag only when the operation declares them, otherwise `ClerkUnexpectedStatus`.
 */
export const apiErrorTagOf = (status: number, declared: ReadonlySet<number>): ApiErrorTag => {
  if (status >= 500) return "ClerkServerError"
  if (status === 401) return "ClerkUnauthorized"
  if (status === 429) return "ClerkRateLimited"
  return (declared.has(status) ? byDeclaredStatus[status] : undefined) ?? "ClerkUnexpectedStatus"
}

/** Whether a transport failure of this kind proves the request never reached the server. */
export const neverReached = (kind: string): boolean => kind === "ConnectionRefused" || kind === "DnsFailure"

/** The tags of the other failures of a call. */
export const otherErrorTags = ["ClerkTransportError", "ClerkDecodeError", "ClerkInvalidRequest"] as const

const apiTagSet: ReadonlySet<string> = new Set(apiErrorTags)
const allTagSet: ReadonlySet<string> = new Set([...apiErrorTags, ...otherErrorTags])

const tagOf = (u: unknown): string | undefined =>
  typeof u === "object" && u !== null && "_tag" in u && typeof u._tag === "string" ? u._tag : undefined

/** Whether a value is an error answer of either line: an API error tag and a status. */
export const hasApiErrorTag = (u: unknown): boolean => {
  const tag = tagOf(u)
  return tag !== undefined && apiTagSet.has(tag) && typeof u === "object" && u !== null && "status" in u
}

/** Whether a value carries the tag of any failure of a call, on either line. */
export const hasClerkErrorTag = (u: unknown): boolean => {
  const tag = tagOf(u)
  return tag !== undefined && allTagSet.has(tag) && (!apiTagSet.has(tag) || hasApiErrorTag(u))
}
