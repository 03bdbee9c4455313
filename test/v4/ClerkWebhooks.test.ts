/**
 * Webhook verification on Effect 4: the same deliveries accepted and refused, with the same reasons and
 * messages, as the Effect 3 line. Signatures are made with `node:crypto`'s `createHmac`, independent of the
 * WebCrypto code under test; time is TestClock's; secrets are obviously fake.
 */
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as TestClock from "effect/testing/TestClock"
import { createHmac } from "node:crypto"
import { describe, expect, it } from "vitest"
import { ClerkWebhooks as ClerkWebhooks3 } from "../../src/ClerkWebhooks.js"
import { ClerkWebhooks } from "../../src/v4/ClerkWebhooks.js"
import type { ClerkWebhooksOptions, ClerkWebhooksService, MalformedWebhookEvent } from "../../src/v4/ClerkWebhooks.js"
import { WebhookConfigError, WebhookVerificationError } from "../../src/v4/ClerkWebhooksError.js"
import type { WebhookVerificationReason } from "../../src/v4/ClerkWebhooksError.js"
import type { UserDeletedEvent } from "../../src/v4/generated/WebhookEvents.js"
import { Duration3, Effect3, Logger3 } from "../support/Effect3.js"

/** 2030-01-01T00:00:00Z. */
const T0 = Date.UTC(2030, 0, 1)
const T0s = T0 / 1000
const KEY = Buffer.from("FAKE-effect-clerk-webhook-key-01", "utf8")
const OTHER_KEY = Buffer.from("FAKE-effect-clerk-webhook-key-02", "utf8")
const KEY_BASE64 = KEY.toString("base64")
const SECRET = `whsec_${KEY_BASE64}`
/** An event of a type the spec does not list: it decodes whatever the data. */
const EVENT = {
  type: "test.fake_event",
  object: "event",
  timestamp: T0,
  instance_id: "ins_test_fake",
  data: { id: "fake_1", note: "José ✓" }
}
const BODY = JSON.stringify(EVENT)
const ID = "msg_test_0001"

const hmac = (key: Buffer, id: string, timestamp: string | number, body: string | Uint8Array): string =>
  createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest("base64")

