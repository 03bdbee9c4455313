/**
 * The spec-driven tier of the fake: behaviour derived from the operations' descriptors alone, for the
 * resources no hand-written module covers. A path with `POST /things` and `GET /things/{id}` (or
 * `GET /things`) is a collection: create stores a value of the create operation's success schema (generated,
 * then the params laid over it, an id with the resource's prefix and `Clock` timestamps), get and list read
 * it (limit, offset, equality filters, newest first), update merges the params, delete removes it and answers
 * the delete operation's own shape. Nested collections (`/organizations/{organization_id}/domains`) keep their
 * items under the parent and answer 404 for a parent that does not exist. A path with `GET` and `PATCH`/`PUT`
 * and no collection is a singleton that get and update agree on. Nothing here depends on Effect.
 *
 * @internal
 */
import type { DescriptorOf } from "../../ClerkDescriptorShape.js"
import * as WireShapes from "../../generated/WireShapes.js"
import { camelCase } from "../names.js"
import type { FakeRequest, Reply } from "./core.js"
import { invalidParam, notFound } from "./core.js"
import type { FakeStore } from "./store.js"
import { extensionOf } from "./store.js"
import type { Program } from "./types.js"
import { propertyNamesOf } from "./wireShape.js"

/** What an operation does in a derived collection or singleton. */
export type Role = "create" | "list" | "get" | "update" | "delete" | "singletonGet" | "singletonUpdate"

/** One derived operation: its role and the collection (or singleton) it acts on. */
export interface Derived {
  readonly role: Role
  /** The collection's path without its item id (`/organizations/{organization_id}/domains`), or the singleton's. */
  readonly base: string
  /** The create operation's name, whose success schema is the stored resource's. */
  readonly resource: string
  /** The wire names of the path parameters before the item id: the parents. */
  readonly parents: ReadonlyArray<string>
  /** The id prefix of new items (`dom`, `ru`, ...). */
  readonly prefix: string
}

const itemPath = /\/\{([^}]+)\}$/
const placeholders = /\{([^}]+)\}/g

const itemRoles: Readonly<Record<string, Role | undefined>> = {
  GET: "get",
  PATCH: "update",
  PUT: "update",
  DELETE: "delete"
}

const baseRoles: Readonly<Record<string, Role | undefined>> = { POST: "create", GET: "list" }

/** The prefix of ids of a collection: initials of its last segment's words, or its first three letters. */
const prefixOf = (base: string): string => {
  const segment = base.split("/").filter((part) => part !== "" && !part.startsWith("{")).at(-1) ?? "item"
  const words = segment.split(/[_-]/).filter((word) => word !== "")
  return words.length > 1 ? words.map((word) => word[0]).join("") : segment.slice(0, 3)
}

/**
 * Derives the collections and singletons of a line's operations, leaving out every one that touches an
 * operation in `handWritten` (those resources have richer rules of their own).
 */
export const derive = <N extends string>(
  operations: { readonly [K in N]: { readonly descriptor: DescriptorOf<unknown> } },
  handWritten: ReadonlySet<string>
): ReadonlyMap<N, Derived> => {
  const bases = new Map<string, Partial<Record<Role, N>>>()
  for (const name of Object.keys(operations) as Array<N>) {
    const { method, path } = operations[name].descriptor
    const item = itemPath.exec(path)
    const base = item === null ? path : path.slice(0, item.index)
    const role = item === null ? baseRoles[method] : itemRoles[method]
    if (role === undefined) continue
    // The names carry what the method and path do not: `adjustBillingCreditBalance` posts to a path without
    // creating anything there, and `getBillingCreditBalance` reads a balance, not a list.
    const verb = name.slice(name.indexOf(".") + 1)
    if (role === "create" && !/^(create|add)/.test(verb)) continue
    if (role === "list" && !/^list/.test(verb)) continue
    const roles = bases.get(base) ?? {}
    roles[role] ??= name
    bases.set(base, roles)
  }
  const derived = new Map<N, Derived>()
  const taken = (names: ReadonlyArray<N | undefined>) =>
    names.some((name) => name !== undefined && handWritten.has(name))
  for (const [base, roles] of bases) {
    const parents = [...base.matchAll(placeholders)].map((match) => match[1]!)
    if (roles.create !== undefined && (roles.get !== undefined || roles.list !== undefined)) {
      if (taken(Object.values(roles))) continue
      for (const [role, name] of Object.entries(roles) as Array<[Role, N]>) {
        derived.set(name, { role, base, resource: roles.create, parents, prefix: prefixOf(base) })
      }
    }
  }
  // Singletons: `GET /instance/protect` with `PATCH /instance/protect`, where no collection claimed the path.
  for (const name of Object.keys(operations) as Array<N>) {
    const { method, path } = operations[name].descriptor
    if (method !== "GET" || itemPath.test(path) || derived.has(name) || handWritten.has(name)) continue
    const update = (Object.keys(operations) as Array<N>).find((other) => {
      const descriptor = operations[other].descriptor
      return descriptor.path === path && (descriptor.method === "PATCH" || descriptor.method === "PUT")
    })
    if (update === undefined || derived.has(update) || handWritten.has(update)) continue
    const parents = [...path.matchAll(placeholders)].map((match) => match[1]!)
    derived.set(name, { role: "singletonGet", base: path, resource: name, parents, prefix: "" })
    derived.set(update, { role: "singletonUpdate", base: path, resource: name, parents, prefix: "" })
  }
  return derived
}

