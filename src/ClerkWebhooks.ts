/**
 * Verifying Clerk webhooks. Clerk delivers them through Svix, which follows the Standard
 * Webhooks scheme: three headers (`svix-id`, `svix-timestamp`, `svix-signature`, or the same
 * names with a `webhook-` prefix) and an HMAC-SHA256 of `${id}.${timestamp}.${body}` keyed by
 * the endpoint's signing secret (`whsec_…`).
 *
 * The body is verified exactly as it arrived, bytes or text, and never re-serialised; the
 * timestamp is checked against Effect's `Clock` (so `TestClock` controls it); signatures are
 * compared in constant time. Only WebCrypto is used, so it runs on any runtime.
 *
 * @example
 * ```ts
 * import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
 * import * as Effect from "effect/Effect"
 * import { ClerkWebhooks } from "effect-clerk"
 *
 * const handler = Effect.gen(function*() {
 *   const webhooks = yield* ClerkWebhooks.ClerkWebhooks
 *   const event = yield* webhooks.verify(yield* HttpServerRequest.HttpServerRequest)
 *   // event.type, event.data …
 * })
 * // provided with ClerkWebhooks.layerConfig (reads CLERK_WEBHOOK_SIGNING_SECRET)
 * ```
 *
 * @since 0.1.0
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { WebhookConfigError, WebhookVerificationError, type WebhookVerificationReason } from "./ClerkWebhooksError.js"
import { ClerkWebhookEvent } from "./generated/WebhookEvents.js"
import { nonNegativeDuration, optional } from "./internal/config.js"
import { firstIssue } from "./internal/parseIssue.js"

/**
 * A webhook delivery in its plainest form. Header names are matched case-insensitively.
 *
 * @since 0.1.0
 * @category models
 */
export interface WebhookInput {
  readonly headers: Headers | Record<string, string | undefined>
  /** The body exactly as received: bytes are verified as they are, text as its UTF-8 encoding. */
  readonly body: string | Uint8Array
}

/**
 * A delivery whose signature and timestamp were accepted.
 *
 * @since 0.1.0
 * @category models
 */
export interface VerifiedWebhook {
  /** The message id (`svix-id`): the same across retries of one delivery, so usable for de-duplication. */
  readonly id: string
  /** The signing time, in unix seconds. */
  readonly timestamp: number
  /** The verified body as text (bytes decoded as UTF-8, a byte-order mark kept). */
  readonly body: string
}

/**
 * A verified delivery whose JSON does not match its event's schema: Clerk added or changed a
 * field in a way this version cannot read. It is handed over rather than refused, because a
 * refusal is answered 4xx and Svix would retry the same bytes for days: the event would be lost.
 * The payload is the parsed JSON exactly as sent; `issue` says where decoding stopped.
 *
 * @since 0.2.0
 * @category models
 */
export interface MalformedWebhookEvent {
  readonly type: "malformed"
  /** The payload's own `type` (such as `"user.created"`), or `undefined` when it has none. */
  readonly eventType: string | undefined
  /** The payload's `data`, untouched (`undefined` when absent). */
  readonly data: unknown
  /** The whole parsed payload, untouched. */
  readonly payload: unknown
  /** The first decoding issue: its path in the payload (`data.public_user_data.image_url`) and what was expected. */
  readonly issue: {
    readonly path: string
    readonly message: string
  }
}

/**
 * What a verified delivery decodes to: a typed event (an unknown type included, as
 * `UnknownWebhookEvent`), or a {@link MalformedWebhookEvent} when its data does not match.
 *
 * @since 0.2.0
 * @category models
 */
export type WebhookEvent = ClerkWebhookEvent | MalformedWebhookEvent

/**
 * What to do with a verified delivery whose JSON does not match its event's schema:
 * `deliver` it as a {@link MalformedWebhookEvent} (logged at warning level with the issue's
 * path), or `reject` it with the `invalid-payload` reason (the handler then answers 400).
 *
 * @since 0.2.0
 * @category models
 */
export type InvalidPayloadPolicy = "deliver" | "reject"

/**
 * Options of {@link ClerkWebhooks.make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClerkWebhooksOptions {
  /**
   * The endpoint's signing secret: `whsec_` followed by base64 (the prefix may be left out). A
   * `Redacted` keeps it out of logs; a plain string (a test's secret) is wrapped at once.
   */
  readonly signingSecret: Redacted.Redacted<string> | string
  /**
   * How far the timestamp may be from now, either way. Default 5 minutes; `Duration.infinity`
   * turns the check off (replays are then accepted: only for fixtures).
   */
  readonly tolerance?: Duration.DurationInput | undefined
  /** A verified payload that does not match its schema: delivered as a {@link MalformedWebhookEvent} (default) or refused. */
  readonly onInvalidPayload?: InvalidPayloadPolicy | undefined
}

