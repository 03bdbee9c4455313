/**
 * The webhook test kit: `event` builds a complete, typed delivery body for every known event type,
 * which `signWebhook` signs and `ClerkWebhooks` verifies and decodes as that type; the verifier takes
 * the secret as a `Redacted` or as a plain string.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as ClerkWebhooks from "../src/ClerkWebhooks.js"
import * as ClerkWebhooksTesting from "../src/ClerkWebhooksTesting.js"
import { knownEventTypes } from "../src/generated/WebhookEvents.js"
import type { KnownEventType } from "../src/generated/WebhookEvents.js"
import { wireUser } from "./support/Fixtures.js"

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "fixtures/wire/webhooks")
const secret = ClerkWebhooksTesting.generateSigningSecret()

/** Verifies a body signed with `secret`, through a verifier built from `signingSecret`. */
const verified = (body: object, signingSecret: string | Redacted.Redacted<string> = Redacted.make(secret)) =>
  Effect.gen(function*() {
    const delivery = yield* ClerkWebhooksTesting.signWebhook({ secret, body })
    return yield* Effect.flatMap(ClerkWebhooks.ClerkWebhooks, (webhooks) => webhooks.verify(delivery)).pipe(
      Effect.provide(ClerkWebhooks.layer({ signingSecret }))
    )
  })

describe("ClerkWebhooksTesting.event", () => {
  it("fills the envelope, with defaults and with options", () => {
    const data = { object: "user", id: "user_gone", deleted: true }
    const body = ClerkWebhooksTesting.event("user.deleted", data, { timestamp: 1_767_225_600_000 })
    expect(body).toEqual({
      object: "event",
      type: "user.deleted",
      instance_id: "ins_test",
      timestamp: 1_767_225_600_000,
      event_attributes: { http_request: { client_ip: "192.0.2.1", user_agent: "effect-clerk-test" } },
      data
    })
    const custom = ClerkWebhooksTesting.event("user.deleted", data, {
      instanceId: "ins_other",
      clientIp: "198.51.100.7",
      userAgent: "curl/8"
    })
    expect(custom.instance_id).toBe("ins_other")
    expect(custom.event_attributes).toEqual({ http_request: { client_ip: "198.51.100.7", user_agent: "curl/8" } })
    expect(typeof custom.timestamp).toBe("number")
  })

  it.effect("user.created with a wire user is verified and decoded as user.created, camelCase", () =>
    Effect.gen(function*() {
      const event = yield* verified(
        ClerkWebhooksTesting.event(
          "user.created",
          wireUser({ id: "user_built", first_name: "Grace" }) as ClerkWebhooksTesting.WebhookEventData<"user.created">
        )
      )
      expect(event.type).toBe("user.created")
      if (event.type !== "user.created") return
      expect(event.data.id).toBe("user_built")
      expect(event.data.firstName).toBe("Grace")
      expect(event.instanceId).toBe("ins_test")
      expect(event.eventAttributes?.httpRequest?.clientIp).toBe("192.0.2.1")
    }))

  for (const type of knownEventTypes) {
    it.effect(`${type}: the fixture's data in a built envelope verifies as ${type}`, () =>
      Effect.gen(function*() {
        const fixture = JSON.parse(fs.readFileSync(path.join(fixtures, `${type}.json`), "utf8"))
        const body = ClerkWebhooksTesting.event(type as KnownEventType, fixture.data)
        const event = yield* verified(body)
        expect(event.type).toBe(type)
      }))
  }

  it.effect("a plain-string secret builds the verifier as a Redacted one does", () =>
    Effect.gen(function*() {
      const body = ClerkWebhooksTesting.event("user.deleted", { object: "user", id: "user_1", deleted: true })
      expect((yield* verified(body, secret)).type).toBe("user.deleted")
      expect((yield* verified(body, Redacted.make(secret))).type).toBe("user.deleted")
      const wrong = yield* Effect.flip(verified(body, ClerkWebhooksTesting.generateSigningSecret()))
      expect(wrong.reason).toBe("no-matching-signature")
    }))

  it("types data by the event type", () => {
    // @ts-expect-error a user.deleted event's data has no first_name
    ClerkWebhooksTesting.event("user.deleted", { object: "user", id: "user_1", deleted: true, first_name: "x" })
    // @ts-expect-error not a known event type
    ClerkWebhooksTesting.event("user.exploded", {})
    expect(ClerkWebhooksTesting.event("session.ended", {} as never).type).toBe("session.ended")
  })
})
