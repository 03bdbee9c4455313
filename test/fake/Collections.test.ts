/**
 * The spec-driven collections of the fake, each walked through a round trip generated from its descriptors:
 * create (params drawn from the create operation's schema, parents created first) → get → list sees it →
 * update → delete → get is 404 and list no longer sees it. Plus the edge cases: a missing parent is a 404, and
 * a singleton's get and update agree.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import type * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { camelCase } from "../../scripts/generator/names.js"
import { ClerkBackend } from "../../src/ClerkBackend.js"
import type { ClerkError } from "../../src/ClerkError.js"
import { ClerkTest } from "../../src/ClerkTest.js"
import { operations } from "../../src/generated/Operations.js"
import * as WireShapes from "../../src/generated/WireShapes.js"
import { sampleShape } from "../../src/internal/fake/wireShape.js"
import { collections, derived, lastParamOf, type Name } from "../support/collections.js"

type AnyApi = Record<string, Record<string, (params?: unknown) => Effect.Effect<unknown, ClerkError>>>
type Item = Record<string, unknown>

const sampleParams = (name: Name, seed: number): Item => {
  const params = operations[name].descriptor.params
  if (params === undefined) return {}
  const drawn = FastCheck.sample(Arbitrary.make(params as Schema.Schema<any, any>), { seed, numRuns: 1 })[0] as Item
  return fittedToResource(name, drawn, seed)
}

/**
 * The drawn params with each string field the resource's wire shape formats (an email address, a pattern, an
 * enum) drawn from that shape instead: a random string is almost never one, and the fake refuses it as Clerk does.
 */
const fittedToResource = (name: Name, params: Item, seed: number): Item => {
  let shape = WireShapes.responses[name]
  while (shape?.ref !== undefined) shape = WireShapes.components[shape.ref]
  const out = { ...params }
  for (const [wire, property] of Object.entries(shape?.properties ?? {})) {
    const key = camelCase(wire)
    let resolved = property
    while (resolved.ref !== undefined) resolved = WireShapes.components[resolved.ref]!
    if (typeof out[key] !== "string" || resolved.type !== "string") continue
    if (resolved.format === undefined && resolved.pattern === undefined && resolved.enum === undefined) continue
    const value = sampleShape(resolved, WireShapes.components, seed)
    if (value !== undefined && value !== null) out[key] = value
  }
  return out
}

const call = (name: Name, params: Item) =>
  Effect.flatMap(ClerkBackend, (clerk) => {
    const [group, method] = name.split(".") as [string, string]
    return (clerk as unknown as AnyApi)[group]![method]!(params)
  })

const itemsOf = (page: unknown): ReadonlyArray<Item> =>
  (Array.isArray(page) ? page : (page as { readonly data?: ReadonlyArray<Item> }).data ?? []) as ReadonlyArray<Item>

/**
 * A refusal random params deserve, after which others are drawn: the client's own check (an empty string),
 * or the fake's `form_param_format_invalid` for a value the spec's wire shape does not allow (an email
 * address that is not one, a value outside an enum).
 */
const drawnAgain = (error: ClerkError): boolean =>
  error._tag === "ClerkInvalidRequest" ||
  ((error._tag === "ClerkUnprocessable" || error._tag === "ClerkBadRequest") &&
    error.errors[0]?.code === "form_param_format_invalid")

