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

/**
 * Options of {@link signWebhook}.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignWebhookOptions {
  /** The signing secret, `whsec_` + base64 (the prefix may be left out). */
  readonly secret: string | Redacted.Redacted<string>
  /** The message id (`svix-id`). Default: a random `msg_test_…`. */
  readonly id?: string | undefined
  /** Unix seconds (`svix-timestamp`). Default: now, by Effect's `Clock`. */
  readonly timestamp?: number | undefined
  /** The body: a string is sent as it is, anything else as its `JSON.stringify`. */
  readonly body: string | object
}

/**
 * A signed delivery: the `svix-*` headers and the exact body they sign. It is a
 * `WebhookInput`, so it can be passed to `verify` or `verifySignature` as it is.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignedWebhook {
  readonly headers: Record<string, string>
  readonly body: string
}

const encoder = new TextEncoder()

const toBase64 = (bytes: Uint8Array): string => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** The key bytes of a secret; `undefined` when it is not base64 after its optional prefix. */
const keyBytes = (secret: string): Uint8Array<ArrayBuffer> | undefined => {
  const trimmed = secret.trim()
  const encoded = trimmed.startsWith("whsec_") ? trimmed.slice("whsec_".length) : trimmed
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return undefined
  try {
    const binary = atob(encoded)
    return Uint8Array.from(binary, (c) => c.charCodeAt(0))
  } catch {
    return undefined
  }
}

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
    const key = keyBytes(secret)
    if (key === undefined || key.length === 0) {
      return yield* Effect.die(
        new WebhookConfigError({
          reason: "invalid-secret",
          message: "signWebhook: the secret is not base64 (after its optional whsec_ prefix)"
        })
      )
    }
    const id = options.id ?? `msg_test_${crypto.randomUUID().replace(/-/g, "")}`
    const timestamp = String(options.timestamp ?? Math.floor((yield* Clock.currentTimeMillis) / 1000))
    const body = typeof options.body === "string" ? options.body : JSON.stringify(options.body)
    const signature = yield* Effect.promise(async () => {
      const hmac = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      return new Uint8Array(await crypto.subtle.sign("HMAC", hmac, encoder.encode(`${id}.${timestamp}.${body}`)))
    })
    return {
      headers: { "svix-id": id, "svix-timestamp": timestamp, "svix-signature": `v1,${toBase64(signature)}` },
      body
    }
  })

/**
 * A fresh signing secret in Clerk's format: `whsec_` + base64 of 32 random bytes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateSigningSecret = (): string => {
  const bytes = new Uint8Array(32)
  crypto.getRandomValues(bytes)
  return `whsec_${toBase64(bytes)}`
}

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
 * Options of {@link event}: the envelope's fields, each with a default.
 *
 * @since 0.2.0
 * @category models
 */
export interface WebhookEventOptions {
  /** `instance_id`. Default `ins_test`. */
  readonly instanceId?: string | undefined
  /** `timestamp`, in milliseconds since the epoch (Clerk's unit here). Default `Date.now()`. */
  readonly timestamp?: number | undefined
  /** `event_attributes.http_request.client_ip`. Default `192.0.2.1` (a documentation address). */
  readonly clientIp?: string | undefined
  /** `event_attributes.http_request.user_agent`. Default `effect-clerk-test`. */
  readonly userAgent?: string | undefined
}

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
): WebhookEventBody<T> =>
  ({
    object: "event",
    type,
    instance_id: options.instanceId ?? "ins_test",
    timestamp: options.timestamp ?? Date.now(),
    event_attributes: {
      http_request: { client_ip: options.clientIp ?? "192.0.2.1", user_agent: options.userAgent ?? "effect-clerk-test" }
    },
    data
  }) as unknown as WebhookEventBody<T>