/**
 * The webhook verification service.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClerkWebhooksService {
  /**
   * Verifies a delivery and decodes its event. A web `Request` or an `HttpServerRequest` has
   * its body read as bytes, which consumes it: a web `Request` cannot be read again, nor can a
   * Node `HttpServerRequest` (its stream is drained); use {@link ClerkWebhooksService.verifySignature}
   * with a body you read yourself when you need it afterwards. A body that cannot be read fails
   * with `invalid-payload`. JSON that does not match its schema follows `onInvalidPayload`.
   */
  readonly verify: (
    input: Request | HttpServerRequest.HttpServerRequest | WebhookInput
  ) => Effect.Effect<WebhookEvent, WebhookVerificationError>
  /** Checks the headers, the timestamp and the signature only; the body is not parsed. */
  readonly verifySignature: (input: WebhookInput) => Effect.Effect<VerifiedWebhook, WebhookVerificationError>
  /**
   * Parses and decodes a body, with no verification: only for a body already verified. JSON
   * that does not match its schema follows `onInvalidPayload`.
   */
  readonly decode: (body: string) => Effect.Effect<WebhookEvent, WebhookVerificationError>
}

const failure = (reason: WebhookVerificationReason, message: string) =>
  new WebhookVerificationError({ reason, message })

const defaultTolerance = Duration.minutes(5)

const formatMillis = (millis: number): string => Duration.format(Duration.millis(millis))

const encoder = new TextEncoder()
// ignoreBOM keeps a leading byte-order mark: the text handed back is exactly what was signed.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true })

// Standard alphabet, optional padding, no whitespace: what Svix writes. `atob` alone would
// also skip embedded whitespace, so the shape is checked first.
const base64Shape = /^[A-Za-z0-9+/]+={0,2}$/

/** Strict-enough base64 decoding; `undefined` for anything that is not base64. */
const decodeBase64 = (text: string): Uint8Array<ArrayBuffer> | undefined => {
  if (!base64Shape.test(text)) return undefined
  try {
    const binary = atob(text)
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    return bytes
  } catch {
    return undefined
  }
}

/**
 * Equality of two byte arrays in time that depends only on `expected.length`: every byte is
 * visited and differences are OR-accumulated, so where the first mismatch is leaks nothing.
 * A length difference makes the result false but does not end the loop early.
 */
const timingSafeEqual = (expected: Uint8Array, actual: Uint8Array): boolean => {
  let difference = expected.length ^ actual.length
  for (let i = 0; i < expected.length; i++) {
    // Past the end of `actual` this XORs with 0; `difference` is already non-zero then.
    difference |= expected[i]! ^ (actual[i] ?? 0)
  }
  return difference === 0
}

/** The key bytes of a secret, or why it cannot be one. Messages never quote the secret. */
const keyOfSecret = (secret: string): Uint8Array<ArrayBuffer> | WebhookConfigError => {
  // A trailing newline from an env file is a common slip; whitespace is never part of base64.
  const trimmed = secret.trim()
  const encoded = trimmed.startsWith("whsec_") ? trimmed.slice("whsec_".length) : trimmed
  if (encoded === "") {
    return new WebhookConfigError({ reason: "invalid-secret", message: "the webhook signing secret is empty" })
  }
  const key = decodeBase64(encoded)
  if (key === undefined || key.length === 0) {
    return new WebhookConfigError({
      reason: "invalid-secret",
      message: "the webhook signing secret is not base64 (after its optional whsec_ prefix)"
    })
  }
  return key
}

/** `Duration.decode` clamps a negative input to zero; a negative tolerance is a mistake, so it is refused instead. */
const isNegativeInput = (input: Duration.DurationInput): boolean => {
  if (typeof input === "number") return input < 0
  if (typeof input === "bigint") return input < 0n
  if (typeof input === "string") return input.trim().startsWith("-")
  if (Array.isArray(input)) return input[0] < 0 || input[1] < 0
  return false
}

/** The three headers, all from one family: `svix-*` when all are there, else `webhook-*`. */
interface SignatureHeaders {
  /** Which names carried them, to name the right header in messages. */
  readonly prefix: "svix" | "webhook"
  readonly id: string
  readonly timestamp: string
  readonly signature: string
}

