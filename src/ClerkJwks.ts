/**
 * The instance's signing keys: fetched through the Backend API, cached, refreshed once
 * per cooldown for an unknown `kid`, and served from the last good set when a refresh fails.
 * Or given directly, as a JWKS document or a PEM key, with no network at all.
 *
 * @since 0.1.0
 */
import * as Cache from "effect/Cache"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
// Types only: the declarations then name no global a consumer without the DOM library lacks.
import type * as Jose from "jose"
import { ClerkAuthConfigError, TokenVerificationError } from "./ClerkAuthError.js"
import { ClerkClient, withTimeout } from "./ClerkClient.js"
import { ClerkConfig } from "./ClerkConfig.js"
import type { ClerkCommonError } from "./ClerkError.js"
import { ClerkRetryPolicy } from "./ClerkRetryPolicy.js"
// The operation from its own module, not through ClerkBackend: a bundle then keeps this one call only.
import * as Jwks from "./generated/Jwks.js"
import { isProblem } from "./internal/authReasons.js"
import type { Problem } from "./internal/authReasons.js"
import * as Jwt from "./internal/jwt.js"
import * as Keys from "./internal/keySet.js"
import { digestOfSecret } from "./internal/secretDigest.js"
import * as Shared from "./internal/sharedKeySet.js"
import * as Spanned from "./internal/spannedKey.js"

/**
 * The signature algorithms accepted for session tokens. @since 0.1.0
 *
 * @category defaults
 */
export const allowedAlgorithms: ReadonlyArray<string> = Jwt.allowedAlgorithms

/**
 * A verification key for one token algorithm.
 *
 * @since 0.1.0
 * @category models
 */
export interface VerificationKey {
  readonly kid: string | undefined
  readonly key: Jose.CryptoKey
}

/**
 * The key service.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClerkJwksService {
  /** The key for a token header's `kid` and `alg`; fails with `jwk-kid-mismatch` or `jwk-failed-to-load`. */
  readonly getKey: (kid: string | undefined, alg: string) => Effect.Effect<VerificationKey, TokenVerificationError>
  /** Changes whenever the key set changes, so caches of verified tokens can tell. */
  readonly generation: Effect.Effect<number>
}

/**
 * Options of {@link ClerkJwks.layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClerkJwksOptions extends Keys.Options<Duration.DurationInput> {}

/**
 * A place where instances share the key sets they fetched (`effect-clerk/redis` gives one): with one in
 * context, {@link ClerkJwks.make} reads a set another instance stored before fetching its own, and stores
 * what it fetched, so a fleet fetches about once per TTL and per rotation instead of once per instance.
 *
 * @since 0.2.0
 * @category models
 */
export interface ClerkJwksStoreService {
  /**
   * The JWKS document stored under `key` (JSON text), if any. A store that cannot answer answers `None`: the
   * instance then fetches the keys itself, so a store never stands between a token and its verification.
   */
  readonly get: (key: string) => Effect.Effect<Option.Option<string>>
  /** Stores a JWKS document under `key` for `ttl`; a store that cannot answer ignores it. */
  readonly set: (key: string, jwks: string, ttl: Duration.Duration) => Effect.Effect<void>
}

/**
 * The shared key-set store {@link ClerkJwks.make} reads from context when present.
 *
 * @since 0.2.0
 * @category tags
 */
export class ClerkJwksStore
  extends Context.Tag("effect-clerk/ClerkJwksStore")<ClerkJwksStore, ClerkJwksStoreService>()
{
  /**
   * A store over a `KeyValueStore` of `@effect/platform` (files, memory, one of your own over a shared database),
   * or anything with its `get` and `set` for strings:
   * `Layer.effect(ClerkJwksStore, Effect.map(KeyValueStore.KeyValueStore, ClerkJwksStore.fromKeyValueStore))`.
   * A `KeyValueStore` has no expiry of its own, so each document is kept with the time it expires (by the
   * `Clock`) and read as absent past it; a store that fails is read as empty and its writes are dropped.
   */
  static readonly fromKeyValueStore = (kvs: {
    readonly get: (key: string) => Effect.Effect<Option.Option<string>, unknown>
    readonly set: (key: string, value: string) => Effect.Effect<void, unknown>
  }): ClerkJwksStoreService => ({
    get: (key) =>
      Effect.all([kvs.get(key), Clock.currentTimeMillis]).pipe(
        Effect.map(([stored, now]) =>
          Option.flatMap(stored, (text) => Option.fromNullable(Shared.unexpired(text, now)))
        ),
        Effect.orElseSucceed(() => Option.none())
      ),
    set: (key, jwks, ttl) =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (now) => kvs.set(key, Shared.expiring(jwks, now + Duration.toMillis(ttl)))
      ).pipe(Effect.ignore)
  })
}

