/**
 * The webhook events the fake records as its state changes: each emitted type decodes with the webhook event
 * schemas `ClerkWebhooks` verifies deliveries with (to the event of that type, not the unknown-event fallback),
 * the envelope is Clerk's, handlers and generated answers cause none, and a reset forgets them.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { ClerkBackend } from "../../src/ClerkBackend.js"
import { ClerkTest } from "../../src/ClerkTest.js"
import { ClerkWebhookEvent, knownEventTypes } from "../../src/generated/WebhookEvents.js"
import { eventOf } from "../../src/internal/fake/events.js"

const decodeEvent = Schema.decodeUnknownEither(ClerkWebhookEvent)

describe("webhook events of the fake", () => {
  it("names only event types the webhooks spec knows", () => {
    const known = new Set<string>(knownEventTypes)
    expect(Object.values(eventOf).filter((type) => type !== undefined && !known.has(type))).toEqual([])
  })

  it.effect("records user, organization, membership, invitation, domain, role and session events that decode", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      const clerk = yield* ClerkBackend
      const user = yield* clerk.users.create({ emailAddress: ["events@example.com"], firstName: "Eve" })
      yield* clerk.users.update({ userId: user.id, lastName: "Vent" })
      const organization = yield* clerk.organizations.create({ name: "Events Inc", createdBy: user.id })
      const other = yield* clerk.users.create({ emailAddress: ["other@example.com"] })
      yield* clerk.organizationMemberships.create({
        organizationId: organization.id,
        userId: other.id,
        role: "org:member"
      })
      yield* clerk.organizationMemberships.delete({ organizationId: organization.id, userId: other.id })
      const invitation = yield* clerk.organizationInvitations.create({
        organizationId: organization.id,
        emailAddress: "invited@example.com",
        role: "org:member"
      })
      yield* clerk.organizationInvitations.revoke({ organizationId: organization.id, invitationId: invitation.id })
      yield* clerk.organizationDomains.create({ organizationId: organization.id, name: "events.example.com" })
      yield* clerk.sessions.create({ userId: user.id })
      yield* clerk.users.delete({ userId: other.id })
      // A handler's answer and a generated answer change nothing the fake reports.
      yield* ClerkTest.handle("users.get", () => Effect.succeed(user))
      yield* clerk.users.get({ userId: user.id })
      yield* clerk.billing.listPlans()

      const events = yield* ClerkTest.webhookEvents
      // The creator's membership is made inside organizations.create and is reported with the organization.
      expect(events.map((event) => event.type)).toEqual([
        "user.created",
        "user.updated",
        "organization.created",
        "user.created",
        "organizationMembership.created",
        "organizationMembership.deleted",
        "organizationInvitation.created",
        "email.created",
        "organizationInvitation.revoked",
        "organizationDomain.created",
        "session.created",
        "user.deleted"
      ])
      for (const event of events) {
        expect(event).toMatchObject({ object: "event", timestamp: 1_700_000_000_000, instance_id: "ins_fake" })
        const decoded = decodeEvent(event)
        if (Either.isLeft(decoded)) expect.fail(`${event.type} does not decode: ${decoded.left.message}`)
        expect(decoded.right.type).toBe(event.type)
      }
      expect((events.find((event) => event.type === "user.deleted")!.data as { deleted?: unknown }).deleted).toBe(true)
      yield* ClerkTest.reset
      expect(yield* ClerkTest.webhookEvents).toEqual([])
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("records the events an operation causes beside its own: revoked sessions, batch items, emails", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const user = yield* clerk.users.create({ emailAddress: ["banned@example.com"] })
      const first = yield* clerk.sessions.create({ userId: user.id })
      const second = yield* clerk.sessions.create({ userId: user.id })
      const organization = yield* clerk.organizations.create({ name: "Side Effects" })
      const before = (yield* ClerkTest.webhookEvents).length

      yield* clerk.users.ban({ userId: user.id })
      yield* clerk.organizationInvitations.bulkCreate({
        organizationId: organization.id,
        invitations: [{ emailAddress: "one@example.com", role: "org:member" }, {
          emailAddress: "two@example.com",
          role: "org:admin"
        }]
      })
      yield* clerk.invitations.create({ emailAddress: "told@example.com" })
      yield* clerk.invitations.create({ emailAddress: "quiet@example.com", notify: false })

      const events = (yield* ClerkTest.webhookEvents).slice(before)
      expect(events.map((event) => event.type)).toEqual([
        "user.updated",
        "session.revoked",
        "session.revoked",
        "organizationInvitation.created",
        "email.created",
        "organizationInvitation.created",
        "email.created",
        "email.created"
      ])
      for (const event of events) {
        const decoded = decodeEvent(event)
        if (Either.isLeft(decoded)) expect.fail(`${event.type} does not decode: ${decoded.left.message}`)
        expect(decoded.right.type).toBe(event.type)
      }
      const revoked = events.filter((event) => event.type === "session.revoked").map((event) => event.data)
      expect(revoked).toMatchObject([
        { id: first.id, status: "revoked", user: { id: user.id } },
        { id: second.id, status: "revoked" }
      ])
      const emails = events.filter((event) => event.type === "email.created").map((event) => event.data)
      expect(emails).toMatchObject([
        { object: "email", slug: "organization_invitation", to_email_address: "one@example.com" },
        { slug: "organization_invitation", to_email_address: "two@example.com" },
        { slug: "invitation", to_email_address: "told@example.com", delivered_by_clerk: true }
      ])
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("emitWebhookEvent records a test's own event (session.ended), streamed and decodable", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      const clerk = yield* ClerkBackend
      const user = yield* clerk.users.create({ emailAddress: ["ended@example.com"] })
      const session = yield* clerk.sessions.create({ userId: user.id })
      const reader = yield* Effect.fork(Stream.runCollect(Stream.take(ClerkTest.webhookEventStream, 1)))
      // A call through the fake gives the reader's subscription time to start, as in the test below.
      yield* Effect.yieldNow()
      yield* clerk.users.get({ userId: user.id })
      const recorded = yield* ClerkTest.emitWebhookEvent({
        type: "session.ended",
        data: { ...session, status: "ended", user } as never
      })
      expect(recorded).toMatchObject({
        object: "event",
        type: "session.ended",
        timestamp: 1_700_000_000_000,
        instance_id: "ins_fake",
        data: { id: session.id, status: "ended", user_id: user.id }
      })
      expect(Chunk.toReadonlyArray(yield* Fiber.join(reader))).toEqual([recorded])
      const decoded = decodeEvent(recorded)
      expect(Either.isRight(decoded) && decoded.right.type).toBe("session.ended")
      expect((yield* ClerkTest.webhookEvents).at(-1)).toEqual(recorded)
      // Data its event schema cannot encode is refused, and nothing is recorded.
      const refused = yield* Effect.flip(
        ClerkTest.emitWebhookEvent({ type: "session.ended", data: { id: 42 } as never })
      )
      expect(refused).toMatchObject({ _tag: "ClerkTestError", operation: "emitWebhookEvent" })
      expect((yield* ClerkTest.webhookEvents).at(-1)).toEqual(recorded)
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("streams the events as they happen to a reader that started before them", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const reader = yield* Effect.fork(Stream.runCollect(Stream.take(ClerkTest.webhookEventStream, 3)))
      yield* Effect.yieldNow()
      const user = yield* clerk.users.create({ emailAddress: ["stream@example.com"] })
      yield* clerk.users.update({ userId: user.id, firstName: "Streamed" })
      yield* clerk.users.delete({ userId: user.id })
      const events = Chunk.toReadonlyArray(yield* Fiber.join(reader))
      expect(events.map((event) => event.type)).toEqual(["user.created", "user.updated", "user.deleted"])
      expect((events[1]!.data as { first_name?: unknown }).first_name).toBe("Streamed")
    }).pipe(Effect.provide(ClerkTest.layer)))
})