/**
 * A case-insensitive header lookup. Values are trimmed: surrounding whitespace is not part of an
 * HTTP header value (web `Headers` already drop it; a hand-built record may not), and Clerk's own
 * verifier trims too.
 */
const headerReader = (headers: WebhookInput["headers"]): (name: string) => string | undefined => {
  // Any `get` method (web Headers, or a Headers from another realm); a plain record holds strings only.
  if (typeof (headers as { get?: unknown }).get === "function") {
    const web = headers as Headers
    return (name) => web.get(name)?.trim()
  }
  const record = headers as Record<string, string | undefined>
  return (name) => {
    const exact = record[name]
    if (exact !== undefined) return exact.trim()
    for (const key of Object.keys(record)) if (key.toLowerCase() === name) return record[key]?.trim()
    return undefined
  }
}

/**
 * Reads the headers as Svix's own libraries do: the `svix-*` set when it is complete, else the
 * `webhook-*` set; names are never mixed across the two.
 */
const signatureHeaders = (headers: WebhookInput["headers"]): SignatureHeaders | WebhookVerificationError => {
  const read = headerReader(headers)
  const family = (prefix: "svix" | "webhook") => ({
    prefix,
    id: read(`${prefix}-id`),
    timestamp: read(`${prefix}-timestamp`),
    signature: read(`${prefix}-signature`)
  })
  const complete = (set: ReturnType<typeof family>): set is SignatureHeaders =>
    Boolean(set.id) && Boolean(set.timestamp) && Boolean(set.signature)
  const svix = family("svix")
  if (complete(svix)) return svix
  const standard = family("webhook")
  if (complete(standard)) return standard
  const missing = (["id", "timestamp", "signature"] as const).filter((part) => !svix[part]).map((part) =>
    `svix-${part}`
  )
  return failure(
    "missing-header",
    `the request lacks ${
      missing.join(", ")
    } (nor does it carry a complete webhook-id, webhook-timestamp, webhook-signature set)`
  )
}

/** `${id}.${timestamp}.` followed by the body's bytes, exactly as they were received. */
const signedContent = (id: string, timestamp: string, body: Uint8Array): Uint8Array<ArrayBuffer> => {
  const prefix = encoder.encode(`${id}.${timestamp}.`)
  const content = new Uint8Array(prefix.length + body.length)
  content.set(prefix, 0)
  content.set(body, prefix.length)
  return content
}

/** The `v1` signatures of a `svix-signature` header, decoded; other versions and malformed entries are skipped. */
const v1Signatures = (header: string): Array<Uint8Array> => {
  const signatures: Array<Uint8Array> = []
  for (const entry of header.split(/\s+/)) {
    const comma = entry.indexOf(",")
    if (comma < 0 || entry.slice(0, comma) !== "v1") continue
    const bytes = decodeBase64(entry.slice(comma + 1))
    if (bytes !== undefined) signatures.push(bytes)
  }
  return signatures
}

/** The first issue of a parse error, its path in wire (snake_case) keys; never the offending value. */
const payloadIssue = (error: ParseResult.ParseError): MalformedWebhookEvent["issue"] => {
  const issue = firstIssue(error)
  return { path: issue.path, message: issue.message.length > 200 ? `${issue.message.slice(0, 197)}...` : issue.message }
}

/**
 * Why a verified payload does not decode, in one short line for errors. Payload values (emails,
 * names) are left out: only the event type, the path of the first issue and what was expected.
 */
const describePayloadProblem = (eventType: string | undefined, issue: MalformedWebhookEvent["issue"]): string => {
  const where = issue.path === "" ? "" : ` at ${issue.path}`
  const what = eventType === undefined ? "webhook" : JSON.stringify(eventType.slice(0, 100))
  const text = `the ${what} payload does not match its schema${where}: ${issue.message}`
  return text.length > 300 ? `${text.slice(0, 297)}...` : text
}

/** The payload's `type` and `data`, read without trusting its shape. */
const looseParts = (json: unknown): { readonly eventType: string | undefined; readonly data: unknown } =>
  Predicate.isRecord(json)
    ? { eventType: typeof json.type === "string" ? json.type : undefined, data: json.data }
    : { eventType: undefined, data: undefined }

/**
 * JSON-parses and schema-decodes a body. This is the one place the event schema is applied, and
 * the one place a mismatch is either handed over as a {@link MalformedWebhookEvent} or refused.
 */
