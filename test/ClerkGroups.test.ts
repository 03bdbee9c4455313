import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { ClerkConfig } from "../src/ClerkConfig.js"
import { ClerkTest } from "../src/ClerkTest.js"
import * as Organizations from "../src/generated/Organizations.js"
import * as Users from "../src/generated/Users.js"
import { ClerkGroups } from "../src/index.js"

class Clerk extends ClerkGroups.Service<Clerk>()("test/Clerk", { users: Users, organizations: Organizations }) {}
class UsersOnly extends ClerkGroups.Service<UsersOnly>()("test/UsersOnly", { users: Users }) {}

describe("ClerkGroups.Service", () => {
  it.effect("binds the named groups to the client in context: calls, streams and typed errors", () =>
    Effect.gen(function*() {
      const clerk = yield* Clerk
      const created = yield* clerk.users.create({ emailAddress: ["groups@example.com"], firstName: "Grace" })
      expect((yield* clerk.users.get({ userId: created.id })).firstName).toBe("Grace")
      const all = yield* Stream.runCollect(clerk.users.listAll({ userId: [created.id] }))
      expect(Chunk.toReadonlyArray(all).map((user) => user.id)).toEqual([created.id])
      const org = yield* clerk.organizations.create({ name: "Acme", createdBy: created.id })
      expect((yield* clerk.organizations.get({ organizationId: org.id })).name).toBe("Acme")
      const missing = yield* Effect.flip(clerk.users.get({ userId: "user_missing" }))
      expect(missing._tag).toBe("ClerkNotFound")
      expect(Object.keys(clerk).sort()).toEqual(["organizations", "users"])
      // @ts-expect-error: a group the service does not name is not on it.
      expect(clerk.sessions).toBeUndefined()
    }).pipe(Effect.provide(Clerk.make.pipe(Layer.effect(Clerk), Layer.provideMerge(ClerkTest.layer)))))

  it.effect("two services with different groups live side by side, on one client", () =>
    Effect.gen(function*() {
      const [clerk, usersOnly] = yield* Effect.all([Clerk, UsersOnly])
      const created = yield* clerk.users.create({ emailAddress: ["side@example.com"] })
      expect((yield* usersOnly.users.get({ userId: created.id })).id).toBe(created.id)
      expect(Object.keys(usersOnly)).toEqual(["users"])
    }).pipe(
      Effect.provide(Layer.mergeAll(Layer.effect(Clerk, Clerk.make), Layer.effect(UsersOnly, UsersOnly.make))),
      Effect.provide(ClerkTest.layer)
    ))

  it.effect("layer and layerWith build the client too; layerWith's transformClient applies to every call", () =>
    Effect.gen(function*() {
      const seen: Array<string | undefined> = []
      const recording = (client: HttpClient.HttpClient) =>
        client.pipe(
          HttpClient.mapRequest(HttpClientRequest.setHeader("x-app", "groups-test")),
          HttpClient.tapRequest((request) => Effect.sync(() => seen.push(request.headers["x-app"])))
        )
      const config = ClerkConfig.layer({ secretKey: Redacted.make("sk_test_groups") })
      const plain = yield* Effect.flatMap(UsersOnly, (clerk) => clerk.users.list({ limit: 1 })).pipe(
        Effect.provide(UsersOnly.layer.pipe(Layer.provide(config)))
      )
      expect(plain).toEqual([])
      expect(seen).toEqual([])
      const transformed = yield* Effect.flatMap(UsersOnly, (clerk) => clerk.users.list({ limit: 1 })).pipe(
        Effect.provide(UsersOnly.layerWith({ transformClient: recording }).pipe(Layer.provide(config)))
      )
      expect(transformed).toEqual([])
      expect(seen).toEqual(["groups-test"])
    }).pipe(Effect.provide(Layer.orDie(ClerkTest.layerHttpClient()))))
})
