/**
 * The fake's organizations, memberships, organization invitations and instance invitations,
 * exercised through the generated client exactly as an app would call Clerk.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { ClerkBackend } from "../../src/ClerkBackend.js"
import * as ClerkError from "../../src/ClerkError.js"
import { ClerkTest } from "../../src/ClerkTest.js"

const people = [
  { id: "user_alice", emailAddress: ["alice@example.com"], firstName: "Alice", lastName: "Archer", username: "alice" },
  { id: "user_bob", emailAddress: ["bob@example.com"], firstName: "Bob", lastName: "Baker", username: "bob" },
  { id: "user_carol", emailAddress: ["carol@example.org"], firstName: "Carol", lastName: "Cooper", username: "carol" }
]

/** Three users, no organizations. */
const withPeople = Layer.orDie(ClerkTest.layerWith({ users: people }))

/** The same users, and Acme with Alice as admin and Bob as member. */
const withAcme = Layer.orDie(ClerkTest.layerWith({
  users: people,
  organizations: [{
    id: "org_acme",
    name: "Acme",
    members: [{ userId: "user_alice", role: "org:admin" }, { userId: "user_bob" }]
  }]
}))

const day = 86_400_000

/** The API error a call fails with (the test fails if it succeeds or fails otherwise). */
const refusal = <A, E>(call: Effect.Effect<A, E>): Effect.Effect<ClerkError.ClerkApiError, A> =>
  Effect.flatMap(
    Effect.flip(call),
    (error) =>
      ClerkError.isClerkApiError(error)
        ? Effect.succeed(error)
        : Effect.dieMessage(`not an API error: ${String(error)}`)
  )

