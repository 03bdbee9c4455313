/**
 * Webhook verification. Every signature here is made with `node:crypto`'s `createHmac`, an
 * implementation independent of the WebCrypto code under test, so a bug shared by signer and
 * verifier cannot hide; one test also checks agreement with Clerk's own `verifyWebhook`. Time
 * is TestClock's (set to the real second where Clerk's verifier reads the real clock); secrets
 * are obviously fake.
 */
import { verifyWebhook } from "@clerk/backend/webhooks"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { describe, expect, it, vi } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { createHmac } from "node:crypto"
import { ClerkWebhooks } from "../src/ClerkWebhooks.js"
import type {
  ClerkWebhooksOptions,
  ClerkWebhooksService,
  MalformedWebhookEvent,
  WebhookEvent,
  WebhookInput
} from "../src/ClerkWebhooks.js"
import { WebhookConfigError, WebhookVerificationError } from "../src/ClerkWebhooksError.js"
import type { WebhookVerificationReason } from "../src/ClerkWebhooksError.js"
import { generateSigningSecret, signWebhook } from "../src/ClerkWebhooksTesting.js"
import type { ClerkWebhookEvent, UserDeletedEvent } from "../src/generated/WebhookEvents.js"

/** 2030-01-01T00:00:00Z. */
const T0 = Date.UTC(2030, 0, 1)
const T0s = T0 / 1000

// 32 bytes each, spelled so nobody mistakes them for real secrets.
const KEY = Buffer.from("FAKE-effect-clerk-webhook-key-01", "utf8")
const OTHER_KEY = Buffer.from("FAKE-effect-clerk-webhook-key-02", "utf8")
const KEY_BASE64 = KEY.toString("base64")
const SECRET = `whsec_${KEY_BASE64}`

/** An event of a type the spec does not list: it decodes whatever the data, so these tests do not depend on event schemas. */
const EVENT = {
  type: "test.fake_event",
  object: "event",
  timestamp: T0,
  instance_id: "ins_test_fake",
  data: { id: "fake_1", note: "José ✓" }
}
const BODY = JSON.stringify(EVENT)
const ID = "msg_test_0001"

/** The independent signature: base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)). */
const hmac = (key: Buffer, id: string, timestamp: string | number, body: string | Uint8Array): string =>
  createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64")

interface DeliveryOptions {
  readonly key?: Buffer
  readonly id?: string
  readonly timestamp?: string | number
  readonly body?: string | Uint8Array
  /** Replaces the whole `svix-signature` header. */
  readonly signature?: string
}

/** A delivery signed with `KEY` (unless told otherwise) at T0. */
const delivery = (options: DeliveryOptions = {}): { headers: Record<string, string>; body: string | Uint8Array } => {
  const id = options.id ?? ID
  const timestamp = String(options.timestamp ?? T0s)
  const body = options.body ?? BODY
  return {
    headers: {
      "svix-id": id,
      "svix-timestamp": timestamp,
      "svix-signature": options.signature ?? `v1,${hmac(options.key ?? KEY, id, timestamp, body)}`
    },
    body
  }
}

const start = TestClock.setTime(T0)

interface CapturedLog {
  readonly level: LogLevel.LogLevel
  readonly message: unknown
  readonly annotations: Record<string, unknown>
}

/** Replaces the default logger, so warnings are asserted on and kept off the test output. */
const captureLogs = () => {
  const logs: Array<CapturedLog> = []
  const layer = Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ annotations, logLevel, message }) => {
      logs.push({ level: logLevel, message, annotations: Object.fromEntries(HashMap.toEntries(annotations)) })
    })
  )
  return { logs, layer }
}

const webhooks = (options: Partial<ClerkWebhooksOptions> = {}) =>
  ClerkWebhooks.make({ signingSecret: Redacted.make(SECRET), ...options })

/** Everything a message must never quote. */
const secrets = [SECRET, KEY_BASE64, KEY.toString("utf8"), OTHER_KEY.toString("base64")]

/**
 * `effect` must fail with a `WebhookVerificationError` of `reason`, whose message quotes no
 * secret and none of `signatures`. Yields the error.
 */
const refused = <A>(
  effect: Effect.Effect<A, WebhookVerificationError>,
  reason: WebhookVerificationReason,
  signatures: ReadonlyArray<string> = []
) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(effect)
    expect(error).toBeInstanceOf(WebhookVerificationError)
    expect(error._tag).toBe("WebhookVerificationError")
    expect(error.reason).toBe(reason)
    for (const secret of [...secrets, ...signatures]) expect(error.message).not.toContain(secret)
    return error
  })

/** The signatures of a delivery's header, to check that no message quotes them. */
const signaturesOf = (input: { headers: Record<string, string> }): Array<string> =>
  (input.headers["svix-signature"] ?? "").split(" ").map((entry) => entry.slice(entry.indexOf(",") + 1)).filter((s) =>
    s.length >= 8
  )

/** Both entry points must refuse `input` with `reason`. */
const refusedBoth = (
  service: ClerkWebhooksService,
  input: { headers: Record<string, string>; body: string | Uint8Array },
  reason: WebhookVerificationReason
) =>
  Effect.gen(function*() {
    yield* refused(service.verifySignature(input), reason, signaturesOf(input))
    return yield* refused(service.verify(input), reason, signaturesOf(input))
  })

