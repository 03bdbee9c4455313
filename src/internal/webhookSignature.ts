/**
 * The Svix (Standard Webhooks) scheme with no Effect in it, read by both Effect lines: the
 * secret's key, the three headers, the timestamp tolerance, the `v1` signatures compared in
 * constant time, the body's JSON and what a payload that does not match its schema becomes.
 * Each line wraps these in its own `Effect`, `Clock`, `Duration` and error classes.
 *
 * @internal
 */
import type { CryptoKey } from "jose"
import { isRecord } from "./decode.js"

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
 * What to do with a verified delivery whose JSON does not match its event's schema:
 * `deliver` it as a {@link MalformedWebhookEvent} (logged at warning level with the issue's
 * path), or `reject` it with the `invalid-payload` reason (the handler then answers 400).
 *
 * @since 0.2.0
 * @category models
 */
export type InvalidPayloadPolicy = "deliver" | "reject"

/** The options of `ClerkWebhooks.make`, over the line's `Redacted` and duration input. */
export interface ClerkWebhooksOptionsOf<Secret, DurationInput> {
  /**
   * The endpoint's signing secret: `whsec_` followed by base64 (the prefix may be left out). A
   * `Redacted` keeps it out of logs; a plain string (a test's secret) is wrapped at once.
   */
  readonly signingSecret: Secret | string
  /**
   * How far the timestamp may be from now, either way. Default 5 minutes; `Duration.infinity`
   * turns the check off (replays are then accepted: only for fixtures).
   */
  readonly tolerance?: DurationInput | undefined
  /** A verified payload that does not match its schema: delivered as a `MalformedWebhookEvent` (default) or refused. */
  readonly onInvalidPayload?: InvalidPayloadPolicy | undefined
}

/** The reasons of `WebhookVerificationError`, in the order both lines declare them. */
export const verificationReasons = [
  "missing-header",
  "timestamp-too-old",
  "timestamp-too-new",
  "no-matching-signature",
  "body-not-json",
  "invalid-payload"
] as const

/** The reasons of `WebhookConfigError`. */
export const configReasons = ["invalid-secret", "invalid-tolerance", "invalid-option"] as const

/** Why a delivery was refused: the fields of a `WebhookVerificationError`, before either line makes one. */
export interface Refusal {
  readonly reason: (typeof verificationReasons)[number]
  readonly message: string
}

/** Why a service cannot be built: the fields of a `WebhookConfigError`, before either line makes one. */
export interface ConfigProblem {
  readonly reason: (typeof configReasons)[number]
  readonly message: string
}

const refuse = (reason: Refusal["reason"], message: string): Refusal => ({ reason, message })

/**
 * Whether a result is a {@link Refusal} (or a {@link ConfigProblem}): of the values these functions
 * return, only those carry a `reason`.
 */
export const isRefusal = <A>(u: A | Refusal): u is Refusal => isRecord(u) && typeof u.reason === "string"

/** Whether a result is a {@link ConfigProblem}. */
export const isConfigProblem = <A>(u: A | ConfigProblem): u is ConfigProblem =>
  isRecord(u) && typeof u.reason === "string"

export const encoder: { readonly encode: (input: string) => Uint8Array<ArrayBuffer> } = new TextEncoder()
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