/** Creates an item of the collection at `base`, its parents first; answers it with the path params used. */
const createIn = (
  base: string,
  seed: number
): Effect.Effect<{ readonly item: Item; readonly path: Item }, ClerkError | string, ClerkBackend> =>
  Effect.gen(function*() {
    const roles = collections.get(base)
    if (roles?.create === undefined) return yield* Effect.fail(`no collection at ${base}`)
    const path: Item = {}
    for (const parent of roles.derived.parents) {
      const parentBase = base.slice(0, base.indexOf(`{${parent}}`) - 1)
      const key = camelCase(parent)
      if (parentBase === "/users") {
        path[key] = ((yield* call("users.create", { emailAddress: [`p${seed}@example.com`] })) as Item).id
      } else if (parentBase === "/organizations") {
        path[key] = ((yield* call("organizations.create", { name: `Parent ${seed}` })) as Item).id
      } else {
        path[key] = (yield* createIn(parentBase, seed + 1)).item.id
      }
    }
    // Draws params until the client accepts them (a generated empty string is refused before sending).
    for (let attempt = 0; attempt < 30; attempt++) {
      const created = yield* Effect.either(
        call(roles.create, { ...sampleParams(roles.create, seed + attempt), ...path })
      )
      if (created._tag === "Right") return { item: created.right as Item, path }
      if (!drawnAgain(created.left)) return yield* Effect.fail(created.left)
    }
    return yield* Effect.fail(`${roles.create}: no accepted params in 30 draws`)
  })

