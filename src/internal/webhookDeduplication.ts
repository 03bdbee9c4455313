/**
 * The parts of the webhook endpoint with no Effect in it, read by the `ClerkWebhooksHandler`
 * modules of both Effect lines: the in-memory claim table, the check that one store is shared
 * across deliveries, and the bodies of the answers.
 *
 * @internal
 */

/**
 * The delivery an event came in: its Svix message id, the same across retries, and its
 * signing time in unix seconds.
 *
 * @since 0.1.0
 * @category models
 */
export interface WebhookDelivery {
  readonly id: string
  readonly timestamp: number
}

/**
 * Options of `handler`.
 *
 * @since 0.1.0
 * @category models
 */
export interface HandlerOptions {
  /**
   * Run the effect at most once per message id, through the `WebhookDeduplication` in
   * context: a delivery whose id was already claimed gets 200 without running it, and a run
   * that fails releases the id so Clerk's retry runs it again. Default `false`.
   */
  readonly deduplicate?: boolean | undefined
}

/** The options of `WebhookDeduplication.memory`, over the line's duration input. */
export interface MemoryDeduplicationOptionsOf<DurationInput> {
  /** How many ids are remembered at most; beyond it the oldest claim is forgotten first. Default 10 000. */
  readonly capacity?: number | undefined
  /**
   * How long an id is remembered after its claim. Default 24 hours: longer than the longest
   * wait between two of Svix's attempts (10 hours), so an attempt that succeeded but whose answer
   * was lost is still known when the next one comes. A manual replay after that runs again.
   */
  readonly ttl?: DurationInput | undefined
}

/** The claims of an in-memory store, by id; each line wraps them in its own `Effect` and `Clock`. */
export interface MemoryClaims {
  /** Remembers `id` at `now` (milliseconds) and answers whether it was not remembered yet. */
  readonly claim: (id: string, now: number) => boolean
  readonly release: (id: string) => void
}

const defaultCapacity = 10_000

/** The default ttl of the in-memory store, in hours. */
export const defaultTtlHours = 24

/**
 * The in-memory claims. A `Map` keeps insertion order, and a claim is always (re)inserted at the
 * end, so the first entry is both the oldest claim and, with one TTL for all, the first to
 * expire: eviction and expiry only ever look at the front, in amortised constant time.
 *
 * `ttlMillis` is `Infinity` for an infinite ttl: such entries only leave through capacity or
 * release. Throws a `RangeError` for a capacity that is not a positive integer or a ttl of zero.
 */
export const memoryClaims = (capacityOption: number | undefined, ttlMillis: number): MemoryClaims => {
  const capacity = capacityOption ?? defaultCapacity
  // A zero or fractional capacity would silently remember nothing, or round; both are mistakes.
  if (!Number.isSafeInteger(capacity) || capacity < 1) {
    throw new RangeError(`WebhookDeduplication.memory: capacity must be a positive integer, got ${capacity}`)
  }
  if (!(ttlMillis > 0)) throw new RangeError("WebhookDeduplication.memory: ttl must be longer than zero")
  /** id → the time (Clock millis) it is forgotten. */
  const expiries = new Map<string, number>()

  const sweep = (now: number) => {
    for (const [id, expiresAt] of expiries) {
      if (expiresAt > now) break
      expiries.delete(id)
    }
  }

  return {
    claim: (id, now) => {
      sweep(now)
      if (expiries.has(id)) return false
      expiries.set(id, now + ttlMillis)
      while (expiries.size > capacity) {
        const oldest = expiries.keys().next()
        if (oldest.done === true) break
        expiries.delete(oldest.value)
      }
      return true
    },
    release: (id) => {
      expiries.delete(id)
    }
  }
}

/** The stores `WebhookDeduplication.memory` made: a handler seeing a new one per delivery is miswired. */
const memoryStores = new WeakSet<object>()

/** Marks a store as made by `WebhookDeduplication.memory`. */
export const markMemoryStore = <S extends object>(store: S): S => {
  memoryStores.add(store)
  return store
}

/**
 * One handler's watch over the in-memory stores it is given: answers `true` once, for the first
 * delivery that brings a different in-memory store than the one before. That means the store is
 * built per request (a `memory()` call inside the request path, a fresh layer), and de-duplication
 * silently stops.
 */
export const freshStoreWatch = (): (store: object) => boolean => {
  let lastMemoryStore: object | undefined
  let warned = false
  return (store) => {
    if (!memoryStores.has(store)) return false
    const previous = lastMemoryStore
    lastMemoryStore = store
    if (previous === undefined || previous === store || warned) return false
    warned = true
    return true
  }
}

/** The warning {@link freshStoreWatch} calls for. */
export const freshStoreWarning =
  "effect-clerk: the webhook handler got a new in-memory de-duplication store for this delivery, so it does not " +
  "remember earlier ones; build WebhookDeduplication once (a layer around the server, or ClerkWebhooksHandler.route)"

/** The bodies of the answers; kept small, Svix shows them in the endpoint's attempt log. */
export const answers = {
  accepted: { ok: true },
  duplicate: { ok: true, duplicate: true },
  /** Another delivery of the id is being processed (a shared store's lease): not 2xx, so Svix tries again later. */
  busy: { ok: false, busy: true },
  /** Says nothing of the error: it may carry data or internals, and the sender is not the one to fix it. */
  failed: { ok: false, message: "the webhook could not be processed" }
} as const

/** The event type a delivery's logs are annotated with: the delivered one for unknown and malformed events. */
export const loggedType = (
  event:
    | { readonly type: "unknown"; readonly unknownType: string }
    | { readonly type: "malformed"; readonly eventType: string | undefined }
    | { readonly type: string }
): string =>
  event.type === "unknown"
    ? (event as { readonly unknownType: string }).unknownType
    : event.type === "malformed"
    ? (event as { readonly eventType: string | undefined }).eventType ?? "(none)"
    : event.type
