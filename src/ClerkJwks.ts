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
import * as Ref from "effect/Ref"
// Types only: the declarations then name no global a consumer without the DOM library lacks.
import type * as Jose from "jose"
import { ClerkAuthConfigError, TokenVerificationError } from "./ClerkAuthError.js"
import { ClerkClient, withTimeout } from "./ClerkClient.js"
import { ClerkRetryPolicy } from "./ClerkRetryPolicy.js"
// The operation from its own module, not through ClerkBackend: a bundle then keeps this one call only.
import * as Jwks from "./generated/Jwks.js"
import * as Base64url from "./internal/base64url.js"
import * as Spanned from "./internal/spannedKey.js"

/**
 * The signature algorithms accepted for session tokens. @since 0.1.0
 *
 * @category defaults
 */
export const allowedAlgorithms: ReadonlyArray<string> = ["RS256", "RS384", "RS512"]

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
export interface ClerkJwksOptions {
  /** How long a fetched key set is used before it is fetched again. Default 5 minutes. */
  readonly ttl?: Duration.DurationInput | undefined
  /** The least time between two refetches caused by unknown `kid`s. Default 30 seconds. */
  readonly cooldown?: Duration.DurationInput | undefined
}

/** A JSON Web Key as found in a JWKS document (the parts read here). */
interface Jwk {
  readonly kid?: string | undefined
  readonly kty?: string | undefined
  readonly alg?: string | undefined
  readonly use?: string | undefined
  readonly n?: string | undefined
  readonly e?: string | undefined
}

/** A key set ready for lookups: RSA signing keys by `kid`, imported once per algorithm. */
class KeySet {
  /** One import per key and algorithm, shared; `ready` is set once it has finished, so later lookups stay synchronous. */
  private readonly imports = new Map<string, { readonly pending: Promise<Jose.CryptoKey>; ready?: Jose.CryptoKey }>()
  constructor(readonly keys: ReadonlyArray<Jwk>, readonly generation: number) {}

  find(kid: string | undefined): Jwk | undefined {
    if (kid === undefined) return this.keys.length === 1 ? this.keys[0] : undefined
    return this.keys.find((key) => key.kid === kid)
  }

  importFor(jwk: Jwk, alg: string): { readonly pending: Promise<Jose.CryptoKey>; readonly ready?: Jose.CryptoKey } {
    const cacheKey = `${jwk.kid ?? ""}\u0000${alg}`
    let entry = this.imports.get(cacheKey)
    if (entry === undefined) {
      const pending = importRsaKey(alg, { kty: "RSA", n: jwk.n!, e: jwk.e! }) as Promise<Jose.CryptoKey>
      const started: { readonly pending: Promise<Jose.CryptoKey>; ready?: Jose.CryptoKey } = { pending }
      pending.then((key) => started.ready = key, () => undefined)
      entry = started
      this.imports.set(cacheKey, entry)
    }
    return entry
  }
}

const rsaSigningKeys = (keys: ReadonlyArray<Jwk>): ReadonlyArray<Jwk> =>
  keys.filter((key) =>
    key.kty === "RSA" && typeof key.n === "string" && typeof key.e === "string" &&
    (key.use === undefined || key.use === "sig")
  )

const keyFailure = (detail: "jwk-kid-mismatch" | "jwk-failed-to-load", message: string) =>
  TokenVerificationError.fromDetail(detail, message)

/** Looks a key up in a set and imports it for the token's algorithm. */
const lookup = (
  set: KeySet,
  kid: string | undefined,
  alg: string
): Effect.Effect<VerificationKey, TokenVerificationError> => {
  const jwk = set.find(kid)
  if (jwk === undefined) {
    return Effect.fail(
      keyFailure("jwk-kid-mismatch", `no signing key with kid ${kid === undefined ? "(none)" : JSON.stringify(kid)}`)
    )
  }
  if (jwk.alg !== undefined && jwk.alg !== alg) {
    return Effect.fail(
      TokenVerificationError.fromDetail(
        "token-invalid-algorithm",
        `the token is signed with ${alg} but its key is for ${jwk.alg}`
      )
    )
  }
  const imported = set.importFor(jwk, alg)
  if (imported.ready !== undefined) return Effect.succeed({ kid: jwk.kid, key: imported.ready })
  return Effect.tryPromise({
    try: () => imported.pending,
    catch: () => keyFailure("jwk-failed-to-load", `the signing key ${jwk.kid ?? ""} could not be imported`)
  }).pipe(Effect.map((key) => ({ kid: jwk.kid, key })))
}

