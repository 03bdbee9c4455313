/**
 * The Effect 4 line's in-memory Clerk: the shared fake behind the Effect 4 `ClerkBackend`, with Effect 4
 * handlers, faults, scripts, recorded calls, seeding, reset, minted tokens and the 127.0.0.1 server.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/testing/TestClock"
import * as Jose from "jose"
import { describe, expect, it } from "vitest"
import { sharedKeys } from "../../src/internal/fake/instance.js"
import { makeEngine as makeEngine3 } from "../../src/internal/fake/wire.js"
import { ClerkBackend } from "../../src/v4/ClerkBackend.js"
import type { ClerkClient } from "../../src/v4/ClerkClient.js"
import { ClerkConfig } from "../../src/v4/ClerkConfig.js"
import { ClerkRetryPolicy } from "../../src/v4/ClerkRetryPolicy.js"
import * as ClerkTestModule from "../../src/v4/ClerkTest.js"
import { ClerkTest } from "../../src/v4/ClerkTest.js"
import { ClerkWebhooks } from "../../src/v4/ClerkWebhooks.js"
import { generateSigningSecret } from "../../src/v4/ClerkWebhooksTesting.js"
import * as Schemas from "../../src/v4/generated/Schemas.js"
import * as WebhookEvents from "../../src/v4/generated/WebhookEvents.js"
import { wireUser } from "../support/Fixtures.js"
import { serveWebHandler } from "../support/PlainServer.js"

const aUser = (id: string): Schemas.User => Schema.decodeUnknownSync(Schemas.User)(wireUser({ id }))

type Fake = ClerkTest | ClerkBackend | ClerkClient

const runFake = <A, E>(
  effect: Effect.Effect<A, E, Fake>,
  // Strict, so an operation without state of its own answers 501 and the tests below can name one.
  fake: Layer.Layer<Fake, unknown> = ClerkTest.layerWith({ strict: true }),
  options: { readonly testClock?: boolean } = {}
): Promise<A> => {
  const provided = Effect.provide(effect, Layer.orDie(fake))
  // On TestClock, layer and program alike: ids carry their creation second, so a seeding and a reset that fell
  // on either side of a second would give different ids.
  return Effect.runPromise(options.testClock === true ? provided.pipe(Effect.provide(TestClock.layer())) : provided)
}

const authorized = (url: string, init: RequestInit = {}) =>
  new Request(url, {
    ...init,
    headers: { authorization: "Bearer sk_test_x", ...(init.headers as Record<string, string> | undefined) }
  })

describe("ClerkTest (Effect 4)", () => {
  it("creates, reads, lists, updates and deletes users through the Effect 4 ClerkBackend", async () => {
    const result = await runFake(Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const created = yield* clerk.users.create({
        emailAddress: ["ada@example.com"],
        firstName: "Ada",
        publicMetadata: { plan: "pro" }
      })
      const fetched = yield* clerk.users.get({ userId: created.id })
      const updated = yield* clerk.users.update({ userId: created.id, lastName: "Lovelace" })
      const listed = yield* clerk.users.list({ emailAddress: ["ada@example.com"] })
      const count = yield* clerk.users.count()
      const deleted = yield* clerk.users.delete({ userId: created.id })
      const gone = yield* Effect.flip(clerk.users.get({ userId: created.id }))
      return { created, fetched, updated, listed, count, deleted, gone }
    }))
    expect(result.created.id).toMatch(/^user_/)
    expect(result.fetched.emailAddresses[0]?.emailAddress).toBe("ada@example.com")
    expect(result.fetched.publicMetadata).toEqual({ plan: "pro" })
    expect(result.updated.lastName).toBe("Lovelace")
    expect(result.listed.map((user) => user.id)).toEqual([result.created.id])
    expect(result.count.totalCount).toBe(1)
    expect(result.deleted.deleted).toBe(true)
    expect(result.gone._tag).toBe("ClerkNotFound")
  })

  it("inside a program that already has a real ClerkBackend, ClerkTest.layer still answers from the fake", async () => {
    // Effect 4 reuses a layer an enclosing `provide` built: the fake must not pick up the program's client.
    const email = await Effect.runPromise(
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const created = yield* clerk.users.create({ emailAddress: ["nested@example.com"] })
        return (yield* clerk.users.get({ userId: created.id })).emailAddresses[0]?.emailAddress
      }).pipe(
        Effect.provide(ClerkTest.layer),
        Effect.provide(ClerkBackend.layer),
        Effect.provide(
          ClerkConfig.layer({ secretKey: Redacted.make("sk_test_outer"), apiUrl: "http://127.0.0.1:9/v1" })
        ),
        Effect.provide(FetchHttpClient.layer)
      )
    )
    expect(email).toBe("nested@example.com")
  })

  it("records the webhook events its state changes cause, which decode with the Effect 4 event schemas", async () => {
    const events = await runFake(Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const user = yield* clerk.users.create({ emailAddress: ["events.v4@example.com"] })
      const organization = yield* clerk.organizations.create({ name: "Events v4" })
      yield* clerk.organizationMemberships.create({
        organizationId: organization.id,
        userId: user.id,
        role: "org:admin"
      })
      yield* clerk.sessions.create({ userId: user.id })
      yield* clerk.users.delete({ userId: user.id })
      return yield* ClerkTest.webhookEvents
    }))
    expect(events.map((event) => event.type)).toEqual([
      "user.created",
      "organization.created",
      "organizationMembership.created",
      "session.created",
      "user.deleted"
    ])
    for (const event of events) {
      const decoded = Schema.decodeUnknownExit(WebhookEvents.ClerkWebhookEvent)(event)
      if (Exit.isFailure(decoded)) expect.fail(`${event.type} does not decode: ${String(decoded.cause)}`)
      expect(decoded.value.type).toBe(event.type)
    }
  })

  it("records the events an operation causes beside its own, and a test's own through emitWebhookEvent", async () => {
    const { emitted, events, refused } = await runFake(Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const user = yield* clerk.users.create({ emailAddress: ["side.v4@example.com"] })
      const session = yield* clerk.sessions.create({ userId: user.id })
      yield* clerk.users.ban({ userId: user.id })
      yield* clerk.invitations.create({ emailAddress: "told.v4@example.com" })
      const emitted = yield* ClerkTest.emitWebhookEvent({
        type: "session.removed",
        data: { ...session, status: "removed", user } as never
      })
      const refused = yield* Effect.flip(ClerkTest.emitWebhookEvent({ type: "session.removed", data: {} as never }))
      return { emitted, events: yield* ClerkTest.webhookEvents, refused }
    }))
    expect(events.map((event) => event.type)).toEqual([
      "user.created",
      "session.created",
      "user.updated",
      "session.revoked",
      "email.created",
      "session.removed"
    ])
    expect(events.at(-1)).toEqual(emitted)
    for (const event of events) {
      const decoded = Schema.decodeUnknownExit(WebhookEvents.ClerkWebhookEvent)(event)
      if (Exit.isFailure(decoded)) expect.fail(`${event.type} does not decode: ${String(decoded.cause)}`)
      expect(decoded.value.type).toBe(event.type)
    }
    expect(refused).toMatchObject({ _tag: "ClerkTestError", operation: "emitWebhookEvent" })
  })

  it("streams its webhook events as they happen", async () => {
    const types = await runFake(Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const reader = yield* Effect.forkChild(Stream.runCollect(Stream.take(ClerkTest.webhookEventStream, 2)))
      yield* Effect.yieldNow
      const user = yield* clerk.users.create({ emailAddress: ["stream.v4@example.com"] })
      yield* clerk.users.delete({ userId: user.id })
      return (yield* Fiber.join(reader)).map((event) => event.type)
    }))
    expect(types).toEqual(["user.created", "user.deleted"])
  })

  it("delivers its events over HTTP, signed so that the Effect 4 ClerkWebhooks.verify accepts them", async () => {
    const secret = generateSigningSecret()
    const verified: Array<string> = []
    const server = await serveWebHandler(async (request) => {
      const status = await Effect.runPromise(
        Effect.flatMap(ClerkWebhooks, (webhooks) => webhooks.verify(request)).pipe(
          Effect.provide(ClerkWebhooks.layer({ signingSecret: Redacted.make(secret) })),
          Effect.match({ onFailure: () => 400, onSuccess: (event) => (verified.push(event.type), 200) })
        )
      )
      return new Response(null, { status })
    })
    try {
      const url = `${server.url}/hooks`
      const deliveries = await runFake(
        Effect.gen(function*() {
          yield* (yield* ClerkBackend).users.create({ emailAddress: ["hook.v4@example.com"] })
          for (let i = 0; i < 100; i++) {
            const all = yield* ClerkTest.webhookDeliveries
            if (all.length > 0 && all.every((d) => d.outcome !== "pending")) return all
            yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))
          }
          return yield* ClerkTest.webhookDeliveries
        }),
        ClerkTest.layerWith({ webhooks: { url, signingSecret: secret } })
      )
      expect(deliveries.map((d) => [d.type, d.outcome, d.attempts.map((a) => a.status)])).toEqual([
        ["user.created", "delivered", [200]]
      ])
      expect(verified).toEqual(["user.created"])
    } finally {
      await server.close()
    }
  })

  it("answers the typed errors: a taken email is ClerkUnprocessable, an unknown operation a 501", async () => {
    const result = await runFake(Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* clerk.users.create({ emailAddress: ["taken@example.com"] })
      const duplicate = yield* Effect.flip(clerk.users.create({ emailAddress: ["taken@example.com"] }))
      const unimplemented = yield* Effect.flip(clerk.billing.listPlans())
      return { duplicate, unimplemented, calls: yield* ClerkTest.calls }
    }))
    expect(result.duplicate._tag).toBe("ClerkUnprocessable")
    if (result.duplicate._tag === "ClerkUnprocessable") {
      expect(result.duplicate.errors[0]?.code).toBe("form_identifier_exists")
    }
    expect(result.unimplemented._tag).toBe("ClerkServerError")
    expect(result.unimplemented.message).toContain(`ClerkTest.handle("billing.listPlans"`)
    expect(result.calls.map((call) => [call.operation, call.status])).toEqual([
      ["users.create", 200],
      ["users.create", 422],
      ["billing.listPlans", 501]
    ])
  })

  it("keeps organizations and memberships, seeded and created", async () => {
    const result = await runFake(
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const seeded = yield* clerk.organizations.get({ organizationId: "org_seeded", includeMembersCount: true })
        const members = yield* clerk.organizationMemberships.list({ organizationId: "org_seeded" })
        const created = yield* clerk.organizations.create({ name: "Second Org", createdBy: "user_grace" })
        const added = yield* clerk.organizationMemberships.create({
          organizationId: created.id,
          userId: "user_ada",
          role: "org:member"
        })
        const memberships = yield* clerk.users.getOrganizationMemberships({ userId: "user_ada" })
        return { seeded, members, created, added, memberships }
      }),
      ClerkTest.layerWith({
        users: [{ id: "user_ada", emailAddress: ["ada@example.com"] }, {
          id: "user_grace",
          emailAddress: ["grace@example.com"]
        }],
        organizations: [{ id: "org_seeded", name: "Seeded", members: [{ userId: "user_ada", role: "org:admin" }] }]
      })
    )
    expect(result.seeded.name).toBe("Seeded")
    expect(result.seeded.membersCount).toBe(1)
    expect(result.members.data.map((m) => [m.publicUserData?.userId, m.role])).toEqual([["user_ada", "org:admin"]])
    expect(result.created.slug).toBe("second-org")
    expect(result.added.organization.id).toBe(result.created.id)
    expect(result.memberships.data.map((m) => m.organization.id).sort()).toEqual(
      ["org_seeded", result.created.id].sort()
    )
  })

  it("refuses a seed the API would refuse, with ClerkTestSeedError", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.provide(
        ClerkTest.calls,
        ClerkTest.layerWith({ users: [{ emailAddress: ["same@example.com"] }, { emailAddress: ["same@example.com"] }] })
      )
    )
    expect(Exit.isFailure(exit)).toBe(true)
    const error = Exit.isFailure(exit) ? Option.getOrUndefined(Exit.findErrorOption(exit)) : undefined
    expect(error?._tag).toBe("ClerkTestSeedError")
    expect(error?.operation).toBe("users.create")
    expect(error?.status).toBe(422)
  })

  it("seeds other resources through their operations (layerWith resources), with chosen ids, again on reset", async () => {
    const fake = ClerkTest.layerWith({
      organizations: [{ id: "org_acme", name: "Acme" }],
      resources: {
        "redirectUrls.create": [{ url: "https://one.example.com/cb", id: "ru_chosen" }],
        "organizationDomains.create": [{ organizationId: "org_acme", name: "acme.example.com" }]
      }
    })
    const result = await runFake(
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const before = (yield* clerk.redirectUrls.get({ id: "ru_chosen" })).url
        yield* clerk.redirectUrls.delete({ id: "ru_chosen" })
        yield* ClerkTest.reset
        const domains = yield* clerk.organizationDomains.list({ organizationId: "org_acme" })
        return { before, after: (yield* clerk.redirectUrls.list()).map((u) => u.id), domains: domains.data.length }
      }),
      fake
    )
    expect(result).toEqual({ before: "https://one.example.com/cb", after: ["ru_chosen"], domains: 1 })
    const exit = await Effect.runPromiseExit(
      Effect.provide(
        ClerkTest.calls,
        ClerkTest.layerWith({ resources: { "waitlistEntries.create": [{ emailAddress: "nope" }] } })
      )
    )
    const error = Exit.isFailure(exit) ? Option.getOrUndefined(Exit.findErrorOption(exit)) : undefined
    expect(error).toMatchObject({ _tag: "ClerkTestSeedError", operation: "waitlistEntries.create", status: 422 })
  })

  it("a handler (an Effect 4 effect) replaces an operation and sees decoded params; unhandle restores it", async () => {
    const seen: Array<unknown> = []
    const result = await runFake(Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* ClerkTest.handle("users.list", (params) =>
        Effect.sync(() => {
          seen.push(params)
          return [aUser("user_listed")]
        }))
      yield* ClerkTest.handle("users.get", (params, request) =>
        Effect.sync(() => {
          seen.push({ userId: params.userId, path: request.path, operation: request.operation })
          return aUser(params.userId)
        }))
      const listed = yield* clerk.users.list({ limit: 7, banned: false, emailAddress: ["a@x.test", "b@x.test"] })
      const user = yield* clerk.users.get({ userId: "user_a/b" })
      yield* ClerkTest.handle("billing.listPlans", () => Effect.succeed({ data: [], totalCount: 0 }))
      const domains = yield* clerk.billing.listPlans()
      yield* ClerkTest.unhandle("billing.listPlans")
      const again = yield* Effect.flip(clerk.billing.listPlans())
      return { listed, user, domains, again }
    }))
    expect(seen).toEqual([
      { limit: 7, banned: false, emailAddress: ["a@x.test", "b@x.test"] },
      { userId: "user_a/b", path: "/users/user_a%2Fb", operation: "users.get" }
    ])
    expect(result.listed.map((user) => user.id)).toEqual(["user_listed"])
    expect(result.user.id).toBe("user_a/b")
    expect(result.domains.totalCount).toBe(0)
    expect(result.again._tag).toBe("ClerkServerError")
  })

  it("handlers from layerWith are installed from the start; a handler's Clerk error arrives typed", async () => {
    const error = await runFake(
      Effect.flatMap(ClerkBackend, (clerk) => Effect.flip(clerk.users.get({ userId: "user_1" }))),
      ClerkTest.layerWith({
        handlers: {
          "users.get": () => Effect.fail(ClerkTest.error(400, { code: "request_invalid", message: "bad" }))
        }
      })
    )
    expect(error._tag).toBe("ClerkBadRequest")
    if (error._tag === "ClerkBadRequest") {
      expect(error.errors[0]?.code).toBe("request_invalid")
      expect(error.clerkTraceId).toMatch(/^fake_trace_/)
    }
  })

  it("a handler answer its schema refuses is a defect naming the operation", async () => {
    const exit = await Effect.runPromiseExit(Effect.provide(
      Effect.gen(function*() {
        yield* ClerkTest.handle("users.get", () => Effect.succeed({ id: 5 } as unknown as Schemas.User))
        return yield* (yield* ClerkBackend).users.get({ userId: "user_1" })
      }),
      ClerkTest.layer
    ))
    expect(Exit.isFailure(exit) && String(exit.cause)).toContain("the answer of users.get does not match its schema")
  })

  it("a scripted 429 is retried by ClerkRetryPolicy after its Retry-After, then the request passes", async () => {
    const result = await Effect.runPromise(
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        yield* ClerkTest.handle("users.get", (params) => Effect.succeed(aUser(params.userId)))
        yield* ClerkTest.script("users.get", [ClerkTest.rateLimited("3 seconds"), ClerkTest.serverError(503)])
        const fiber = yield* Effect.forkChild(clerk.users.get({ userId: "user_1" }))
        yield* TestClock.adjust("2999 millis")
        const early = fiber.pollUnsafe()
        yield* TestClock.adjust("1 millis")
        yield* TestClock.adjust("10 seconds")
        const user = yield* Fiber.join(fiber)
        return { early, user, statuses: (yield* ClerkTest.calls).map((call) => call.status) }
      }).pipe(Effect.provide(ClerkTest.layer), Effect.provide(TestClock.layer()))
    )
    expect(result.early).toBeUndefined()
    expect(result.user.id).toBe("user_1")
    expect(result.statuses).toEqual([429, 503, 200])
  })

  it("\"pass\" lets one request through, \"*\" scripts any operation; failure rates of 1 and 0", async () => {
    const result = await runFake(
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        yield* ClerkTest.handle("users.get", (params) => Effect.succeed(aUser(params.userId)))
        yield* ClerkTest.script("*", ["pass", ClerkTest.error(404, { code: "resource_not_found", message: "gone" })])
        const first = (yield* clerk.users.get({ userId: "user_1" })).id
        const second = (yield* Effect.flip(clerk.users.get({ userId: "user_1" })))._tag
        yield* ClerkTest.faults({
          failureRate: 1,
          failure: ClerkTest.error(400, { code: "injected", message: "injected" }),
          operations: ["users.get"]
        })
        const injected = (yield* Effect.flip(clerk.users.get({ userId: "user_1" })))._tag
        const other = (yield* Effect.flip(clerk.billing.listPlans())).message
        yield* ClerkTest.faults({ failureRate: 0 })
        const healed = (yield* clerk.users.get({ userId: "user_1" })).id
        return { first, second, injected, other, healed }
      }),
      ClerkTest.layerWith({ strict: true }).pipe(
        Layer.provideMerge(Layer.succeed(ClerkRetryPolicy, ClerkRetryPolicy.none))
      )
    )
    expect(result).toEqual({
      first: "user_1",
      second: "ClerkNotFound",
      injected: "ClerkBadRequest",
      other: expect.stringContaining("501"),
      healed: "user_1"
    })
  })

  it("latency delays every answer on Effect 4's clock", async () => {
    const result = await Effect.runPromise(
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        yield* ClerkTest.handle("users.get", (params) => Effect.succeed(aUser(params.userId)))
        yield* ClerkTest.faults({ latency: "250 millis" })
        const fiber = yield* Effect.forkChild(clerk.users.get({ userId: "user_1" }))
        yield* TestClock.adjust("249 millis")
        const early = fiber.pollUnsafe()
        yield* TestClock.adjust("1 millis")
        return { early, user: yield* Fiber.join(fiber) }
      }).pipe(Effect.provide(ClerkTest.layer), Effect.provide(TestClock.layer()))
    )
    expect(result.early).toBeUndefined()
    expect(result.user.id).toBe("user_1")
  })

  it("records each request's decoded params, also when a script answers it", async () => {
    const calls = await runFake(Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* ClerkTest.script("users.create", [ClerkTest.serverError(400)])
      yield* Effect.exit(clerk.users.create({ emailAddress: ["a@example.com"], publicMetadata: { plan: "pro" } }))
      yield* clerk.users.list({ limit: 5, emailAddress: ["a@example.com"] })
      return yield* ClerkTest.calls
    }))
    expect(calls.map((call) => [call.operation, call.method, call.path, call.status, call.params])).toEqual([
      ["users.create", "POST", "/users", 400, { emailAddress: ["a@example.com"], publicMetadata: { plan: "pro" } }],
      ["users.list", "GET", "/users", 200, { limit: 5, emailAddress: ["a@example.com"] }]
    ])
  })

  it("reset returns to the seeded state with the same ids, and drops handlers, scripts and calls", async () => {
    const result = await runFake(
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const seededIds = (yield* clerk.users.list()).map((user) => user.id)
        yield* clerk.users.create({ emailAddress: ["extra@example.com"] })
        yield* clerk.users.delete({ userId: "user_ada" })
        yield* ClerkTest.handle("billing.listPlans", () => Effect.succeed({ data: [], totalCount: 0 }))
        yield* ClerkTest.script("users.get", [ClerkTest.serverError(400)])
        yield* ClerkTest.reset
        const calls = yield* ClerkTest.calls
        const idsAfter = (yield* clerk.users.list()).map((user) => user.id)
        const ada = yield* clerk.users.get({ userId: "user_ada" })
        const domains = yield* Effect.flip(clerk.billing.listPlans())
        const extra = yield* clerk.users.create({ emailAddress: ["extra@example.com"] })
        return { seededIds, calls, idsAfter, ada, domains, extra }
      }),
      ClerkTest.layerWith({
        strict: true,
        users: [{ id: "user_ada", emailAddress: ["ada@example.com"] }, { emailAddress: ["grace@example.com"] }]
      }),
      { testClock: true }
    )
    expect(result.calls).toEqual([])
    expect(result.idsAfter).toEqual(result.seededIds)
    expect(result.seededIds).toContain("user_ada")
    expect(result.ada.emailAddresses[0]?.emailAddress).toBe("ada@example.com")
    expect(result.domains.message).toContain("501")
    expect(result.extra.id).toMatch(/^user_/)
  })

  it("runs the Effect 3 line's fake: the same seed gives the same ids on both lines", async () => {
    const seeds: ClerkTestModule.ClerkTestOptions = {
      seed: 7,
      users: [{ emailAddress: ["one@example.com"] }, { emailAddress: ["two@example.com"] }]
    }
    const [now, ids4] = await Effect.runPromise(
      Effect.gen(function*() {
        const users = yield* (yield* ClerkBackend).users.list({ orderBy: "+created_at" })
        return [yield* Clock.currentTimeMillis, users.map((user) => user.id)] as const
      }).pipe(Effect.provide(Layer.orDie(ClerkTest.layerWith(seeds))), Effect.provide(TestClock.layer()))
    )
    // The Effect 3 line's instance, its seeding program run by hand at the same time.
    const engine3 = makeEngine3(await sharedKeys(), { seed: seeds.seed, users: seeds.users })
    const program = engine3.start()
    let next = program.next()
    while (!next.done) {
      expect(next.value._tag).toBe("Now")
      next = program.next(now)
    }
    expect(next.value).toBeUndefined()
    expect(ids4).toHaveLength(2)
    expect([...engine3.store.users.keys()]).toEqual(ids4)
  })

  it("lists all seeded users and organizations as streams, across pages", async () => {
    const users = Array.from({ length: 23 }, (_, i) => ({ emailAddress: [`user${i}@example.com`] }))
    const result = await runFake(
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const all = yield* Stream.runCollect(clerk.users.listAll({}, { pageSize: 5 }))
        const organizations = yield* Stream.runCollect(clerk.organizations.listAll({}, { pageSize: 2 }))
        return { all, organizations, calls: yield* ClerkTest.calls }
      }),
      ClerkTest.layerWith({
        users,
        organizations: [{ name: "One" }, { name: "Two" }, { name: "Three" }]
      })
    )
    expect(result.all.map((user) => user.emailAddresses[0]?.emailAddress).sort()).toEqual(
      users.map((user) => user.emailAddress[0]).sort()
    )
    expect(new Set(result.all.map((user) => user.id)).size).toBe(23)
    expect(result.organizations.map((organization) => organization.name).sort()).toEqual(["One", "Three", "Two"])
    expect(result.calls.filter((call) => call.operation === "users.list").length).toBeGreaterThanOrEqual(5)
  })

  it("mints a session token for a user, signed with the fake's JWKS keys", async () => {
    const result = await runFake(
      Effect.gen(function*() {
        const minted = yield* ClerkTest.mintSessionToken("user_ada", { claims: { role: "tester" } })
        const clerk = yield* ClerkBackend
        const session = yield* clerk.sessions.get({ sessionId: minted.sessionId })
        const jwks = yield* clerk.jwks.getJWKS()
        const missing = yield* Effect.flip(ClerkTest.mintSessionToken("user_missing"))
        return { minted, session, jwks, missing }
      }),
      ClerkTest.layerWith({ users: [{ id: "user_ada", emailAddress: ["ada@example.com"] }] })
    )
    expect(result.session.userId).toBe("user_ada")
    const keySet = Jose.createLocalJWKSet({ keys: result.jwks.keys as Array<Jose.JWK> })
    const { payload } = await Jose.jwtVerify(result.minted.token, keySet)
    expect(payload.sub).toBe("user_ada")
    expect(payload.sid).toBe(result.minted.sessionId)
    expect(payload.role).toBe("tester")
    expect(result.missing._tag).toBe("ClerkTestError")
    expect(result.missing.status).toBe(404)
  })

  it("answers web requests: 401 without a key, 404 for unknown paths, 400 for bad JSON, 422 naming the param", async () => {
    const statuses = await runFake(Effect.gen(function*() {
      const fake = yield* ClerkTest
      const none = yield* fake.fetch(new Request("https://api.clerk.test/v1/users"))
      const unknown = yield* fake.fetch(authorized("https://api.clerk.test/v1/nope/nothing"))
      const badJson = yield* fake.fetch(authorized("https://api.clerk.test/v1/users", {
        method: "POST",
        body: "{not json",
        headers: { "content-type": "application/json" }
      }))
      const badLimit = yield* fake.fetch(authorized("https://api.clerk.test/v1/users?limit=lots"))
      const missing = yield* fake.fetch(authorized("https://api.clerk.test/v1/users/ban", {
        method: "POST",
        body: "{}",
        headers: { "content-type": "application/json" }
      }))
      const read = (response: Response) =>
        Effect.promise(() => response.json() as Promise<{ errors: Array<{ code: string; meta?: any }> }>)
      return {
        none: none.status,
        unknown: unknown.status,
        badJson: [badJson.status, (yield* read(badJson)).errors[0]?.code],
        badLimit: [badLimit.status, (yield* read(badLimit)).errors[0]?.meta?.param_name],
        missing: [missing.status, (yield* read(missing)).errors[0]?.code]
      }
    }))
    expect(statuses).toEqual({
      none: 401,
      unknown: 404,
      badJson: [400, "malformed_request"],
      badLimit: [422, "limit"],
      missing: [422, "form_param_missing"]
    })
  })

  it("httpApp answers Effect 4 server requests from the instance in context", async () => {
    const result = await runFake(Effect.gen(function*() {
      yield* ClerkTest.handle("users.get", (params) => Effect.succeed(aUser(params.userId)))
      const answer = (request: Request) =>
        Effect.map(
          Effect.provideService(
            ClerkTest.httpApp,
            HttpServerRequest.HttpServerRequest,
            HttpServerRequest.fromWeb(request)
          ),
          (response) => HttpServerResponse.toWeb(response)
        )
      const found = yield* answer(authorized("http://127.0.0.1/v1/users/user_app"))
      const body = (yield* Effect.promise(() => found.json())) as { id: string }
      const unauthorized = yield* answer(new Request("http://127.0.0.1/v1/users/user_app"))
      return { found: found.status, id: body.id, unauthorized: unauthorized.status }
    }))
    expect(result).toEqual({ found: 200, id: "user_app", unauthorized: 401 })
  })

  it("serve listens on 127.0.0.1 for a v4 ClerkBackend over FetchHttpClient, until the scope closes", async () => {
    const result = await runFake(Effect.gen(function*() {
      const served = yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* ClerkTest.serve()
        const overHttp = ClerkBackend.layer.pipe(
          Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_x"), apiUrl: server.apiUrl })),
          Layer.provide(FetchHttpClient.layer)
        )
        const created = yield* Effect.provide(
          Effect.flatMap(ClerkBackend, (clerk) => clerk.users.create({ emailAddress: ["http@example.com"] })),
          overHttp
        )
        // The same instance answers in-process.
        const seen = yield* (yield* ClerkBackend).users.get({ userId: created.id })
        const missing = yield* Effect.promise(() =>
          fetch(`${server.apiUrl}/billing/plans`, { headers: { authorization: "Bearer k" } })
        )
        return { apiUrl: server.apiUrl, email: seen.emailAddresses[0]?.emailAddress, missing: missing.status }
      }))
      const closed = yield* Effect.promise(() => fetch(`${served.apiUrl}/users`).then(() => "open", () => "closed"))
      return { ...served, closed }
    }))
    expect(result.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
    expect(result.email).toBe("http@example.com")
    expect(result.missing).toBe(501)
    expect(result.closed).toBe("closed")
  })

  it("concurrent creates of one email see one consistent store: exactly one wins", async () => {
    const outcomes = await runFake(Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const exits = yield* Effect.forEach(
        Array.from({ length: 30 }, (_, i) => i),
        (i) => Effect.exit(clerk.users.create({ emailAddress: ["race@example.com"], firstName: `n${i}` })),
        { concurrency: "unbounded" }
      )
      return { won: exits.filter(Exit.isSuccess).length, total: (yield* clerk.users.count()).totalCount }
    }))
    expect(outcomes).toEqual({ won: 1, total: 1 })
  })

  it("exports the module-level functions beside the class", () => {
    expect(ClerkTestModule.layer).toBe(ClerkTest.layer)
    expect(ClerkTestModule.handle).toBe(ClerkTest.handle)
    expect(ClerkTestModule.isReply(ClerkTestModule.rateLimited("2 seconds"))).toBe(true)
    expect(ClerkTestModule.rateLimited("2 seconds").headers["retry-after"]).toBe("2")
    expect(ClerkTestModule.serverError(503).status).toBe(503)
    expect(ClerkTestModule.isReply({ status: 200 })).toBe(false)
  })
})

// Never run: each marked line must fail to compile, which shows handlers are typed by operation name.
export const handlersAreTyped = () => [
  ClerkTest.handle("users.get", (params) => Effect.succeed(aUser(params.userId))),
  // @ts-expect-error users.get takes a userId, not an organizationId
  ClerkTest.handle("users.get", (params) => Effect.succeed(aUser(params.organizationId))),
  // @ts-expect-error users.get answers a User, not a page of organizations
  ClerkTest.handle("users.get", () => Effect.succeed({ data: [], totalCount: 0 })),
  // @ts-expect-error not an operation name
  ClerkTest.handle("users.fetch", () => Effect.succeed(ClerkTest.reply(200))),
  ClerkTest.handle("billing.listPlans", () => Effect.succeed(ClerkTest.rateLimited("2 seconds")))
]