/** The type as delivered: an event the spec does not list decodes as `type: "unknown"`, its own type in `unknownType`. */
/** A delivery as a web `Request`. */
const request = (input: { headers: Record<string, string>; body: string | Uint8Array }) =>
  new Request("https://example.test/webhooks/clerk", {
    method: "POST",
    headers: input.headers,
    // A copy typed over a plain ArrayBuffer, which BodyInit asks for.
    body: typeof input.body === "string" ? input.body : new Uint8Array(input.body)
  })

const typeOf = (event: WebhookEvent): string =>
  event.type === "unknown"
    ? event.unknownType
    : event.type === "malformed"
    ? `malformed:${event.eventType}`
    : event.type

/** The event as a typed member: a malformed fallback fails the test, naming its issue. */
const typed = (event: WebhookEvent): ClerkWebhookEvent => {
  if (event.type === "malformed") {
    throw new Error(`unexpected malformed event: ${event.issue.path}: ${event.issue.message}`)
  }
  return event
}

describe("ClerkWebhooks signatures", () => {
  it.effect("accepts a valid delivery: verifySignature hands back id, timestamp and the exact body; verify decodes it", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const verified = yield* service.verifySignature(delivery())
      expect(verified).toEqual({ id: ID, timestamp: T0s, body: BODY })
      const event = typed(yield* service.verify(delivery()))
      expect(typeOf(event)).toBe("test.fake_event")
      expect(event.type).toBe("unknown")
      // camelCase on the decoded side: the wire's instance_id.
      expect(event.instanceId).toBe("ins_test_fake")
      expect(event.data).toEqual(EVENT.data)
    }))

  it.effect("accepts a rotation list whose valid v1 entry comes last, skipping v2 and malformed entries", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const good = hmac(KEY, ID, T0s, BODY)
      const old = hmac(OTHER_KEY, ID, T0s, BODY)
      const header = [`v1,${old}`, `v2,${good}`, "v1,not*base64", "garbage", `v1a,${good}`, `v1,${good}`].join(" ")
      const verified = yield* service.verifySignature(delivery({ signature: header }))
      expect(verified.id).toBe(ID)
      // The valid one first works as well.
      expect((yield* service.verifySignature(delivery({ signature: `v1,${good} v1,${old}` }))).body).toBe(BODY)
    }))

  it.effect("ignores a v2 entry even when it carries the right signature", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const good = hmac(KEY, ID, T0s, BODY)
      const error = yield* refusedBoth(service, delivery({ signature: `v2,${good}` }), "no-matching-signature")
      expect(error.message).toContain("no v1 signature")
    }))

  it.effect("refuses a delivery signed with another secret", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const error = yield* refusedBoth(service, delivery({ key: OTHER_KEY }), "no-matching-signature")
      expect(error.message).toBe("none of the 1 v1 signature(s) matches the body")
    }))

  it.effect("refuses a body altered by one byte, and a changed id or timestamp", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const signed = delivery()
      const bytes = new TextEncoder().encode(BODY)
      bytes[20] = bytes[20]! ^ 0x01
      yield* refusedBoth(service, { headers: signed.headers, body: bytes }, "no-matching-signature")
      yield* refusedBoth(
        service,
        { headers: signed.headers, body: BODY.replace("fake_1", "fake_2") },
        "no-matching-signature"
      )
      yield* refusedBoth(
        service,
        { headers: { ...signed.headers, "svix-id": "msg_test_0002" }, body: BODY },
        "no-matching-signature"
      )
      // Still inside the tolerance, so only the signature can refuse it.
      yield* refusedBoth(
        service,
        { headers: { ...signed.headers, "svix-timestamp": String(T0s + 1) }, body: BODY },
        "no-matching-signature"
      )
    }))

  it.effect("verifies the body as received: a whitespace change in the JSON is refused, the original spacing accepted verbatim", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const spaced = JSON.stringify(EVENT, null, 2)
      const signed = delivery({ body: spaced })
      expect((yield* service.verifySignature(signed)).body).toBe(spaced)
      expect(typeOf(yield* service.verify(signed))).toBe("test.fake_event")
      // Same JSON value, compact: a verifier that re-serialised would wrongly accept this.
      yield* refusedBoth(service, { headers: signed.headers, body: BODY }, "no-matching-signature")
      yield* refusedBoth(service, { headers: signed.headers, body: `${spaced}\n` }, "no-matching-signature")
    }))

  it.effect("refuses a truncated or lengthened signature (length mismatch) and a header with no v1 entry", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const good = Buffer.from(hmac(KEY, ID, T0s, BODY), "base64")
      const short = good.subarray(0, 31).toString("base64")
      const long = Buffer.concat([good, Buffer.from([0])]).toString("base64")
      const empty = ""
      yield* refusedBoth(service, delivery({ signature: `v1,${short}` }), "no-matching-signature")
      yield* refusedBoth(service, delivery({ signature: `v1,${long}` }), "no-matching-signature")
      const none = yield* refusedBoth(service, delivery({ signature: `v1,${empty} v1` }), "no-matching-signature")
      expect(none.message).toBe("the signature header holds no v1 signature")
    }))

  it.effect("takes the body as bytes or as a string, and verifies bytes exactly as received", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const bytes = new TextEncoder().encode(BODY)
      const fromBytes = yield* service.verifySignature(delivery({ body: bytes }))
      const fromString = yield* service.verifySignature(delivery({ body: BODY }))
      expect(fromBytes).toEqual(fromString)
      expect(fromBytes.body).toContain("José ✓")
      // Signed over the bytes given as the UTF-8 text, and the other way round.
      expect((yield* service.verifySignature({ headers: delivery({ body: bytes }).headers, body: BODY })).body).toBe(
        BODY
      )
      expect((yield* service.verifySignature({ headers: delivery({ body: BODY }).headers, body: bytes })).body).toBe(
        BODY
      )
      // Bytes that are not UTF-8 verify as they are; their text form (with U+FFFD) does not.
      const latin1 = Uint8Array.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]) // {"n":"é"} in Latin-1
      const signedLatin1 = delivery({ body: latin1 })
      const text = (yield* service.verifySignature(signedLatin1)).body
      expect(text).toBe("{\"n\":\"\uFFFD\"}")
      yield* refused(service.verifySignature({ headers: signedLatin1.headers, body: text }), "no-matching-signature")
    }))

  it.effect("keeps a byte-order mark in the verified text, which is then not JSON", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(BODY)])
      const verified = yield* service.verifySignature(delivery({ body: bytes }))
      expect(verified.body).toBe(`\uFEFF${BODY}`)
      yield* refused(service.verify(delivery({ body: bytes })), "body-not-json")
    }))
})