const makeDecodeEvent =
  (policy: InvalidPayloadPolicy) => (body: string): Effect.Effect<WebhookEvent, WebhookVerificationError> => {
    let json: unknown
    try {
      json = JSON.parse(body)
    } catch {
      return Effect.fail(failure("body-not-json", "the webhook body is not JSON"))
    }
    return Effect.catchAll(
      Schema.decodeUnknown(ClerkWebhookEvent)(json),
      (error): Effect.Effect<WebhookEvent, WebhookVerificationError> => {
        const issue = payloadIssue(error)
        const { data, eventType } = looseParts(json)
        if (policy === "reject") {
          return Effect.fail(failure("invalid-payload", describePayloadProblem(eventType, issue)))
        }
        const malformed: MalformedWebhookEvent = { type: "malformed", eventType, data, payload: json, issue }
        return Effect.as(
          Effect.logWarning("effect-clerk: webhook payload does not match its schema; delivered as malformed").pipe(
            Effect.annotateLogs({ webhookType: eventType ?? "(none)", issuePath: issue.path, issue: issue.message })
          ),
          malformed
        )
      }
    )
  }

/** The body of a web `Request` or an `HttpServerRequest`, read once as bytes. */
const readBody = (
  request: Request | HttpServerRequest.HttpServerRequest
): Effect.Effect<Uint8Array, WebhookVerificationError> => {
  const unreadable = () => failure("invalid-payload", "the request body could not be read (was it already consumed?)")
  return request instanceof Request
    ? Effect.tryPromise({ try: () => request.arrayBuffer(), catch: unreadable }).pipe(
      Effect.map((buffer) => new Uint8Array(buffer))
    )
    : request.arrayBuffer.pipe(Effect.mapError(unreadable), Effect.map((buffer) => new Uint8Array(buffer)))
}

const isHttpServerRequest = (u: unknown): u is HttpServerRequest.HttpServerRequest =>
  Predicate.hasProperty(u, HttpServerRequest.TypeId)

