import { createClerkClient } from "@clerk/backend"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { generateKeys } from "../src/ClerkAuthTesting.js"
import { ClerkBackend } from "../src/ClerkBackend.js"
import { ClerkConfig } from "../src/ClerkConfig.js"
import { ClerkRetryPolicy } from "../src/ClerkRetryPolicy.js"
import { ClerkTest } from "../src/ClerkTest.js"
import { operations } from "../src/generated/Operations.js"
import * as Schemas from "../src/generated/Schemas.js"
import { wireUser } from "./support/Fixtures.js"

const aUser = (id: string): Schemas.User => Schema.decodeUnknownSync(Schemas.User)(wireUser({ id }))

const fetchFake = (request: Request) => Effect.flatMap(ClerkTest, (fake) => fake.fetch(request))

const authorized = (url: string, init: RequestInit = {}) =>
  new Request(url, {
    ...init,
    headers: { authorization: "Bearer sk_test_x", ...(init.headers as Record<string, string> | undefined) }
  })

describe("ClerkTest engine", () => {
  it.effect("strict: an operation the fake keeps no state for answers 501 naming it, once (not retried)", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const error = yield* Effect.flip(clerk.billing.listPlans())
      expect(error._tag).toBe("ClerkServerError")
      if (error._tag !== "ClerkServerError") return
      expect(error.status).toBe(501)
      expect(error.errors[0]?.code).toBe("operation_not_implemented")
      expect(error.message).toContain("billing.listPlans")
      expect(error.message).toContain(`ClerkTest.handle("billing.listPlans"`)
      const calls = yield* ClerkTest.calls
      expect(calls.map((call) => call.operation)).toEqual(["billing.listPlans"])
    }).pipe(Effect.provide(ClerkTest.layerWith({ strict: true }))))

  it.effect("by default, an operation the fake keeps no state for answers a valid value, the same for the same seed", () =>
    Effect.gen(function*() {
      const answers = (seed: number) =>
        Effect.gen(function*() {
          const clerk = yield* ClerkBackend
          const first = yield* clerk.billing.listPlans()
          const second = yield* clerk.billing.listPlans()
          const settings = yield* clerk.instanceSettings.getProtect()
          return { first, second, settings }
        }).pipe(Effect.provide(ClerkTest.layerWith({ seed })))
      const one = yield* answers(7)
      const again = yield* answers(7)
      const other = yield* answers(8)
      // Decoded by the client's own schemas, so each is a valid value of its operation's success schema.
      expect(Array.isArray(one.first.data)).toBe(true)
      expect(one.settings.object).toBeDefined()
      expect(again).toEqual(one)
      expect([other.first, other.second]).not.toEqual([one.first, one.second])
      const calls = yield* Effect.provide(
        Effect.zipRight(Effect.flatMap(ClerkBackend, (clerk) => clerk.billing.listPlans()), ClerkTest.calls),
        ClerkTest.layer
      )
      expect(calls.map((call) => [call.operation, call.status])).toEqual([["billing.listPlans", 200]])
    }))

  it.effect("a typed handler replaces an operation; unhandle restores the built-in answer", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* ClerkTest.handle("billing.listPlans", () => Effect.succeed({ data: [], totalCount: 0 }))
      const page = yield* clerk.billing.listPlans()
      expect(page.totalCount).toBe(0)
      yield* ClerkTest.unhandle("billing.listPlans")
      const error = yield* Effect.flip(clerk.billing.listPlans())
      expect(error._tag).toBe("ClerkServerError")
    }).pipe(Effect.provide(ClerkTest.layerWith({ strict: true }))))

  it.effect("handlers receive decoded params: path ids, and query strings coerced to numbers, booleans and arrays", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const seen: Array<unknown> = []
      yield* ClerkTest.handle("users.list", (params) =>
        Effect.sync(() => {
          seen.push(params)
          return []
        }))
      yield* ClerkTest.handle("users.get", (params, request) =>
        Effect.sync(() => {
          seen.push({ userId: params.userId, path: request.path })
          return aUser(params.userId)
        }))
      yield* clerk.users.list({
        limit: 7,
        offset: 3,
        banned: false,
        emailAddress: ["a@x.test", "b@x.test"],
        orderBy: "-created_at"
      })
      const user = yield* clerk.users.get({ userId: "user_a/b" })
      expect(seen[0]).toEqual({
        limit: 7,
        offset: 3,
        banned: false,
        emailAddress: ["a@x.test", "b@x.test"],
        orderBy: "-created_at"
      })
      expect(seen[1]).toEqual({ userId: "user_a/b", path: "/users/user_a%2Fb" })
      expect(user.id).toBe("user_a/b")
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("a handler may answer a Clerk error, which arrives as the typed error", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* ClerkTest.handle("users.get", () =>
        Effect.succeed(ClerkTest.error(400, { code: "request_invalid", message: "bad", meta: { x: 1 } })))
      const error = yield* Effect.flip(clerk.users.get({ userId: "user_1" }))
      expect(error._tag).toBe("ClerkBadRequest")
      if (error._tag === "ClerkBadRequest") {
        expect(error.errors[0]?.code).toBe("request_invalid")
        expect(error.clerkTraceId).toMatch(/^fake_trace_/)
      }
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("handlers given to layerWith are installed from the start", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const user = yield* clerk.users.get({ userId: "user_from_handler" })
      expect(user.id).toBe("user_from_handler")
    }).pipe(Effect.provide(ClerkTest.layerWith({
      handlers: { "users.get": (params) => Effect.succeed(aUser(params.userId)) }
    }))))

  it.effect("a scripted 429 is retried after its Retry-After, then the request passes", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* ClerkTest.handle("users.get", (params) => Effect.succeed(aUser(params.userId)))
      yield* ClerkTest.script("users.get", [ClerkTest.rateLimited("3 seconds"), ClerkTest.serverError(503)])
      const fiber = yield* Effect.fork(clerk.users.get({ userId: "user_1" }))
      yield* TestClock.adjust("2999 millis")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 millis")
      yield* TestClock.adjust("5 seconds")
      const user = yield* Fiber.join(fiber)
      expect(user.id).toBe("user_1")
      expect((yield* ClerkTest.calls).map((call) => call.status)).toEqual([429, 503, 200])
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("calls record each request's decoded params, also when a script answers it", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* ClerkTest.script("users.create", [ClerkTest.serverError(503)])
      yield* Effect.exit(clerk.users.create({ emailAddress: ["a@example.com"], publicMetadata: { plan: "pro" } }))
      yield* clerk.users.list({ limit: 5, emailAddress: ["a@example.com"] })
      const calls = yield* ClerkTest.calls
      expect(calls.map((call) => [call.operation, call.status, call.params])).toEqual([
        ["users.create", 503, { emailAddress: ["a@example.com"], publicMetadata: { plan: "pro" } }],
        ["users.list", 200, { limit: 5, emailAddress: ["a@example.com"] }]
      ])
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("a script step of \"pass\" lets one request through; \"*\" scripts apply to any operation", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* ClerkTest.handle("users.get", (params) => Effect.succeed(aUser(params.userId)))
      yield* ClerkTest.script("*", ["pass", ClerkTest.error(404, { code: "resource_not_found", message: "gone" })])
      expect((yield* clerk.users.get({ userId: "user_1" })).id).toBe("user_1")
      expect((yield* Effect.flip(clerk.users.get({ userId: "user_1" })))._tag).toBe("ClerkNotFound")
      expect((yield* clerk.users.get({ userId: "user_1" })).id).toBe("user_1")
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("latency delays every answer on Effect's clock", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* ClerkTest.handle("users.get", (params) => Effect.succeed(aUser(params.userId)))
      yield* ClerkTest.faults({ latency: "250 millis" })
      const fiber = yield* Effect.fork(clerk.users.get({ userId: "user_1" }))
      yield* TestClock.adjust("249 millis")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 millis")
      expect((yield* Fiber.join(fiber)).id).toBe("user_1")
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("a failure rate of 1 fails every matching request with the chosen failure; 0 none", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* ClerkTest.handle("users.get", (params) => Effect.succeed(aUser(params.userId)))
      yield* ClerkTest.faults({
        failureRate: 1,
        failure: ClerkTest.error(400, { code: "injected", message: "injected" }),
        operations: ["users.get"]
      })
      const error = yield* Effect.flip(clerk.users.get({ userId: "user_1" }))
      expect(error._tag).toBe("ClerkBadRequest")
      expect((yield* Effect.flip(clerk.billing.listPlans())).message).toContain("501")
      yield* ClerkTest.faults({ failureRate: 0 })
      expect((yield* clerk.users.get({ userId: "user_1" })).id).toBe("user_1")
    }).pipe(Effect.provide(ClerkTest.layerWith({ strict: true }))))

  it.effect("a failure rate in between fails about that share of requests", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* ClerkTest.handle("users.get", (params) => Effect.succeed(aUser(params.userId)))
      yield* ClerkTest.faults({ failureRate: 0.3 })
      const outcomes = yield* Effect.forEach(
        Array.from({ length: 400 }, (_, i) => i),
        (i) => Effect.exit(clerk.users.get({ userId: `user_${i}` })),
        { concurrency: 1 }
      )
      const failed = outcomes.filter(Exit.isFailure).length
      expect(failed).toBeGreaterThan(80)
      expect(failed).toBeLessThan(160)
    }).pipe(Effect.provide(ClerkTest.layer), Effect.provide(Layer.succeed(ClerkRetryPolicy, ClerkRetryPolicy.none))))

  it.effect("a handler answer its schema refuses is a defect naming the operation", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* ClerkTest.handle("users.get", () => Effect.succeed({ id: 5 } as unknown as Schemas.User))
      const exit = yield* Effect.exit(clerk.users.get({ userId: "user_1" }))
      expect(Exit.isFailure(exit) && String(exit.cause)).toContain("the answer of users.get does not match its schema")
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("every operation of the spec is routed to its own name", () =>
    Effect.gen(function*() {
      const fake = yield* ClerkTest
      for (const [name, call] of Object.entries(operations)) {
        const path = call.descriptor.path.replace(/\{[^}]+\}/g, "x_1")
        const response = yield* fake.fetch(
          authorized(`https://api.clerk.test/v1${path}`, { method: call.descriptor.method })
        )
        expect(response.status, name).not.toBe(404)
      }
      const calls = yield* fake.calls
      const misrouted = calls.filter((call, i) => call.operation !== Object.keys(operations)[i])
      expect(misrouted).toEqual([])
    }).pipe(Effect.provide(ClerkTest.layerWith({
      // Answer everything so routing, not behaviour, is what this test sees.
      faults: { failureRate: 1, failure: ClerkTest.reply(418) }
    }))))

  it.effect("requests without a bearer key answer 401; a configured key must match", () =>
    Effect.gen(function*() {
      const none = yield* fetchFake(new Request("https://api.clerk.test/v1/users"))
      expect(none.status).toBe(401)
      const wrong = yield* fetchFake(authorized("https://api.clerk.test/v1/users"))
      expect(wrong.status).toBe(401)
      expect(((yield* Effect.promise(() => wrong.json())) as any).errors[0].code).toBe("authentication_invalid")
      const right = yield* fetchFake(
        new Request("https://api.clerk.test/v1/billing/plans", {
          headers: { authorization: "Bearer sk_test_only_this" }
        })
      )
      expect(right.status).toBe(501)
    }).pipe(Effect.provide(ClerkTest.layerWith({ secretKey: "sk_test_only_this", strict: true }))))

  it.effect("unknown paths answer 404; bad JSON 400; a query value of the wrong type 422 with the parameter", () =>
    Effect.gen(function*() {
      const unknown = yield* fetchFake(authorized("https://api.clerk.test/v1/nope/nothing"))
      expect(unknown.status).toBe(404)
      const badJson = yield* fetchFake(authorized("https://api.clerk.test/v1/users", {
        method: "POST",
        body: "{not json",
        headers: { "content-type": "application/json" }
      }))
      expect(badJson.status).toBe(400)
      expect(((yield* Effect.promise(() => badJson.json())) as any).errors[0].code).toBe("malformed_request")
      const badLimit = yield* fetchFake(authorized("https://api.clerk.test/v1/users?limit=lots"))
      expect(badLimit.status).toBe(422)
      const body = (yield* Effect.promise(() => badLimit.json())) as any
      expect(body.errors[0].code).toBe("form_param_format_invalid")
      expect(body.errors[0].meta.param_name).toBe("limit")
      // Out of the spec's bounds, from a client that does not check them: refused by the fake with the wire name.
      const tooMany = yield* fetchFake(authorized("https://api.clerk.test/v1/users?limit=501"))
      expect(tooMany.status).toBe(422)
      expect(((yield* Effect.promise(() => tooMany.json())) as any).errors[0].meta.param_name).toBe("limit")
      const noIds = yield* fetchFake(authorized("https://api.clerk.test/v1/users/ban", {
        method: "POST",
        body: JSON.stringify({ user_ids: [] }),
        headers: { "content-type": "application/json" }
      }))
      expect(noIds.status).toBe(422)
      expect(((yield* Effect.promise(() => noIds.json())) as any).errors[0].meta.param_name).toBe("user_ids")
      const arrayBody = yield* fetchFake(authorized("https://api.clerk.test/v1/users", {
        method: "POST",
        body: "[1,2]",
        headers: { "content-type": "application/json" }
      }))
      expect(arrayBody.status).toBe(422)
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.live("serve listens on 127.0.0.1 and answers any HTTP client, until the scope closes", () =>
    Effect.gen(function*() {
      const apiUrl = yield* Effect.scoped(Effect.gen(function*() {
        const server = yield* ClerkTest.serve()
        expect(server.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
        yield* ClerkTest.handle("users.get", (params) => Effect.succeed(aUser(params.userId)))
        const overHttp = ClerkBackend.layer.pipe(
          Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_x"), apiUrl: server.apiUrl })),
          Layer.provide(FetchHttpClient.layer)
        )
        const user = yield* Effect.provide(
          Effect.flatMap(ClerkBackend, (clerk) => clerk.users.get({ userId: "user_http" })),
          overHttp
        )
        expect(user.id).toBe("user_http")
        const missing = yield* Effect.promise(() =>
          fetch(`${server.apiUrl}/billing/plans`, { headers: { authorization: "Bearer k" } })
        )
        expect(missing.status).toBe(501)
        return server.apiUrl
      }))
      const closed = yield* Effect.promise(() => fetch(`${apiUrl}/users`).then(() => "open", () => "closed"))
      expect(closed).toBe("closed")
    }).pipe(Effect.provide(ClerkTest.layerWith({ strict: true })), Effect.timeout(Duration.seconds(10))))

  it.live("another SDK (@clerk/backend) works against the served fake and sees the same state", () =>
    Effect.gen(function*() {
      const { port } = yield* ClerkTest.serve()
      const sdk = createClerkClient({
        secretKey: "sk_test_other_sdk",
        apiUrl: `http://127.0.0.1:${port}`,
        telemetry: { disabled: true }
      })
      const created = yield* Effect.promise(() =>
        sdk.users.createUser({ emailAddress: ["sdk@example.com"], firstName: "Sdk" })
      )
      const clerk = yield* ClerkBackend
      const seen = yield* clerk.users.get({ userId: created.id })
      expect(seen.firstName).toBe("Sdk")
      expect(seen.emailAddresses[0]?.emailAddress).toBe("sdk@example.com")
      const missing = yield* Effect.promise(() =>
        sdk.users.getUser("user_missing").then(() => undefined, (error: { status?: number }) => error.status)
      )
      expect(missing).toBe(404)
    }).pipe(Effect.scoped, Effect.provide(ClerkTest.layer), Effect.timeout(Duration.seconds(10))))

  it.effect("httpApp answers platform server requests from the instance in context", () =>
    Effect.gen(function*() {
      yield* ClerkTest.handle("users.get", (params) => Effect.succeed(aUser(params.userId)))
      const answer = (request: Request) =>
        Effect.provideService(
          ClerkTest.httpApp,
          HttpServerRequest.HttpServerRequest,
          HttpServerRequest.fromWeb(request)
        ).pipe(
          Effect.map((response) => HttpServerResponse.toWeb(response))
        )
      const found = yield* answer(authorized("http://127.0.0.1/v1/users/user_app"))
      expect(found.status).toBe(200)
      expect(((yield* Effect.promise(() => found.json())) as { id: string }).id).toBe("user_app")
      const unauthorized = yield* answer(new Request("http://127.0.0.1/v1/users/user_app"))
      expect(unauthorized.status).toBe(401)
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("reset returns to the seeded state with the same ids, and drops handlers, scripts and calls", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const seededIds = (yield* clerk.users.list()).map((user) => user.id)
      yield* clerk.users.create({ emailAddress: ["extra@example.com"] })
      yield* clerk.users.delete({ userId: "user_ada" })
      yield* ClerkTest.handle("billing.listPlans", () => Effect.succeed({ data: [], totalCount: 0 }))
      yield* ClerkTest.script("users.get", [ClerkTest.serverError(400)])
      yield* ClerkTest.reset
      expect(yield* ClerkTest.calls).toEqual([])
      expect((yield* clerk.users.list()).map((user) => user.id)).toEqual(seededIds)
      expect(seededIds).toContain("user_ada")
      expect((yield* clerk.users.get({ userId: "user_ada" })).emailAddresses[0]?.emailAddress).toBe("ada@example.com")
      expect((yield* Effect.flip(clerk.billing.listPlans())).message).toContain("501")
      // The extra user's email is free again.
      expect((yield* clerk.users.create({ emailAddress: ["extra@example.com"] })).id).toMatch(/^user_/)
    }).pipe(Effect.provide(ClerkTest.layerWith({
      strict: true,
      users: [{ id: "user_ada", emailAddress: ["ada@example.com"] }, { emailAddress: ["grace@example.com"] }]
    }))))

  it.effect("concurrent requests see one consistent store: of 50 creates of one email, exactly one wins", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const outcomes = yield* Effect.forEach(
        Array.from({ length: 50 }, (_, i) => i),
        (i) => Effect.either(clerk.users.create({ emailAddress: ["race@example.com"], firstName: `n${i}` })),
        { concurrency: "unbounded" }
      )
      const won = outcomes.filter((outcome) => outcome._tag === "Right")
      expect(won).toHaveLength(1)
      expect(outcomes.filter((outcome) => outcome._tag === "Left" && outcome.left._tag === "ClerkUnprocessable"))
        .toHaveLength(49)
      expect((yield* clerk.users.count()).totalCount).toBe(1)
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("fakes share one generated key pair unless given keys of their own", () =>
    Effect.gen(function*() {
      const keysOf = (layer: Layer.Layer<ClerkTest, unknown>) =>
        Effect.provide(Effect.map(ClerkTest, (fake) => fake.keys), Layer.orDie(layer))
      const first = yield* keysOf(ClerkTest.layer)
      const second = yield* keysOf(ClerkTest.layer)
      expect(second.jwk).toEqual(first.jwk)
      const own = yield* generateKeys({ kid: "kid_own" })
      const separate = yield* keysOf(ClerkTest.layerWith({ keys: own }))
      expect(separate.kid).toBe("kid_own")
      expect(separate.jwk).not.toEqual(first.jwk)
    }))

  it.effect("each build of the layer is a fresh instance", () =>
    Effect.gen(function*() {
      const first = yield* Effect.provide(ClerkTest.calls, ClerkTest.layer)
      const clerkCalls = yield* Effect.provide(
        Effect.gen(function*() {
          yield* Effect.exit((yield* ClerkBackend).billing.listPlans())
          return yield* ClerkTest.calls
        }),
        ClerkTest.layer
      )
      const again = yield* Effect.provide(ClerkTest.calls, ClerkTest.layer)
      expect(first.length).toBe(0)
      expect(clerkCalls.length).toBe(1)
      expect(again.length).toBe(0)
    }))
})

// Never run: each marked line must fail to compile, which shows handlers are typed by operation name.
export const handlersAreTyped = () => [
  ClerkTest.handle("users.get", (params) => Effect.succeed(aUser(params.userId))),
  // @ts-expect-error users.get takes a userId, not an organizationId
  ClerkTest.handle("users.get", (params) => Effect.succeed(aUser(params.organizationId))),
  // @ts-expect-error users.get answers a User, not a page of organizations
  ClerkTest.handle("users.get", () => Effect.succeed({ data: [], totalCount: 0 })),
  ClerkTest.handle("users.list", (params) => Effect.succeed(params.limit === 1 ? [] : [aUser("user_1")])),
  // @ts-expect-error not an operation name
  ClerkTest.handle("users.fetch", () => Effect.succeed(ClerkTest.reply(200))),
  // A reply is accepted for any operation.
  ClerkTest.handle("billing.listPlans", () => Effect.succeed(ClerkTest.rateLimited("2 seconds")))
]