/** What a derived operation needs from the instance running it. */
export interface CollectionContext<H> {
  readonly store: FakeStore
  readonly now: number
  readonly request: FakeRequest
  readonly params: unknown
  /** The descriptor of an operation by name. */
  readonly descriptor: (name: string) => DescriptorOf<unknown>
  /** A generated valid value of an operation's success schema. */
  readonly sample: (name: string) => Program<H, unknown>
  /** Whether a value encodes with an operation's success schema. */
  readonly accepts: (name: string, value: unknown) => boolean
  /** Where a value, encoded, leaves the spec's wire shape of an operation's success body (`undefined`: it fits). */
  readonly conforms: (name: string, value: unknown) => string | undefined
}

type Item = Record<string, unknown>

const isItem = (value: unknown): value is Item => typeof value === "object" && value !== null && !Array.isArray(value)

const pagingKeys = new Set(["limit", "offset", "orderBy", "startingAfter", "endingBefore", "paginated", "query"])

/** The params that are fields of the resource: all but paging and the path's own ids. */
const fieldsOf = (params: unknown, request: FakeRequest): Array<[string, unknown]> => {
  if (!isItem(params)) return []
  const pathValues = new Set(Object.values(request.pathParams))
  return Object.entries(params).filter(([key, value]) =>
    value !== undefined && !pagingKeys.has(key) && !(typeof value === "string" && pathValues.has(value))
  )
}

/** Lays `fields` over `base`, keeping each only if the operation's schema still accepts the result. */
const overlay = (
  base: Item,
  fields: ReadonlyArray<[string, unknown]>,
  accepts: (value: Item) => boolean
): Item => {
  const all = { ...base, ...Object.fromEntries(fields) }
  if (accepts(all)) return all
  let kept: Item = base
  for (const [key, value] of fields) {
    const next = { ...kept, [key]: value }
    if (accepts(next)) kept = next
  }
  return kept
}

/** `form_param_format_invalid` with a status the operation declares (422, else 400), so it is a typed error. */
const invalidFor = (declared: ReadonlyArray<number>, param: string, message: string): Reply =>
  invalidParam(param, message, declared.includes(422) || !declared.includes(400) ? 422 : 400)

/**
 * A 422 naming the field whose value the client's schema takes but the spec's wire shape does not (a
 * malformed email address, a value outside an enum), as Clerk refuses such a param; `undefined` when the
 * fields fit, or when the item would not fit even without them (then the params are not to blame).
 */