const refuse = (problem: Problem) => TokenVerificationError.fromDetail(problem.detail, problem.message)

/** Looks a key up in a set; only a first use of a key for an algorithm waits for its import. */
const lookup = (
  set: Keys.KeySet,
  kid: string | undefined,
  alg: string
): Effect.Effect<VerificationKey, TokenVerificationError> => {
  const resolved = set.resolve(kid, alg)
  if (isProblem(resolved)) return Effect.fail(refuse(resolved))
  if (resolved._tag === "Ready") return Effect.succeed({ kid: resolved.kid, key: resolved.key as Jose.CryptoKey })
  return Effect.tryPromise({ try: () => resolved.pending, catch: () => refuse(resolved.failure) }).pipe(
    Effect.map((key) => ({ kid: resolved.kid, key: key as Jose.CryptoKey }))
  )
}

/**
 * The key service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class ClerkJwks extends Context.Tag("effect-clerk/ClerkJwks")<ClerkJwks, ClerkJwksService>() {
  /** Keys fetched with `jwks.getJWKS` (so with the client's headers, retries and spans), cached and refreshed. */
  static readonly make = (options: ClerkJwksOptions = {}): Effect.Effect<ClerkJwksService, never, ClerkClient> =>
    Effect.gen(function*() {
      const client = yield* ClerkClient
      const fetchJwks = Effect.provideService(Jwks.getJWKS(), ClerkClient, client)
      const ttlMillis = options.ttl === undefined ? Keys.defaultTtlMillis : Duration.toMillis(options.ttl)
      const forced = new Keys.ForcedRefreshes(
        options.cooldown === undefined ? Keys.defaultCooldownMillis : Duration.toMillis(options.cooldown)
      )
      let lastGood: Keys.KeySet | undefined
      const store = yield* Effect.serviceOption(ClerkJwksStore)
      // Per Clerk instance: the digest of the secret key, when the configuration is at hand.
      const config = yield* Effect.serviceOption(ClerkConfig)
      const storeKey = Option.isNone(config)
        ? "jwks"
        : `jwks:${yield* Effect.promise(() => digestOfSecret(Redacted.value(config.value.secretKey)))}`
      const sharing = new Shared.SharedKeySet()

      // With keys already in hand a refresh must not hold verifications up: one attempt, a short timeout,
      // and the last good set if it fails. Only the very first fetch gets the client's retries.
      const getJwks = Effect.suspend(() =>
        lastGood === undefined
          ? fetchJwks
          : withTimeout(
            fetchJwks.pipe(Effect.provideService(ClerkRetryPolicy, ClerkRetryPolicy.none)),
            Keys.refreshTimeoutMillis
          )
      )
      const shared = Option.match(store, {
        onNone: () => Effect.succeed(undefined),
        onSome: (store) => Effect.map(store.get(storeKey), (text) => sharing.take(Option.getOrUndefined(text)))
      })
      const fetched = getJwks.pipe(
        Effect.tap((jwks) =>
          Option.isNone(store)
            ? Effect.void
            : store.value.set(storeKey, sharing.fetched(jwks), Duration.millis(ttlMillis))
        ),
        Effect.map((jwks): Shared.StoredJwks => jwks)
      )
      /** A fetched set is `fresh`; the last good one served after a failed fetch is not, and is retried sooner. */
      const fetchSet = Effect.flatMap(
        shared,
        (jwks): Effect.Effect<Shared.StoredJwks, ClerkCommonError> =>
          jwks === undefined ? fetched : Effect.succeed(jwks)
      ).pipe(
        Effect.map((jwks) => {
          lastGood = Keys.fetchedKeySet(jwks)
          return { set: lastGood, fresh: true }
        }),
        Effect.catchAll((error) =>
          lastGood === undefined
            ? Effect.fail(refuse(Keys.fetchFailure(error._tag)))
            : Effect.succeed({ set: lastGood, fresh: false })
        )
      )
      // One entry: concurrent lookups share one fetch. The fetch's span goes under the first caller's (see
      // SpannedKey): Effect 3's Cache runs a lookup in the context it was built in.
      const lookupKeys = Spanned.underCaller((_: "keys") => fetchSet)
      const cache = yield* Cache.makeWith({
        capacity: 1,
        lookup: lookupKeys,
        timeToLive: (exit) =>
          Duration.millis(
            Keys.keySetTimeToLiveMillis(
              Exit.isFailure(exit) ? "failure" : exit.value.fresh ? "fresh" : "stale",
              ttlMillis
            )
          )
      })
      const currentSet = Effect.flatMap(
        Spanned.spanned("keys" as const),
        (key) => Effect.map(cache.get(key), (result) => result.set)
      )

      const refreshForUnknownKid = Effect.flatMap(Clock.currentTimeMillis, (now) =>
        forced.allow(now)
          ? Effect.sync(() => {
            sharing.forcing = true
          }).pipe(
            Effect.zipRight(cache.invalidate(Spanned.bare("keys" as const))),
            Effect.zipRight(currentSet),
            Effect.ensuring(Effect.sync(() => {
              sharing.forcing = false
            }))
          )
          : currentSet)

      const getKey = (kid: string | undefined, alg: string) =>
        Effect.flatMap(currentSet, (set) =>
          set.find(kid) !== undefined
            ? lookup(set, kid, alg)
            : Effect.flatMap(refreshForUnknownKid, (fresh) => lookup(fresh, kid, alg)))

      return {
        getKey,
        // Through the cache, so a set past its TTL is refetched before a remembered token is trusted.
        generation: currentSet.pipe(
          Effect.map((set) => set.generation),
          Effect.orElse(() => Effect.sync(() => lastGood?.generation ?? 0))
        )
      }
    })

  /** {@link ClerkJwks.make} as a layer. */
  static readonly layer = (options: ClerkJwksOptions = {}): Layer.Layer<ClerkJwks, never, ClerkClient> =>
    Layer.effect(ClerkJwks, ClerkJwks.make(options))

  /** A fixed key set from a JWKS document (`{ keys: [...] }`, as JSON text or parsed): no network. */
  static readonly fromJwks = (
    jwks: string | { readonly keys: ReadonlyArray<unknown> }
  ): Layer.Layer<ClerkJwks, ClerkAuthConfigError> =>
    Layer.effect(
      ClerkJwks,
      Effect.suspend(() => {
        const set = Keys.configuredKeySet(jwks)
        return typeof set === "string" ? new ClerkAuthConfigError({ message: set }) : Effect.succeed(fixed(set))
      })
    )

  /**
   * A single PEM public key (Clerk's "JWT public key", `CLERK_JWT_KEY`): no network. Any `kid`
   * is accepted, since the key is the instance's only one.
   */
  static readonly fromPem = (pem: string): Layer.Layer<ClerkJwks, ClerkAuthConfigError> =>
    Layer.effect(
      ClerkJwks,
      Effect.tryPromise({
        try: () => Keys.pemKeySet(pem),
        catch: () => new ClerkAuthConfigError({ message: Keys.invalidPemMessage })
      }).pipe(Effect.map((set): ClerkJwksService => ({
        getKey: (_kid, alg) => lookup(set, undefined, alg),
        generation: Effect.succeed(set.generation)
      })))
    )
}

const fixed = (set: Keys.KeySet): ClerkJwksService => ({
  getKey: (kid, alg) => lookup(set, kid, alg),
  generation: Effect.succeed(set.generation)
})

/**
 * Builds a key set fetched through the `ClerkClient` in context (`ClerkBackend.layer` provides one).
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: typeof ClerkJwks.make = ClerkJwks.make

/**
 * {@link make} as a layer.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: typeof ClerkJwks.layer = ClerkJwks.layer

/**
 * A fixed key set from a JWKS document: no network.
 *
 * @since 0.2.0
 * @category layers
 */
export const fromJwks: typeof ClerkJwks.fromJwks = ClerkJwks.fromJwks

/**
 * A single PEM public key (`CLERK_JWT_KEY`): no network.
 *
 * @since 0.2.0
 * @category layers
 */
export const fromPem: typeof ClerkJwks.fromPem = ClerkJwks.fromPem
