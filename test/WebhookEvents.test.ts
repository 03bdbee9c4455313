/**
 * Every event of the webhooks spec decodes from the spec's own example payload into its member of
 * `ClerkWebhookEvent`; an unknown type decodes as `UnknownWebhookEvent`; a known type with a broken
 * payload is an error, not an unknown event.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { loadSpec, makeResolver } from "../scripts/generator/spec.js"
import { defaultSpecPath, webhooksSpecFor } from "../scripts/generator/specPaths.js"
import * as WebhookEvents from "../src/generated/WebhookEvents.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const webhooksPath = webhooksSpecFor(defaultSpecPath(root))
const hasSpec = fs.existsSync(webhooksPath)
if (!hasSpec) console.warn(`WebhookEvents.test: skipping the example payloads, no webhooks spec at ${webhooksPath}`)

const decode = Schema.decodeUnknownEither(WebhookEvents.ClerkWebhookEvent, {
  onExcessProperty: "ignore",
  errors: "first"
})

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

describe.skipIf(!hasSpec)("webhook events from the spec's examples", () => {
  const all = hasSpec ? examples() : []

  it("cover every event type the client knows, and no other", () => {
    expect(new Set(all.map(([type]) => type))).toEqual(new Set(WebhookEvents.knownEventTypes))
    expect(WebhookEvents.knownEventTypes.length).toBe(45)
  })

  for (const [type, payload] of all) {
    it(`${type} decodes into its own member, in camelCase`, () => {
      const result = decode(payload)
      expect(Either.isRight(result)).toBe(true)
      const event = Either.getOrThrow(result)
      expect(event.type).toBe(type)
      expect(event.instanceId).toBe((payload as { instance_id: string }).instance_id)
      expect(event.type).not.toBe("unknown")
      expect(JSON.stringify(Object.keys(event))).not.toMatch(/_/)
    })
  }

  it("decodes user data through the Backend API's own User schema", () => {
    const [, payload] = all.find(([type]) => type === "user.created")!
    const event = Either.getOrThrow(decode(payload))
    if (event.type !== "user.created") throw new Error("narrowing failed")
    // `event.data` is a Schemas.User: camelCase, with its email addresses decoded.
    expect(Array.isArray(event.data.emailAddresses)).toBe(true)
    expect(typeof event.data.id).toBe("string")
  })
})

describe("webhook events outside the spec", () => {
  const envelope = { object: "event", timestamp: 1_716_883_200, instance_id: "ins_test" }

  it("decodes an event type the client does not know as UnknownWebhookEvent, keeping its data", () => {
    const wire = { ...envelope, type: "widget.created", data: { anything: [1, 2] } }
    const event = Either.getOrThrow(decode(wire))
    if (event.type !== "unknown") throw new Error(`decoded as ${event.type}`)
    expect(event.unknownType).toBe("widget.created")
    expect(event.data).toEqual({ anything: [1, 2] })
    // Encoding gives back the delivered type.
    expect(Schema.encodeSync(WebhookEvents.ClerkWebhookEvent)(event)).toMatchObject({
      type: "widget.created",
      data: { anything: [1, 2] }
    })
  })

  it("refuses a known type whose data does not match, instead of calling it unknown", () => {
    const result = decode({ ...envelope, type: "user.deleted", data: { deleted: "yes" } })
    expect(Either.isLeft(result)).toBe(true)
  })

  it("narrows on `type` in a switch (a compile-time check as much as a runtime one)", () => {
    const event = Either.getOrThrow(
      decode({ ...envelope, type: "user.deleted", data: { object: "user", deleted: true, id: "user_1" } })
    )
    switch (event.type) {
      case "user.deleted":
        expect(event.data.deleted).toBe(true)
        break
      default:
        throw new Error(`unexpected ${event.type}`)
    }
  })
})