/**
 * The webhook verification service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class ClerkWebhooks extends Context.Tag("effect-clerk/ClerkWebhooks")<ClerkWebhooks, ClerkWebhooksService>() {
  /**
   * Builds the service: checks the secret and the tolerance, and imports the HMAC key once.
   * Fails with {@link WebhookConfigError} when the secret is not `whsec_` + base64 or the
   * tolerance is negative.
   */
  static readonly make = (options: ClerkWebhooksOptions): Effect.Effect<ClerkWebhooksService, WebhookConfigError> =>
    Effect.gen(function*() {
      const keyBytes = keyOfSecret(
        typeof options.signingSecret === "string" ? options.signingSecret : Redacted.value(options.signingSecret)
      )
      if (keyBytes instanceof WebhookConfigError) return yield* keyBytes
      if (options.tolerance !== undefined && isNegativeInput(options.tolerance)) {
        return yield* new WebhookConfigError({
          reason: "invalid-tolerance",
          message: "the webhook timestamp tolerance cannot be negative"
        })
      }
      // decodeUnknown, not decode: a caller outside TypeScript may pass a string that is no duration.
      const tolerance = Duration.decodeUnknown(options.tolerance ?? defaultTolerance)
      if (Option.isNone(tolerance)) {
        return yield* new WebhookConfigError({
          reason: "invalid-tolerance",
          message: "the webhook timestamp tolerance is not a duration"
        })
      }
      const policy = options.onInvalidPayload ?? "deliver"
      if (policy !== "deliver" && policy !== "reject") {
        return yield* new WebhookConfigError({
          reason: "invalid-option",
          message: "onInvalidPayload must be \"deliver\" or \"reject\""
        })
      }
      const decodeEvent = makeDecodeEvent(policy)
      const toleranceMillis = Duration.toMillis(tolerance.value)
      const toleranceText = Duration.format(tolerance.value)
      // Not extractable and usable only to sign: the service never hands the key out.
      const key = yield* Effect.tryPromise({
        try: () => crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]),
        catch: () =>
          new WebhookConfigError({
            reason: "invalid-secret",
            message: "the webhook signing secret could not be imported as an HMAC-SHA256 key"
          })
      })

      /** `text`: the body as the caller gave it, when it was a string, so it is handed back as it is. */
      const verifyBytes = (
        headers: WebhookInput["headers"],
        body: Uint8Array,
        text?: string
      ): Effect.Effect<VerifiedWebhook, WebhookVerificationError> =>
        Effect.gen(function*() {
          const found = signatureHeaders(headers)
          if (found instanceof WebhookVerificationError) return yield* found
          // Whole seconds only; a timestamp that cannot be read is treated like an absent one.
          if (!/^\d{1,15}$/.test(found.timestamp)) {
            return yield* failure(
              "missing-header",
              `the ${found.prefix}-timestamp header is not a whole number of unix seconds`
            )
          }
          const timestamp = Number(found.timestamp)
          const now = yield* Clock.currentTimeMillis
          const skew = now - timestamp * 1000
          if (skew > toleranceMillis) {
            return yield* failure(
              "timestamp-too-old",
              `the webhook was signed ${formatMillis(skew)} ago, beyond the ${toleranceText} tolerance`
            )
          }
          if (-skew > toleranceMillis) {
            return yield* failure(
              "timestamp-too-new",
              `the webhook is signed ${formatMillis(-skew)} in the future, beyond the ${toleranceText} tolerance`
            )
          }
          const candidates = v1Signatures(found.signature)
          if (candidates.length === 0) {
            return yield* failure("no-matching-signature", "the signature header holds no v1 signature")
          }
          // The header string as sent is what was signed: `0123` is not re-written as `123`.
          const content = signedContent(found.id, found.timestamp, body)
          const expected = new Uint8Array(
            yield* Effect.promise(() => crypto.subtle.sign("HMAC", key, content))
          )
          // Every candidate is compared; which one matched is not secret, but there is no reason to branch.
          let matched = false
          for (const candidate of candidates) matched = timingSafeEqual(expected, candidate) || matched
          if (!matched) {
            return yield* failure(
              "no-matching-signature",
              `none of the ${candidates.length} v1 signature(s) matches the body`
            )
          }
          return { id: found.id, timestamp, body: text ?? decoder.decode(body) }
        })

      const verifySignature = (input: WebhookInput) =>
        typeof input.body === "string"
          ? verifyBytes(input.headers, encoder.encode(input.body), input.body)
          : verifyBytes(input.headers, input.body)

      const verify = (
        input: Request | HttpServerRequest.HttpServerRequest | WebhookInput
      ): Effect.Effect<WebhookEvent, WebhookVerificationError> => {
        const verified = input instanceof Request || isHttpServerRequest(input)
          ? Effect.flatMap(readBody(input), (body) => verifyBytes(input.headers, body))
          : verifySignature(input)
        // The message id goes on the warning a malformed payload logs, so it can be found in Svix's log.
        return Effect.flatMap(verified, ({ body, id }) => Effect.annotateLogs(decodeEvent(body), "webhookId", id))
      }

      return { verify, verifySignature, decode: decodeEvent }
    })

  /** The service as a layer; a bad secret or tolerance fails the layer. */
  static readonly layer = (options: ClerkWebhooksOptions): Layer.Layer<ClerkWebhooks, WebhookConfigError> =>
    Layer.effect(ClerkWebhooks, ClerkWebhooks.make(options))

  /**
   * Options read through `Config`: `CLERK_WEBHOOK_SIGNING_SECRET` (redacted), an optional
   * `CLERK_WEBHOOK_TOLERANCE` (a duration such as `10 minutes`) and an optional
   * `CLERK_WEBHOOK_ON_INVALID_PAYLOAD` (`deliver` or `reject`).
   */
  static readonly config: Config.Config<ClerkWebhooksOptions> = Config.all({
    signingSecret: Config.redacted("CLERK_WEBHOOK_SIGNING_SECRET"),
    tolerance: optional(nonNegativeDuration("CLERK_WEBHOOK_TOLERANCE")),
    onInvalidPayload: optional(Config.literal("deliver", "reject")("CLERK_WEBHOOK_ON_INVALID_PAYLOAD"))
  })

  /** {@link ClerkWebhooks.layer} from {@link ClerkWebhooks.config}. */
  static readonly layerConfig: Layer.Layer<ClerkWebhooks, WebhookConfigError | ConfigError.ConfigError> = Layer
    .unwrapEffect(
      Effect.map(ClerkWebhooks.config, ClerkWebhooks.layer)
    )
}

/**
 * Builds the verifier; a bad secret or tolerance fails.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: typeof ClerkWebhooks.make = ClerkWebhooks.make

/**
 * The verifier as a layer.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: typeof ClerkWebhooks.layer = ClerkWebhooks.layer

/**
 * The options read through `Config` (`CLERK_WEBHOOK_SIGNING_SECRET`, ...).
 *
 * @since 0.2.0
 * @category config
 */
export const config: typeof ClerkWebhooks.config = ClerkWebhooks.config

/**
 * {@link layer} from {@link config}.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig: typeof ClerkWebhooks.layerConfig = ClerkWebhooks.layerConfig