interface DeliveryOptions {
  readonly key?: Buffer
  readonly id?: string
  readonly timestamp?: string | number
  readonly body?: string | Uint8Array
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

/** Runs at T0 on the TestClock. */
const run = <A, E>(effect: Effect.Effect<A, E>, at = T0) =>
  Effect.runPromise(Effect.provide(Effect.andThen(TestClock.setTime(at), effect), TestClock.layer()))

const exitOf = <A, E>(effect: Effect.Effect<A, E>) => run(Effect.exit(effect))

const webhooks = (options: Partial<ClerkWebhooksOptions> = {}) =>
  ClerkWebhooks.make({ signingSecret: Redacted.make(SECRET), ...options })

const secrets = [SECRET, KEY_BASE64, KEY.toString("utf8"), OTHER_KEY.toString("base64")]

/** `effect` must fail with a `WebhookVerificationError` of `reason` quoting no secret nor signature. */
const refused = async <A>(
  effect: Effect.Effect<A, WebhookVerificationError>,
  reason: WebhookVerificationReason,
  at = T0
): Promise<WebhookVerificationError> => {
  const error = await run(Effect.flip(effect), at)
  expect(error).toBeInstanceOf(WebhookVerificationError)
  expect(error._tag).toBe("WebhookVerificationError")
  expect(error.reason).toBe(reason)
  for (const secret of secrets) expect(error.message).not.toContain(secret)
  return error
}

const service = (options: Partial<ClerkWebhooksOptions> = {}): Promise<ClerkWebhooksService> => run(webhooks(options))

describe("ClerkWebhooks (Effect 4) signatures", () => {
  it("accepts a valid delivery: verifySignature hands back id, timestamp and the exact body; verify decodes it", async () => {
    const webhooks = await service()
    const verified = await run(webhooks.verifySignature(delivery()))
    expect(verified).toStrictEqual({ id: ID, timestamp: T0s, body: BODY })
    const event = await run(webhooks.verify(delivery()))
    expect(event).toMatchObject({ type: "unknown", unknownType: "test.fake_event", instanceId: "ins_test_fake" })
    expect(event.type === "unknown" && event.data).toStrictEqual({ id: "fake_1", note: "José ✓" })
  })

  it("accepts a rotation list whose valid v1 entry comes last, skipping v2 and malformed entries", async () => {
    const webhooks = await service()
    const good = hmac(KEY, ID, T0s, BODY)
    const signature = `v2,${good} v1,${hmac(OTHER_KEY, ID, T0s, BODY)} v1,@@not-base64 v1 v1,${good}`
    expect((await run(webhooks.verifySignature(delivery({ signature })))).id).toBe(ID)
  })

  it("refuses a delivery signed with another secret, an altered body, and a header with no v1 entry", async () => {
    const webhooks = await service()
    const other = await refused(webhooks.verify(delivery({ key: OTHER_KEY })), "no-matching-signature")
    expect(other.message).toBe("none of the 1 v1 signature(s) matches the body")
    const signed = delivery()
    await refused(webhooks.verify({ ...signed, body: BODY.replace("fake_1", "fake_2") }), "no-matching-signature")
    const none = await refused(
      webhooks.verify(delivery({ signature: `v2,${hmac(KEY, ID, T0s, BODY)}` })),
      "no-matching-signature"
    )
    expect(none.message).toBe("the signature header holds no v1 signature")
  })

  it("takes the body as bytes or as a string", async () => {
    const webhooks = await service()
    const bytes = new TextEncoder().encode(BODY)
    expect((await run(webhooks.verifySignature(delivery({ body: bytes })))).body).toBe(BODY)
  })
})

describe("ClerkWebhooks (Effect 4) headers", () => {
  it("refuses a delivery with no headers at all, naming all three", async () => {
    const webhooks = await service()
    const error = await refused(webhooks.verify({ headers: {}, body: BODY }), "missing-header")
    expect(error.message).toContain("svix-id, svix-timestamp, svix-signature")
  })

  it("accepts the webhook-* names, as a record or a Headers, in any case", async () => {
    const webhooks = await service()
    const { body, headers } = delivery()
    const standard = {
      "Webhook-Id": headers["svix-id"]!,
      "WEBHOOK-TIMESTAMP": headers["svix-timestamp"]!,
      "webhook-signature": headers["svix-signature"]!
    }
    expect((await run(webhooks.verifySignature({ headers: standard, body }))).id).toBe(ID)
    expect((await run(webhooks.verifySignature({ headers: new Headers(standard), body }))).id).toBe(ID)
  })

  it("refuses a timestamp that is not whole unix seconds, as missing-header", async () => {
    const webhooks = await service()
    const error = await refused(webhooks.verify(delivery({ timestamp: `${T0s}.5` })), "missing-header")
    expect(error.message).toBe("the svix-timestamp header is not a whole number of unix seconds")
  })
})

describe("ClerkWebhooks (Effect 4) timestamps", () => {
  it("default tolerance of 5 minutes: accepted at exactly 300 s old, refused 1 ms later, with Effect 3's message", async () => {
    const webhooks = await service()
    expect((await run(webhooks.verifySignature(delivery()), T0 + 300_000)).id).toBe(ID)
    const error = await refused(webhooks.verifySignature(delivery()), "timestamp-too-old", T0 + 300_001)
    expect(error.message).toBe("the webhook was signed 5m 1ms ago, beyond the 5m tolerance")
  })

  it("refuses a delivery from the future beyond the tolerance as timestamp-too-new", async () => {
    const webhooks = await service()
    const error = await refused(webhooks.verifySignature(delivery()), "timestamp-too-new", T0 - 301_000)
    expect(error.message).toBe("the webhook is signed 5m 1s in the future, beyond the 5m tolerance")
  })

  it("custom, zero and infinite tolerances", async () => {
    const ten = await service({ tolerance: "10 seconds" })
    expect((await run(ten.verifySignature(delivery()), T0 + 10_000)).id).toBe(ID)
    await refused(ten.verifySignature(delivery()), "timestamp-too-old", T0 + 10_001)
    const zero = await service({ tolerance: 0 })
    expect((await run(zero.verifySignature(delivery()))).id).toBe(ID)
    await refused(zero.verifySignature(delivery()), "timestamp-too-new", T0 - 1)
    const infinite = await service({ tolerance: Duration.infinity })
    expect((await run(infinite.verifySignature(delivery()), T0 + 365 * 86_400_000)).id).toBe(ID)
  })

  it("refuses a negative tolerance, or one that is no duration, when building the service", async () => {
    for (const tolerance of [-1, "-5 minutes"] as const) {
      const error = await run(Effect.flip(webhooks({ tolerance })))
      expect(error).toBeInstanceOf(WebhookConfigError)
      expect(error.reason).toBe("invalid-tolerance")
      expect(error.message).toBe("the webhook timestamp tolerance cannot be negative")
    }
    const error = await run(Effect.flip(webhooks({ tolerance: "five minutes" as Duration.Input })))
    expect(error.message).toBe("the webhook timestamp tolerance is not a duration")
  })
})

describe("ClerkWebhooks (Effect 4) signing secret", () => {
  it("accepts the secret without its whsec_ prefix, with surrounding whitespace, or as a plain string", async () => {
    for (const signingSecret of [Redacted.make(KEY_BASE64), Redacted.make(` ${SECRET}\n`), SECRET]) {
      const webhooks = await run(ClerkWebhooks.make({ signingSecret }))
      expect((await run(webhooks.verifySignature(delivery()))).id).toBe(ID)
    }
  })

  it("refuses a malformed secret with WebhookConfigError, quoting nothing of it, as Effect 3 does", async () => {
    for (
      const [secret, expected] of [
        ["whsec_", "empty"],
        ["whsec_not base64!", "not base64"],
        ["whsec_c2VjcmV0 c2VjcmV0", "not base64"]
      ] as const
    ) {
      const exit = await exitOf(ClerkWebhooks.make({ signingSecret: Redacted.make(secret) }))
      if (!Exit.isFailure(exit)) throw new Error(`${secret} was accepted`)
      const error = await run(Effect.flip(ClerkWebhooks.make({ signingSecret: Redacted.make(secret) })))
      expect(error._tag).toBe("WebhookConfigError")
      expect(error.reason).toBe("invalid-secret")
      expect(error.message).toContain(expected)
      if (secret.length > 6) expect(error.message).not.toContain(secret.slice(6))
      const error3 = await Effect3.runPromise(Effect3.flip(ClerkWebhooks3.make({ signingSecret: secret })))
      expect({ tag: error3._tag, reason: error3.reason, message: error3.message }).toStrictEqual({
        tag: error._tag,
        reason: error.reason,
        message: error.message
      })
    }
  })

  it("layerConfig reads CLERK_WEBHOOK_SIGNING_SECRET, CLERK_WEBHOOK_TOLERANCE and CLERK_WEBHOOK_ON_INVALID_PAYLOAD", async () => {
    const provider = (env: Record<string, string>) => ConfigProvider.layer(ConfigProvider.fromEnv({ env }))
    const verifyWith = (env: Record<string, string>, at: number) =>
      run(
        Effect.flatMap(ClerkWebhooks, (webhooks) => webhooks.verifySignature(delivery())).pipe(
          Effect.provide(ClerkWebhooks.layerConfig.pipe(Layer.provide(provider(env))))
        ),
        at
      )
    expect((await verifyWith({ CLERK_WEBHOOK_SIGNING_SECRET: SECRET }, T0 + 300_000)).id).toBe(ID)
    await expect(verifyWith({ CLERK_WEBHOOK_SIGNING_SECRET: SECRET }, T0 + 300_001)).rejects.toThrow(
      "beyond the 5m tolerance"
    )
    expect(
      (await verifyWith({ CLERK_WEBHOOK_SIGNING_SECRET: SECRET, CLERK_WEBHOOK_TOLERANCE: "10 minutes" }, T0 + 600_000))
        .id
    ).toBe(ID)
    for (const tolerance of ["-5 minutes", "soon"]) {
      await expect(verifyWith({ CLERK_WEBHOOK_SIGNING_SECRET: SECRET, CLERK_WEBHOOK_TOLERANCE: tolerance }, T0))
        .rejects.toThrow()
    }
    await expect(verifyWith({}, T0)).rejects.toThrow()
    await expect(
      verifyWith({ CLERK_WEBHOOK_SIGNING_SECRET: SECRET, CLERK_WEBHOOK_ON_INVALID_PAYLOAD: "ignore" }, T0)
    ).rejects.toThrow()
  })
})

describe("ClerkWebhooks (Effect 4) requests", () => {
  it("verifies a web Request, whose body it consumes, and an HttpServerRequest", async () => {
    const webhooks = await service()
    const signed = delivery()
    const web = new Request("https://example.test/webhooks", { method: "POST", headers: signed.headers, body: BODY })
    expect((await run(webhooks.verify(web))).type).toBe("unknown")
    expect(web.bodyUsed).toBe(true)
    // Read again: the body is gone, which is invalid-payload rather than a defect.
    await refused(webhooks.verify(web), "invalid-payload")
    const server = HttpServerRequest.fromWeb(
      new Request("https://example.test/webhooks", { method: "POST", headers: signed.headers, body: BODY })
    )
    expect(await run(webhooks.verify(server))).toMatchObject({ type: "unknown", unknownType: "test.fake_event" })
  })

  it("a correctly signed body that is not JSON fails with body-not-json", async () => {
    const webhooks = await service()
    await refused(webhooks.verify(delivery({ body: "not json" })), "body-not-json")
  })
})

describe("ClerkWebhooks (Effect 4) decoding", () => {
  const deleted = {
    type: "user.deleted",
    object: "event",
    timestamp: T0,
    instance_id: "ins_test_fake",
    data: { object: "user", id: "user_test_fake", deleted: true, external_id: "ext_fake" },
    event_attributes: { http_request: { client_ip: "192.0.2.1", user_agent: "fake-agent/1.0" } }
  }

  it("decodes a known event into its camelCase member", async () => {
    const webhooks = await service()
    const event = await run(webhooks.verify(delivery({ body: JSON.stringify(deleted) })))
    expect(event.type).toBe("user.deleted")
    const user = event as UserDeletedEvent
    expect(user.data).toStrictEqual({ object: "user", id: "user_test_fake", deleted: true, externalId: "ext_fake" })
    expect(user.eventAttributes?.httpRequest).toStrictEqual({ clientIp: "192.0.2.1", userAgent: "fake-agent/1.0" })
    expect(await run(webhooks.decode(JSON.stringify(deleted)))).toStrictEqual(event)
  })

  it("by default a known event whose data does not match is delivered as malformed, with a warning naming where", async () => {
    const webhooks = await service()
    const logs: Array<{ readonly message: unknown; readonly annotations: Record<string, unknown> }> = []
    const capture = Logger.layer([
      Logger.make(({ fiber, message }) => {
        logs.push({ message, annotations: { ...fiber.getRef(References.CurrentLogAnnotations) } })
      })
    ])
    const wrong = { ...deleted, data: { ...deleted.data, deleted: "yes" } }
    const event = await run(webhooks.verify(delivery({ body: JSON.stringify(wrong) })).pipe(Effect.provide(capture)))
    const expected: MalformedWebhookEvent = {
      type: "malformed",
      eventType: "user.deleted",
      data: wrong.data,
      payload: wrong,
      issue: { path: "data.deleted", message: expect.any(String) as unknown as string }
    }
    expect(event).toStrictEqual(expected)
    const malformed = event as MalformedWebhookEvent
    expect(malformed.issue.message).not.toContain("yes")
    // The Effect 3 line hands over the same event, stopping at the same place.
    const webhooks3 = await Effect3.runPromise(
      ClerkWebhooks3.make({ signingSecret: SECRET, tolerance: Duration3.infinity })
    )
    const event3 = await Effect3.runPromise(
      webhooks3.decode(JSON.stringify(wrong)).pipe(Effect3.provide(Logger3.remove(Logger3.defaultLogger)))
    )
    expect({ ...event3, issue: { ...(event3 as MalformedWebhookEvent).issue, message: "" } }).toStrictEqual({
      ...event,
      issue: { ...malformed.issue, message: "" }
    })
    expect(malformed.issue.message).toBe((event3 as MalformedWebhookEvent).issue.message)
    expect(logs).toHaveLength(1)
    expect(logs[0]!.annotations).toStrictEqual({
      webhookId: ID,
      webhookType: "user.deleted",
      issuePath: "data.deleted",
      issue: malformed.issue.message
    })
    expect(JSON.stringify(logs)).not.toContain("yes")
  })

  it("delivers any verified JSON that is not an event as malformed too", async () => {
    const webhooks = await service()
    const quiet = Logger.layer([])
    expect(await run(webhooks.decode("[1,2]").pipe(Effect.provide(quiet)))).toMatchObject({
      type: "malformed",
      eventType: undefined,
      payload: [1, 2]
    })
  })

  it("with onInvalidPayload: reject, a mismatch fails with invalid-payload, naming where and never the values", async () => {
    const webhooks = await service({ onInvalidPayload: "reject" })
    const wrong = { ...deleted, data: { ...deleted.data, deleted: "yes", external_id: 42 } }
    const error = await refused(webhooks.verify(delivery({ body: JSON.stringify(wrong) })), "invalid-payload")
    expect(error.message).toMatch(/^the "user\.deleted" payload does not match its schema at data\./)
    expect(error.message).not.toContain("yes")
    expect(error.message).not.toContain("42")
  })

  it("refuses an onInvalidPayload that is neither deliver nor reject when the service is built", async () => {
    const error = await run(Effect.flip(webhooks({ onInvalidPayload: "drop" as "deliver" })))
    expect(error.reason).toBe("invalid-option")
  })
})
