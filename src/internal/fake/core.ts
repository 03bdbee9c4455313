/**
 * What the in-memory fake is made of, for both Effect lines: the request a route sees, the
 * replies it can give instead of a success value, Clerk-shaped error bodies, and the helpers
 * the resource modules share. Nothing here depends on Effect.
 *
 * @internal
 */

/** One request as the fake sees it, after routing; `Name` is the line's operation-name union. */
export interface FakeRequest<Name extends string = string> {
  /** The operation the request was routed to. */
  readonly operation: Name
  readonly method: string
  /** The path relative to the API base, e.g. `/users/user_123`. */
  readonly path: string
  /** Request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  /** Path parameters by wire name. */
  readonly pathParams: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  /** The parsed body: JSON, a `FormData`, or `undefined` when there is none. */
  readonly body: unknown
}

/** @internal */
export const ReplyTypeId: unique symbol = Symbol.for("effect-clerk/ClerkTest/Reply")

/** A raw HTTP answer, given instead of an operation's success value. */
export interface Reply {
  readonly [ReplyTypeId]: typeof ReplyTypeId
  readonly status: number
  /** A JSON value (sent as JSON), a string (sent as text), or `undefined` for no body. */
  readonly body: unknown
  readonly headers: Readonly<Record<string, string>>
}

/** Whether a value is a {@link Reply}. */
export const isReply = (value: unknown): value is Reply =>
  typeof value === "object" && value !== null && ReplyTypeId in value

/** Builds a raw answer. */
export const reply = (status: number, body?: unknown, headers: Readonly<Record<string, string>> = {}): Reply => ({
  [ReplyTypeId]: ReplyTypeId,
  status,
  body,
  headers
})

/** One entry of a Clerk error body. */
export interface ErrorDetail {
  readonly code: string
  readonly message: string
  readonly longMessage?: string | undefined
  readonly meta?: Readonly<Record<string, unknown>> | undefined
}

let traceCounter = 0

/** A Clerk error answer: `{ errors: [{ message, long_message, code, meta }], clerk_trace_id }`. */
export const errorReply = (
  status: number,
  details: ErrorDetail | ReadonlyArray<ErrorDetail>,
  headers: Readonly<Record<string, string>> = {}
): Reply => {
  const list: ReadonlyArray<ErrorDetail> = Array.isArray(details) ? details : [details as ErrorDetail]
  const traceId = `fake_trace_${(++traceCounter).toString(16).padStart(8, "0")}`
  return reply(status, {
    errors: list.map((detail) => ({
      message: detail.message,
      long_message: detail.longMessage ?? detail.message,
      code: detail.code,
      ...(detail.meta === undefined ? {} : { meta: detail.meta })
    })),
    clerk_trace_id: traceId
  }, { "clerk-trace-id": traceId, ...headers })
}

/** 404 `resource_not_found`, naming what was looked for. */
export const notFound = (what: string): Reply =>
  errorReply(404, { code: "resource_not_found", message: "not found", longMessage: `No ${what} was found.` })

/** 422 `form_identifier_exists` for a taken identifier (email, phone, username, slug...). */
export const identifierExists = (param: string, what: string): Reply =>
  errorReply(422, {
    code: "form_identifier_exists",
    message: "That identifier is taken.",
    longMessage: `That ${what} is taken. Please try another.`,
    meta: { param_name: param }
  })

/** 422 (or the `status` given) `form_param_format_invalid` for a value the fake refuses. */
export const invalidParam = (param: string, longMessage: string, status = 422): Reply =>
  errorReply(status, {
    code: "form_param_format_invalid",
    message: "is invalid",
    longMessage,
    meta: { param_name: param }
  })

/** 422 `form_param_missing` for a parameter the operation needs. */
export const missingParam = (param: string): Reply =>
  errorReply(422, {
    code: "form_param_missing",
    message: "missing data",
    longMessage: `${param} must be included.`,
    meta: { param_name: param }
  })

/** 400 with a code of the caller's choice, for requests the fake cannot act on. */
export const badRequest = (code: string, longMessage: string, param?: string): Reply =>
  errorReply(400, {
    code,
    message: "bad request",
    longMessage,
    ...(param === undefined ? {} : { meta: { param_name: param } })
  })

/** 409 with a code of the caller's choice. */
export const conflict = (code: string, longMessage: string, param?: string): Reply =>
  errorReply(409, {
    code,
    message: "conflict",
    longMessage,
    ...(param === undefined ? {} : { meta: { param_name: param } })
  })

/** 501 for an operation the fake does not implement, naming it and saying how to add it. */
export const notImplemented = (name: string): Reply =>
  errorReply(501, {
    code: "operation_not_implemented",
    message: "not implemented in the fake",
    longMessage:
      `${name} is not implemented by the ClerkTest fake; install a handler with ClerkTest.handle("${name}", ...).`,
    meta: { operation: name }
  })

/** 400 `malformed_request`, for a request whose body or form could not be read. */
export const malformedRequest = (longMessage: string): Reply =>
  errorReply(400, { code: "malformed_request", message: "malformed request", longMessage })

/** 429 `too_many_requests` asking to retry after whole `seconds`. */
export const rateLimitedReply = (seconds: number): Reply =>
  errorReply(429, {
    code: "too_many_requests",
    message: "Too many requests",
    longMessage: "Rate limit exceeded (ClerkTest)."
  }, { "retry-after": String(Math.ceil(seconds)) })