describe("ClerkWebhooks headers", () => {
  for (const name of ["svix-id", "svix-timestamp", "svix-signature"]) {
    it.effect(`refuses a delivery without ${name}, or with it empty`, () =>
      Effect.gen(function*() {
        yield* start
        const service = yield* webhooks()
        const { [name]: _dropped, ...rest } = delivery().headers
        const error = yield* refusedBoth(service, { headers: rest, body: BODY }, "missing-header")
        expect(error.message).toContain(name)
        const emptied = yield* refusedBoth(
          service,
          { headers: { ...delivery().headers, [name]: "" }, body: BODY },
          "missing-header"
        )
        expect(emptied.message).toContain(name)
      }))
  }

  it.effect("refuses a delivery with no headers at all, naming all three", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const error = yield* refusedBoth(service, { headers: {}, body: BODY }, "missing-header")
      expect(error.message).toContain("svix-id, svix-timestamp, svix-signature")
    }))

  it.effect("accepts the webhook-* names, as a record or a Headers, and header names in any case", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const signed = delivery()
      const standard = {
        "webhook-id": signed.headers["svix-id"]!,
        "webhook-timestamp": signed.headers["svix-timestamp"]!,
        "webhook-signature": signed.headers["svix-signature"]!
      }
      expect((yield* service.verifySignature({ headers: standard, body: BODY })).id).toBe(ID)
      expect((yield* service.verifySignature({ headers: new Headers(standard), body: BODY })).id).toBe(ID)
      expect((yield* service.verifySignature({ headers: new Headers(signed.headers), body: BODY })).id).toBe(ID)
      const capitalised = {
        "Svix-Id": ID,
        "SVIX-TIMESTAMP": String(T0s),
        "Svix-Signature": signed.headers["svix-signature"]!
      }
      expect((yield* service.verifySignature({ headers: capitalised, body: BODY })).id).toBe(ID)
      expect(typeOf(yield* service.verify({ headers: standard, body: BODY }))).toBe("test.fake_event")
    }))

  it.effect("does not mix the two families of names", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const signed = delivery()
      const mixed = {
        "svix-id": ID,
        "webhook-timestamp": signed.headers["svix-timestamp"]!,
        "svix-signature": signed.headers["svix-signature"]!
      }
      const error = yield* refused(service.verifySignature({ headers: mixed, body: BODY }), "missing-header")
      expect(error.message).toContain("svix-timestamp")
    }))

  it.effect("refuses a timestamp that is not whole unix seconds, as missing-header", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      for (
        const timestamp of [
          "abc",
          `${T0s}abc`,
          `${T0s}.5`,
          `-${T0s}`,
          `+${T0s}`,
          `${T0s} 1`,
          "1e9",
          "0x10",
          "12345678901234567"
        ]
      ) {
        // Signed with the bad value, so only the timestamp rule can refuse it.
        const error = yield* refusedBoth(service, delivery({ timestamp }), "missing-header")
        expect(error.message).toBe("the svix-timestamp header is not a whole number of unix seconds")
      }
      const standard = delivery({ timestamp: "soon" }).headers
      const error = yield* refused(
        service.verifySignature({
          headers: { "webhook-id": ID, "webhook-timestamp": "soon", "webhook-signature": standard["svix-signature"]! },
          body: BODY
        }),
        "missing-header"
      )
      expect(error.message).toContain("webhook-timestamp")
    }))

  it.effect("trims header values, as HTTP does: the signature covers the trimmed values", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const signed = delivery()
      const padded = Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name, `  ${value}\t`]))
      expect(yield* service.verifySignature({ headers: padded, body: BODY })).toEqual({
        id: ID,
        timestamp: T0s,
        body: BODY
      })
      // Whitespace-only counts as absent.
      yield* refused(
        service.verifySignature({ headers: { ...signed.headers, "svix-id": "   " }, body: BODY }),
        "missing-header"
      )
    }))

  it.effect("signs the timestamp as sent: leading zeros are kept, not normalised", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const padded = `00${T0s}`
      expect((yield* service.verifySignature(delivery({ timestamp: padded }))).timestamp).toBe(T0s)
      // Signed over the normalised form but sent padded: not the signed content.
      const signed = delivery()
      yield* refused(
        service.verifySignature({ headers: { ...signed.headers, "svix-timestamp": padded }, body: BODY }),
        "no-matching-signature"
      )
    }))
})