let generations = 0

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
      const ttl = Duration.decode(options.ttl ?? Duration.minutes(5))
      const cooldown = Duration.toMillis(options.cooldown ?? Duration.seconds(30))
      const lastGood = yield* Ref.make(Option.none<KeySet>())
      const lastForced = yield* Ref.make(Number.NEGATIVE_INFINITY)

      /** A fetched set is `fresh`; the last good one served after a failed fetch is not, and is retried sooner. */
      // With keys already in hand a refresh must not hold verifications up: one attempt, a short timeout,
      // and the last good set if it fails. Only the very first fetch gets the client's retries.
      const getJwks = Effect.flatMap(Ref.get(lastGood), (previous) =>
        Option.isNone(previous)
          ? fetchJwks
          : withTimeout(
            fetchJwks.pipe(Effect.provideService(ClerkRetryPolicy, ClerkRetryPolicy.none)),
            Duration.seconds(3)
          ))
      const fetchSet = getJwks.pipe(
        Effect.map((jwks) => new KeySet(rsaSigningKeys((jwks.keys ?? []) as ReadonlyArray<Jwk>), ++generations)),
        Effect.tap((set) => Ref.set(lastGood, Option.some(set))),
        Effect.map((set) => ({ set, fresh: true })),
        Effect.catchAll((error) =>
          Effect.flatMap(
            Ref.get(lastGood),
            Option.match({
              onNone: () =>
                Effect.fail(keyFailure("jwk-failed-to-load", `the key set could not be fetched (${error._tag})`)),
              onSome: (set) => Effect.succeed({ set, fresh: false })
            })
          )
        )
      )
      // One entry: concurrent lookups share one fetch. A failure is kept for a second; the last good set
      // standing in for a failed refresh for up to 30 seconds, so an outage costs one attempt per window.
      // The fetch's span goes under the first caller's (see SpannedKey).
      const lookupKeys = Spanned.underCaller((_: "keys") => fetchSet)
      const cache = yield* Cache.makeWith({
        capacity: 1,
        lookup: lookupKeys,
        timeToLive: (exit) =>
          Exit.isFailure(exit) ? Duration.seconds(1) : exit.value.fresh ? ttl : Duration.min(ttl, Duration.seconds(30))
      })
      const currentSet = Effect.flatMap(
        Spanned.spanned("keys" as const),
        (key) => Effect.map(cache.get(key), (result) => result.set)
      )

      /** A forced refetch, at most once per cooldown window whatever the number of callers. */
      const refreshForUnknownKid = Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const allowed = yield* Ref.modify(
          lastForced,
          (last) => now - last >= cooldown ? [true, now] as const : [false, last] as const
        )
        if (allowed) yield* cache.invalidate(Spanned.bare("keys" as const))
        return yield* currentSet
      })

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
          Effect.orElse(() =>
            Effect.map(Ref.get(lastGood), Option.match({ onNone: () => 0, onSome: (set) => set.generation }))
          )
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
      Effect.gen(function*() {
        const parsed = yield* Effect.try({
          try: () => (typeof jwks === "string" ? JSON.parse(jwks) : jwks) as { readonly keys?: unknown },
          catch: () => new ClerkAuthConfigError({ message: "the JWKS is not valid JSON" })
        })
        if (!Array.isArray(parsed?.keys)) {
          return yield* new ClerkAuthConfigError({ message: "the JWKS has no keys array" })
        }
        const keys = rsaSigningKeys(parsed.keys as ReadonlyArray<Jwk>)
        if (keys.length === 0) return yield* new ClerkAuthConfigError({ message: "the JWKS has no RSA signing key" })
        return fixed(new KeySet(keys, ++generations))
      })
    )

  /**
   * A single PEM public key (Clerk's "JWT public key", `CLERK_JWT_KEY`): no network. Any `kid`
   * is accepted, since the key is the instance's only one.
   */
  static readonly fromPem = (pem: string): Layer.Layer<ClerkJwks, ClerkAuthConfigError> =>
    Layer.effect(
      ClerkJwks,
      Effect.gen(function*() {
        const normalised = normalisePem(pem)
        // Imported once to validate; the JWK form lets each algorithm import its own key.
        const jwk = yield* Effect.tryPromise({
          try: async () => {
            const spki = await globalThis.crypto.subtle.importKey(
              "spki",
              pemBody(normalised),
              rsaParams("RS256"),
              true,
              ["verify"]
            )
            return await globalThis.crypto.subtle.exportKey("jwk", spki)
          },
          catch: () => new ClerkAuthConfigError({ message: "the JWT key is not an RSA public key in PEM (SPKI) form" })
        })
        const set = new KeySet([{ kty: "RSA", n: jwk.n, e: jwk.e }], ++generations)
        return {
          getKey: (_kid: string | undefined, alg: string) => lookup(set, undefined, alg),
          generation: Effect.succeed(set.generation)
        }
      })
    )
}

const fixed = (set: KeySet): ClerkJwksService => ({
  getKey: (kid, alg) => lookup(set, kid, alg),
  generation: Effect.succeed(set.generation)
})

/** WebCrypto's name for an allowed algorithm (RS256, RS384, RS512: PKCS#1 v1.5 with that SHA-2). */
const rsaParams = (alg: string): RsaHashedImportParams => ({ name: "RSASSA-PKCS1-v1_5", hash: `SHA-${alg.slice(2)}` })

/** A verification-only key for one algorithm, from the public parts of an RSA JWK. */
const importRsaKey = (alg: string, jwk: { readonly kty: "RSA"; readonly n: string; readonly e: string }) =>
  globalThis.crypto.subtle.importKey("jwk", { ...jwk, ext: true }, rsaParams(alg), false, ["verify"])

/** The DER bytes of a `PUBLIC KEY` PEM; throws on any other label or a body that is not base64. */
const pemBody = (pem: string): Uint8Array<ArrayBuffer> => {
  const match = /^-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----$/.exec(pem.trim())
  if (match === null) throw new Error("not a PUBLIC KEY PEM")
  return Base64url.decodeBase64(match[1]!)
}

/** Accepts a PEM with real or escaped (`\n`) newlines, or the bare base64 body. */
const normalisePem = (pem: string): string => {
  const text = pem.trim().replace(/\\n/g, "\n")
  if (text.includes("-----BEGIN")) return text
  const body = text.replace(/\s+/g, "").match(/.{1,64}/g)?.join("\n") ?? ""
  return `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----`
}

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
