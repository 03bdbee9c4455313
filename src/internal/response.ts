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
import * as Wire from "./wireResponse.js"

/** A 2xx answer, body read but not decoded. */
export type Answer = Wire.Answer

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

const apiError = (
  descriptor: Descriptor,
  response: HttpClientResponse.HttpClientResponse,
  body: string,
  now: number
): ClerkApiError => {
  const answer = Wire.readErrorAnswer(descriptor.name, response.status, response.headers, body, now)
  return fromStatus(response.status, Wire.declaredStatuses(descriptor), {
    operation: descriptor.name,
    status: response.status,
    errors: answer.entries.map((entry) => new ClerkErrorDetail(entry)),
    ...(answer.clerkTraceId === undefined ? {} : { clerkTraceId: answer.clerkTraceId }),
    ...(answer.retryAfterMillis === undefined ? {} : { retryAfter: Duration.millis(answer.retryAfterMillis) }),
    message: answer.message
  })
}

/** A platform transport or body-read failure as `ClerkTransportError`, without the request (and its headers). */
export const transportError = (
  descriptor: Descriptor,
  error: HttpClientError.RequestError | HttpClientError.ResponseError
): ClerkTransportError => {
  const kind: TransportFailureKind = error._tag === "ResponseError" ? "BodyRead" : Wire.transportKindOf(error.cause)
  const detail = Wire.causeMessage(error.cause) || error.reason
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
    return fail("", `not JSON (${Wire.describeBody(answer.contentType, answer.body)})`)
  }
  return Effect.catchAll(decoderOf(descriptor, success)(json), (error) => {
    const issue = firstIssue(error)
    return fail(issue.path, issue.message)
  })
}