const misfit = (
  base: Item,
  item: Item,
  fields: ReadonlyArray<[string, unknown]>,
  conforms: (value: Item) => string | undefined,
  declared: ReadonlyArray<number>
): Reply | undefined => {
  const problem = conforms(item)
  if (problem === undefined || conforms(base) !== undefined) return undefined
  let kept: Item = base
  for (const [key, value] of fields) {
    if (!(key in item)) continue
    const next = { ...kept, [key]: value }
    const issue = conforms(next)
    if (issue !== undefined) {
      const param = /^body\.([^.[:]+)/.exec(issue)?.[1] ?? key
      return invalidFor(declared, param, `${param} is invalid: ${issue.replace(/^body\.[^:]*: /, "")}`)
    }
    kept = next
  }
  return undefined
}

// The shapes are static data: what is read from them per operation is read once.
const wireFields = new Map<string, ReadonlySet<string>>()
const idPatterns = new Map<string, string | undefined>()

/** The pattern the spec gives the ids in a collection's item path (`ak_` and 32 hex digits), if any. */
const idPatternOf = <H>(derived: Derived, all: ReadonlyMap<string, Derived>, ctx: CollectionContext<H>) => {
  if (idPatterns.has(derived.base)) return idPatterns.get(derived.base)
  let pattern: string | undefined
  for (const [other, entry] of all) {
    if (entry.base !== derived.base || entry.role === "create" || entry.role === "list") continue
    pattern ??= WireShapes.idPatterns[ctx.descriptor(other).path]
  }
  idPatterns.set(derived.base, pattern)
  return pattern
}

/** The wire property names of the resource a collection stores, from the spec's wire shape of its create. */
const wireFieldsOf = (derived: Derived): ReadonlySet<string> => {
  let fields = wireFields.get(derived.resource)
  if (fields === undefined) {
    const shape = WireShapes.responses[derived.resource]
    fields = new Set(shape === undefined ? [] : propertyNamesOf(shape, WireShapes.components))
    wireFields.set(derived.resource, fields)
  }
  return fields
}

const compareValues = (a: unknown, b: unknown): number => {
  if (a === b) return 0
  if (a === undefined || a === null) return 1
  if (b === undefined || b === null) return -1
  if (typeof a === "number" && typeof b === "number") return a - b
  return String(a).localeCompare(String(b))
}

/**
 * The items in `order_by` order (`+field` or `field` ascending, `-field` descending), ties in creation order
 * ascending and newest first descending. A field the resource does not have is refused with a 422 when the
 * caller asked for it (`asked`: the operation's declared errors), as Clerk refuses it; a default order on such a
 * field is creation order, newest first.
 */
const orderedBy = (
  items: ReadonlyArray<Item>,
  orderBy: unknown,
  derived: Derived,
  asked: ReadonlyArray<number> | undefined
): Array<Item> | Reply => {
  const parsed = typeof orderBy === "string" ? /^([+-]?)([a-z][a-z0-9_]*)$/.exec(orderBy) : null
  if (parsed === null || !wireFieldsOf(derived).has(parsed[2]!)) {
    if (asked === undefined) return [...items].reverse()
    return invalidFor(asked, "order_by", `order_by is invalid: ${String(orderBy)} names no field to sort by`)
  }
  const key = camelCase(parsed[2]!)
  if (parsed[1] === "-") return [...items].reverse().sort((a, b) => compareValues(b[key], a[key]))
  return [...items].sort((a, b) => compareValues(a[key], b[key]))
}

const listTemplatesKey = Symbol("effect-clerk/ClerkTest/listTemplates")

const keyOf = (parents: ReadonlyArray<string>, id: string) => [...parents, id].join("\u0000")

const parentValues = (derived: Derived, request: FakeRequest): Array<string> =>
  derived.parents.map((parent) => request.pathParams[parent] ?? "")

/** Whether the parent a nested collection's path names exists, where the fake can tell. */
const parentExists = (derived: Derived, store: FakeStore, request: FakeRequest, all: ReadonlyMap<string, Derived>) => {
  if (derived.parents.length === 0) return true
  const last = derived.parents[derived.parents.length - 1]!
  const id = request.pathParams[last] ?? ""
  const parentBase = derived.base.slice(0, derived.base.indexOf(`{${last}}`) - 1)
  if (parentBase === "/users") return store.users.has(id)
  if (parentBase === "/organizations") return store.organizations.has(id)
  const parentCollection = [...all.values()].find((other) => other.base === parentBase && other.role === "create")
  if (parentCollection === undefined) return true
  const items = store.collections.get(parentBase)
  return items?.has(keyOf(parentValues(parentCollection, request), id)) ?? false
}

const itemsOf = (store: FakeStore, base: string): Map<string, Item> => {
  let items = store.collections.get(base)
  if (items === undefined) {
    items = new Map()
    store.collections.set(base, items)
  }
  return items
}

const matches = (item: Item, filters: ReadonlyArray<[string, unknown]>): boolean =>
  filters.every(([key, wanted]) => {
    if (!(key in item)) return true
    const value = item[key]
    if (Array.isArray(wanted)) return wanted.includes(value)
    return typeof wanted === "object" || value === wanted
  })

/** Answers a derived operation: the success value to encode, or a reply. */
export function* answer<H>(
  name: string,
  derived: Derived,
  all: ReadonlyMap<string, Derived>,
  ctx: CollectionContext<H>
): Program<H, unknown> {
  const { request, store } = ctx
  const what = derived.base.split("/").filter((part) => part !== "" && !part.startsWith("{")).join(" ")
  if (!parentExists(derived, store, request, all)) return notFound(`parent of ${what}`)
  const parents = parentValues(derived, request)
  const fields = fieldsOf(ctx.params, request)
  const items = itemsOf(store, derived.base)
  const id = (): string => {
    const wire = itemPath.exec(ctx.descriptor(name).path)?.[1]
    return wire === undefined ? "" : request.pathParams[wire] ?? ""
  }
  switch (derived.role) {
    case "create": {
      const sampled = yield* ctx.sample(name)
      // A result without an id (a test run's report) names nothing that could be read back: it is not stored.
      if (!isItem(sampled) || typeof sampled.id !== "string") return sampled
      const pattern = idPatternOf(derived, all, ctx)
      const base: Item = {
        ...sampled,
        id: pattern === undefined
          ? store.ids.next(derived.prefix, ctx.now)
          : store.ids.matching(pattern, derived.prefix)
      }
      if (typeof sampled.createdAt === "number") base.createdAt = ctx.now
      if (typeof sampled.updatedAt === "number") base.updatedAt = ctx.now
      const item = overlay(base, fields, (value) => ctx.accepts(name, value))
      const refused = misfit(base, item, fields, (value) => ctx.conforms(name, value), ctx.descriptor(name).errors)
      if (refused !== undefined) return refused
      items.set(keyOf(parents, String(item.id)), item)
      return item
    }
    case "get":
      return items.get(keyOf(parents, id())) ?? notFound(what)
    case "update": {
      const key = keyOf(parents, id())
      const current = items.get(key)
      if (current === undefined) return notFound(what)
      const touched = typeof current.updatedAt === "number" ? { ...current, updatedAt: ctx.now } : current
      const updated = overlay(touched, fields, (value) => ctx.accepts(name, value))
      const refused = misfit(
        touched,
        updated,
        fields,
        (value) => ctx.conforms(name, value),
        ctx.descriptor(name).errors
      )
      if (refused !== undefined) return refused
      items.set(key, updated)
      return ctx.accepts(name, updated) ? updated : yield* ctx.sample(name)
    }
    case "delete": {
      const key = keyOf(parents, id())
      const current = items.get(key)
      if (current === undefined) return notFound(what)
      items.delete(key)
      const sampled = yield* ctx.sample(name)
      if (!isItem(sampled)) return sampled
      const deleted: Item = { ...sampled }
      for (const [field, value] of [["id", current.id], ["deleted", true], ["object", current.object]] as const) {
        if (field in sampled && value !== undefined) deleted[field] = value
      }
      return ctx.accepts(name, deleted) ? deleted : sampled
    }
    case "list": {
      const prefix = keyOf(parents, "")
      const found = [...items].filter(([key, item]) => key.startsWith(prefix) && matches(item, fields))
        .map(([, item]) => item)
      const params = isItem(ctx.params) ? ctx.params : {}
      const ordered = params.orderBy === undefined
        ? orderedBy(found, WireShapes.orderDefaults[name] ?? "-created_at", derived, undefined)
        : orderedBy(found, params.orderBy, derived, ctx.descriptor(name).errors)
      if (!Array.isArray(ordered)) return ordered
      // A list without paging params (`GET /redirect_urls`) answers every item, as Clerk's does.
      const pages = ctx.descriptor(name).queryParams?.includes("limit") === true
      const offset = typeof params.offset === "number" ? params.offset : 0
      const limit = typeof params.limit === "number" ? params.limit : pages ? 10 : Infinity
      const page = ordered.slice(offset, offset + limit)
      // The list's shape (a bare array, or `{ data, totalCount }` with whatever else its schema holds) is drawn
      // once per store, not on every call.
      const templates = extensionOf(store, listTemplatesKey, () => new Map<string, unknown>())
      if (!templates.has(name)) templates.set(name, yield* ctx.sample(name))
      const sampled = templates.get(name)
      const listed = Array.isArray(sampled)
        ? page
        : isItem(sampled) && Array.isArray(sampled.data)
        ? { ...sampled, data: page, totalCount: found.length }
        : sampled
      return ctx.accepts(name, listed) ? listed : sampled
    }
    case "singletonGet":
    case "singletonUpdate": {
      let current = store.singletons.get(derived.base)
      if (current === undefined) {
        current = yield* ctx.sample(derived.resource)
        store.singletons.set(derived.base, current)
      }
      if (derived.role === "singletonGet") return current
      const updated = isItem(current)
        ? overlay(current, fields, (value) => ctx.accepts(derived.resource, value))
        : current
      store.singletons.set(derived.base, updated)
      if (ctx.descriptor(name).success === "void") return undefined
      return ctx.accepts(name, updated) ? updated : yield* ctx.sample(name)
    }
  }
}
