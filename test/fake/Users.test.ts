import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { ClerkBackend } from "../../src/ClerkBackend.js"
import { isClerkApiError } from "../../src/ClerkError.js"
import { ClerkTest } from "../../src/ClerkTest.js"

/** The tag, status, first code and param name of an API error, for compact assertions. */
const described = (error: unknown) => {
  if (!isClerkApiError(error)) throw new Error(`expected a Clerk API error, got ${String(error)}`)
  const first = error.errors[0]
  const meta = first?.meta as { readonly param_name?: string } | undefined
  return { tag: error._tag, status: error.status, code: first?.code, param: meta?.param_name }
}

const ids = (users: ReadonlyArray<{ readonly id: string }>) => users.map((user) => user.id)

/** Creates users one millisecond apart, named `first`, with emails `first@example.com`. */
const createPeople = (names: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const clerk = yield* ClerkBackend
    const created = []
    for (const name of names) {
      created.push(yield* clerk.users.create({ firstName: name, emailAddress: [`${name.toLowerCase()}@example.com`] }))
      yield* TestClock.adjust(1)
    }
    return created
  })

describe("ClerkTest users", () => {
  describe("users.create and users.get", () => {
    it.effect("creates a user with verified identifiers, the first of each primary", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        yield* TestClock.setTime(1_700_000_000_000)
        const user = yield* clerk.users.create({
          emailAddress: ["ada@example.com", "ada@work.example.com"],
          phoneNumber: ["+15555550100"],
          username: "ada",
          externalId: "ext-1",
          firstName: "Ada",
          lastName: "Lovelace",
          password: "correct horse",
          publicMetadata: { plan: "pro" }
        })
        expect(user.id).toMatch(/^user_[0-9A-Za-z]{27}$/)
        expect(user.object).toBe("user")
        expect(user.createdAt).toBe(1_700_000_000_000)
        expect(user.updatedAt).toBe(1_700_000_000_000)
        expect(user.emailAddresses.map((email) => email.emailAddress)).toEqual([
          "ada@example.com",
          "ada@work.example.com"
        ])
        const [primary] = user.emailAddresses
        expect(primary?.id).toMatch(/^idn_/)
        expect(primary?.object).toBe("email_address")
        expect(primary?.reserved).toBe(false)
        expect(primary?.verification).toMatchObject({ status: "verified", strategy: "admin" })
        expect(user.primaryEmailAddressId).toBe(primary?.id)
        expect(user.phoneNumbers[0]?.object).toBe("phone_number")
        expect(user.primaryPhoneNumberId).toBe(user.phoneNumbers[0]?.id)
        expect(user.passwordEnabled).toBe(true)
        expect(user.publicMetadata).toEqual({ plan: "pro" })
        expect(user.banned).toBe(false)
        expect(user.locked).toBe(false)

        const fetched = yield* clerk.users.get({ userId: user.id })
        expect(fetched).toEqual(user)
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("accepts a user with no identifiers", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({ firstName: "Nobody" })
        expect(user.primaryEmailAddressId).toBeNull()
        expect(user.primaryPhoneNumberId).toBeNull()
        expect(user.username).toBeNull()
        expect(user.passwordEnabled).toBe(false)
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("creates reserved identifiers when asked, one status per identifier", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({
          emailAddress: ["a@example.com", "b@example.com"],
          emailAddressIdentificationStatus: ["verified", "reserved"]
        })
        expect(user.emailAddresses[0]?.reserved).toBe(false)
        expect(user.emailAddresses[1]?.reserved).toBe(true)
        expect(user.emailAddresses[1]?.verification).toBeNull()

        const error = yield* Effect.flip(clerk.users.create({
          emailAddress: ["c@example.com", "d@example.com"],
          emailAddressIdentificationStatus: ["reserved"]
        }))
        expect(described(error)).toMatchObject({
          tag: "ClerkUnprocessable",
          code: "form_param_format_invalid",
          param: "email_address_identification_status"
        })
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("refuses a taken identifier with form_identifier_exists and its param name", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        yield* clerk.users.create({
          emailAddress: ["ada@example.com"],
          phoneNumber: ["+15555550100"],
          username: "ada",
          externalId: "ext-1"
        })
        const attempts = [
          [{ emailAddress: ["ADA@Example.com"] }, "email_address"],
          [{ phoneNumber: ["+1 555 555 0100"] }, "phone_number"],
          [{ username: "Ada" }, "username"],
          [{ externalId: "ext-1" }, "external_id"]
        ] as const
        for (const [params, param] of attempts) {
          const error = yield* Effect.flip(clerk.users.create(params))
          expect(described(error)).toEqual({
            tag: "ClerkUnprocessable",
            status: 422,
            code: "form_identifier_exists",
            param
          })
        }
        expect((yield* clerk.users.count()).totalCount).toBe(1)
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("refuses malformed identifiers and short passwords unless checks are skipped", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const badEmail = yield* Effect.flip(clerk.users.create({ emailAddress: ["not-an-email"] }))
        expect(described(badEmail)).toMatchObject({ code: "form_param_format_invalid", param: "email_address" })
        const badPhone = yield* Effect.flip(clerk.users.create({ phoneNumber: ["555"] }))
        expect(described(badPhone)).toMatchObject({ code: "form_param_format_invalid", param: "phone_number" })
        const short = yield* Effect.flip(clerk.users.create({ username: "shorty", password: "123" }))
        expect(described(short)).toMatchObject({ code: "form_password_length_too_short", param: "password" })
        const skipped = yield* clerk.users.create({ username: "shorty", password: "123", skipPasswordChecks: true })
        expect(skipped.passwordEnabled).toBe(true)
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("takes created_at, banned and locked from the request", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({
          username: "migrated",
          createdAt: "2020-01-02T03:04:05.000Z",
          banned: true,
          locked: true
        })
        expect(user.createdAt).toBe(Date.parse("2020-01-02T03:04:05.000Z"))
        expect(user.banned).toBe(true)
        expect(user.locked).toBe(true)
        const invalid = yield* Effect.flip(clerk.users.create({ username: "later", createdAt: "yesterday-ish" }))
        expect(described(invalid)).toMatchObject({ code: "form_param_format_invalid", param: "created_at" })
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("answers 404 resource_not_found for an unknown user", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const error = yield* Effect.flip(clerk.users.get({ userId: "user_missing" }))
        expect(described(error)).toMatchObject({ tag: "ClerkNotFound", code: "resource_not_found" })
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("seeds users, with ids of the test's choosing", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const seeded = yield* clerk.users.get({ userId: "user_seeded_ada" })
        expect(seeded.emailAddresses[0]?.emailAddress).toBe("ada@example.com")
        const users = yield* clerk.users.list({ orderBy: "+created_at" })
        expect(users.map((user) => user.firstName)).toEqual(["Ada", "Grace"])
        expect(users[1]?.id).toMatch(/^user_/)
        const error = yield* Effect.flip(clerk.users.create({ emailAddress: ["grace@example.com"] }))
        expect(described(error).code).toBe("form_identifier_exists")
      }).pipe(Effect.provide(ClerkTest.layerWith({
        users: [
          { id: "user_seeded_ada", firstName: "Ada", emailAddress: ["ada@example.com"] },
          { firstName: "Grace", emailAddress: ["grace@example.com"] }
        ]
      }))))

    it.effect("fails the layer when a seed is refused", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Effect.provide(
          ClerkBackend,
          ClerkTest.layerWith({ users: [{ username: "twin" }, { username: "twin" }] })
        ))
        expect(error._tag).toBe("ClerkTestSeedError")
        expect(error.message).toContain("form_identifier_exists")
      }))
  })

  describe("users.list and users.count", () => {
    it.effect("lists newest first by default and orders by any accepted field", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const [carol, alice, bob] = yield* createPeople(["Carol", "Alice", "Bob"])
        expect(ids(yield* clerk.users.list())).toEqual(ids([bob!, alice!, carol!]))
        expect(ids(yield* clerk.users.list({ orderBy: "+created_at" }))).toEqual(ids([carol!, alice!, bob!]))
        expect(ids(yield* clerk.users.list({ orderBy: "created_at" }))).toEqual(ids([carol!, alice!, bob!]))
        expect(ids(yield* clerk.users.list({ orderBy: "first_name" }))).toEqual(ids([alice!, bob!, carol!]))
        expect(ids(yield* clerk.users.list({ orderBy: "-email_address" }))).toEqual(ids([carol!, bob!, alice!]))
        const error = yield* Effect.flip(clerk.users.list({ orderBy: "-shoe_size" }))
        expect(described(error)).toMatchObject({ tag: "ClerkUnprocessable", param: "order_by" })
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("breaks creation-time ties by creation order in both directions", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const first = yield* clerk.users.create({ username: "first" })
        const second = yield* clerk.users.create({ username: "second" })
        expect(ids(yield* clerk.users.list())).toEqual([second.id, first.id])
        expect(ids(yield* clerk.users.list({ orderBy: "+created_at" }))).toEqual([first.id, second.id])
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("pages with limit (default 10) and offset", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const people = yield* createPeople(Array.from({ length: 12 }, (_, i) => `P${String(i).padStart(2, "0")}`))
        const newestFirst = ids([...people].reverse())
        expect(ids(yield* clerk.users.list())).toEqual(newestFirst.slice(0, 10))
        expect(ids(yield* clerk.users.list({ limit: 3, offset: 2 }))).toEqual(newestFirst.slice(2, 5))
        expect(yield* clerk.users.list({ offset: 20 })).toEqual([])
        // Above the spec's maximum: the client refuses before sending.
        const error = yield* Effect.flip(clerk.users.list({ limit: 501 }))
        expect(error._tag).toBe("ClerkInvalidRequest")
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("streams every user with cursor pages through listAll", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const created = []
        for (let i = 0; i < 25; i++) created.push(yield* clerk.users.create({ username: `user${i}` }))
        const streamed = Chunk.toReadonlyArray(yield* Stream.runCollect(clerk.users.listAll({}, { pageSize: 10 })))
        expect(ids(streamed)).toEqual(ids([...created].reverse()))
        const ascending = Chunk.toReadonlyArray(
          yield* Stream.runCollect(clerk.users.listAll({ orderBy: "+created_at" }, { pageSize: 10 }))
        )
        expect(ids(ascending)).toEqual(ids(created))
        const calls = (yield* ClerkTest.calls).filter((call) => call.operation === "users.list")
        expect(calls).toHaveLength(6)
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("continues after a starting_after cursor, and refuses it with offset or another ordering", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const [a, b, c, d] = yield* createPeople(["A", "B", "C", "D"])
        expect(ids(yield* clerk.users.list({ startingAfter: c!.id }))).toEqual(ids([b!, a!]))
        expect(ids(yield* clerk.users.list({ startingAfter: b!.id, orderBy: "+created_at", limit: 1 }))).toEqual([
          c!.id
        ])
        // A cursor on a deleted user still marks a place in the list.
        yield* clerk.users.delete({ userId: c!.id })
        expect(ids(yield* clerk.users.list({ startingAfter: c!.id }))).toEqual(ids([b!, a!]))
        expect(ids(yield* clerk.users.list({ orderBy: "+created_at" }))).toEqual(ids([a!, b!, d!]))

        const withOffset = yield* Effect.flip(clerk.users.list({ startingAfter: b!.id, offset: 1 }))
        expect(described(withOffset)).toMatchObject({ tag: "ClerkUnprocessable", param: "starting_after" })
        const byName = yield* Effect.flip(clerk.users.list({ startingAfter: b!.id, orderBy: "first_name" }))
        expect(described(byName)).toMatchObject({ tag: "ClerkUnprocessable", param: "starting_after" })
        const unknown = yield* Effect.flip(clerk.users.list({ startingAfter: "user_never" }))
        expect(described(unknown)).toMatchObject({ tag: "ClerkUnprocessable", param: "starting_after" })
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("filters by exact identifiers, case-insensitively for emails and usernames", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const ada = yield* clerk.users.create({
          emailAddress: ["ada@example.com"],
          phoneNumber: ["+15555550100"],
          username: "ada",
          externalId: "ext-ada"
        })
        const grace = yield* clerk.users.create({
          emailAddress: ["grace@example.com"],
          username: "grace",
          externalId: "ext-grace"
        })
        const alan = yield* clerk.users.create({ username: "alan" })

        expect(ids(yield* clerk.users.list({ emailAddress: ["ADA@example.com", "nobody@example.com"] }))).toEqual([
          ada.id
        ])
        expect(ids(yield* clerk.users.list({ phoneNumber: ["+15555550100"] }))).toEqual([ada.id])
        expect(ids(yield* clerk.users.list({ username: ["Grace", "alan"] }))).toEqual([alan.id, grace.id])
        expect(ids(yield* clerk.users.list({ externalId: ["ext-grace"] }))).toEqual([grace.id])
        expect(ids(yield* clerk.users.list({ externalId: ["-ext-grace"] }))).toEqual([alan.id, ada.id])
        expect(ids(yield* clerk.users.list({ userId: [ada.id, `+${alan.id}`] }))).toEqual([alan.id, ada.id])
        expect(ids(yield* clerk.users.list({ userId: [`-${ada.id}`] }))).toEqual([alan.id, grace.id])
        expect(yield* clerk.users.list({ organizationId: ["org_unknown"] })).toEqual([])
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("filters by organization membership, and forgets the memberships of a deleted user", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        expect(ids(yield* clerk.users.list({ organizationId: ["org_acme"], orderBy: "+created_at" })))
          .toEqual(["user_ada", "user_grace"])
        expect(ids(yield* clerk.users.list({ organizationId: ["org_acme", "org_globex"], orderBy: "+created_at" })))
          .toEqual(["user_ada", "user_grace", "user_alan"])
        expect(ids(yield* clerk.users.list({ organizationId: ["-org_acme"] }))).toEqual(["user_alan"])
        expect((yield* clerk.users.count({ organizationId: ["org_globex"] })).totalCount).toBe(1)

        yield* clerk.users.delete({ userId: "user_ada" })
        expect(ids(yield* clerk.users.list({ organizationId: ["org_acme"] }))).toEqual(["user_grace"])
        const memberships = yield* clerk.organizationMemberships.list({ organizationId: "org_acme" })
        expect(memberships.data.map((membership) => membership.publicUserData?.userId)).toEqual(["user_grace"])
      }).pipe(Effect.provide(ClerkTest.layerWith({
        users: [
          { id: "user_ada", username: "ada" },
          { id: "user_grace", username: "grace" },
          { id: "user_alan", username: "alan" }
        ],
        organizations: [
          {
            id: "org_acme",
            name: "Acme",
            members: [{ userId: "user_ada", role: "org:admin" }, { userId: "user_grace" }]
          },
          { id: "org_globex", name: "Globex", members: [{ userId: "user_alan" }] }
        ]
      }))))

    it.effect("filters by partial queries", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const ada = yield* clerk.users.create({
          firstName: "Ada",
          lastName: "Lovelace",
          emailAddress: ["ada@analytical.example"],
          phoneNumber: ["+15555550100"],
          username: "countess"
        })
        const grace = yield* clerk.users.create({
          firstName: "Grace",
          lastName: "Hopper",
          emailAddress: ["grace@navy.example"]
        })

        expect(ids(yield* clerk.users.list({ query: "LOVE" }))).toEqual([ada.id])
        expect(ids(yield* clerk.users.list({ query: "ada lovelace" }))).toEqual([ada.id])
        expect(ids(yield* clerk.users.list({ query: "navy" }))).toEqual([grace.id])
        expect(ids(yield* clerk.users.list({ query: grace.id.slice(0, 12) }))).toContain(grace.id)
        expect(ids(yield* clerk.users.list({ emailAddressQuery: "ANALYTICAL" }))).toEqual([ada.id])
        expect(ids(yield* clerk.users.list({ phoneNumberQuery: "555" }))).toEqual([ada.id])
        expect(ids(yield* clerk.users.list({ usernameQuery: "Count" }))).toEqual([ada.id])
        expect(ids(yield* clerk.users.list({ nameQuery: "hop" }))).toEqual([grace.id])
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("filters by ban state and creation time, and counts with the same filters", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        yield* TestClock.setTime(1_000)
        const early = yield* clerk.users.create({ username: "early" })
        yield* TestClock.setTime(2_000)
        const middle = yield* clerk.users.create({ username: "middle" })
        yield* TestClock.setTime(3_000)
        const late = yield* clerk.users.create({ username: "late" })
        yield* clerk.users.ban({ userId: middle.id })

        expect(ids(yield* clerk.users.list({ banned: true }))).toEqual([middle.id])
        expect(ids(yield* clerk.users.list({ banned: false }))).toEqual([late.id, early.id])
        expect(ids(yield* clerk.users.list({ createdAtAfter: 1_000 }))).toEqual([late.id, middle.id])
        expect(ids(yield* clerk.users.list({ createdAtBefore: 3_000, createdAtAfter: 500 }))).toEqual([
          middle.id,
          early.id
        ])
        expect(yield* clerk.users.list({ lastSignInAtAfter: 0 })).toEqual([])

        expect(yield* clerk.users.count()).toEqual({ object: "total_count", totalCount: 3 })
        expect((yield* clerk.users.count({ banned: false })).totalCount).toBe(2)
        expect((yield* clerk.users.count({ usernameQuery: "l" })).totalCount).toBe(3)
        expect((yield* clerk.users.count({ username: ["late", "early"], createdAtAfter: 1_500 })).totalCount).toBe(1)
      }).pipe(Effect.provide(ClerkTest.layer)))
  })

  describe("users.update", () => {
    it.effect("updates attributes and bumps updatedAt", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({ username: "ada", firstName: "Ada", externalId: "old" })
        yield* TestClock.adjust(5_000)
        const updated = yield* clerk.users.update({
          userId: user.id,
          firstName: "Augusta",
          lastName: "King",
          username: "countess",
          externalId: "new"
        })
        expect(updated).toMatchObject({
          firstName: "Augusta",
          lastName: "King",
          username: "countess",
          externalId: "new"
        })
        expect(updated.updatedAt).toBe(user.updatedAt + 5_000)
        expect(updated.createdAt).toBe(user.createdAt)
        expect(yield* clerk.users.get({ userId: user.id })).toEqual(updated)

        const cleared = yield* clerk.users.update({ userId: user.id, username: "", externalId: null })
        expect(cleared.username).toBeNull()
        expect(cleared.externalId).toBeNull()
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("keeps usernames (422) and external ids (409) unique", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        yield* clerk.users.create({ username: "taken", externalId: "ext-taken" })
        const user = yield* clerk.users.create({ username: "mine", externalId: "ext-mine" })

        const username = yield* Effect.flip(clerk.users.update({ userId: user.id, username: "TAKEN" }))
        expect(described(username)).toEqual({
          tag: "ClerkUnprocessable",
          status: 422,
          code: "form_identifier_exists",
          param: "username"
        })
        const externalId = yield* Effect.flip(clerk.users.update({ userId: user.id, externalId: "ext-taken" }))
        expect(described(externalId)).toMatchObject({ tag: "ClerkConflict", status: 409, param: "external_id" })

        // Keeping one's own identifiers is not a conflict, and a refused update changes nothing.
        const same = yield* clerk.users.update({ userId: user.id, username: "mine", externalId: "ext-mine" })
        expect(same.username).toBe("mine")
        const missing = yield* Effect.flip(clerk.users.update({ userId: "user_missing", firstName: "X" }))
        expect(described(missing).tag).toBe("ClerkNotFound")
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("sets a primary email address or phone number only among the user's verified ones", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({
          emailAddress: ["a@example.com", "b@example.com"],
          phoneNumber: ["+15555550100"]
        })
        const other = yield* clerk.users.create({ emailAddress: ["other@example.com"] })
        const second = user.emailAddresses[1]!

        const updated = yield* clerk.users.update({ userId: user.id, primaryEmailAddressId: second.id! })
        expect(updated.primaryEmailAddressId).toBe(second.id)

        const foreign = yield* Effect.flip(
          clerk.users.update({ userId: user.id, primaryEmailAddressId: other.primaryEmailAddressId! })
        )
        expect(described(foreign)).toMatchObject({
          code: "form_param_format_invalid",
          param: "primary_email_address_id"
        })
        const foreignPhone = yield* Effect.flip(
          clerk.users.update({ userId: user.id, primaryPhoneNumberId: "idn_nope" })
        )
        expect(described(foreignPhone)).toMatchObject({
          code: "form_param_format_invalid",
          param: "primary_phone_number_id"
        })

        const unverified = yield* clerk.emailAddresses.create({ userId: user.id, emailAddress: "c@example.com" })
        const refused = yield* Effect.flip(
          clerk.users.update({ userId: user.id, primaryEmailAddressId: unverified.id! })
        )
        expect(described(refused).param).toBe("primary_email_address_id")
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("sets, verifies and removes passwords", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({ username: "ada" })
        const noPassword = yield* Effect.flip(clerk.users.verifyPassword({ userId: user.id, password: "anything1" }))
        expect(described(noPassword).tag).toBe("ClerkBadRequest")

        const updated = yield* clerk.users.update({ userId: user.id, password: "hunter2hunter2" })
        expect(updated.passwordEnabled).toBe(true)
        expect(yield* clerk.users.verifyPassword({ userId: user.id, password: "hunter2hunter2" })).toEqual({
          verified: true
        })
        const wrong = yield* Effect.flip(clerk.users.verifyPassword({ userId: user.id, password: "hunter3hunter3" }))
        expect(described(wrong)).toMatchObject({ tag: "ClerkUnprocessable", status: 422 })

        const removed = yield* clerk.users.removePassword({ userId: user.id })
        expect(removed.passwordEnabled).toBe(false)
        const afterRemoval = yield* Effect.flip(
          clerk.users.verifyPassword({ userId: user.id, password: "hunter2hunter2" })
        )
        expect(described(afterRemoval).tag).toBe("ClerkBadRequest")
      }).pipe(Effect.provide(ClerkTest.layer)))
  })

  describe("metadata", () => {
    it.effect("deep-merges metadata, removing keys set to null at any depth", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({
          username: "ada",
          publicMetadata: { plan: "pro", settings: { theme: "dark", beta: true, nested: { a: 1, b: 2 } }, tags: ["x"] },
          privateMetadata: { stripeId: "cus_1", legacy: true }
        })
        const merged = yield* clerk.users.updateMetadata({
          userId: user.id,
          publicMetadata: {
            settings: { beta: null, nested: { b: 3, c: 4 } },
            tags: ["y"],
            extra: { keep: 1, drop: null }
          },
          privateMetadata: { legacy: null }
        })
        expect(merged.publicMetadata).toEqual({
          plan: "pro",
          settings: { theme: "dark", nested: { a: 1, b: 3, c: 4 } },
          tags: ["y"],
          extra: { keep: 1 }
        })
        expect(merged.privateMetadata).toEqual({ stripeId: "cus_1" })
        expect(merged.unsafeMetadata).toEqual({})
        expect((yield* clerk.users.get({ userId: user.id })).publicMetadata).toEqual(merged.publicMetadata)
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("replaces only the metadata fields given", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({
          username: "ada",
          publicMetadata: { plan: "pro", settings: { theme: "dark" } },
          unsafeMetadata: { draft: true }
        })
        const replaced = yield* clerk.users.replaceMetadata({
          userId: user.id,
          publicMetadata: { settings: { font: "serif" } }
        })
        expect(replaced.publicMetadata).toEqual({ settings: { font: "serif" } })
        expect(replaced.unsafeMetadata).toEqual({ draft: true })
        const missing = yield* Effect.flip(clerk.users.updateMetadata({ userId: "user_missing", publicMetadata: {} }))
        expect(described(missing).tag).toBe("ClerkNotFound")
      }).pipe(Effect.provide(ClerkTest.layer)))
  })

  describe("bans, locks and deletion", () => {
    it.effect("bans and unbans one user or many", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const [a, b, c] = yield* createPeople(["A", "B", "C"])
        expect((yield* clerk.users.ban({ userId: a!.id })).banned).toBe(true)
        expect((yield* clerk.users.unban({ userId: a!.id })).banned).toBe(false)

        const banned = yield* clerk.users.bulkBan({ userIds: [b!.id, c!.id, "user_unknown"] })
        expect(ids(banned)).toEqual([b!.id, c!.id])
        expect(banned.every((user) => user.banned)).toBe(true)
        expect((yield* clerk.users.count({ banned: true })).totalCount).toBe(2)

        const unbanned = yield* clerk.users.bulkUnban({ userIds: [c!.id] })
        expect(unbanned.map((user) => user.banned)).toEqual([false])
        // The spec asks for at least one id: the client refuses before sending.
        const empty = yield* Effect.flip(clerk.users.bulkBan({ userIds: [] }))
        expect(empty._tag).toBe("ClerkInvalidRequest")
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("locks and unlocks a user", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({ username: "ada" })
        const locked = yield* clerk.users.lock({ userId: user.id })
        expect(locked.locked).toBe(true)
        expect(locked.lockoutExpiresInSeconds).toBeNull()
        expect((yield* clerk.users.get({ userId: user.id })).locked).toBe(true)
        const unlocked = yield* clerk.users.unlock({ userId: user.id })
        expect(unlocked.locked).toBe(false)
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("deletes a user and frees its identifiers", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({ emailAddress: ["ada@example.com"], username: "ada" })
        const other = yield* clerk.users.create({ username: "grace" })
        expect(yield* clerk.users.delete({ userId: user.id })).toEqual({ object: "user", id: user.id, deleted: true })

        expect(described(yield* Effect.flip(clerk.users.get({ userId: user.id }))).tag).toBe("ClerkNotFound")
        expect(described(yield* Effect.flip(clerk.users.delete({ userId: user.id }))).tag).toBe("ClerkNotFound")
        expect(ids(yield* clerk.users.list())).toEqual([other.id])
        expect(
          described(yield* Effect.flip(clerk.emailAddresses.get({ emailAddressId: user.primaryEmailAddressId! }))).tag
        )
          .toBe("ClerkNotFound")
        const again = yield* clerk.users.create({ emailAddress: ["ada@example.com"], username: "ada" })
        expect(again.id).not.toBe(user.id)
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("removes a profile image", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({ username: "ada" })
        const cleared = yield* clerk.users.deleteProfileImage({ userId: user.id })
        expect(cleared.hasImage).toBe(false)
        expect(cleared.imageUrl).toMatch(/^https:\/\//)
      }).pipe(Effect.provide(ClerkTest.layer)))
  })

  describe("email addresses", () => {
    it.effect("adds an address to a user, unverified by default, primary when asked", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({ emailAddress: ["a@example.com"] })
        const added = yield* clerk.emailAddresses.create({ userId: user.id, emailAddress: "b@example.com" })
        expect(added).toMatchObject({ object: "email_address", emailAddress: "b@example.com", verification: null })
        expect(added.id).toMatch(/^idn_/)
        const primary = yield* clerk.emailAddresses.create({
          userId: user.id,
          emailAddress: "c@example.com",
          verified: true,
          primary: true
        })
        expect(primary.verification).toMatchObject({ status: "verified", strategy: "admin" })

        const after = yield* clerk.users.get({ userId: user.id })
        expect(after.emailAddresses.map((email) => email.emailAddress)).toEqual([
          "a@example.com",
          "b@example.com",
          "c@example.com"
        ])
        expect(after.primaryEmailAddressId).toBe(primary.id)
        expect(yield* clerk.emailAddresses.get({ emailAddressId: added.id! })).toEqual(added)
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("makes the first address of a user primary", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({ username: "ada" })
        const first = yield* clerk.emailAddresses.create({
          userId: user.id,
          emailAddress: "ada@example.com",
          verified: true
        })
        expect((yield* clerk.users.get({ userId: user.id })).primaryEmailAddressId).toBe(first.id)
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("refuses unknown users, taken addresses and unknown ids", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({ emailAddress: ["a@example.com"] })
        const unknownUser = yield* Effect.flip(
          clerk.emailAddresses.create({ userId: "user_missing", emailAddress: "z@example.com" })
        )
        expect(described(unknownUser).tag).toBe("ClerkNotFound")
        const taken = yield* Effect.flip(
          clerk.emailAddresses.create({ userId: user.id, emailAddress: "A@EXAMPLE.COM" })
        )
        expect(described(taken)).toMatchObject({ code: "form_identifier_exists", param: "email_address" })
        const attempts: ReadonlyArray<Effect.Effect<unknown, unknown>> = [
          clerk.emailAddresses.get({ emailAddressId: "idn_missing" }),
          clerk.emailAddresses.update({ emailAddressId: "idn_missing", verified: true }),
          clerk.emailAddresses.delete({ emailAddressId: "idn_missing" })
        ]
        for (const attempt of attempts) {
          expect(described(yield* Effect.flip(attempt))).toMatchObject({
            tag: "ClerkNotFound",
            code: "resource_not_found"
          })
        }
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("updates verification and primary status", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({ emailAddress: ["a@example.com"] })
        const added = yield* clerk.emailAddresses.create({ userId: user.id, emailAddress: "b@example.com" })
        yield* TestClock.adjust(1_000)
        const verified = yield* clerk.emailAddresses.update({
          emailAddressId: added.id!,
          verified: true,
          primary: true
        })
        expect(verified.verification).toMatchObject({ status: "verified" })
        expect(verified.updatedAt).toBe(added.updatedAt + 1_000)
        const after = yield* clerk.users.get({ userId: user.id })
        expect(after.primaryEmailAddressId).toBe(added.id)
        expect(after.emailAddresses[1]).toEqual(verified)
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("deletes addresses, the primary one only when it is the last", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({ emailAddress: ["a@example.com", "b@example.com"] })
        const [primary, secondary] = user.emailAddresses

        const refused = yield* Effect.flip(clerk.emailAddresses.delete({ emailAddressId: primary!.id! }))
        expect(described(refused)).toMatchObject({
          tag: "ClerkConflict",
          code: "primary_identification_deletion_forbidden"
        })

        expect(yield* clerk.emailAddresses.delete({ emailAddressId: secondary!.id! }))
          .toEqual({ object: "email_address", id: secondary!.id, deleted: true })
        expect(yield* clerk.emailAddresses.delete({ emailAddressId: primary!.id! }))
          .toEqual({ object: "email_address", id: primary!.id, deleted: true })
        const after = yield* clerk.users.get({ userId: user.id })
        expect(after.emailAddresses).toEqual([])
        expect(after.primaryEmailAddressId).toBeNull()
        // The freed address can be claimed again.
        yield* clerk.users.create({ emailAddress: ["a@example.com"] })
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("replaces all of a user's addresses with one primary address", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({ emailAddress: ["a@example.com", "b@example.com"] })
        yield* clerk.users.create({ emailAddress: ["taken@example.com"] })
        const replaced = yield* clerk.emailAddresses.replaceForUser({
          userId: user.id,
          emailAddress: "new@example.com",
          identificationStatus: "reserved"
        })
        expect(replaced.reserved).toBe(true)
        const after = yield* clerk.users.get({ userId: user.id })
        expect(after.emailAddresses).toEqual([replaced])
        expect(after.primaryEmailAddressId).toBe(replaced.id)
        const taken = yield* Effect.flip(
          clerk.emailAddresses.replaceForUser({ userId: user.id, emailAddress: "taken@example.com" })
        )
        expect(described(taken)).toMatchObject({ code: "form_identifier_exists", param: "email_address" })
      }).pipe(Effect.provide(ClerkTest.layer)))
  })

  describe("phone numbers", () => {
    it.effect("adds, reads, updates and deletes phone numbers", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({ phoneNumber: ["+15555550100"] })
        const added = yield* clerk.phoneNumbers.create({ userId: user.id, phoneNumber: "+15555550101" })
        expect(added).toMatchObject({ object: "phone_number", phoneNumber: "+15555550101", verification: null })
        expect(added.id).toMatch(/^idn_/)
        expect(yield* clerk.phoneNumbers.get({ phoneNumberId: added.id! })).toEqual(added)

        const updated = yield* clerk.phoneNumbers.update({ phoneNumberId: added.id!, verified: true, primary: true })
        expect(updated.verification).toMatchObject({ status: "verified", strategy: "admin" })
        expect((yield* clerk.users.get({ userId: user.id })).primaryPhoneNumberId).toBe(added.id)

        const refused = yield* Effect.flip(clerk.phoneNumbers.delete({ phoneNumberId: added.id! }))
        expect(described(refused)).toMatchObject({
          tag: "ClerkBadRequest",
          code: "primary_identification_deletion_forbidden"
        })
        const first = user.phoneNumbers[0]!
        expect(yield* clerk.phoneNumbers.delete({ phoneNumberId: first.id! }))
          .toEqual({ object: "phone_number", id: first.id, deleted: true })
        expect(described(yield* Effect.flip(clerk.phoneNumbers.get({ phoneNumberId: first.id! }))).tag).toBe(
          "ClerkNotFound"
        )
        expect((yield* clerk.users.get({ userId: user.id })).phoneNumbers).toEqual([updated])
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("refuses unknown users and taken numbers, and tracks second-factor phones", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({ phoneNumber: ["+15555550100"] })
        const unknownUser = yield* Effect.flip(
          clerk.phoneNumbers.create({ userId: "user_missing", phoneNumber: "+15555550199" })
        )
        expect(described(unknownUser).tag).toBe("ClerkNotFound")
        const taken = yield* Effect.flip(
          clerk.phoneNumbers.create({ userId: user.id, phoneNumber: "+1 (555) 555-0100" })
        )
        expect(described(taken)).toMatchObject({ code: "form_identifier_exists", param: "phone_number" })

        const mfa = yield* clerk.phoneNumbers.create({
          userId: user.id,
          phoneNumber: "+15555550102",
          verified: true,
          reservedForSecondFactor: true
        })
        expect(mfa.reservedForSecondFactor).toBe(true)
        expect(mfa.defaultSecondFactor).toBe(true)
        expect((yield* clerk.users.get({ userId: user.id })).twoFactorEnabled).toBe(true)
        yield* clerk.phoneNumbers.delete({ phoneNumberId: mfa.id! })
        expect((yield* clerk.users.get({ userId: user.id })).twoFactorEnabled).toBe(false)
      }).pipe(Effect.provide(ClerkTest.layer)))

    it.effect("replaces all of a user's phone numbers with one", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({ phoneNumber: ["+15555550100", "+15555550101"] })
        const replaced = yield* clerk.phoneNumbers.replaceForUser({ userId: user.id, phoneNumber: "+15555550109" })
        expect(replaced.verification).toMatchObject({ status: "verified" })
        const after = yield* clerk.users.get({ userId: user.id })
        expect(after.phoneNumbers).toEqual([replaced])
        expect(after.primaryPhoneNumberId).toBe(replaced.id)
        expect(ids(yield* clerk.users.list({ phoneNumber: ["+15555550100"] }))).toEqual([])
      }).pipe(Effect.provide(ClerkTest.layer)))
  })
})
