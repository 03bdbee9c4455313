/**
 * For Effect 4. Verifying Clerk webhooks, as the Effect 3 line does: Svix's three headers
 * (`svix-id`, `svix-timestamp`, `svix-signature`, or their `webhook-` twins) and an HMAC-SHA256 of
 * `${id}.${timestamp}.${body}` keyed by the endpoint's signing secret (`whsec_…`), checked by the
 * same code (`src/internal/webhookSignature.ts`). The body is verified exactly as it arrived, the
 * timestamp against Effect's `Clock`, signatures in constant time, with WebCrypto only.
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as HttpServerRequest from "effect/http/HttpServerRequest"
 * import { ClerkWebhooks } from "effect-clerk/v4"
 *
 * const handler = Effect.gen(function*() {
 *   const webhooks = yield* ClerkWebhooks.ClerkWebhooks
 *   const event = yield* webhooks.verify(yield* HttpServerRequest.HttpServerRequest)
 * })
 * // provided with ClerkWebhooks.layerConfig (reads CLERK_WEBHOOK_SIGNING_SECRET)
 * ```
 *
 * @since 0.2.0
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Signature from "../internal/webhookSignature.js"
import type {
  InvalidPayloadPolicy,
  MalformedWebhookEvent,
  VerifiedWebhook,
  WebhookInput
} from "../internal/webhookSignature.js"
import { WebhookConfigError, WebhookVerificationError } from "./ClerkWebhooksError.js"
import { ClerkWebhookEvent } from "./generated/WebhookEvents.js"
import { nonNegativeDuration, optional } from "./internal/config.js"
import { firstIssue } from "./internal/parseIssue.js"

/**
 * A webhook delivery in its plainest form. Header names are matched case-insensitively.
 *
 * @since 0.2.0
 * @category models
 */
export type { WebhookInput }

/**
 * A delivery whose signature and timestamp were accepted.
 *
 * @since 0.2.0
 * @category models
 */
export type { VerifiedWebhook }

/**
 * A verified delivery whose JSON does not match its event's schema, handed over rather than
 * refused so the event is not lost to Svix's retries.
 *
 * @since 0.2.0
 * @category models
 */
export type { MalformedWebhookEvent }

/**
 * What a verified delivery decodes to: a typed event (an unknown type included, as
 * `UnknownWebhookEvent`), or a {@link MalformedWebhookEvent} when its data does not match.
 *
 * @since 0.2.0
 * @category models
 */
export type WebhookEvent = ClerkWebhookEvent | MalformedWebhookEvent

/**
 * What to do with a verified delivery whose JSON does not match its event's schema: `deliver`
 * it as a {@link MalformedWebhookEvent} (the default) or `reject` it with `invalid-payload`.
 *
 * @since 0.2.0
 * @category models
 */
export type { InvalidPayloadPolicy }

/**
 * Options of {@link ClerkWebhooks.make}.
 *
 * @since 0.2.0
 * @category models
 */
export interface ClerkWebhooksOptions
  extends Signature.ClerkWebhooksOptionsOf<Redacted.Redacted<string>, Duration.Input>
{}

/**
 * The webhook verification service.
 *
 * @since 0.2.0
 * @category models
 */
export interface ClerkWebhooksService {
  /**
   * Verifies a delivery and decodes its event. A web `Request` or an `HttpServerRequest` has its
   * body read as bytes, which consumes it; use {@link ClerkWebhooksService.verifySignature} with a
   * body you read yourself when you need it afterwards. A body that cannot be read fails with
   * `invalid-payload`; JSON that does not match its schema follows `onInvalidPayload`.
   */
  readonly verify: (
    input: Request | HttpServerRequest.HttpServerRequest | WebhookInput
  ) => Effect.Effect<WebhookEvent, WebhookVerificationError>
  /** Checks the headers, the timestamp and the signature only; the body is not parsed. */
  readonly verifySignature: (input: WebhookInput) => Effect.Effect<VerifiedWebhook, WebhookVerificationError>
  /** Parses and decodes a body already verified, with no verification; a mismatch follows `onInvalidPayload`. */
  readonly decode: (body: string) => Effect.Effect<WebhookEvent, WebhookVerificationError>
}

const defaultTolerance = Duration.minutes(5)

const decodeEvent = Schema.decodeUnknownEffect(ClerkWebhookEvent)

/** The tolerance option, read with Effect 4's `Duration`, which keeps a negative duration negative. */
const toleranceOf = (input: Duration.Input | undefined): Signature.Tolerance | Signature.ConfigProblem => {
  const tolerance = Duration.fromInput(input ?? defaultTolerance)
  if (Option.isNone(tolerance)) return Signature.toleranceProblems.notADuration
  if (Duration.isNegative(tolerance.value)) return Signature.toleranceProblems.negative
  return {
    millis: Duration.toMillis(tolerance.value),
    text: Duration.format(tolerance.value),
    formatMillis: (millis) => Duration.format(Duration.millis(millis))
  }
}