describe("spec-driven collections of the fake", () => {
  it("derives at least 20 collections and the singletons, none touching a hand-written route", () => {
    expect(collections.size).toBeGreaterThanOrEqual(20)
    expect([...derived.values()].some((entry) => entry.role === "singletonGet")).toBe(true)
    expect(derived.has("users.create")).toBe(false)
    expect(derived.get("domains.add")).toMatchObject({ role: "create", base: "/domains", parents: [] })
    // A balance read and an adjustment posted to one path are not a collection.
    expect(derived.has("users.adjustBillingCreditBalance")).toBe(false)
    expect(derived.get("organizationDomains.create")).toMatchObject({ parents: ["organization_id"] })
  })

  /** The list's items, or `undefined` when the list needs params of its own (`m2m.listTokens`' subject). */
  const listed = (name: Name, path: Item) =>
    Effect.map(
      Effect.either(call(name, { ...path, limit: 100 })),
      (page) => page._tag === "Right" ? itemsOf(page.right).map((entry) => entry.id) : undefined
    )

  for (const [base, roles] of collections) {
    it.effect(`${base}: create → get → list → update → delete → 404`, () =>
      Effect.gen(function*() {
        const { item, path } = yield* createIn(base, 1000)
        // A create whose answer has no id (a test run's report) is answered but not stored.
        if (!("id" in item)) return
        expect(typeof item.id).toBe("string")
        expect(String(item.id)).toMatch(new RegExp(`^${roles.derived.prefix}_`))
        const idOf = (name: Name) => ({ ...path, [camelCase(lastParamOf(name))]: item.id })
        // A create may answer more than a get (a secret shown once): the get's fields are the created item's.
        if (roles.get !== undefined) {
          const got = (yield* call(roles.get, idOf(roles.get))) as Item
          expect(item).toMatchObject(got)
        }
        const seen = roles.list === undefined ? undefined : yield* listed(roles.list, path)
        if (seen !== undefined) expect(seen).toContain(item.id)
        if (roles.update !== undefined) {
          for (let attempt = 0; attempt < 30; attempt++) {
            const updated = yield* Effect.either(
              call(roles.update, { ...sampleParams(roles.update, 2000 + attempt), ...idOf(roles.update) })
            )
            if (updated._tag === "Right") break
            expect(drawnAgain(updated.left), updated.left.message).toBe(true)
          }
        }
        if (roles.delete !== undefined) {
          yield* call(roles.delete, idOf(roles.delete))
          if (roles.get !== undefined) {
            const gone = yield* Effect.flip(call(roles.get, idOf(roles.get)))
            expect(gone._tag).toBe("ClerkNotFound")
          }
          if (seen !== undefined) expect(yield* listed(roles.list!, path)).not.toContain(item.id)
          const again = yield* Effect.flip(call(roles.delete, idOf(roles.delete)))
          expect(again._tag === "ClerkNotFound" || again._tag === "ClerkUnexpectedStatus").toBe(true)
        }
      }).pipe(Effect.provide(ClerkTest.layer)))
  }

  it.effect("a nested collection under a missing parent answers 404; under an existing one it keeps its items apart", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const missing = yield* Effect.flip(clerk.organizationDomains.list({ organizationId: "org_missing" }))
      expect(missing).toMatchObject({ status: 404, errors: [{ code: "resource_not_found" }] })
      const one = yield* clerk.organizations.create({ name: "One" })
      const two = yield* clerk.organizations.create({ name: "Two" })
      const domain = yield* clerk.organizationDomains.create({ organizationId: one.id, name: "one.example.com" })
      expect(domain.name).toBe("one.example.com")
      expect((yield* clerk.organizationDomains.list({ organizationId: one.id })).data.map((d) => d.id)).toEqual([
        domain.id
      ])
      expect((yield* clerk.organizationDomains.list({ organizationId: two.id })).data).toEqual([])
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("create keeps the params (domains.create's name), list filters and orders newest first", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const first = yield* clerk.redirectUrls.create({ url: "https://one.example.com/cb" })
      const second = yield* clerk.redirectUrls.create({ url: "https://two.example.com/cb" })
      expect(first.url).toBe("https://one.example.com/cb")
      expect((yield* clerk.redirectUrls.get({ id: first.id })).url).toBe("https://one.example.com/cb")
      const listed = yield* clerk.redirectUrls.list()
      expect(listed.map((entry) => entry.id)).toEqual([second.id, first.id])
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("a list sorts by the order_by field it is given, either way, ties in creation order", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      // TestClock stands still: every entry has the same created_at, a tie broken by creation order.
      for (const address of ["bea@example.com", "ada@example.com", "cy@example.com"]) {
        yield* clerk.waitlistEntries.create({ emailAddress: address })
      }
      const addresses = (orderBy?: string) =>
        Effect.map(
          clerk.waitlistEntries.list(orderBy === undefined ? {} : { orderBy }),
          (page) => page.data.map((entry) => entry.emailAddress)
        )
      expect(yield* addresses("+email_address")).toEqual(["ada@example.com", "bea@example.com", "cy@example.com"])
      expect(yield* addresses("email_address")).toEqual(["ada@example.com", "bea@example.com", "cy@example.com"])
      expect(yield* addresses("-email_address")).toEqual(["cy@example.com", "bea@example.com", "ada@example.com"])
      expect(yield* addresses("+created_at")).toEqual(["bea@example.com", "ada@example.com", "cy@example.com"])
      // The spec's default for this list, -created_at: newest first.
      expect(yield* addresses()).toEqual(["cy@example.com", "ada@example.com", "bea@example.com"])
      // The list declares no 4xx, so the refusal arrives as ClerkUnexpectedStatus, with Clerk's error fields.
      const refused = yield* Effect.flip(clerk.waitlistEntries.list({ orderBy: "-shoe_size" }))
      expect(refused).toMatchObject({ _tag: "ClerkUnexpectedStatus", status: 422 })
      expect("errors" in refused ? refused.errors[0]?.meta : undefined).toEqual({ param_name: "order_by" })
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("a list without order_by takes the spec's default order (oauthApplications: oldest first)", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const first = yield* clerk.oauthApplications.create({ name: "first", callbackUrl: "https://one.example.com" })
      yield* TestClock.adjust("1 second")
      const second = yield* clerk.oauthApplications.create({ name: "second", callbackUrl: "https://two.example.com" })
      expect((yield* clerk.oauthApplications.list()).data.map((app) => app.id)).toEqual([first.id, second.id])
      expect((yield* clerk.oauthApplications.list({ orderBy: "-created_at" })).data.map((app) => app.id)).toEqual([
        second.id,
        first.id
      ])
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.effect("a param the spec's wire shape refuses is a typed 422 naming it, and nothing is stored", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const refused = yield* Effect.flip(clerk.waitlistEntries.create({ emailAddress: "not an address" }))
      expect(refused._tag).toBe("ClerkUnprocessable")
      expect("errors" in refused ? refused.errors[0] : undefined).toMatchObject({
        code: "form_param_format_invalid",
        meta: { param_name: "email_address" }
      })
      expect((yield* clerk.waitlistEntries.list()).data).toEqual([])
    }).pipe(Effect.provide(ClerkTest.layer)))

  describe("seeding through layerWith({ resources })", () => {
    const seeded = ClerkTest.layerWith({
      organizations: [{ id: "org_acme", name: "Acme" }],
      resources: {
        "redirectUrls.create": [{ url: "https://one.example.com/cb", id: "ru_chosen" }, {
          url: "https://two.example.com/cb"
        }],
        "organizationDomains.create": [{ organizationId: "org_acme", name: "acme.example.com" }],
        "apiKeys.create": [{ name: "ci", subject: "user_2abcdefghijklmnopqrstuvwxyz", id: "ak_" + "0".repeat(32) }]
      }
    })

    it.effect("creates them in order through their operations, with chosen ids, and again after a reset", () =>
      Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const urls = () => Effect.map(clerk.redirectUrls.list(), (list) => list.map((entry) => entry.url))
        expect(yield* urls()).toEqual(["https://two.example.com/cb", "https://one.example.com/cb"])
        expect((yield* clerk.redirectUrls.get({ id: "ru_chosen" })).url).toBe("https://one.example.com/cb")
        const domains = yield* clerk.organizationDomains.list({ organizationId: "org_acme" })
        expect(domains.data.map((domain) => domain.name)).toEqual(["acme.example.com"])
        expect((yield* clerk.apiKeys.get({ apiKeyID: "ak_" + "0".repeat(32) })).name).toBe("ci")
        yield* clerk.redirectUrls.delete({ id: "ru_chosen" })
        yield* ClerkTest.reset
        expect(yield* urls()).toEqual(["https://two.example.com/cb", "https://one.example.com/cb"])
      }).pipe(Effect.provide(seeded)))

    const seedError = (options: Parameters<typeof ClerkTest.layerWith>[0]) =>
      Effect.flip(Effect.provide(ClerkTest.calls, ClerkTest.layerWith(options)))

    it.effect("refuses, with ClerkTestSeedError, what it cannot create", () =>
      Effect.gen(function*() {
        const missingParent = yield* seedError({
          resources: { "organizationDomains.create": [{ organizationId: "org_missing", name: "x.example.com" }] }
        })
        expect(missingParent).toMatchObject({
          _tag: "ClerkTestSeedError",
          operation: "organizationDomains.create",
          status: 404
        })
        const malformed = yield* seedError({ resources: { "waitlistEntries.create": [{ emailAddress: "nope" }] } })
        expect(malformed).toMatchObject({ operation: "waitlistEntries.create", status: 422 })
        const unknown = yield* seedError({ resources: { "widgets.create": [{}] } as never })
        expect(unknown.message).toMatch(/no operation is named widgets\.create/)
        const noId = yield* seedError({ resources: { "jwtTemplates.create": [{ name: "x", claims: {}, id: "j" }] } })
        expect(noId.message).toMatch(/jwtTemplates\.create does not take an id/)
      }))
  })

  it.effect("a singleton's get and update agree, and a reset forgets the update", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const before = yield* clerk.instanceSettings.getProtect()
      const updated = yield* clerk.instanceSettings.updateProtect({ rulesEnabled: !before.rulesEnabled })
      expect(updated.rulesEnabled).toBe(!before.rulesEnabled)
      expect(yield* clerk.instanceSettings.getProtect()).toEqual(updated)
      yield* ClerkTest.reset
      expect(yield* clerk.instanceSettings.getProtect()).toEqual(before)
    }).pipe(Effect.provide(ClerkTest.layer)))
})
