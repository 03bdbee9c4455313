/**
 * The Effect 4 line's generated operations, as `ClerkBackend`, `ClerkGroups.Service` and per-group modules:
 * calls against the served fake, and streams paging by cursor and by total against a local server.
 */
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { operations as operations3 } from "../../src/generated/Operations.js"
import { ClerkBackend } from "../../src/v4/ClerkBackend.js"
import type { ClerkClient } from "../../src/v4/ClerkClient.js"
import { ClerkConfig } from "../../src/v4/ClerkConfig.js"
import * as ClerkGroups from "../../src/v4/ClerkGroups.js"
import { ClerkRetryPolicy } from "../../src/v4/ClerkRetryPolicy.js"
import { bindAll } from "../../src/v4/generated/Groups.js"
import * as Meta from "../../src/v4/generated/index.js"
import { operations } from "../../src/v4/generated/Operations.js"
import * as Organizations from "../../src/v4/generated/Organizations.js"
import * as Users from "../../src/v4/generated/Users.js"
import { type ServedFake, startFake } from "../support/FakeServer.js"
import { wireOrganization, wireUser } from "../support/Fixtures.js"

const secretKey = "sk_test_v4_backend"

let fake: ServedFake
beforeAll(async () => {
  fake = await startFake({ secretKey })
})
afterAll(() => fake.close())

const configured = (apiUrl: string) =>
  Layer.mergeAll(
    ClerkConfig.layer({ secretKey: Redacted.make(secretKey), apiUrl }),
    FetchHttpClient.layer,
    Layer.succeed(ClerkRetryPolicy, ClerkRetryPolicy.none)
  )

const runBackend = <A, E>(effect: Effect.Effect<A, E, ClerkBackend | ClerkClient>, apiUrl = fake.apiUrl) =>
  Effect.runPromise(Effect.provide(effect, ClerkBackend.layer.pipe(Layer.provide(configured(apiUrl)))))

class Clerk extends ClerkGroups.Service<Clerk>()("test/v4/Clerk", { users: Users }) {}

describe("ClerkBackend (Effect 4)", () => {
  it("binds every one of the spec's operations, under the Effect 3 line's names", () => {
    const api = bindAll({ execute: () => Effect.die("not called") }) as unknown as Record<
      string,
      Record<string, unknown>
    >
    const names = Object.keys(operations)
    expect(names.length).toBe(Meta.Meta.operationCount)
    expect(names).toEqual(Object.keys(operations3))
    for (const name of names) {
      const [group, method] = name.split(".") as [string, string]
      expect(typeof api[group]?.[method], name).toBe("function")
    }
  })

  it("creates, reads and lists through clerk.users, and fails with the typed errors", async () => {
    const result = await runBackend(Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const created = yield* clerk.users.create({
        emailAddress: ["grace.v4@example.com"],
        firstName: "Grace",
        privateMetadata: { team: { name: "compilers" } }
      })
      const fetched = yield* clerk.users.get({ userId: created.id })
      const listed = yield* clerk.users.list({ userId: [created.id] })
      const missing = yield* Effect.flip(clerk.users.get({ userId: "user_absent" }))
      const empty = yield* Effect.flip(clerk.users.get({ userId: "" }))
      const caught = yield* clerk.users.get({ userId: "user_absent" }).pipe(
        Effect.catchTag("ClerkNotFound", (error) => Effect.succeed(`caught ${error.operation}`))
      )
      return { created, fetched, listed, missing, caught, empty }
    }))
    expect(result.fetched.firstName).toBe("Grace")
    expect(result.fetched.privateMetadata).toEqual({ team: { name: "compilers" } })
    expect(result.listed.map((user) => user.id)).toEqual([result.created.id])
    expect(result.missing._tag).toBe("ClerkNotFound")
    expect(result.caught).toBe("caught users.get")
    // An empty id would address the list (`GET /users/`): refused before sending.
    expect(result.empty).toMatchObject({ _tag: "ClerkInvalidRequest", path: "user_id" })
  })

  it("serves a program's own service of chosen groups, and the group functions that need a ClerkClient", async () => {
    const ids = await Effect.runPromise(
      Effect.gen(function*() {
        const clerk = yield* Clerk
        const created = yield* clerk.users.create({ emailAddress: ["lin.v4@example.com"] })
        const viaGroup = yield* Users.get({ userId: created.id })
        return [created.id, viaGroup.id]
      }).pipe(Effect.provide(Clerk.layer.pipe(Layer.provide(configured(fake.apiUrl)))))
    )
    expect(ids[0]).toBe(ids[1])
    expect(Clerk.key).toBe("test/v4/Clerk")
  })
})

/** A local server holding `count` users (paged by `starting_after`) and organizations (with `total_count`). */
const pagingServer = async (count: number) => {
  const requests: Array<URLSearchParams> = []
  const users = Array.from({ length: count }, (_, i) => wireUser({ id: `user_${String(i).padStart(5, "0")}` }))
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1")
    requests.push(url.searchParams)
    const limit = Number(url.searchParams.get("limit") ?? 10)
    const offset = Number(url.searchParams.get("offset") ?? 0)
    let body: unknown
    if (url.pathname === "/v1/users") {
      const after = url.searchParams.get("starting_after")
      const start = after === null ? offset : users.findIndex((user) => user.id === after) + 1
      body = users.slice(start, start + limit)
    } else {
      body = {
        data: Array.from(
          { length: Math.max(0, Math.min(limit, count - offset)) },
          (_, i) => wireOrganization({ id: `org_${offset + i}`, slug: `org-${offset + i}` })
        ),
        total_count: count
      }
    }
    response.writeHead(200, { "content-type": "application/json" })
    response.end(JSON.stringify(body))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

describe("streams (Effect 4)", () => {
  it("streams 1,234 users once, in order, by starting_after cursors", async () => {
    const server = await pagingServer(1234)
    try {
      const ids = await runBackend(
        Effect.flatMap(ClerkBackend, (clerk) => Stream.runCollect(clerk.users.listAll())),
        server.apiUrl
      )
      expect(ids.length).toBe(1234)
      expect(new Set(ids.map((user) => user.id)).size).toBe(1234)
      expect(ids[1233]!.id).toBe("user_01233")
      expect(server.requests.map((params) => params.get("limit"))).toEqual(["500", "500", "500"])
      expect(server.requests.map((params) => params.get("starting_after"))).toEqual([null, "user_00499", "user_00999"])
    } finally {
      await server.close()
    }
  })

  it("pages { data, totalCount } lists by offset, stops at the total, and fetches only on demand", async () => {
    const server = await pagingServer(1200)
    try {
      const all = await runBackend(
        Effect.flatMap(ClerkBackend, (clerk) => Stream.runCollect(clerk.organizations.listAll({}, { pageSize: 400 }))),
        server.apiUrl
      )
      expect(all.length).toBe(1200)
      expect(server.requests.map((params) => params.get("offset"))).toEqual(["0", "400", "800"])
      server.requests.length = 0
      const firstTen = await Effect.runPromise(
        Stream.runCollect(Stream.take(Organizations.listAll(), 10)).pipe(
          Effect.provide(ClerkBackend.layer.pipe(Layer.provide(configured(server.apiUrl))))
        )
      )
      expect(firstTen.map((organization) => organization.id)).toEqual(
        Array.from({ length: 10 }, (_, i) => `org_${i}`)
      )
      expect(server.requests.length).toBe(1)
    } finally {
      await server.close()
    }
  })
})