/** Standard base64 with padding, as Svix writes signatures and secrets. */
export const encodeBase64 = (bytes: Uint8Array): string => {
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/**
 * Equality of two byte arrays in time that depends only on `expected.length`: every byte is
 * visited and differences are OR-accumulated, so where the first mismatch is leaks nothing.
 * A length difference makes the result false but does not end the loop early.
 */
export const timingSafeEqual = (expected: Uint8Array, actual: Uint8Array): boolean => {
  let difference = expected.length ^ actual.length
  for (let i = 0; i < expected.length; i++) {
    // Past the end of `actual` this XORs with 0; `difference` is already non-zero then.
    difference |= expected[i]! ^ (actual[i] ?? 0)
  }
  return difference === 0
}

/** The key bytes of a secret, or why it cannot be one. Messages never quote the secret. */
export const keyOfSecret = (secret: string): Uint8Array<ArrayBuffer> | ConfigProblem => {
  // A trailing newline from an env file is a common slip; whitespace is never part of base64.
  const trimmed = secret.trim()
  const encoded = trimmed.startsWith("whsec_") ? trimmed.slice("whsec_".length) : trimmed
  if (encoded === "") return { reason: "invalid-secret", message: "the webhook signing secret is empty" }
  const key = decodeBase64(encoded)
  if (key === undefined || key.length === 0) {
    return {
      reason: "invalid-secret",
      message: "the webhook signing secret is not base64 (after its optional whsec_ prefix)"
    }
  }
  return key
}

/** Not extractable and usable only to sign: the services never hand the key out. */
export const importSigningKey = (key: Uint8Array<ArrayBuffer>): Promise<CryptoKey> =>
  crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"])

/** The problem of importing a key WebCrypto refused. */
const keyImportProblem: ConfigProblem = {
  reason: "invalid-secret",
  message: "the webhook signing secret could not be imported as an HMAC-SHA256 key"
}

/** The `onInvalidPayload` option, checked: a caller outside TypeScript may pass anything. */
const payloadPolicy = (option: unknown): InvalidPayloadPolicy | ConfigProblem => {
  const policy = option ?? "deliver"
  return policy === "deliver" || policy === "reject"
    ? policy
    : { reason: "invalid-option", message: "onInvalidPayload must be \"deliver\" or \"reject\"" }
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
const signatureHeaders = (headers: WebhookInput["headers"]): SignatureHeaders | Refusal => {
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
  return refuse(
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

/** How far a timestamp may be from now, and how the messages say durations (each line formats its own). */
export interface Tolerance {
  /** `Infinity` turns the check off. */
  readonly millis: number
  /** The tolerance itself, as the messages quote it. */
  readonly text: string
  readonly formatMillis: (millis: number) => string
}

/** What {@link verifyDelivery} checks one delivery with. */
export interface Verification {
  readonly key: CryptoKey
  readonly tolerance: Tolerance
  /** The current time (the line's `Clock`), in milliseconds. */
  readonly now: number
  readonly headers: WebhookInput["headers"]
  readonly body: Uint8Array
  /** The body as the caller gave it, when it was a string, so it is handed back as it is. */
  readonly text?: string | undefined
}

/**
 * Checks the headers, the timestamp and the signature of one delivery. Never rejects for a bad
 * delivery: a refusal is a value, so each line turns it into its own error.
 */
export const verifyDelivery = async (input: Verification): Promise<VerifiedWebhook | Refusal> => {
  const found = signatureHeaders(input.headers)
  if (isRefusal(found)) return found
  // Whole seconds only; a timestamp that cannot be read is treated like an absent one.
  if (!/^\d{1,15}$/.test(found.timestamp)) {
    return refuse("missing-header", `the ${found.prefix}-timestamp header is not a whole number of unix seconds`)
  }
  const timestamp = Number(found.timestamp)
  const { formatMillis, millis, text } = input.tolerance
  const skew = input.now - timestamp * 1000
  if (skew > millis) {
    return refuse(
      "timestamp-too-old",
      `the webhook was signed ${formatMillis(skew)} ago, beyond the ${text} tolerance`
    )
  }
  if (-skew > millis) {
    return refuse(
      "timestamp-too-new",
      `the webhook is signed ${formatMillis(-skew)} in the future, beyond the ${text} tolerance`
    )
  }
  const candidates = v1Signatures(found.signature)
  if (candidates.length === 0) return refuse("no-matching-signature", "the signature header holds no v1 signature")
  // The header string as sent is what was signed: `0123` is not re-written as `123`.
  const content = signedContent(found.id, found.timestamp, input.body)
  const expected = new Uint8Array(await crypto.subtle.sign("HMAC", input.key, content))
  // Every candidate is compared; which one matched is not secret, but there is no reason to branch.
  let matched = false
  for (const candidate of candidates) matched = timingSafeEqual(expected, candidate) || matched
  if (!matched) {
    return refuse("no-matching-signature", `none of the ${candidates.length} v1 signature(s) matches the body`)
  }
  return { id: found.id, timestamp, body: input.text ?? decoder.decode(input.body) }
}

/** The tolerance problems, in the words both lines use. */
export const toleranceProblems = {
  negative: { reason: "invalid-tolerance", message: "the webhook timestamp tolerance cannot be negative" },
  notADuration: { reason: "invalid-tolerance", message: "the webhook timestamp tolerance is not a duration" }
} as const satisfies Record<string, ConfigProblem>

/** A service's checked options: what verifies a delivery, and what becomes of a payload that does not match. */
export interface Verifier {
  readonly policy: InvalidPayloadPolicy
  readonly verify: (delivery: Omit<Verification, "key" | "tolerance">) => Promise<VerifiedWebhook | Refusal>
}

/**
 * Checks a service's options in the order both lines report them (the secret, the tolerance each
 * line read with its own `Duration`, the policy) and imports the HMAC key once.
 */
export const makeVerifier = async (options: {
  readonly secret: string
  readonly tolerance: Tolerance | ConfigProblem
  readonly onInvalidPayload: unknown
}): Promise<Verifier | ConfigProblem> => {
  const keyBytes = keyOfSecret(options.secret)
  if (isConfigProblem(keyBytes)) return keyBytes
  const { tolerance } = options
  if (isConfigProblem(tolerance)) return tolerance
  const policy = payloadPolicy(options.onInvalidPayload)
  if (isConfigProblem(policy)) return policy
  let key: CryptoKey
  try {
    key = await importSigningKey(keyBytes)
  } catch {
    return keyImportProblem
  }
  return { policy, verify: (delivery) => verifyDelivery({ ...delivery, key, tolerance }) }
}

/** A {@link WebhookInput}'s body as bytes, with its text when it came as text. */
export const inputBytes = (input: WebhookInput): { readonly body: Uint8Array; readonly text?: string } =>
  typeof input.body === "string" ? { body: encoder.encode(input.body), text: input.body } : { body: input.body }

/** The refusal of a request whose body could not be read. */
export const unreadableBody = (message = "the request body could not be read (was it already consumed?)"): Refusal =>
  refuse("invalid-payload", message)

/** The parsed JSON of a verified body, or its refusal: parsing is the only step before the event schema. */
export const parseBody = (body: string): { readonly json: unknown } | Refusal => {
  try {
    return { json: JSON.parse(body) }
  } catch {
    return refuse("body-not-json", "the webhook body is not JSON")
  }
}

/** What a payload that does not match its schema becomes, under a policy. */
export const mismatch = (
  policy: InvalidPayloadPolicy,
  json: unknown,
  firstIssue: MalformedWebhookEvent["issue"]
): MalformedWebhookEvent | Refusal => {
  const issue = {
    path: firstIssue.path,
    message: firstIssue.message.length > 200 ? `${firstIssue.message.slice(0, 197)}...` : firstIssue.message
  }
  // The payload's `type` and `data`, read without trusting its shape.
  const eventType = isRecord(json) && typeof json.type === "string" ? json.type : undefined
  const data = isRecord(json) ? json.data : undefined
  if (policy === "reject") return refuse("invalid-payload", describePayloadProblem(eventType, issue))
  return { type: "malformed", eventType, data, payload: json, issue }
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

/** The warning a delivered malformed payload is logged with, and its annotations. */
export const malformedWarning = (event: MalformedWebhookEvent) => ({
  message: "effect-clerk: webhook payload does not match its schema; delivered as malformed",
  annotations: { webhookType: event.eventType ?? "(none)", issuePath: event.issue.path, issue: event.issue.message }
})
