import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { ClerkBackend } from "../src/ClerkBackend.js"
import { ClerkConfig } from "../src/ClerkConfig.js"
import { ClerkRetryPolicy } from "../src/ClerkRetryPolicy.js"
import { ClerkTest } from "../src/ClerkTest.js"
import { wireOrganization, wireUser } from "./support/Fixtures.js"
import { localServer } from "./support/LocalServer.js"
import { fakeSecret } from "./support/MockHttp.js"

const total = 1234

const userAt = (i: number) =>
  wireUser({ id: `user_${String(i).padStart(5, "0")}`, first_name: `User ${i}`, created_at: 10_000 - i })

const organizationAt = (i: number) =>
  wireOrganization({ id: `org_${i}`, name: `Org ${i}`, slug: `org-${i}`, created_at: i, updated_at: i })

const invitationAt = (i: number) => ({
  object: "invitation",
  id: `inv_${i}`,
  email_address: `person${i}@example.test`,
  public_metadata: {},
  status: "pending",
  created_at: i,
  updated_at: i
})

interface Seen {
  readonly path: string
  readonly params: URLSearchParams
}

/** A server holding `count` users, organizations and invitations, paging as the Backend API does. */
const clerkWithItems = (count: number) =>
  Effect.gen(function*() {
    const seen: Array<Seen> = []
    const users = Array.from({ length: count }, (_, i) => userAt(i))
    const { url } = yield* localServer((_, url) => {
      seen.push({ path: url.pathname, params: url.searchParams })
      const limit = Number(url.searchParams.get("limit") ?? 10)
      const offset = Number(url.searchParams.get("offset") ?? 0)
      switch (url.pathname) {
        case "/users": {
          const after = url.searchParams.get("starting_after")
          const start = after === null ? offset : users.findIndex((u) => u.id === after) + 1
          return { body: users.slice(start, start + limit) }
        }
        case "/organizations":
          return {
            body: {
              data: Array.from({ length: Math.max(0, Math.min(limit, count - offset)) }, (_, i) =>
                organizationAt(offset + i)),
              total_count: count
            }
          }
        case "/invitations":
          return {
            body: Array.from(
              { length: Math.max(0, Math.min(limit, count - offset)) },
              (_, i) =>
                invitationAt(offset + i)
            )
          }
        default:
          return {
            status: 404,
            body: { errors: [{ code: "resource_not_found", message: "not found", long_message: "not found" }] }
          }
      }
    })
    const layer = ClerkBackend.layer.pipe(
      Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make(fakeSecret), apiUrl: url })),
      Layer.provide(FetchHttpClient.layer),
      Layer.provide(ClerkRetryPolicy.layer(ClerkRetryPolicy.none))
    )
    const clerk = yield* Effect.provide(ClerkBackend, layer)
    return { clerk, seen }
  })

const ids = (items: Chunk.Chunk<{ readonly id: string }>) => Chunk.toReadonlyArray(items).map((item) => item.id)

