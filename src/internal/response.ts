/**
 * From an HTTP response (or its absence) to a value or a typed error.
 *
 * @internal
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { Descriptor } from "../ClerkDescriptor.js"
import type { ClerkApiError, TransportFailureKind } from "../ClerkError.js"
import { ClerkDecodeError, ClerkErrorDetail, ClerkTransportError, fromStatus } from "../ClerkError.js"
import { rejected } from "./decode.js"
import { firstIssue } from "./parseIssue.js"

/** A 2xx answer, body read but not decoded. */
export interface Answer {
  readonly status: number
  readonly contentType: string
  readonly body: string
  readonly clerkTraceId: string | undefined
}

/** Reads the body; a non-2xx status becomes its typed error. */
export const read = (
  descriptor: Descriptor,
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<Answer, ClerkApiError | HttpClientError.ResponseError> =>
  Effect.flatMap(response.text, (body) => {
    const contentType = response.headers["content-type"] ?? ""
    if (response.status >= 200 && response.status < 300) {
      return Effect.succeed({
        status: response.status,
        contentType,
        body,
        clerkTraceId: response.headers["clerk-trace-id"]
      })
    }
    return Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.fail(apiError(descriptor, response, body, now)))
  })

const declaredCache = new WeakMap<Descriptor, ReadonlySet<number>>()
const declaredOf = (descriptor: Descriptor) => {
  let set = declaredCache.get(descriptor)
  if (set === undefined) {
    set = new Set(descriptor.errors)
    declaredCache.set(descriptor, set)
  }
  return set
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const text = (u: unknown): string | undefined => typeof u === "string" ? u : undefined

/** Both error body shapes (`ClerkErrors` and the inline `errors[]`) to one list of details. */
export const errorDetails = (body: unknown): ReadonlyArray<ClerkErrorDetail> => {
  if (!isRecord(body) || !Array.isArray(body.errors)) return []
  return body.errors.filter(isRecord).map((entry) =>
    new ClerkErrorDetail({
      code: text(entry.code) ?? "",
      message: text(entry.message) ?? "",
      ...(text(entry.long_message) === undefined ? {} : { longMessage: text(entry.long_message)! }),
      ...(entry.meta === undefined ? {} : { meta: entry.meta })
    })
  )
}

/** `Retry-After` in seconds or as an HTTP date, relative to `now`. */
export const parseRetryAfter = (header: string | undefined, now: number): Duration.Duration | undefined => {
  if (header === undefined) return undefined
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return Duration.seconds(Number(trimmed))
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Duration.millis(Math.max(0, date - now))
}

const describeBody = (contentType: string, body: string) =>
  `${contentType === "" ? "no content type" : contentType}, ${body.length} characters`

const apiError = (
  descriptor: Descriptor,
  response: HttpClientResponse.HttpClientResponse,
  body: string,
  now: number
): ClerkApiError => {
  const json = parseJson(body)
  const errors = errorDetails(json)
  const clerkTraceId = (isRecord(json) ? text(json.clerk_trace_id) : undefined) ?? response.headers["clerk-trace-id"]
  const retryAfter = response.status === 429 || response.status === 503
    ? parseRetryAfter(response.headers["retry-after"], now)
    : undefined
  const first = errors[0]
  const summary = first === undefined
    ? `no Clerk error body (${describeBody(response.headers["content-type"] ?? "", body)})`
    : `${first.code}: ${first.longMessage ?? first.message}`
  return fromStatus(response.status, declaredOf(descriptor), {
    operation: descriptor.name,
    status: response.status,
    errors,
    ...(clerkTraceId === undefined ? {} : { clerkTraceId }),
    ...(retryAfter === undefined ? {} : { retryAfter }),
    message: `${descriptor.name} failed with status ${response.status}: ${summary}`
  })
}

const networkCodes: Record<string, TransportFailureKind> = {
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
const kindOfCause = (cause: unknown): TransportFailureKind => {
  let current: unknown = cause
  for (let depth = 0; depth < 8 && isRecord(current); depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === "string" && code in networkCodes) return networkCodes[code]!
    const errors = (current as { errors?: unknown }).errors
    if (Array.isArray(errors) && errors.length > 0) {
      const inner = kindOfCause(errors[0])
      if (inner !== "Other") return inner
    }
    current = (current as { cause?: unknown }).cause
  }
  return "Other"
}

const causeMessage = (cause: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    parts.push(current.message)
    current = current.cause
  }
  return parts.join(": ")
}

/** A platform transport or body-read failure as `ClerkTransportError`, without the request (and its headers). */
export const transportError = (
  descriptor: Descriptor,
  error: HttpClientError.RequestError | HttpClientError.ResponseError
): ClerkTransportError => {
  const kind: TransportFailureKind = error._tag === "ResponseError" ? "BodyRead" : kindOfCause(error.cause)
  const detail = causeMessage(error.cause) || error.reason
  return new ClerkTransportError({
    operation: descriptor.name,
    kind,
    message: `${descriptor.name}: ${kind} (${descriptor.method} ${descriptor.path}): ${detail}`,
    cause: error.cause
  })
}

/** The failure of an attempt that outlived its timeout. */
export const timeoutError = (descriptor: Descriptor, timeout: Duration.Duration): ClerkTransportError =>
  new ClerkTransportError({
    operation: descriptor.name,
    kind: "Timeout",
    message: `${descriptor.name}: no answer within ${
      Duration.format(timeout)
    } (${descriptor.method} ${descriptor.path})`
  })

const decoders = new WeakMap<Descriptor, (u: unknown) => Effect.Effect<unknown, ParseResult.ParseError>>()

const decoderOf = (descriptor: Descriptor, schema: Schema.Schema<any, any>) => {
  let decoder = decoders.get(descriptor)
  if (decoder === undefined) {
    const general = Schema.decodeUnknown(schema, { errors: "first", onExcessProperty: "ignore" })
    // A descriptor without a generated decoder (a hand-written one) takes the schema's own decoder only.
    const fast = descriptor.decode
    decoder = fast === undefined ? general : (input) => {
      const value = fast(input)
      return value === rejected ? general(input) : Effect.succeed(value)
    }
    decoders.set(descriptor, decoder)
  }
  return decoder
}

/** Turns a 2xx answer into the operation's result. */
export const decode = (descriptor: Descriptor, answer: Answer): Effect.Effect<unknown, ClerkDecodeError> => {
  const success = descriptor.success
  if (success === "void") return Effect.void
  if (success === "text") return Effect.succeed(answer.body)
  const fail = (path: string, message: string) =>
    Effect.fail(
      new ClerkDecodeError({
        operation: descriptor.name,
        status: answer.status,
        path,
        message: `${descriptor.name}: the ${answer.status} body does not match its schema${
          path === "" ? "" : ` at ${path}`
        }: ${message}`
      })
    )
  let json: unknown
  try {
    json = JSON.parse(answer.body)
  } catch {
    return fail("", `not JSON (${describeBody(answer.contentType, answer.body)})`)
  }
  return Effect.catchAll(decoderOf(descriptor, success)(json), (error) => {
    const issue = firstIssue(error)
    return fail(issue.path, issue.message)
  })
}