describe("organizations", () => {
  it.effect("create derives the slug from the name and stamps the clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      const clerk = yield* ClerkBackend
      const organization = yield* clerk.organizations.create({ name: "Acme Rockets, Inc." })
      expect(organization.id).toMatch(/^org_[0-9A-Za-z]{27}$/)
      expect(organization.object).toBe("organization")
      expect(organization.slug).toBe("acme-rockets-inc")
      expect(organization.createdAt).toBe(1_700_000_000_000)
      expect(organization.updatedAt).toBe(1_700_000_000_000)
      expect(organization.publicMetadata).toEqual({})
      expect(organization.adminDeleteEnabled).toBe(true)
      expect(organization.hasImage).toBe(false)
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("a taken slug is refused; a taken derived slug gets a suffix", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* clerk.organizations.create({ name: "Acme", slug: "acme" })
      const taken = yield* refusal(clerk.organizations.create({ name: "Other", slug: "acme" }))
      expect(taken._tag).toBe("ClerkUnprocessable")
      expect(taken.errors[0]?.code).toBe("form_identifier_exists")
      expect(taken.errors[0]?.meta).toMatchObject({ param_name: "slug" })
      const badSlug = yield* refusal(clerk.organizations.create({ name: "Other", slug: "Not A Slug" }))
      expect(badSlug.errors[0]?.code).toBe("form_param_format_invalid")
      const second = yield* clerk.organizations.create({ name: "Acme" })
      expect(second.slug).toMatch(/^acme-[a-z0-9]+$/)
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("createdBy becomes an admin member; an unknown creator is refused", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const organization = yield* clerk.organizations.create({ name: "Acme", createdBy: "user_alice" })
      expect(organization.createdBy).toBe("user_alice")
      const members = yield* clerk.organizationMemberships.list({ organizationId: organization.id })
      expect(members.totalCount).toBe(1)
      expect(members.data[0]?.role).toBe("org:admin")
      expect(members.data[0]?.publicUserData?.userId).toBe("user_alice")
      const unknown = yield* refusal(clerk.organizations.create({ name: "Ghost", createdBy: "user_nobody" }))
      expect(unknown._tag).toBe("ClerkUnprocessable")
      expect(unknown.errors[0]?.code).toBe("form_param_format_invalid")
    }).pipe(Effect.provide(withPeople)))

  it.effect("get answers by id and by slug, 404 otherwise", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const byId = yield* clerk.organizations.get({ organizationId: "org_acme" })
      const bySlug = yield* clerk.organizations.get({ organizationId: "acme" })
      expect(bySlug).toEqual(byId)
      const missing = yield* refusal(clerk.organizations.get({ organizationId: "org_missing" }))
      expect(missing._tag).toBe("ClerkNotFound")
      expect(missing.errors[0]?.code).toBe("resource_not_found")
    }).pipe(Effect.provide(withAcme)))

  it.effect("members and pending invitations are counted only when asked", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* clerk.organizationInvitations.create({
        organizationId: "org_acme",
        emailAddress: "dave@example.com",
        role: "org:member"
      })
      const plain = yield* clerk.organizations.get({ organizationId: "org_acme" })
      expect(plain.membersCount).toBeUndefined()
      const counted = yield* clerk.organizations.get({
        organizationId: "org_acme",
        includeMembersCount: true,
        includeMissingMemberWithElevatedPermissions: true
      })
      expect(counted.membersCount).toBe(2)
      expect(counted.pendingInvitationsCount).toBe(1)
      expect(counted.missingMemberWithElevatedPermissions).toBe(false)
    }).pipe(Effect.provide(withAcme)))

  it.effect("list is newest first by default, paged, with the total", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      for (const name of ["One", "Two", "Three", "Four", "Five"]) {
        yield* clerk.organizations.create({ name })
        yield* TestClock.adjust(1000)
      }
      const first = yield* clerk.organizations.list({ limit: 2 })
      expect(first.totalCount).toBe(5)
      expect(first.data.map((o) => o.name)).toEqual(["Five", "Four"])
      const second = yield* clerk.organizations.list({ limit: 2, offset: 2 })
      expect(second.data.map((o) => o.name)).toEqual(["Three", "Two"])
      const oldest = yield* clerk.organizations.list({ orderBy: "+created_at", limit: 1 })
      expect(oldest.data[0]?.name).toBe("One")
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("ties in creation time still list newest first", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* clerk.organizations.create({ name: "Early" })
      yield* clerk.organizations.create({ name: "Late" })
      const listed = yield* clerk.organizations.list()
      expect(listed.data.map((o) => o.name)).toEqual(["Late", "Early"])
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("list filters by query, member and id, and orders by name or members", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const beta = yield* clerk.organizations.create({ name: "Beta Works", createdBy: "user_carol" })
      yield* clerk.organizations.create({ name: "Gamma", slug: "gamma-labs" })
      const byName = yield* clerk.organizations.list({ query: "works" })
      expect(byName.data.map((o) => o.id)).toEqual([beta.id])
      const bySlug = yield* clerk.organizations.list({ query: "labs" })
      expect(bySlug.data.map((o) => o.name)).toEqual(["Gamma"])
      const byId = yield* clerk.organizations.list({ query: "org_acme" })
      expect(byId.data.map((o) => o.name)).toEqual(["Acme"])
      const ofCarol = yield* clerk.organizations.list({ userId: ["user_carol"] })
      expect(ofCarol.data.map((o) => o.name)).toEqual(["Beta Works"])
      const notCarols = yield* clerk.organizations.list({ userId: ["-user_carol"], orderBy: "name" })
      expect(notCarols.data.map((o) => o.name)).toEqual(["Acme", "Gamma"])
      const onlyAcme = yield* clerk.organizations.list({ organizationId: ["+org_acme"] })
      expect(onlyAcme.totalCount).toBe(1)
      const byMembers = yield* clerk.organizations.list({ orderBy: "-members_count", includeMembersCount: true })
      expect(byMembers.data.map((o) => [o.name, o.membersCount])).toEqual([["Acme", 2], ["Beta Works", 1], [
        "Gamma",
        0
      ]])
      const refused = yield* refusal(clerk.organizations.list({ orderBy: "-slug" }))
      expect(refused._tag).toBe("ClerkUnprocessable")
    }).pipe(Effect.provide(withAcme)))

  it.effect("listAll streams every organization across pages", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      for (let i = 1; i <= 23; i++) yield* clerk.organizations.create({ name: `Team ${i}` })
      const all = yield* Stream.runCollect(clerk.organizations.listAll({ orderBy: "+created_at" }, { pageSize: 5 }))
      expect(Chunk.size(all)).toBe(23)
      expect(Chunk.toReadonlyArray(all).map((o) => o.name)).toEqual(
        Array.from({ length: 23 }, (_, i) => `Team ${i + 1}`)
      )
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("update changes fields and keeps slugs unique", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(5000)
      const clerk = yield* ClerkBackend
      yield* clerk.organizations.create({ name: "Other", slug: "other" })
      const updated = yield* clerk.organizations.update({
        organizationId: "org_acme",
        name: "Acme Corp",
        slug: "acme-corp",
        maxAllowedMemberships: 10,
        adminDeleteEnabled: false
      })
      expect(updated).toMatchObject({
        name: "Acme Corp",
        slug: "acme-corp",
        maxAllowedMemberships: 10,
        adminDeleteEnabled: false
      })
      expect(updated.updatedAt).toBe(5000)
      expect(updated.createdAt).toBe(0)
      const taken = yield* refusal(clerk.organizations.update({ organizationId: "org_acme", slug: "other" }))
      expect(taken.errors[0]?.code).toBe("form_identifier_exists")
      const same = yield* clerk.organizations.update({ organizationId: "org_acme", slug: "acme-corp" })
      expect(same.slug).toBe("acme-corp")
      const missing = yield* refusal(clerk.organizations.update({ organizationId: "org_nope", name: "X" }))
      expect(missing._tag).toBe("ClerkNotFound")
    }).pipe(Effect.provide(withAcme)))

  it.effect("mergeMetadata deep-merges and drops nulls; replaceMetadata replaces", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const organization = yield* clerk.organizations.create({
        name: "Meta",
        publicMetadata: { plan: "pro", limits: { seats: 5, projects: 3 }, tags: ["a"] },
        privateMetadata: { stripe: "cus_1" }
      })
      const merged = yield* clerk.organizations.mergeMetadata({
        organizationId: organization.id,
        publicMetadata: { limits: { seats: 10, projects: null }, tags: ["b"], region: "eu" }
      })
      expect(merged.publicMetadata).toEqual({ plan: "pro", limits: { seats: 10 }, tags: ["b"], region: "eu" })
      expect(merged.privateMetadata).toEqual({ stripe: "cus_1" })
      const replaced = yield* clerk.organizations.replaceMetadata({
        organizationId: organization.id,
        privateMetadata: { fresh: true }
      })
      expect(replaced.privateMetadata).toEqual({ fresh: true })
      expect(replaced.publicMetadata).toEqual(merged.publicMetadata)
      const missing = yield* refusal(
        clerk.organizations.mergeMetadata({ organizationId: "org_nope", publicMetadata: {} })
      )
      expect(missing._tag).toBe("ClerkNotFound")
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("delete answers a deleted object and takes memberships and invitations with it", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* clerk.organizationInvitations.create({
        organizationId: "org_acme",
        emailAddress: "x@example.com",
        role: "org:member"
      })
      const deleted = yield* clerk.organizations.delete({ organizationId: "org_acme" })
      expect(deleted).toMatchObject({ object: "organization", id: "org_acme", deleted: true })
      const gone = yield* refusal(clerk.organizations.get({ organizationId: "org_acme" }))
      expect(gone._tag).toBe("ClerkNotFound")
      const aliceMemberships = yield* clerk.users.getOrganizationMemberships({ userId: "user_alice" })
      expect(aliceMemberships.totalCount).toBe(0)
      const invitations = yield* clerk.organizationInvitations.getAll()
      expect(invitations.totalCount).toBe(0)
      const again = yield* refusal(clerk.organizations.delete({ organizationId: "org_acme" }))
      expect(again._tag).toBe("ClerkNotFound")
    }).pipe(Effect.provide(withAcme)))
})

