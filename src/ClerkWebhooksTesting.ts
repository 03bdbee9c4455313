/**
 * Helpers for testing webhook handlers with no Clerk instance: a fresh signing secret, and
 * deliveries signed with it exactly as Svix signs them (timestamps from Effect's `Clock`, so
 * `TestClock` controls them).
 *
 * @example
 * ```ts
 * import { ClerkWebhooks, ClerkWebhooksTesting } from "effect-clerk"
 *
 * const secret = ClerkWebhooksTesting.generateSigningSecret()
 * const delivery = yield* ClerkWebhooksTesting.signWebhook({
 *   secret,
 *   body: { type: "user.deleted", object: "event", timestamp: 0, instance_id: "ins_1", data: { object: "user", deleted: true } }
 * })
 * const event = yield* Effect.flatMap(ClerkWebhooks.ClerkWebhooks, (webhooks) => webhooks.verify(delivery)).pipe(
 *   Effect.provide(ClerkWebhooks.layer({ signingSecret: Redacted.make(secret) }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { WebhookConfigError } from "./ClerkWebhooksError.js"
import type { ClerkWebhookEvent, KnownEventType } from "./generated/WebhookEvents.js"
import * as Testing from "./internal/webhookTesting.js"
import type { SignedWebhook, WebhookEventOptions } from "./internal/webhookTesting.js"

/**
 * Options of {@link signWebhook}.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignWebhookOptions extends Testing.SignWebhookOptionsOf<Redacted.Redacted<string>> {}

/**
 * A signed delivery: the `svix-*` headers and the exact body they sign, a `WebhookInput`.
 *
 * @since 0.1.0
 * @category models
 */
export type { SignedWebhook }

/**
 * Signs a delivery as Svix does: `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)).
 *
 * Dies (with a `WebhookConfigError`) when the secret is not base64: a bug in the test, not
 * a case to handle.
 *
 * @since 0.1.0
 * @category constructors
 */
export const signWebhook = (options: SignWebhookOptions): Effect.Effect<SignedWebhook> =>
  Effect.gen(function*() {
    const secret = typeof options.secret === "string" ? options.secret : Redacted.value(options.secret)
    const timestamp = options.timestamp ?? Math.floor((yield* Clock.currentTimeMillis) / 1000)
    const signed = yield* Effect.promise(() => Testing.signDelivery({ ...options, secret, timestamp }))
    if (signed !== undefined) return signed
    return yield* Effect.die(new WebhookConfigError({ reason: "invalid-secret", message: Testing.badSecretMessage }))
  })

/**
 * A fresh signing secret in Clerk's format: `whsec_` + base64 of 32 random bytes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateSigningSecret: () => string = Testing.generateSigningSecret

/**
 * The wire form of a delivery of type `T`: the envelope and its `data`, snake_case, as Clerk sends it.
 *
 * @since 0.2.0
 * @category models
 */
export type WebhookEventBody<T extends KnownEventType> = Extract<ClerkWebhookEvent.Encoded, { readonly type: T }>

/**
 * The wire form of the `data` of an event of type `T` (for `user.created`, a `Schemas.User.Encoded`).
 *
 * @since 0.2.0
 * @category models
 */
export type WebhookEventData<T extends KnownEventType> = WebhookEventBody<T>["data"]

/**
 * Options of {@link event}: the envelope's fields (`instanceId`, `timestamp`, `clientIp`, `userAgent`), each with a default.
 *
 * @since 0.2.0
 * @category models
 */
export type { WebhookEventOptions }

/**
 * A complete webhook body of a known type, typed by it: `data` in its wire form, wrapped in the
 * envelope every delivery carries (`object: "event"`, `type`, `instance_id`, `timestamp`,
 * `event_attributes.http_request`). Give it to {@link signWebhook} as the `body`.
 *
 * ```ts
 * const body = ClerkWebhooksTesting.event("user.deleted", { object: "user", id: "user_1", deleted: true })
 * const delivery = yield* ClerkWebhooksTesting.signWebhook({ secret, body })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const event = <T extends KnownEventType>(
  type: T,
  data: WebhookEventData<T>,
  options: WebhookEventOptions = {}
): WebhookEventBody<T> => Testing.eventBody(type, data, options) as unknown as WebhookEventBody<T>
