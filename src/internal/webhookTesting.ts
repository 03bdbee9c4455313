/**
 * Signing deliveries as Svix does, and building event bodies, with no Effect in it: read by the
 * `ClerkWebhooksTesting` modules of both Effect lines.
 *
 * @internal
 */
import { encodeBase64, encoder, importSigningKey, keyOfSecret } from "./webhookSignature.js"

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

/** The options of `signWebhook`, over the line's `Redacted`. */
export interface SignWebhookOptionsOf<Secret> {
  /** The signing secret, `whsec_` + base64 (the prefix may be left out). */
  readonly secret: string | Secret
  /** The message id (`svix-id`). Default: a random `msg_test_…`. */
  readonly id?: string | undefined
  /** Unix seconds (`svix-timestamp`). Default: now, by Effect's `Clock`. */
  readonly timestamp?: number | undefined
  /** The body: a string is sent as it is, anything else as its `JSON.stringify`. */
  readonly body: string | object
}

/** The message of the defect a secret that is not base64 dies with: a bug in the test, not a case to handle. */
export const badSecretMessage = "signWebhook: the secret is not base64 (after its optional whsec_ prefix)"

/**
 * Signs a delivery: `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)); `undefined`
 * when the secret is not base64. `body` is a string sent as it is, or anything else as its `JSON.stringify`.
 */
export const signDelivery = async (options: {
  readonly secret: string
  readonly id?: string | undefined
  readonly timestamp: number
  readonly body: string | object
}): Promise<SignedWebhook | undefined> => {
  const key = keyOfSecret(options.secret)
  if (!(key instanceof Uint8Array)) return undefined
  const id = options.id ?? `msg_test_${crypto.randomUUID().replace(/-/g, "")}`
  const timestamp = String(options.timestamp)
  const body = typeof options.body === "string" ? options.body : JSON.stringify(options.body)
  const hmac = await importSigningKey(key)
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", hmac, encoder.encode(`${id}.${timestamp}.${body}`)))
  return {
    headers: { "svix-id": id, "svix-timestamp": timestamp, "svix-signature": `v1,${encodeBase64(signature)}` },
    body
  }
}

/**
 * A fresh signing secret in Clerk's format: `whsec_` + base64 of 32 random bytes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateSigningSecret = (): string => {
  const bytes = new Uint8Array(32)
  crypto.getRandomValues(bytes)
  return `whsec_${encodeBase64(bytes)}`
}

/**
 * Options of `event`: the envelope's fields, each with a default.
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

/** A webhook body of `type` around `data`, in the envelope every delivery carries; each line types it by its events. */
export const eventBody = (type: string, data: unknown, options: WebhookEventOptions) => ({
  object: "event",
  type,
  instance_id: options.instanceId ?? "ins_test",
  timestamp: options.timestamp ?? Date.now(),
  event_attributes: {
    http_request: { client_ip: options.clientIp ?? "192.0.2.1", user_agent: options.userAgent ?? "effect-clerk-test" }
  },
  data
})