describe("ClerkWebhooks timestamps", () => {
  it.effect("default tolerance of 5 minutes: accepted at exactly 300 s old, refused 1 ms later", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      yield* TestClock.setTime(T0 + 300_000)
      expect((yield* service.verifySignature(delivery())).timestamp).toBe(T0s)
      yield* TestClock.setTime(T0 + 300_001)
      const error = yield* refusedBoth(service, delivery(), "timestamp-too-old")
      expect(error.message).toBe("the webhook was signed 5m 1ms ago, beyond the 5m tolerance")
      yield* TestClock.setTime(T0 + 3_600_000)
      yield* refusedBoth(service, delivery(), "timestamp-too-old")
    }))

  it.effect("default tolerance of 5 minutes: 300 s ahead is accepted, 301 s is too new", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      expect((yield* service.verifySignature(delivery({ timestamp: T0s + 300 }))).timestamp).toBe(T0s + 300)
      const error = yield* refusedBoth(service, delivery({ timestamp: T0s + 301 }), "timestamp-too-new")
      expect(error.message).toBe("the webhook is signed 5m 1s in the future, beyond the 5m tolerance")
      // The same edge approached by moving the clock back.
      yield* TestClock.setTime(T0 - 300_000)
      expect((yield* service.verifySignature(delivery())).id).toBe(ID)
      yield* TestClock.setTime(T0 - 300_001)
      yield* refused(service.verifySignature(delivery()), "timestamp-too-new")
    }))

  it.effect("checks the timestamp before the signature: a stale delivery is too old whatever its signature", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      yield* TestClock.setTime(T0 + 600_000)
      yield* refusedBoth(service, delivery({ key: OTHER_KEY }), "timestamp-too-old")
    }))

  it.effect("custom tolerance: 10 seconds either way, edges included", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks({ tolerance: "10 seconds" })
      yield* TestClock.setTime(T0 + 10_000)
      expect((yield* service.verifySignature(delivery())).id).toBe(ID)
      yield* TestClock.setTime(T0 + 10_001)
      yield* refusedBoth(service, delivery(), "timestamp-too-old")
      yield* TestClock.setTime(T0)
      expect((yield* service.verifySignature(delivery({ timestamp: T0s + 10 }))).id).toBe(ID)
      yield* refusedBoth(service, delivery({ timestamp: T0s + 11 }), "timestamp-too-new")
      // A delivery the default would accept.
      yield* refusedBoth(service, delivery({ timestamp: T0s - 60 }), "timestamp-too-old")
    }))

  it.effect("zero tolerance accepts only the signing second itself", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks({ tolerance: 0 })
      expect((yield* service.verifySignature(delivery())).id).toBe(ID)
      yield* TestClock.setTime(T0 + 1)
      yield* refused(service.verifySignature(delivery()), "timestamp-too-old")
    }))

  it.effect("an infinite tolerance turns the check off", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks({ tolerance: Duration.infinity })
      yield* TestClock.setTime(T0 + 365 * 86_400_000)
      expect((yield* service.verifySignature(delivery())).id).toBe(ID)
      expect((yield* service.verifySignature(delivery({ timestamp: 0 }))).timestamp).toBe(0)
    }))

  it.effect("refuses a negative tolerance, or one that is no duration, when building the service", () =>
    Effect.gen(function*() {
      for (const tolerance of [-1, "-5 minutes"] as const) {
        const error = yield* Effect.flip(webhooks({ tolerance }))
        expect(error).toBeInstanceOf(WebhookConfigError)
        expect(error.reason).toBe("invalid-tolerance")
        expect(error.message).toBe("the webhook timestamp tolerance cannot be negative")
      }
      // As a JavaScript caller could pass it; the type forbids it.
      const error = yield* Effect.flip(webhooks({ tolerance: "five minutes" as Duration.DurationInput }))
      expect(error.message).toBe("the webhook timestamp tolerance is not a duration")
    }))

  it.effect("imports the HMAC key once per service, not once per delivery", () =>
    Effect.gen(function*() {
      yield* start
      const importKey = vi.spyOn(crypto.subtle, "importKey")
      try {
        const service = yield* webhooks()
        for (let i = 0; i < 3; i++) yield* service.verifySignature(delivery())
        yield* refused(service.verifySignature(delivery({ key: OTHER_KEY })), "no-matching-signature")
        expect(importKey).toHaveBeenCalledTimes(1)
        expect(importKey.mock.calls[0]?.[2]).toEqual({ name: "HMAC", hash: "SHA-256" })
      } finally {
        importKey.mockRestore()
      }
    }))
})