/** An injected `internal_clerk_error` with the given status. */
export const serverErrorReply = (status: number): Reply =>
  errorReply(status, {
    code: "internal_clerk_error",
    message: "Oops, something went wrong",
    longMessage: "Injected failure (ClerkTest)."
  })

/** The `limit` (default 10) and `offset` (default 0) window of a list. */
export const page = <A>(
  items: ReadonlyArray<A>,
  params: { readonly limit?: number | undefined; readonly offset?: number | undefined }
): ReadonlyArray<A> => {
  const offset = params.offset ?? 0
  const limit = params.limit ?? 10
  return items.slice(offset, offset + limit)
}

/**
 * Sorts by an `order_by` value such as `-created_at` or `+name`: a leading `-` is descending,
 * `+` or none ascending. `fields` maps the wire field names the operation accepts to keys.
 * Unknown fields answer 422, as Clerk does. Ties keep input order in the sort's direction.
 */
export const orderBy = <A>(
  items: ReadonlyArray<A>,
  order: string | undefined,
  fallback: string,
  fields: Readonly<Record<string, (item: A) => string | number | null | undefined>>
): ReadonlyArray<A> | Reply => {
  const value = order ?? fallback
  const descending = value.startsWith("-")
  const field = value.replace(/^[+-]/, "")
  const key = fields[field]
  if (key === undefined) {
    return invalidParam(
      "order_by",
      `order_by cannot be ${JSON.stringify(value)}; accepted fields: ${Object.keys(fields).join(", ")}.`
    )
  }
  const indexed = items.map((item, index) => ({ item, index, key: key(item) }))
  // Ties follow the direction too: with `-created_at`, records created in the same millisecond
  // (common under a test clock) come newest first, as creation order is the input order.
  indexed.sort((a, b) => {
    const c = compareKeys(a.key, b.key)
    return descending ? (c === 0 ? b.index - a.index : -c) : (c === 0 ? a.index - b.index : c)
  })
  return indexed.map((entry) => entry.item)
}

const compareKeys = (a: string | number | null | undefined, b: string | number | null | undefined): number => {
  // Absent values sort last ascending, as a database's NULLS LAST would.
  if (a === b) return 0
  if (a === null || a === undefined) return 1
  if (b === null || b === undefined) return -1
  if (typeof a === "number" && typeof b === "number") return a - b
  return String(a).localeCompare(String(b))
}

/** User-owned free-form data (metadata). */
export type Metadata = { readonly [key: string]: unknown }

/** Whether a value is a plain JSON object (not an array, not null). */
export const isRecord = (value: unknown): value is Metadata =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Clerk's metadata merge: nested objects merge, `null` removes a key at any depth, anything
 * else replaces. Keys are defined, never assigned, so a `__proto__` key stays plain data.
 */
export const mergeMetadata = (base: Metadata, patch: Metadata): Metadata => {
  const merged = new Map(Object.entries(base))
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      merged.delete(key)
    } else if (isRecord(value)) {
      const current = merged.get(key)
      merged.set(key, mergeMetadata(isRecord(current) ? current : {}, value))
    } else {
      merged.set(key, value)
    }
  }
  return Object.fromEntries(merged)
}

/** The metadata fields a record can carry, by their decoded names. */
type MetadataField = "publicMetadata" | "privateMetadata" | "unsafeMetadata"

/**
 * A record's metadata after a merge request: each field the patch carries is merged into the
 * record's (see {@link mergeMetadata}); the others stay as they are (an absent one as `{}`).
 */
export const mergeMetadataFields = <K extends MetadataField>(
  record: { readonly [F in K]?: Metadata | null | undefined },
  patch: { readonly [F in K]?: Metadata | undefined },
  fields: ReadonlyArray<K>
): { [F in K]: Metadata } => {
  const merged = {} as { [F in K]: Metadata }
  for (const field of fields) {
    const current = record[field] ?? {}
    const change = patch[field]
    merged[field] = change === undefined ? current : mergeMetadata(current, change)
  }
  return merged
}

/**
 * Clerk's `+id` / `-id` list filters: plain or `+` values must match (any of them), `-` values
 * must not. The predicate takes the values a record has for the filtered field.
 */
export const signedFilter = (values: ReadonlyArray<string> | undefined) => {
  if (values === undefined || values.length === 0) return (_: ReadonlyArray<string>) => true
  const include = new Set<string>()
  const exclude = new Set<string>()
  for (const value of values) {
    if (value.startsWith("-")) exclude.add(value.slice(1))
    else include.add(value.startsWith("+") ? value.slice(1) : value)
  }
  return (has: ReadonlyArray<string>): boolean =>
    (include.size === 0 || has.some((id) => include.has(id))) && !has.some((id) => exclude.has(id))
}

/** Case-insensitive substring search, absent values never matching. */
export const contains = (value: string | null | undefined, query: string): boolean =>
  value !== null && value !== undefined && value.toLowerCase().includes(query.toLowerCase())

/** A light check of an email address's shape (Clerk checks deliverability elsewhere). */
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** 422 for an email address that does not look like one. */
export const checkEmailAddress = (address: string): Reply | undefined =>
  emailPattern.test(address)
    ? undefined
    : invalidParam("email_address", `${JSON.stringify(address)} is not a valid email address.`)

/** An RFC 3339 date-time param in milliseconds, or a 422 naming the param. */
export const parseTimestamp = (param: string, value: string): number | Reply => {
  const millis = Date.parse(value)
  return Number.isNaN(millis) ? invalidParam(param, `${param} must be an RFC 3339 date-time.`) : millis
}