describe("organization memberships", () => {
  it.effect("seeded organizations come with their members", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const members = yield* clerk.organizationMemberships.list({ organizationId: "org_acme", orderBy: "+created_at" })
      expect(members.totalCount).toBe(2)
      expect(members.data.map((m) => [m.publicUserData?.userId, m.role])).toEqual([
        ["user_alice", "org:admin"],
        ["user_bob", "org:member"]
      ])
      const alice = members.data[0]!
      expect(alice.id).toMatch(/^orgmem_/)
      expect(alice.object).toBe("organization_membership")
      expect(alice.organization.id).toBe("org_acme")
      expect(alice.publicUserData).toMatchObject({
        firstName: "Alice",
        identifier: "alice@example.com",
        username: "alice"
      })
      expect(alice.permissions).toContain("org:sys_memberships:manage")
      expect(members.data[1]?.permissions).toEqual(["org:sys_memberships:read"])
    }).pipe(Effect.provide(withAcme)))

  it.effect("create adds a member with metadata; duplicates and unknowns are refused", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const carol = yield* clerk.organizationMemberships.create({
        organizationId: "org_acme",
        userId: "user_carol",
        role: "org:member",
        publicMetadata: { team: "design" }
      })
      expect(carol.publicMetadata).toEqual({ team: "design" })
      expect(carol.roleName).toBe("Member")
      const duplicate = yield* refusal(
        clerk.organizationMemberships.create({ organizationId: "org_acme", userId: "user_carol", role: "org:admin" })
      )
      expect(duplicate._tag).toBe("ClerkBadRequest")
      expect(duplicate.errors[0]?.code).toBe("already_a_member_in_organization")
      const noUser = yield* refusal(
        clerk.organizationMemberships.create({ organizationId: "org_acme", userId: "user_nobody", role: "org:member" })
      )
      expect(noUser._tag).toBe("ClerkNotFound")
      const noOrg = yield* refusal(
        clerk.organizationMemberships.create({ organizationId: "org_nope", userId: "user_carol", role: "org:member" })
      )
      expect(noOrg._tag).toBe("ClerkNotFound")
      const counted = yield* clerk.organizations.get({ organizationId: "org_acme", includeMembersCount: true })
      expect(counted.membersCount).toBe(3)
    }).pipe(Effect.provide(withAcme)))

  it.effect("maxAllowedMemberships caps the members", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const small = yield* clerk.organizations.create({
        name: "Small",
        maxAllowedMemberships: 1,
        createdBy: "user_alice"
      })
      const refused = yield* refusal(
        clerk.organizationMemberships.create({ organizationId: small.id, userId: "user_bob", role: "org:member" })
      )
      expect(refused._tag).toBe("ClerkForbidden")
      expect(refused.errors[0]?.code).toBe("organization_membership_quota_exceeded")
    }).pipe(Effect.provide(withPeople)))

  it.effect("update changes the role; updateMetadata deep-merges", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const promoted = yield* clerk.organizationMemberships.update({
        organizationId: "org_acme",
        userId: "user_bob",
        role: "org:admin"
      })
      expect(promoted.role).toBe("org:admin")
      expect(promoted.roleName).toBe("Admin")
      expect(promoted.permissions).toContain("org:sys_profile:manage")
      yield* clerk.organizationMemberships.updateMetadata({
        organizationId: "org_acme",
        userId: "user_bob",
        publicMetadata: { prefs: { theme: "dark", beta: true } }
      })
      const merged = yield* clerk.organizationMemberships.updateMetadata({
        organizationId: "org_acme",
        userId: "user_bob",
        publicMetadata: { prefs: { beta: null } },
        privateMetadata: { note: "vip" }
      })
      expect(merged.publicMetadata).toEqual({ prefs: { theme: "dark" } })
      expect(merged.privateMetadata).toEqual({ note: "vip" })
      const missing = yield* refusal(
        clerk.organizationMemberships.update({ organizationId: "org_acme", userId: "user_carol", role: "org:admin" })
      )
      expect(missing._tag).toBe("ClerkNotFound")
    }).pipe(Effect.provide(withAcme)))

  it.effect("delete answers the removed membership", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const removed = yield* clerk.organizationMemberships.delete({ organizationId: "org_acme", userId: "user_bob" })
      expect(removed.publicUserData?.userId).toBe("user_bob")
      const left = yield* clerk.organizationMemberships.list({ organizationId: "org_acme" })
      expect(left.data.map((m) => m.publicUserData?.userId)).toEqual(["user_alice"])
      const again = yield* refusal(
        clerk.organizationMemberships.delete({ organizationId: "org_acme", userId: "user_bob" })
      )
      expect(again._tag).toBe("ClerkNotFound")
    }).pipe(Effect.provide(withAcme)))

  it.effect("memberships show the user and organization as they are now", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* clerk.users.update({ userId: "user_bob", firstName: "Robert" })
      yield* clerk.organizations.update({ organizationId: "org_acme", name: "Acme Corp" })
      const members = yield* clerk.organizationMemberships.list({ organizationId: "org_acme", userId: ["user_bob"] })
      expect(members.data[0]?.publicUserData?.firstName).toBe("Robert")
      expect(members.data[0]?.organization.name).toBe("Acme Corp")
      const ofBob = yield* clerk.users.getOrganizationMemberships({ userId: "user_bob" })
      expect(ofBob.data[0]?.organization.name).toBe("Acme Corp")
    }).pipe(Effect.provide(withAcme)))

  it.effect("a deleted user's memberships are gone", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* clerk.users.delete({ userId: "user_bob" })
      const members = yield* clerk.organizationMemberships.list({ organizationId: "org_acme" })
      expect(members.data.map((m) => m.publicUserData?.userId)).toEqual(["user_alice"])
      const counted = yield* clerk.organizations.get({ organizationId: "org_acme", includeMembersCount: true })
      expect(counted.membersCount).toBe(1)
    }).pipe(Effect.provide(withAcme)))

  it.effect("list filters by role, query and email and orders by member fields", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* clerk.organizationMemberships.create({
        organizationId: "org_acme",
        userId: "user_carol",
        role: "org:member"
      })
      const admins = yield* clerk.organizationMemberships.list({ organizationId: "org_acme", role: ["org:admin"] })
      expect(admins.data.map((m) => m.publicUserData?.userId)).toEqual(["user_alice"])
      const byQuery = yield* clerk.organizationMemberships.list({ organizationId: "org_acme", query: "example.org" })
      expect(byQuery.data.map((m) => m.publicUserData?.userId)).toEqual(["user_carol"])
      const byEmail = yield* clerk.organizationMemberships.list({
        organizationId: "org_acme",
        emailAddress: ["BOB@example.com"]
      })
      expect(byEmail.data.map((m) => m.publicUserData?.userId)).toEqual(["user_bob"])
      const byName = yield* clerk.organizationMemberships.list({ organizationId: "org_acme", nameQuery: "coop" })
      expect(byName.totalCount).toBe(1)
      const ordered = yield* clerk.organizationMemberships.list({
        organizationId: "org_acme",
        orderBy: "-first_name",
        limit: 2
      })
      expect(ordered.totalCount).toBe(3)
      expect(ordered.data.map((m) => m.publicUserData?.firstName)).toEqual(["Carol", "Bob"])
      const refused = yield* refusal(
        clerk.organizationMemberships.list({ organizationId: "org_acme", orderBy: "role" })
      )
      expect(refused._tag).toBe("ClerkUnprocessable")
    }).pipe(Effect.provide(withAcme)))

  it.effect("a user's memberships and the instance's memberships are paged lists", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* clerk.organizations.create({ name: "Second", createdBy: "user_alice" })
      yield* clerk.organizations.create({ name: "Third", createdBy: "user_alice" })
      const first = yield* clerk.users.getOrganizationMemberships({ userId: "user_alice", limit: 2 })
      expect(first.totalCount).toBe(3)
      expect(first.data.map((m) => m.organization.name)).toEqual(["Third", "Second"])
      const rest = yield* clerk.users.getOrganizationMemberships({ userId: "user_alice", limit: 2, offset: 2 })
      expect(rest.data.map((m) => m.organization.name)).toEqual(["Acme"])
      const everyone = yield* clerk.users.getInstanceOrganizationMemberships({ orderBy: "+created_at" })
      expect(everyone.totalCount).toBe(4)
      expect(everyone.data[0]?.publicUserData?.userId).toBe("user_alice")
      const streamed = yield* Stream.runCollect(
        clerk.organizationMemberships.listAll({ organizationId: "org_acme" }, { pageSize: 1 })
      )
      expect(Chunk.size(streamed)).toBe(2)
    }).pipe(Effect.provide(withAcme)))
})

