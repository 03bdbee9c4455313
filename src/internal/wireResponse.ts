/**
 * Reading what Clerk answers, without Effect: error bodies, `Retry-After`, and the Node or undici code
 * behind a transport failure. Each Effect line wraps the results in its own error classes.
 *
 * @internal
 */
import { isRecord } from "./decode.js"

/** One entry of a Clerk error body, as sent (snake_case keys read, nothing else kept). */
export interface ErrorEntry {
  readonly code: string
  readonly message: string
  readonly longMessage?: string
  readonly meta?: unknown
}

/** A 2xx answer, body read but not decoded. */
export interface Answer {
  readonly status: number
  readonly contentType: string
  readonly body: string
  readonly clerkTraceId: string | undefined
}

const declaredCache = new WeakMap<object, ReadonlySet<number>>()

/** The error statuses an operation declares, as a set (built once per descriptor). */
export const declaredStatuses = (descriptor: { readonly errors: ReadonlyArray<number> }): ReadonlySet<number> => {
  let set = declaredCache.get(descriptor)
  if (set === undefined) {
    set = new Set(descriptor.errors)
    declaredCache.set(descriptor, set)
  }
  return set
}

/** What a non-2xx answer says, before either line wraps it in its error class. */
export interface ErrorAnswer {
  readonly entries: ReadonlyArray<ErrorEntry>
  readonly clerkTraceId: string | undefined
  /** `Retry-After` of a 429 or 503, in milliseconds. */
  readonly retryAfterMillis: number | undefined
  readonly message: string
}

/** Reads a non-2xx answer of an operation: its error entries, trace id, requested delay and summary line. */
export const readErrorAnswer = (
  operation: string,
  status: number,
  headers: Readonly<Record<string, string | undefined>>,
  body: string,
  now: number
): ErrorAnswer => {
  const json = parseJson(body)
  const entries = errorEntries(json)
  const summary = errorSummary(entries, headers["content-type"] ?? "", body)
  return {
    entries,
    clerkTraceId: traceIdOf(json) ?? headers["clerk-trace-id"],
    retryAfterMillis: status === 429 || status === 503 ? retryAfterMillis(headers["retry-after"], now) : undefined,
    message: `${operation} failed with status ${status}: ${summary}`
  }
}

/** Why a request failed below HTTP (the same names as `ClerkError.TransportFailureKind`). */
export type TransportKind = "ConnectionRefused" | "DnsFailure" | "Timeout" | "ConnectionReset" | "BodyRead" | "Other"

/** The body as JSON, or `undefined` when it is not JSON. */
export const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

export { isRecord }

const text = (u: unknown): string | undefined => typeof u === "string" ? u : undefined

/** Both error body shapes (`ClerkErrors` and the inline `errors[]`) to one list of entries. */
export const errorEntries = (body: unknown): ReadonlyArray<ErrorEntry> => {
  if (!isRecord(body) || !Array.isArray(body.errors)) return []
  return body.errors.filter(isRecord).map((entry) => {
    const longMessage = text(entry.long_message)
    return {
      code: text(entry.code) ?? "",
      message: text(entry.message) ?? "",
      ...(longMessage === undefined ? {} : { longMessage }),
      ...(entry.meta === undefined ? {} : { meta: entry.meta })
    }
  })
}

/** The `clerk_trace_id` of an error body, if it has one. */
export const traceIdOf = (body: unknown): string | undefined => isRecord(body) ? text(body.clerk_trace_id) : undefined

/** `Retry-After` in seconds or as an HTTP date, as milliseconds from `now`. */
export const retryAfterMillis = (header: string | undefined, now: number): number | undefined => {
  if (header === undefined) return undefined
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  // Any other number (`-1`, `1.5`) is no valid value, though `Date.parse` reads some as years.
  if (/^[-+]?[\d.]+$/.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/** A body described by its type and size, never by its content (which may carry secrets). */
export const describeBody = (contentType: string, body: string): string =>
  `${contentType === "" ? "no content type" : contentType}, ${body.length} characters`

/** The one-line summary of a failed answer: its first error, or what the body was. */
export const errorSummary = (
  entries: ReadonlyArray<
    { readonly code: string; readonly message: string; readonly longMessage?: string | undefined }
  >,
  contentType: string,
  body: string
): string => {
  const first = entries[0]
  return first === undefined
    ? `no Clerk error body (${describeBody(contentType, body)})`
    : `${first.code}: ${first.longMessage ?? first.message}`
}

const networkCodes: Record<string, TransportKind> = {
  ECONNREFUSED: "ConnectionRefused",
  ENOTFOUND: "DnsFailure",
  EAI_AGAIN: "DnsFailure",
  ECONNRESET: "ConnectionReset",
  EPIPE: "ConnectionReset",
  UND_ERR_SOCKET: "ConnectionReset",
  ETIMEDOUT: "Timeout",
  UND_ERR_CONNECT_TIMEOUT: "Timeout",
  UND_ERR_HEADERS_TIMEOUT: "Timeout",
  UND_ERR_BODY_TIMEOUT: "Timeout"
}

/** Looks through an error's cause chain for a Node or undici error code. */
export const transportKindOf = (cause: unknown): TransportKind => {
  let current: unknown = cause
  for (let depth = 0; depth < 8 && isRecord(current); depth++) {
    const code = current.code
    if (typeof code === "string" && code in networkCodes) return networkCodes[code]!
    const errors = current.errors
    if (Array.isArray(errors) && errors.length > 0) {
      const inner = transportKindOf(errors[0])
      if (inner !== "Other") return inner
    }
    current = current.cause
  }
  return "Other"
}

/** The messages of an error and its causes, joined. */
export const causeMessage = (cause: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    parts.push(current.message)
    current = current.cause
  }
  return parts.join(": ")
}
