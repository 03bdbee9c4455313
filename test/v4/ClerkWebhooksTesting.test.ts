/**
 * The Effect 4 webhook test kit: `event` builds a complete, typed delivery body for every known event type,
 * which `signWebhook` signs exactly as Svix does (checked against an independent HMAC) and `ClerkWebhooks`
 * verifies and decodes as that type.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/testing/TestClock"
import { createHmac } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import * as ClerkWebhooksTesting3 from "../../src/ClerkWebhooksTesting.js"
import * as ClerkWebhooks from "../../src/v4/ClerkWebhooks.js"
import { WebhookConfigError } from "../../src/v4/ClerkWebhooksError.js"
import * as ClerkWebhooksTesting from "../../src/v4/ClerkWebhooksTesting.js"
import { knownEventTypes } from "../../src/v4/generated/WebhookEvents.js"
import type { KnownEventType } from "../../src/v4/generated/WebhookEvents.js"
import { Effect3 } from "../support/Effect3.js"
import { wireUser } from "../support/Fixtures.js"

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/wire/webhooks")
const secret = ClerkWebhooksTesting.generateSigningSecret()

const hmac = (key: Buffer, id: string, timestamp: string, body: string): string =>
  createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")

/** Verifies a body signed with `secret`, through a verifier built from `signingSecret`. */
const verified = (body: object, signingSecret: string | Redacted.Redacted<string> = Redacted.make(secret)) =>
  Effect.gen(function*() {
    const delivery = yield* ClerkWebhooksTesting.signWebhook({ secret, body })
    return yield* Effect.flatMap(ClerkWebhooks.ClerkWebhooks, (webhooks) => webhooks.verify(delivery)).pipe(
      Effect.provide(ClerkWebhooks.layer({ signingSecret }))
    )
  })

describe("ClerkWebhooksTesting (Effect 4) signWebhook", () => {
  it("signs as Svix does: the same signature as an independent HMAC, and as the Effect 3 line's", async () => {
    const options = { secret, id: "msg_test_fixed", timestamp: 1_893_456_000, body: { type: "x", data: {} } }
    const signed = await Effect.runPromise(ClerkWebhooksTesting.signWebhook(options))
    const key = Buffer.from(secret.slice("whsec_".length), "base64")
    expect(signed).toStrictEqual({
      headers: {
        "svix-id": "msg_test_fixed",
        "svix-timestamp": "1893456000",
        "svix-signature": `v1,${hmac(key, "msg_test_fixed", "1893456000", JSON.stringify(options.body))}`
      },
      body: JSON.stringify(options.body)
    })
    expect(await Effect3.runPromise(ClerkWebhooksTesting3.signWebhook(options))).toStrictEqual(signed)
  })

  it("defaults: the timestamp from the Clock (TestClock here), a random msg_test_ id", async () => {
    const signed = await Effect.runPromise(
      Effect.andThen(
        TestClock.setTime(1_893_456_000_999),
        ClerkWebhooksTesting.signWebhook({ secret: Redacted.make(secret), body: "{}" })
      ).pipe(Effect.provide(TestClock.layer()))
    )
    expect(signed.headers["svix-timestamp"]).toBe("1893456000")
    expect(signed.headers["svix-id"]).toMatch(/^msg_test_[0-9a-f]{32}$/)
    expect(signed.body).toBe("{}")
  })

  it("dies with a WebhookConfigError on a secret that is not base64, quoting none of it", async () => {
    const exit = await Effect.runPromise(
      Effect.exit(ClerkWebhooksTesting.signWebhook({ secret: "whsec_FAKE not base64!", body: "{}" }))
    )
    if (!Exit.isFailure(exit)) throw new Error("signed with a broken secret")
    const defect = exit.cause.reasons.find(Cause.isDieReason)?.defect
    expect(defect).toBeInstanceOf(WebhookConfigError)
    expect((defect as WebhookConfigError).reason).toBe("invalid-secret")
    expect((defect as WebhookConfigError).message).not.toContain("not base64!")
  })

  it("generateSigningSecret: whsec_ + base64 of 32 random bytes, fresh each time", () => {
    const fresh = ClerkWebhooksTesting.generateSigningSecret()
    expect(fresh).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(Buffer.from(fresh.slice(6), "base64")).toHaveLength(32)
    expect(ClerkWebhooksTesting.generateSigningSecret()).not.toBe(fresh)
  })
})

describe("ClerkWebhooksTesting (Effect 4) event", () => {
  it("fills the envelope, with defaults and with options, as the Effect 3 line does", () => {
    const data = { object: "user", id: "user_gone", deleted: true }
    const body = ClerkWebhooksTesting.event("user.deleted", data, { timestamp: 1_767_225_600_000 })
    expect(body).toStrictEqual({
      object: "event",
      type: "user.deleted",
      instance_id: "ins_test",
      timestamp: 1_767_225_600_000,
      event_attributes: { http_request: { client_ip: "192.0.2.1", user_agent: "effect-clerk-test" } },
      data
    })
    expect(ClerkWebhooksTesting3.event("user.deleted", data, { timestamp: 1_767_225_600_000 })).toStrictEqual(body)
    const custom = ClerkWebhooksTesting.event("user.deleted", data, {
      instanceId: "ins_other",
      clientIp: "198.51.100.7",
      userAgent: "curl/8"
    })
    expect(custom.instance_id).toBe("ins_other")
    expect(custom.event_attributes).toStrictEqual({
      http_request: { client_ip: "198.51.100.7", user_agent: "curl/8" }
    })
  })

  it("user.created with a wire user is verified and decoded as user.created, camelCase", async () => {
    const event = await Effect.runPromise(verified(
      ClerkWebhooksTesting.event(
        "user.created",
        wireUser({ id: "user_built", first_name: "Grace" }) as ClerkWebhooksTesting.WebhookEventData<"user.created">
      )
    ))
    if (event.type !== "user.created") throw new Error(`decoded as ${event.type}`)
    expect(event.data.id).toBe("user_built")
    expect(event.data.firstName).toBe("Grace")
    expect(event.eventAttributes?.httpRequest?.clientIp).toBe("192.0.2.1")
  })

  for (const type of knownEventTypes) {
    it(`${type}: the fixture's data in a built envelope verifies as ${type}`, async () => {
      const fixture = JSON.parse(fs.readFileSync(path.join(fixtures, `${type}.json`), "utf8"))
      const event = await Effect.runPromise(verified(ClerkWebhooksTesting.event(type as KnownEventType, fixture.data)))
      expect(event.type).toBe(type)
    })
  }

  it("a plain-string secret builds the verifier as a Redacted one does; another secret is refused", async () => {
    const body = ClerkWebhooksTesting.event("user.deleted", { object: "user", id: "user_1", deleted: true })
    expect((await Effect.runPromise(verified(body, secret))).type).toBe("user.deleted")
    const wrong = await Effect.runPromise(Effect.flip(verified(body, ClerkWebhooksTesting.generateSigningSecret())))
    expect(wrong._tag).toBe("WebhookVerificationError")
    expect(wrong.reason).toBe("no-matching-signature")
  })

  it("types data by the event type", () => {
    // @ts-expect-error a user.deleted event's data has no first_name
    ClerkWebhooksTesting.event("user.deleted", { object: "user", id: "user_1", deleted: true, first_name: "x" })
    // @ts-expect-error not a known event type
    ClerkWebhooksTesting.event("user.exploded", {})
    expect(ClerkWebhooksTesting.event("session.ended", {} as never).type).toBe("session.ended")
  })
})