describe("organization invitations", () => {
  it.effect("lifecycle: create, list pending, revoke, status", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_000_000)
      const clerk = yield* ClerkBackend
      const invitation = yield* clerk.organizationInvitations.create({
        organizationId: "org_acme",
        emailAddress: "dave@example.com",
        role: "org:member",
        inviterUserId: "user_alice",
        publicMetadata: { source: "test" },
        redirectUrl: "https://app.example.com/join"
      })
      expect(invitation.id).toMatch(/^orginv_/)
      expect(invitation).toMatchObject({
        object: "organization_invitation",
        status: "pending",
        organizationId: "org_acme",
        role: "org:member",
        roleName: "Member",
        inviterId: "user_alice",
        publicMetadata: { source: "test" },
        expiresAt: 1_000_000 + 30 * day
      })
      expect(invitation.publicInviterData?.identifier).toBe("alice@example.com")
      expect(invitation.url).toContain(encodeURIComponent("https://app.example.com/join"))
      const pending = yield* clerk.organizationInvitations.listPending({ organizationId: "org_acme" })
      expect(pending.data.map((i) => i.id)).toEqual([invitation.id])
      const fetched = yield* clerk.organizationInvitations.get({
        organizationId: "org_acme",
        invitationId: invitation.id
      })
      expect(fetched.emailAddress).toBe("dave@example.com")
      const revoked = yield* clerk.organizationInvitations.revoke({
        organizationId: "org_acme",
        invitationId: invitation.id
      })
      expect(revoked.status).toBe("revoked")
      const stillPending = yield* clerk.organizationInvitations.listPending({ organizationId: "org_acme" })
      expect(stillPending.totalCount).toBe(0)
      const byStatus = yield* clerk.organizationInvitations.list({ organizationId: "org_acme", status: "revoked" })
      expect(byStatus.data.map((i) => i.id)).toEqual([invitation.id])
      const twice = yield* refusal(
        clerk.organizationInvitations.revoke({ organizationId: "org_acme", invitationId: invitation.id })
      )
      expect(twice._tag).toBe("ClerkBadRequest")
      const elsewhere = yield* refusal(
        clerk.organizationInvitations.get({ organizationId: "org_acme", invitationId: "orginv_nope" })
      )
      expect(elsewhere._tag).toBe("ClerkNotFound")
    }).pipe(Effect.provide(withAcme)))

  it.effect("a second pending invitation, a member's address, or a non-admin inviter is refused", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* clerk.organizationInvitations.create({
        organizationId: "org_acme",
        emailAddress: "dave@example.com",
        role: "org:member"
      })
      const duplicate = yield* refusal(
        clerk.organizationInvitations.create({
          organizationId: "org_acme",
          emailAddress: "DAVE@example.com",
          role: "org:admin"
        })
      )
      expect(duplicate._tag).toBe("ClerkUnprocessable")
      expect(duplicate.errors[0]?.code).toBe("duplicate_record")
      const member = yield* refusal(
        clerk.organizationInvitations.create({
          organizationId: "org_acme",
          emailAddress: "bob@example.com",
          role: "org:member"
        })
      )
      expect(member.errors[0]?.code).toBe("already_a_member_in_organization")
      const notAdmin = yield* refusal(
        clerk.organizationInvitations.create({
          organizationId: "org_acme",
          emailAddress: "erin@example.com",
          role: "org:member",
          inviterUserId: "user_bob"
        })
      )
      expect(notAdmin._tag).toBe("ClerkForbidden")
      const badEmail = yield* refusal(
        clerk.organizationInvitations.create({
          organizationId: "org_acme",
          emailAddress: "not-an-email",
          role: "org:member"
        })
      )
      expect(badEmail.errors[0]?.code).toBe("form_param_format_invalid")
    }).pipe(Effect.provide(withAcme)))

  it.effect("bulkCreate creates all or none", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const created = yield* clerk.organizationInvitations.bulkCreate({
        organizationId: "org_acme",
        invitations: [
          { emailAddress: "one@example.com", role: "org:member" },
          { emailAddress: "two@example.com", role: "org:admin" }
        ]
      })
      expect(created.totalCount).toBe(2)
      const refused = yield* refusal(clerk.organizationInvitations.bulkCreate({
        organizationId: "org_acme",
        invitations: [
          { emailAddress: "three@example.com", role: "org:member" },
          { emailAddress: "three@example.com", role: "org:member" }
        ]
      }))
      expect(refused.errors[0]?.code).toBe("duplicate_record")
      const all = yield* clerk.organizationInvitations.list({ organizationId: "org_acme", orderBy: "email_address" })
      expect(all.data.map((i) => i.emailAddress)).toEqual(["one@example.com", "two@example.com"])
    }).pipe(Effect.provide(withAcme)))

  it.effect("pending invitations expire with the clock", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const invitation = yield* clerk.organizationInvitations.create({
        organizationId: "org_acme",
        emailAddress: "late@example.com",
        role: "org:member",
        expiresInDays: 2
      })
      yield* TestClock.adjust(3 * day)
      const fetched = yield* clerk.organizationInvitations.get({
        organizationId: "org_acme",
        invitationId: invitation.id
      })
      expect(fetched.status).toBe("expired")
      const cannotRevoke = yield* refusal(
        clerk.organizationInvitations.revoke({ organizationId: "org_acme", invitationId: invitation.id })
      )
      expect(cannotRevoke._tag).toBe("ClerkBadRequest")
      const again = yield* clerk.organizationInvitations.create({
        organizationId: "org_acme",
        emailAddress: "late@example.com",
        role: "org:member"
      })
      expect(again.status).toBe("pending")
      const tooLong = yield* Effect.flip(clerk.organizationInvitations.create({
        organizationId: "org_acme",
        emailAddress: "x@example.com",
        role: "org:member",
        expiresInDays: 400
      }))
      // The spec caps expires_in_days at 365: the client refuses before sending.
      expect(tooLong._tag).toBe("ClerkInvalidRequest")
    }).pipe(Effect.provide(withAcme)))

  it.effect("instance-wide and per-user lists carry the organization's public data", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const other = yield* clerk.organizations.create({ name: "Other" })
      yield* clerk.organizationInvitations.create({
        organizationId: "org_acme",
        emailAddress: "carol@example.org",
        role: "org:member"
      })
      yield* clerk.organizationInvitations.create({
        organizationId: other.id,
        emailAddress: "carol@example.org",
        role: "org:admin"
      })
      yield* clerk.organizationInvitations.create({
        organizationId: other.id,
        emailAddress: "zed@example.com",
        role: "org:member"
      })
      const all = yield* clerk.organizationInvitations.getAll({ query: "carol" })
      expect(all.totalCount).toBe(2)
      const forCarol = yield* clerk.users.getOrganizationInvitations({ userId: "user_carol", status: "pending" })
      expect(forCarol.data.map((i) => i.publicOrganizationData?.name)).toEqual(["Other", "Acme"])
      expect(forCarol.data[1]?.publicOrganizationData).toMatchObject({ id: "org_acme", slug: "acme", hasImage: false })
      const missing = yield* refusal(clerk.users.getOrganizationInvitations({ userId: "user_nobody" }))
      expect(missing._tag).toBe("ClerkNotFound")
    }).pipe(Effect.provide(withAcme)))
})