describe("ClerkWebhooks signing secret", () => {
  it.effect("accepts the secret without its whsec_ prefix, and with surrounding whitespace", () =>
    Effect.gen(function*() {
      yield* start
      for (const secret of [KEY_BASE64, `${SECRET}\n`, `  ${KEY_BASE64}  `]) {
        const service = yield* ClerkWebhooks.make({ signingSecret: Redacted.make(secret) })
        expect((yield* service.verifySignature(delivery())).id).toBe(ID)
        yield* refused(service.verifySignature(delivery({ key: OTHER_KEY })), "no-matching-signature")
      }
    }))

  it.effect("refuses a secret that is not base64 with WebhookConfigError, quoting nothing of it", () =>
    Effect.gen(function*() {
      const cases = [
        ["whsec_FAKE not base64!", "not base64"],
        ["whsec_FAKE-key_url-safe", "not base64"],
        ["whsec_FAKEa", "not base64"], // 5 characters: no base64 string has length 1 mod 4
        ["whsec_", "empty"],
        ["", "empty"]
      ] as const
      for (const [secret, expected] of cases) {
        const error = yield* Effect.flip(ClerkWebhooks.make({ signingSecret: Redacted.make(secret) }))
        expect(error).toBeInstanceOf(WebhookConfigError)
        expect(error._tag).toBe("WebhookConfigError")
        expect(error.reason).toBe("invalid-secret")
        expect(error.message).toContain(expected)
        if (secret.length > 6) expect(error.message).not.toContain(secret.slice(6))
        const viaLayer = yield* Effect.exit(
          Effect.provide(ClerkWebhooks, ClerkWebhooks.layer({ signingSecret: Redacted.make(secret) }))
        )
        expect(Exit.isFailure(viaLayer)).toBe(true)
      }
    }))

  it.effect("layerConfig reads CLERK_WEBHOOK_SIGNING_SECRET and CLERK_WEBHOOK_TOLERANCE", () =>
    Effect.gen(function*() {
      yield* start
      const provider = ConfigProvider.fromMap(
        new Map([["CLERK_WEBHOOK_SIGNING_SECRET", SECRET], ["CLERK_WEBHOOK_TOLERANCE", "1 minute"]])
      )
      const service = yield* Effect.provide(ClerkWebhooks, ClerkWebhooks.layerConfig).pipe(
        Effect.withConfigProvider(provider)
      )
      yield* TestClock.setTime(T0 + 60_000)
      expect((yield* service.verifySignature(delivery())).id).toBe(ID)
      yield* TestClock.setTime(T0 + 60_001)
      yield* refused(service.verifySignature(delivery()), "timestamp-too-old")
    }))

  it.effect("layerConfig refuses a negative or unreadable CLERK_WEBHOOK_TOLERANCE rather than reading it as zero", () =>
    Effect.gen(function*() {
      for (const tolerance of ["-5 minutes", "soon"]) {
        const provider = ConfigProvider.fromMap(
          new Map([["CLERK_WEBHOOK_SIGNING_SECRET", SECRET], ["CLERK_WEBHOOK_TOLERANCE", tolerance]])
        )
        const error = yield* Effect.flip(
          Effect.provide(ClerkWebhooks, ClerkWebhooks.layerConfig).pipe(Effect.withConfigProvider(provider))
        )
        expect(ConfigError.isConfigError(error) && ConfigError.isInvalidData(error)).toBe(true)
        expect(String(error)).toContain("CLERK_WEBHOOK_TOLERANCE")
      }
    }))

  it.effect("layerConfig defaults the tolerance to 5 minutes and fails without a secret", () =>
    Effect.gen(function*() {
      yield* start
      const withSecret = ConfigProvider.fromMap(new Map([["CLERK_WEBHOOK_SIGNING_SECRET", SECRET]]))
      const service = yield* Effect.provide(ClerkWebhooks, ClerkWebhooks.layerConfig).pipe(
        Effect.withConfigProvider(withSecret)
      )
      yield* TestClock.setTime(T0 + 300_000)
      expect((yield* service.verifySignature(delivery())).id).toBe(ID)
      const missing = yield* Effect.exit(
        Effect.provide(ClerkWebhooks, ClerkWebhooks.layerConfig).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
        )
      )
      expect(Exit.isFailure(missing)).toBe(true)
      const bad = yield* Effect.flip(
        Effect.provide(ClerkWebhooks, ClerkWebhooks.layerConfig).pipe(
          Effect.withConfigProvider(
            ConfigProvider.fromMap(new Map([["CLERK_WEBHOOK_SIGNING_SECRET", "whsec_FAKE not base64!"]]))
          )
        )
      )
      expect(bad).toBeInstanceOf(WebhookConfigError)
    }))
})