/** The one place the event schema is applied, and a mismatch handed over or refused. */
const makeDecodeEvent =
  (policy: InvalidPayloadPolicy) => (body: string): Effect.Effect<WebhookEvent, WebhookVerificationError> => {
    const parsed = Signature.parseBody(body)
    if (Signature.isRefusal(parsed)) return Effect.fail(new WebhookVerificationError(parsed))
    return Effect.catch(decodeEvent(parsed.json), (error) => {
      const malformed = Signature.mismatch(policy, parsed.json, firstIssue(error))
      if (Signature.isRefusal(malformed)) return Effect.fail(new WebhookVerificationError(malformed))
      const { annotations, message } = Signature.malformedWarning(malformed)
      return Effect.as(Effect.annotateLogs(Effect.logWarning(message), annotations), malformed)
    })
  }

/** The body of a web `Request` or an `HttpServerRequest`, read once as bytes. */
const readBody = (
  request: Request | HttpServerRequest.HttpServerRequest
): Effect.Effect<Uint8Array, WebhookVerificationError> => {
  const unreadable = () => new WebhookVerificationError(Signature.unreadableBody())
  const buffer = request instanceof Request
    ? Effect.tryPromise({ try: () => request.arrayBuffer(), catch: unreadable })
    : Effect.mapError(request.arrayBuffer, unreadable)
  return Effect.map(buffer, (bytes) => new Uint8Array(bytes))
}

const isHttpServerRequest = (u: unknown): u is HttpServerRequest.HttpServerRequest =>
  Predicate.hasProperty(u, HttpServerRequest.TypeId)

/**
 * The webhook verification service key.
 *
 * @since 0.2.0
 * @category tags
 */
export class ClerkWebhooks
  extends Context.Service<ClerkWebhooks, ClerkWebhooksService>()("effect-clerk/ClerkWebhooks")
{
  /**
   * Builds the service: checks the secret and the tolerance, and imports the HMAC key once. Fails
   * with {@link WebhookConfigError} when the secret is not `whsec_` + base64 or the tolerance is
   * negative or no duration.
   */
  static readonly make = (options: ClerkWebhooksOptions): Effect.Effect<ClerkWebhooksService, WebhookConfigError> =>
    Effect.gen(function*() {
      const verifier = yield* Effect.promise(() =>
        Signature.makeVerifier({
          secret: typeof options.signingSecret === "string"
            ? options.signingSecret
            : Redacted.value(options.signingSecret),
          tolerance: toleranceOf(options.tolerance),
          onInvalidPayload: options.onInvalidPayload
        })
      )
      if (Signature.isConfigProblem(verifier)) return yield* new WebhookConfigError(verifier)
      const decode = makeDecodeEvent(verifier.policy)

      const verifyBytes = (
        headers: WebhookInput["headers"],
        bytes: { readonly body: Uint8Array; readonly text?: string }
      ): Effect.Effect<VerifiedWebhook, WebhookVerificationError> =>
        Effect.gen(function*() {
          const now = yield* Clock.currentTimeMillis
          const verified = yield* Effect.promise(() => verifier.verify({ now, headers, ...bytes }))
          if (Signature.isRefusal(verified)) return yield* new WebhookVerificationError(verified)
          return verified
        })

      const verifySignature = (input: WebhookInput) => verifyBytes(input.headers, Signature.inputBytes(input))

      const verify = (
        input: Request | HttpServerRequest.HttpServerRequest | WebhookInput
      ): Effect.Effect<WebhookEvent, WebhookVerificationError> => {
        const verified = input instanceof Request || isHttpServerRequest(input)
          ? Effect.flatMap(readBody(input), (body) => verifyBytes(input.headers, { body }))
          : verifySignature(input)
        // The message id goes on the warning a malformed payload logs, so it can be found in Svix's log.
        return Effect.flatMap(verified, ({ body, id }) => Effect.annotateLogs(decode(body), "webhookId", id))
      }

      return { verify, verifySignature, decode }
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
    signingSecret: Config.Redacted("CLERK_WEBHOOK_SIGNING_SECRET"),
    tolerance: optional(nonNegativeDuration("CLERK_WEBHOOK_TOLERANCE")),
    onInvalidPayload: optional(Config.Literals(["deliver", "reject"], "CLERK_WEBHOOK_ON_INVALID_PAYLOAD"))
  })

  /** {@link ClerkWebhooks.layer} from {@link ClerkWebhooks.config}. */
  static readonly layerConfig: Layer.Layer<ClerkWebhooks, WebhookConfigError | Config.ConfigError> = Layer.unwrap(
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