describe("instance invitations", () => {
  it.effect("lifecycle: create, list, revoke", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const invitation = yield* clerk.invitations.create({
        emailAddress: "new@example.com",
        publicMetadata: { plan: "trial" },
        redirectUrl: "https://app.example.com/welcome"
      })
      expect(invitation.id).toMatch(/^inv_/)
      expect(invitation).toMatchObject({
        object: "invitation",
        status: "pending",
        revoked: false,
        publicMetadata: { plan: "trial" }
      })
      expect(invitation.expiresAt).toBe(30 * day)
      yield* TestClock.adjust(1000)
      yield* clerk.invitations.create({ emailAddress: "other@example.com" })
      const listed = yield* clerk.invitations.list()
      expect(listed.map((i) => i.emailAddress)).toEqual(["other@example.com", "new@example.com"])
      const queried = yield* clerk.invitations.list({ query: "new@" })
      expect(queried.map((i) => i.id)).toEqual([invitation.id])
      const revoked = yield* clerk.invitations.revoke({ invitationId: invitation.id })
      expect(revoked).toMatchObject({ status: "revoked", revoked: true })
      const active = yield* clerk.invitations.list()
      expect(active.map((i) => i.emailAddress)).toEqual(["other@example.com"])
      const onlyRevoked = yield* clerk.invitations.list({ status: "revoked" })
      expect(onlyRevoked.map((i) => i.id)).toEqual([invitation.id])
      const twice = yield* refusal(clerk.invitations.revoke({ invitationId: invitation.id }))
      expect(twice._tag).toBe("ClerkBadRequest")
      const missing = yield* refusal(clerk.invitations.revoke({ invitationId: "inv_nope" }))
      expect(missing._tag).toBe("ClerkNotFound")
    }).pipe(Effect.provide(withPeople)))

  it.effect("an address with a pending invitation or a user is refused", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* clerk.invitations.create({ emailAddress: "new@example.com" })
      const duplicate = yield* refusal(clerk.invitations.create({ emailAddress: "New@Example.com" }))
      expect(duplicate._tag).toBe("ClerkUnprocessable")
      expect(duplicate.errors[0]?.code).toBe("duplicate_record")
      const existing = yield* refusal(clerk.invitations.create({ emailAddress: "alice@example.com" }))
      expect(existing.errors[0]?.code).toBe("form_identifier_exists")
      expect(existing.errors[0]?.meta).toMatchObject({ param_name: "email_address" })
      const anyway = yield* clerk.invitations.create({ emailAddress: "new@example.com", ignoreExisting: true })
      expect(anyway.status).toBe("pending")
    }).pipe(Effect.provide(withPeople)))

  it.effect("bulkCreate creates all or none and never invites a user", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const created = yield* clerk.invitations.bulkCreate({
        invitations: [{ emailAddress: "a@example.com" }, { emailAddress: "b@example.com", expiresInDays: 7 }]
      })
      expect(created.map((i) => i.emailAddress)).toEqual(["a@example.com", "b@example.com"])
      expect(created[1]?.expiresAt).toBe(7 * day)
      const refused = yield* refusal(clerk.invitations.bulkCreate({
        invitations: [{ emailAddress: "c@example.com" }, { emailAddress: "bob@example.com", ignoreExisting: true }]
      }))
      expect(refused.errors[0]?.code).toBe("form_identifier_exists")
      const listed = yield* clerk.invitations.list({ orderBy: "email_address" })
      expect(listed.map((i) => i.emailAddress)).toEqual(["a@example.com", "b@example.com"])
    }).pipe(Effect.provide(withPeople)))
})