describe("ClerkWebhooks requests", () => {
  it.effect("verifies a web Request, whose body it consumes", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const web = request(delivery())
      expect(typeOf(yield* service.verify(web))).toBe("test.fake_event")
      expect(web.bodyUsed).toBe(true)
      const again = yield* refused(service.verify(web), "invalid-payload")
      expect(again.message).toContain("could not be read")
      yield* refused(service.verify(request(delivery({ key: OTHER_KEY }))), "no-matching-signature")
      yield* refused(service.verify(request({ headers: {}, body: BODY })), "missing-header")
    }))

  it.effect("verifies an HttpServerRequest", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const event = yield* service.verify(HttpServerRequest.fromWeb(request(delivery())))
      expect(typeOf(event)).toBe("test.fake_event")
      const bytes = new TextEncoder().encode(BODY)
      expect(typeOf(yield* service.verify(HttpServerRequest.fromWeb(request(delivery({ body: bytes })))))).toBe(
        "test.fake_event"
      )
      yield* refused(
        service.verify(HttpServerRequest.fromWeb(request({ ...delivery(), body: `${BODY} ` }))),
        "no-matching-signature"
      )
      yield* refused(
        service.verify(HttpServerRequest.fromWeb(request({ ...delivery(), body: BODY.replace("José", "Jose") }))),
        "no-matching-signature"
      )
      // A body someone already read cannot be verified.
      const used = request(delivery())
      yield* Effect.promise(() => used.text())
      const error = yield* refused(service.verify(HttpServerRequest.fromWeb(used)), "invalid-payload")
      expect(error.message).toContain("could not be read")
    }))

  it.effect("a correctly signed body that is not JSON fails with body-not-json, whatever the input form", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const signed = delivery({ body: "not json {" })
      // The signature itself is fine.
      expect((yield* service.verifySignature(signed)).body).toBe("not json {")
      const error = yield* refused(service.verify(signed), "body-not-json")
      expect(error.message).toBe("the webhook body is not JSON")
      yield* refused(service.verify(request(signed)), "body-not-json")
      yield* refused(service.verify(HttpServerRequest.fromWeb(request(signed))), "body-not-json")
      yield* refused(service.verify(delivery({ body: "" })), "body-not-json")
      yield* refused(service.decode("{"), "body-not-json")
    }))
})

describe("ClerkWebhooks decoding", () => {
  const deleted = {
    type: "user.deleted",
    object: "event",
    timestamp: T0,
    instance_id: "ins_test_fake",
    data: { object: "user", id: "user_test_fake", deleted: true, external_id: "ext_fake" },
    event_attributes: { http_request: { client_ip: "192.0.2.1", user_agent: "fake-agent/1.0" } }
  }

  it.effect("decodes a known event into its camelCase member", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks()
      const event = yield* service.verify(delivery({ body: JSON.stringify(deleted) }))
      expect(event.type).toBe("user.deleted")
      const user = event as UserDeletedEvent
      expect(user.instanceId).toBe("ins_test_fake")
      expect(user.data).toEqual({ object: "user", id: "user_test_fake", deleted: true, externalId: "ext_fake" })
      expect(user.eventAttributes?.httpRequest).toEqual({ clientIp: "192.0.2.1", userAgent: "fake-agent/1.0" })
      // decode on its own gives the same event.
      expect(yield* service.decode(JSON.stringify(deleted))).toEqual(event)
    }))

  it.effect("by default a known event whose data does not match is delivered as malformed, with the raw data and the issue", () =>
    Effect.gen(function*() {
      yield* start
      const { layer, logs } = captureLogs()
      const service = yield* webhooks()
      const wrong = { ...deleted, data: { ...deleted.data, deleted: "yes" } }
      const event = yield* service.verify(delivery({ body: JSON.stringify(wrong) })).pipe(Effect.provide(layer))
      const expected: MalformedWebhookEvent = {
        type: "malformed",
        eventType: "user.deleted",
        data: wrong.data,
        payload: wrong,
        issue: { path: "data.deleted", message: "Expected boolean" }
      }
      expect(event).toStrictEqual(expected)
      // One warning, naming the delivery, the type and where; no payload value.
      expect(logs).toHaveLength(1)
      const [warning] = logs as [CapturedLog]
      expect(warning.level).toBe(LogLevel.Warning)
      expect(warning.annotations).toStrictEqual({
        webhookId: ID,
        webhookType: "user.deleted",
        issuePath: "data.deleted",
        issue: "Expected boolean"
      })
      expect(JSON.stringify(warning)).not.toContain("yes")
      // decode on its own hands over the same event.
      expect(yield* service.decode(JSON.stringify(wrong)).pipe(Effect.provide(layer))).toStrictEqual(expected)
    }))

  it.effect("delivers any verified JSON that is not an event as malformed too: an array, a number type", () =>
    Effect.gen(function*() {
      yield* start
      const { layer } = captureLogs()
      const service = yield* webhooks()
      const array = yield* service.decode(JSON.stringify([1, 2])).pipe(Effect.provide(layer))
      expect(array).toMatchObject({ type: "malformed", eventType: undefined, data: undefined, payload: [1, 2] })
      const untyped = { type: 5, data: { email: "someone@example.test" } }
      const numbered = yield* service.decode(JSON.stringify(untyped)).pipe(Effect.provide(layer))
      expect(numbered).toMatchObject({ type: "malformed", eventType: undefined, data: untyped.data, payload: untyped })
      // Still refused: a body that is not JSON at all.
      yield* refused(service.decode("{"), "body-not-json")
    }))

  it.effect("a deprecated field left out (organization membership without profile_image_url) decodes as the typed event", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks({ onInvalidPayload: "reject" })
      const membership = {
        type: "organizationMembership.created",
        object: "event",
        timestamp: T0,
        instance_id: "ins_test_fake",
        data: {
          object: "organization_membership",
          id: "orgmem_fake_1",
          role: "org:member",
          permissions: ["org:sys_memberships:read"],
          public_metadata: {},
          private_metadata: {},
          created_at: 1,
          updated_at: 2,
          organization: {
            object: "organization",
            id: "org_fake_1",
            name: "Fake Org",
            slug: "fake-org",
            has_image: false,
            max_allowed_memberships: 5,
            admin_delete_enabled: true,
            public_metadata: {},
            created_at: 1,
            updated_at: 2
          },
          public_user_data: {
            user_id: "user_fake_1",
            first_name: "Ada",
            last_name: null,
            image_url: "https://img.example.test/ada",
            has_image: true,
            identifier: "ada@example.test"
          }
        }
      }
      const event = typed(yield* service.verify(delivery({ body: JSON.stringify(membership) })))
      if (event.type !== "organizationMembership.created") throw new Error(`decoded as ${event.type}`)
      expect(event.data.publicUserData?.imageUrl).toBe("https://img.example.test/ada")
      expect(event.data.publicUserData).not.toHaveProperty("profileImageUrl")
    }))

  it.effect("with onInvalidPayload: reject, a mismatch fails with invalid-payload, naming where and never the values", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks({ onInvalidPayload: "reject" })
      const wrong = { ...deleted, data: { ...deleted.data, deleted: "yes" } }
      const error = yield* refused(service.verify(delivery({ body: JSON.stringify(wrong) })), "invalid-payload")
      expect(error.message).toBe(
        "the \"user.deleted\" payload does not match its schema at data.deleted: Expected boolean"
      )
      // The payload's own values stay out of the message (they may be personal data).
      expect(error.message).not.toContain("yes")
      const array = yield* refused(service.decode(JSON.stringify([1, 2])), "invalid-payload")
      expect(array.message).toBe("the webhook payload does not match its schema at type: is missing")
      const untyped = yield* refused(
        service.decode(JSON.stringify({ type: 5, data: { email: "someone@example.test" } })),
        "invalid-payload"
      )
      expect(untyped.message).not.toContain("someone@example.test")
    }))

  it.effect("refuses an onInvalidPayload that is neither deliver nor reject when the service is built", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(webhooks({ onInvalidPayload: "drop" as "deliver" }))
      expect(error).toBeInstanceOf(WebhookConfigError)
      expect(error.reason).toBe("invalid-option")
    }))

  it.effect("layerConfig reads CLERK_WEBHOOK_ON_INVALID_PAYLOAD, and refuses a value it does not know", () =>
    Effect.gen(function*() {
      yield* start
      const wrong = JSON.stringify({ ...deleted, data: { ...deleted.data, deleted: "yes" } })
      const provider = (value: string) =>
        ConfigProvider.fromMap(
          new Map([["CLERK_WEBHOOK_SIGNING_SECRET", SECRET], ["CLERK_WEBHOOK_ON_INVALID_PAYLOAD", value]])
        )
      const rejecting = yield* Effect.provide(ClerkWebhooks, ClerkWebhooks.layerConfig).pipe(
        Effect.withConfigProvider(provider("reject"))
      )
      yield* refused(rejecting.decode(wrong), "invalid-payload")
      const delivering = yield* Effect.provide(ClerkWebhooks, ClerkWebhooks.layerConfig).pipe(
        Effect.withConfigProvider(provider("deliver"))
      )
      expect((yield* delivering.decode(wrong).pipe(Effect.provide(captureLogs().layer))).type).toBe("malformed")
      const error = yield* Effect.flip(
        Effect.provide(ClerkWebhooks, ClerkWebhooks.layerConfig).pipe(Effect.withConfigProvider(provider("drop")))
      )
      expect(ConfigError.isConfigError(error)).toBe(true)
      expect(String(error)).toContain("CLERK_WEBHOOK_ON_INVALID_PAYLOAD")
    }))
})

