/**
 * The Effect 4 webhook events (src/v4/generated/WebhookEvents.ts) come from the same model as the Effect 3
 * ones: every event of the spec, from the wire fixtures and the spec's own examples, decodes with both to the
 * same value; an unknown type decodes as `UnknownWebhookEvent` in both; a known type with a broken payload is
 * refused by both, instead of being called unknown.
 */
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { loadSpec, makeResolver } from "../../scripts/generator/spec.js"
import { defaultSpecPath, webhooksSpecFor } from "../../scripts/generator/specPaths.js"
import * as WebhookEvents3 from "../../src/generated/WebhookEvents.js"
import * as WebhookEvents from "../../src/v4/generated/WebhookEvents.js"
import { Either3, Schema3 } from "../support/Effect3.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const fixturesDir = path.join(root, "test/fixtures/wire/webhooks")
const webhooksPath = webhooksSpecFor(defaultSpecPath(root))
const hasSpec = fs.existsSync(webhooksPath)

const decode4 = Schema.decodeUnknownExit(WebhookEvents.ClerkWebhookEvent)
const decode3 = Schema3.decodeUnknownEither(WebhookEvents3.ClerkWebhookEvent, { onExcessProperty: "ignore" })

/** Decodes with both lines; the value of each, or `undefined` for a refusal. */
const both = (wire: unknown) => {
  const four = decode4(wire)
  const three = decode3(wire)
  return {
    four: Exit.isSuccess(four) ? four.value : undefined,
    three: Either3.isRight(three) ? three.right : undefined
  }
}

const fixtures = fs.readdirSync(fixturesDir).filter((file) => file.endsWith(".json")).map((file) =>
  [path.basename(file, ".json"), JSON.parse(fs.readFileSync(path.join(fixturesDir, file), "utf8"))] as const
)

/** Each event type with its example payloads, read from the spec (never copied into the repo). */
const examples = (): Array<readonly [string, unknown]> => {
  const spec = loadSpec(webhooksPath)
  const resolver = makeResolver(spec)
  return Object.entries<any>(spec["x-webhooks"]).flatMap(([type, item]) => {
    const content = item.post.requestBody.content["application/json"]
    const payloads = content.example !== undefined
      ? [content.example]
      : Object.values<any>(content.examples ?? {}).map((entry) => resolver.deref(entry).value)
    return payloads.map((payload) => [type, payload] as const)
  })
}

describe("Effect 4 webhook events", () => {
  it("export the same names as the Effect 3 module, and the same known event types", () => {
    expect(Object.keys(WebhookEvents).sort()).toEqual(Object.keys(WebhookEvents3).sort())
    expect(WebhookEvents.knownEventTypes).toEqual(WebhookEvents3.knownEventTypes)
    expect(WebhookEvents.knownEventTypes.length).toBeGreaterThanOrEqual(45)
  })

  it("have a wire fixture for every known event type", () => {
    expect(fixtures.map(([type]) => type).sort()).toEqual([...WebhookEvents.knownEventTypes].sort())
  })

  for (const [type, wire] of fixtures) {
    it(`${type} (wire fixture) decodes to its own member, the same value as Effect 3's`, () => {
      const { four, three } = both(wire)
      expect(three).toBeDefined()
      expect(four).toBeDefined()
      expect(four!.type).toBe(type)
      expect(four).toStrictEqual(three)
      // And encodes back to the same wire value as Effect 3 does.
      expect(Schema.encodeSync(WebhookEvents.ClerkWebhookEvent)(four!)).toStrictEqual(
        Schema3.encodeSync(WebhookEvents3.ClerkWebhookEvent)(three!)
      )
    })
  }

  describe.skipIf(!hasSpec)("from the spec's examples", () => {
    const all = hasSpec ? examples() : []
    it("cover every known event type", () => {
      expect(new Set(all.map(([type]) => type))).toEqual(new Set(WebhookEvents.knownEventTypes))
    })
    for (const [index, [type, payload]] of all.entries()) {
      it(`${type} (example ${index}) decodes to the same value as with Effect 3`, () => {
        const { four, three } = both(payload)
        expect(four?.type).toBe(type)
        expect(four).toStrictEqual(three)
      })
    }
  })
})

describe("Effect 4 webhook events outside the spec", () => {
  const envelope = { object: "event", timestamp: 1_716_883_200, instance_id: "ins_test" }

  it("decodes an event type the client does not know as UnknownWebhookEvent, keeping its data, as Effect 3 does", () => {
    const wire = { ...envelope, type: "widget.created", data: { anything: [1, 2] } }
    const { four, three } = both(wire)
    if (four?.type !== "unknown") throw new Error(`decoded as ${four?.type}`)
    expect(four.unknownType).toBe("widget.created")
    expect(four.data).toEqual({ anything: [1, 2] })
    expect(four.instanceId).toBe("ins_test")
    expect(four).toStrictEqual(three)
    // Encoding gives back the delivered type, under its wire keys.
    expect(Schema.encodeSync(WebhookEvents.ClerkWebhookEvent)(four)).toStrictEqual(wire)
  })

  it("keeps the envelope's event attributes on an unknown event", () => {
    const wire = {
      ...envelope,
      type: "widget.updated",
      data: null,
      event_attributes: { http_request: { client_ip: "192.0.2.1", user_agent: "agent/1" } }
    }
    const { four, three } = both(wire)
    expect(four).toMatchObject({
      type: "unknown",
      unknownType: "widget.updated",
      data: null,
      eventAttributes: { httpRequest: { clientIp: "192.0.2.1", userAgent: "agent/1" } }
    })
    expect(four).toStrictEqual(three)
  })

  it("refuses a known type whose data does not match, instead of calling it unknown, as Effect 3 does", () => {
    const { four, three } = both({ ...envelope, type: "user.deleted", data: { deleted: "yes" } })
    expect(four).toBeUndefined()
    expect(three).toBeUndefined()
  })

  it("refuses an unknown event whose envelope is broken", () => {
    const { four, three } = both({ ...envelope, instance_id: 7, type: "widget.created", data: {} })
    expect(four).toBeUndefined()
    expect(three).toBeUndefined()
  })

  it("refuses to encode an unknown event that claims a known type", () => {
    const event = { ...envelope, instanceId: "ins_test", type: "unknown", unknownType: "user.deleted", data: {} }
    expect(Exit.isFailure(Schema.encodeUnknownExit(WebhookEvents.UnknownWebhookEvent)(event))).toBe(true)
  })

  it("narrows on `type` in a switch", () => {
    const event = Schema.decodeUnknownSync(WebhookEvents.ClerkWebhookEvent)({
      ...envelope,
      type: "user.deleted",
      data: { object: "user", deleted: true, id: "user_1" }
    })
    switch (event.type) {
      case "user.deleted":
        expect(event.data.deleted).toBe(true)
        break
      default:
        throw new Error(`unexpected ${event.type}`)
    }
  })
})
