/**
 * The fake's state: one map per resource, holding decoded (camelCase) values in creation
 * order, plus the id generator and the signing keys of the fake instance.
 *
 * @internal
 */
import type * as Schemas from "../../v4/generated/Schemas.js"
import type { TestKeys } from "../testTokens.js"
import type { FakeEvent } from "./events.js"
import { stringForPattern } from "./pattern.js"
import type { DeliveryRecord } from "./types.js"

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

/** Seconds since 2014-05-13, the epoch of the 27-character sortable ids Clerk uses. */
const idEpochSeconds = 1_400_000_000

/**
 * A seeded source of numbers in [0, 1): the same seed draws the same sequence (mulberry32: small, fast, and
 * good enough for values that only need to look random).
 */
export const seededRandom = (seed: number): () => number => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Clerk-looking ids (`user_2abc...`, 27 base62 characters after the prefix): a 4-byte
 * timestamp then 16 pseudo-random bytes from a seeded generator, so ids sort by creation
 * second and a given seed always yields the same sequence.
 */
export class IdGenerator {
  private readonly draw: () => number
  private readonly reserved = new Map<string, Array<string>>()

  constructor(seed: number) {
    this.draw = seededRandom((seed >>> 0) || 0x9e3779b9)
  }

  /** The next id for `prefix` (`user`, `org`, `sess`...), created at `nowMillis`. */
  next(prefix: string, nowMillis: number): string {
    const queued = this.reserved.get(prefix)
    if (queued !== undefined && queued.length > 0) return queued.shift()!
    let value = BigInt(Math.max(0, Math.floor(nowMillis / 1000) - idEpochSeconds) >>> 0)
    for (let i = 0; i < 4; i++) value = (value << 32n) | BigInt(this.random())
    let text = ""
    while (value > 0n) {
      text = alphabet[Number(value % 62n)] + text
      value /= 62n
    }
    return `${prefix}_${text.padStart(27, "0")}`
  }

  /** Makes the next id of `prefix` be `id` (seeding with ids chosen by the test). */
  reserve(prefix: string, id: string): void {
    const queue = this.reserved.get(prefix) ?? []
    queue.push(id)
    this.reserved.set(prefix, queue)
  }

  /** A random lower-case token of `length` characters (secrets, tickets). */
  token(length: number): string {
    let text = ""
    while (text.length < length) text += (this.random() >>> 0).toString(36)
    return text.slice(0, length)
  }

  /**
   * An id matching `pattern` (the spec's pattern for the item's path parameter), drawn from the same sequence;
   * one starting with `prefix` where the pattern allows it (`ak_` of `(ak|api_key)_…`).
   */
  matching(pattern: string, prefix: string): string {
    const queued = this.reserved.get(prefix)
    if (queued !== undefined && queued.length > 0) return queued.shift()!
    let id = stringForPattern(pattern, 0, Infinity, this.draw)
    for (let attempt = 0; attempt < 16 && !id.startsWith(`${prefix}_`); attempt++) {
      id = stringForPattern(pattern, 0, Infinity, this.draw)
    }
    return id
  }

  private random(): number {
    return Math.floor(this.draw() * 4294967296)
  }
}

/**
 * An event queued by a resource module: its type and its data, either decoded with the operation whose success
 * schema encodes it (`sessions.get` for a session) or already in wire form (an email, which no operation answers).
 */
export type SideEvent =
  | { readonly type: string; readonly encodeAs: string; readonly value: unknown }
  | { readonly type: string; readonly wire: { readonly [key: string]: unknown } }

/** Everything the fake instance knows. Maps iterate in creation order. */
/** The value a module keeps in a store under `key`, made by `make` on first use. */
export const extensionOf = <A>(store: FakeStore, key: symbol, make: () => A): A => {
  let value = store.extensions.get(key) as A | undefined
  if (value === undefined) {
    value = make()
    store.extensions.set(key, value)
  }
  return value
}

export class FakeStore {
  readonly users = new Map<string, Schemas.User>()
  /** Plain-text passwords by user id: the fake only compares them. */
  readonly passwords = new Map<string, string>()
  readonly organizations = new Map<string, Schemas.Organization>()
  /** Memberships by membership id. */
  readonly memberships = new Map<string, Schemas.OrganizationMembership>()
  readonly organizationInvitations = new Map<string, Schemas.OrganizationInvitation>()
  readonly invitations = new Map<string, Schemas.Invitation>()
  readonly sessions = new Map<string, Schemas.Session>()
  readonly signInTokens = new Map<string, Schemas.SignInToken>()
  readonly jwtTemplates = new Map<string, Schemas.JWTTemplate>()
  /** The spec-driven collections' items, by collection path, keyed by parent ids and item id. */
  readonly collections = new Map<string, Map<string, Record<string, unknown>>>()
  /** The spec-driven singletons' current values, by path. */
  readonly singletons = new Map<string, unknown>()
  /** The webhook events its state changes caused, oldest first (see events.ts). */
  readonly events: Array<FakeEvent> = []
  /** The HTTP deliveries of those events, when the instance delivers them. */
  readonly deliveries: Array<DeliveryRecord> = []
  /**
   * Events an operation causes beside its own (the sessions a ban revokes, the email an invitation sends),
   * queued by the resource modules and recorded by the instance once the operation has answered.
   */
  readonly sideEvents: Array<SideEvent> = []
  /**
   * State a resource module keeps beside its resources (identifier owners, signing keys of templates), under
   * the module's own key: in the store, so a reset (a new store) clears it with everything else.
   */
  readonly extensions = new Map<symbol, unknown>()
  /** How many generated answers this instance has given: each one's seed, so a reset replays them. */
  samples = 0

  constructor(
    /** The instance's session-token signing keys, served by `GET /jwks`. */
    readonly keys: TestKeys,
    readonly ids: IdGenerator
  ) {}
}