describe("ClerkWebhooksTesting", () => {
  it.effect("signWebhook signs as Svix does: same signature as an independent HMAC, accepted by the verifier", () =>
    Effect.gen(function*() {
      yield* start
      const signed = yield* signWebhook({ secret: SECRET, id: ID, timestamp: T0s, body: BODY })
      expect(signed).toEqual(delivery())
      // Rejecting, so a payload mismatch is an error whose message is checked too.
      const service = yield* webhooks({ onInvalidPayload: "reject" })
      expect(typeOf(yield* service.verify(signed))).toBe("test.fake_event")
    }))

  it.effect("signWebhook defaults: timestamp from the Clock, a random msg_test_ id, objects as JSON", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0 + 1_999)
      const signed = yield* signWebhook({ secret: Redacted.make(KEY_BASE64), body: EVENT })
      expect(signed.body).toBe(BODY)
      expect(signed.headers["svix-timestamp"]).toBe(String(T0s + 1))
      const id = signed.headers["svix-id"]!
      expect(id).toMatch(/^msg_test_[0-9a-f]{32}$/)
      expect(signed.headers["svix-signature"]).toBe(`v1,${hmac(KEY, id, T0s + 1, BODY)}`)
      expect((yield* signWebhook({ secret: SECRET, body: EVENT })).headers["svix-id"]).not.toBe(id)
      const service = yield* webhooks()
      expect((yield* service.verifySignature(signed)).timestamp).toBe(T0s + 1)
    }))

  it.effect("signWebhook dies on a secret that is not base64", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(signWebhook({ secret: "whsec_FAKE not base64!", body: "{}" }))
      expect(Exit.isFailure(exit)).toBe(true)
      const defect = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined
      expect(defect).toBeInstanceOf(WebhookConfigError)
      expect((defect as WebhookConfigError).message).not.toContain("not base64!")
    }))

  it.effect("generateSigningSecret: whsec_ + base64 of 32 random bytes, usable by the service", () =>
    Effect.gen(function*() {
      yield* start
      const secret = generateSigningSecret()
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
      expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32)
      expect(generateSigningSecret()).not.toBe(secret)
      const service = yield* ClerkWebhooks.make({ signingSecret: Redacted.make(secret) })
      const signed = yield* signWebhook({ secret, body: EVENT })
      expect(signed.headers["svix-signature"]).toBe(
        `v1,${
          hmac(
            Buffer.from(secret.slice(6), "base64"),
            signed.headers["svix-id"]!,
            signed.headers["svix-timestamp"]!,
            signed.body
          )
        }`
      )
      expect(typeOf(yield* service.verify(signed))).toBe("test.fake_event")
      yield* refused(service.verify(delivery()), "no-matching-signature")
    }))

  it.effect("works through a layer, as an application would use it", () =>
    Effect.gen(function*() {
      yield* start
      const secret = generateSigningSecret()
      const signed = yield* signWebhook({ secret, body: EVENT })
      const event = yield* Effect.flatMap(ClerkWebhooks, (service) => service.verify(signed)).pipe(
        Effect.provide(Layer.fresh(ClerkWebhooks.layer({ signingSecret: Redacted.make(secret) })))
      )
      expect(typeOf(event)).toBe("test.fake_event")
    }))
})