describe("pagination streams", () => {
  it.scoped("streams all 1,234 users once, in order, with starting_after cursors", () =>
    Effect.gen(function*() {
      const { clerk, seen } = yield* clerkWithItems(total)
      const users = yield* Stream.runCollect(clerk.users.listAll({ orderBy: "-created_at", banned: false }))
      expect(ids(users)).toEqual(Array.from({ length: total }, (_, i) => userAt(i).id))
      expect(seen.map((s) => s.params.get("starting_after"))).toEqual([null, userAt(499).id, userAt(999).id])
      expect(seen.every((s) => s.params.get("limit") === "500" && !s.params.has("offset"))).toBe(true)
      expect(seen.every((s) => s.params.get("order_by") === "-created_at" && s.params.get("banned") === "false")).toBe(
        true
      )
    }))

  it.scoped("falls back to offsets for an ordering cursors cannot follow", () =>
    Effect.gen(function*() {
      const { clerk, seen } = yield* clerkWithItems(total)
      const users = yield* Stream.runCollect(clerk.users.listAll({ orderBy: "+first_name" }, { pageSize: 300 }))
      expect(new Set(ids(users)).size).toBe(total)
      expect(seen.map((s) => s.params.get("offset"))).toEqual(["0", "300", "600", "900", "1200"])
      expect(seen.every((s) => !s.params.has("starting_after"))).toBe(true)
    }))

  // The cursor choice, ordering by ordering: README.md and docs/pagination.md describe this table.
  for (
    const [orderBy, paging] of [
      [undefined, "cursor"],
      ["created_at", "cursor"],
      ["+created_at", "cursor"],
      ["-created_at", "cursor"],
      ["-updated_at", "offset"],
      ["+first_name", "offset"],
      ["email_address", "offset"],
      ["-last_sign_in_at", "offset"]
    ] as const
  ) {
    it.scoped(`users.listAll with orderBy ${orderBy ?? "omitted"} pages by ${paging}`, () =>
      Effect.gen(function*() {
        const { clerk, seen } = yield* clerkWithItems(1200)
        const users = yield* Stream.runCollect(
          clerk.users.listAll(orderBy === undefined ? {} : { orderBy }, { pageSize: 500 })
        )
        expect(new Set(ids(users)).size).toBe(1200)
        expect(seen.map((s) => s.params.get("order_by"))).toEqual([orderBy ?? null, orderBy ?? null, orderBy ?? null])
        if (paging === "cursor") {
          expect(seen.map((s) => s.params.get("starting_after"))).toEqual([null, userAt(499).id, userAt(999).id])
          expect(seen.some((s) => s.params.has("offset"))).toBe(false)
        } else {
          expect(seen.map((s) => s.params.get("offset"))).toEqual(["0", "500", "1000"])
          expect(seen.some((s) => s.params.has("starting_after"))).toBe(false)
        }
      }))
  }

  it.scoped("pages { data, totalCount } lists by offset and stops at the total without an extra request", () =>
    Effect.gen(function*() {
      const { clerk, seen } = yield* clerkWithItems(1000)
      const organizations = yield* Stream.runCollect(clerk.organizations.listAll({ query: "org" }))
      expect(ids(organizations)).toEqual(Array.from({ length: 1000 }, (_, i) => `org_${i}`))
      expect(seen.map((s) => s.params.get("offset"))).toEqual(["0", "500"])
      expect(seen.every((s) => s.params.get("query") === "org")).toBe(true)
    }))

  it.scoped("pages bare-array lists by offset and ends on the short page", () =>
    Effect.gen(function*() {
      const { clerk, seen } = yield* clerkWithItems(total)
      const invitations = yield* Stream.runCollect(clerk.invitations.listAll({ status: "pending" }))
      expect(ids(invitations)).toEqual(Array.from({ length: total }, (_, i) => `inv_${i}`))
      expect(seen.map((s) => s.params.get("offset"))).toEqual(["0", "500", "1000"])
    }))

  it.scoped("fetches pages only on demand", () =>
    Effect.gen(function*() {
      const { clerk, seen } = yield* clerkWithItems(total)
      const first = yield* Stream.runCollect(Stream.take(clerk.organizations.listAll(), 10))
      expect(Chunk.size(first)).toBe(10)
      expect(seen).toHaveLength(1)
      const more = yield* Stream.runCollect(Stream.take(clerk.organizations.listAll(), 501))
      expect(Chunk.size(more)).toBe(501)
      expect(seen).toHaveLength(3)
    }))

  it.scoped("stops on an empty list after one request", () =>
    Effect.gen(function*() {
      const { clerk, seen } = yield* clerkWithItems(0)
      expect(Chunk.size(yield* Stream.runCollect(clerk.users.listAll()))).toBe(0)
      expect(Chunk.size(yield* Stream.runCollect(clerk.organizations.listAll()))).toBe(0)
      expect(seen).toHaveLength(2)
    }))
})

describe("page sizes", () => {
  it.effect("a stream asks for the operation's own maximum when the spec caps limit below 500", () =>
    Effect.gen(function*() {
      const limits: Array<number | undefined> = []
      yield* ClerkTest.handle("apiKeys.list", (params) =>
        Effect.sync(() => {
          limits.push(params.limit)
          return { data: [], totalCount: 0 }
        }))
      const clerk = yield* ClerkBackend
      yield* Stream.runDrain(clerk.apiKeys.listAll({ subject: "user_1" }))
      expect(limits).toEqual([100])
      const tooLarge = yield* Effect.flip(
        Stream.runDrain(clerk.apiKeys.listAll({ subject: "user_1" }, { pageSize: 101 }))
      )
      expect(tooLarge._tag).toBe("ClerkInvalidRequest")
      expect(limits).toEqual([100])
    }).pipe(Effect.provide(ClerkTest.layer)))
})