describe("ClerkWebhooks interoperability", () => {
  /** Clerk's own verifier (standardwebhooks underneath): the event, or the error it threw. */
  const clerkVerify = (input: { headers: Record<string, string>; body: string }) =>
    Effect.promise(() =>
      verifyWebhook(request(input), { signingSecret: SECRET }).then((event) => event, (error: unknown) => error)
    )

  it.effect("accepts and refuses the same deliveries as @clerk/backend's verifyWebhook", () =>
    Effect.gen(function*() {
      // Clerk's verifier reads the real clock; ours is set to the same second.
      const now = Math.floor(Date.now() / 1000)
      yield* TestClock.setTime(now * 1000)
      const service = yield* webhooks()
      const signed = yield* signWebhook({ secret: SECRET, body: EVENT })
      const accepted = yield* clerkVerify(signed)
      expect(accepted).not.toBeInstanceOf(Error)
      expect((accepted as { type: string }).type).toBe("test.fake_event")
      expect(typeOf(yield* service.verify(signed))).toBe("test.fake_event")
      // A rotation list made by the independent HMAC, the good entry last.
      const rotated = delivery({
        timestamp: now,
        signature: `v1,${hmac(OTHER_KEY, ID, now, BODY)} v1,${hmac(KEY, ID, now, BODY)}`
      })
      const rotatedBody = { headers: rotated.headers, body: BODY }
      expect(yield* clerkVerify(rotatedBody)).not.toBeInstanceOf(Error)
      expect((yield* service.verifySignature(rotatedBody)).id).toBe(ID)
      // Altered body and other secret: both refuse.
      for (
        const bad of [{ ...signed, body: signed.body.replace("fake_1", "fake_2") }, {
          headers: delivery({ key: OTHER_KEY, timestamp: now }).headers,
          body: BODY
        }]
      ) {
        expect(yield* clerkVerify(bad)).toBeInstanceOf(Error)
        yield* refused(service.verify(bad), "no-matching-signature")
      }
      // Stale by more than five minutes: both refuse.
      const stale = delivery({ timestamp: now - 301 })
      const staleBody = { headers: stale.headers, body: BODY }
      expect(yield* clerkVerify(staleBody)).toBeInstanceOf(Error)
      yield* refused(service.verify(staleBody), "timestamp-too-old")
    }))
})

describe("ClerkWebhooks messages", () => {
  it.effect("no refusal, of any reason, quotes the secret or a signature", () =>
    Effect.gen(function*() {
      yield* start
      const service = yield* webhooks({ onInvalidPayload: "reject" })
      const good = hmac(KEY, ID, T0s, BODY)
      const inputs: ReadonlyArray<WebhookInput> = [
        delivery({ key: OTHER_KEY }),
        delivery({ signature: `v1,${good.slice(0, 20)} v2,${good}` }),
        delivery({ timestamp: T0s - 10_000 }),
        delivery({ timestamp: T0s + 10_000 }),
        delivery({ timestamp: "nope" }),
        { headers: { "svix-signature": `v1,${good}` }, body: BODY },
        delivery({ body: "not json" }),
        delivery({ body: JSON.stringify({ type: "user.deleted", data: { signature: good } }) })
      ]
      const reasons = new Set<string>()
      for (const input of inputs) {
        const error = yield* Effect.flip(service.verify(input))
        reasons.add(error.reason)
        for (const secret of [...secrets, good, good.slice(0, 20)]) expect(error.message).not.toContain(secret)
        expect(JSON.stringify(error)).not.toContain(KEY_BASE64)
      }
      expect([...reasons].sort()).toEqual([
        "body-not-json",
        "invalid-payload",
        "missing-header",
        "no-matching-signature",
        "timestamp-too-new",
        "timestamp-too-old"
      ])
    }))
})
