/**
 * The instance's signing keys without Effect: which keys of a JWKS document are usable, key lookups and
 * their one-time WebCrypto imports, PEM keys, and the cache policy of a fetched set. Both lines' `ClerkJwks`
 * build on these and differ only in how they cache and fetch.
 *
 * @internal
 */
import type { CryptoKey } from "jose"
import type { Problem } from "./authReasons.js"
import { problem } from "./authReasons.js"
import * as Base64url from "./base64url.js"

/** A JSON Web Key as found in a JWKS document (the parts read here). */
export interface Jwk {
  readonly kid?: string | undefined
  readonly kty?: string | undefined
  readonly alg?: string | undefined
  readonly use?: string | undefined
  readonly n?: string | undefined
  readonly e?: string | undefined
}

/** The options of both lines' fetched key set, over each line's duration input. */
export interface Options<DurationInput> {
  /** How long a fetched key set is used before it is fetched again. Default 5 minutes. */
  readonly ttl?: DurationInput | undefined
  /** The least time between two refetches caused by unknown `kid`s. Default 30 seconds. */
  readonly cooldown?: DurationInput | undefined
}

/** A key found and imported for one algorithm, or its import still under way. */
export type Resolved =
  | { readonly _tag: "Ready"; readonly kid: string | undefined; readonly key: CryptoKey }
  | {
    readonly _tag: "Pending"
    readonly kid: string | undefined
    readonly pending: Promise<CryptoKey>
    /** The refusal if the import fails, naming the key but nothing of the token. */
    readonly failure: Problem
  }

interface Import {
  readonly pending: Promise<CryptoKey>
  ready?: CryptoKey
}

let generations = 0

/** A new key-set generation: caches of verified tokens drop what was verified under another. */
export const nextGeneration = (): number => ++generations

/** A key set ready for lookups: RSA signing keys by `kid`, imported once per algorithm. */
export class KeySet {
  /** One import per key and algorithm, shared; `ready` is set once it has finished, so later lookups stay synchronous. */
  private readonly imports = new Map<string, Import>()
  constructor(readonly keys: ReadonlyArray<Jwk>, readonly generation: number = nextGeneration()) {}

  find(kid: string | undefined): Jwk | undefined {
    if (kid === undefined) return this.keys.length === 1 ? this.keys[0] : undefined
    return this.keys.find((key) => key.kid === kid)
  }

  /** The key for a token header's `kid` and `alg`, or why there is none. */
  resolve(kid: string | undefined, alg: string): Resolved | Problem {
    const jwk = this.find(kid)
    if (jwk === undefined) {
      return problem(
        "jwk-kid-mismatch",
        `no signing key with kid ${kid === undefined ? "(none)" : JSON.stringify(kid)}`
      )
    }
    if (jwk.alg !== undefined && jwk.alg !== alg) {
      return problem("token-invalid-algorithm", `the token is signed with ${alg} but its key is for ${jwk.alg}`)
    }
    const imported = this.importFor(jwk, alg)
    return imported.ready !== undefined
      ? { _tag: "Ready", kid: jwk.kid, key: imported.ready }
      : {
        _tag: "Pending",
        kid: jwk.kid,
        pending: imported.pending,
        failure: problem("jwk-failed-to-load", `the signing key ${jwk.kid ?? ""} could not be imported`)
      }
  }

  private importFor(jwk: Jwk, alg: string): Import {
    const cacheKey = `${jwk.kid ?? ""}\u0000${alg}`
    let entry = this.imports.get(cacheKey)
    if (entry === undefined) {
      const started: Import = { pending: importRsaKey(alg, { kty: "RSA", n: jwk.n!, e: jwk.e! }) }
      started.pending.then((key) => started.ready = key, () => undefined)
      entry = started
      this.imports.set(cacheKey, entry)
    }
    return entry
  }
}

/** The keys of a set that can verify RSA signatures. */
export const rsaSigningKeys = (keys: ReadonlyArray<Jwk>): ReadonlyArray<Jwk> =>
  keys.filter((key) =>
    key.kty === "RSA" && typeof key.n === "string" && typeof key.e === "string" &&
    (key.use === undefined || key.use === "sig")
  )

/** A key set from a fetched `GET /jwks` answer. */
export const fetchedKeySet = (jwks: { readonly keys?: ReadonlyArray<unknown> | undefined }): KeySet =>
  new KeySet(rsaSigningKeys((jwks.keys ?? []) as ReadonlyArray<Jwk>))

/** A key set from a JWKS document given as configuration, or the message of why it cannot be one. */
export const configuredKeySet = (jwks: string | { readonly keys: ReadonlyArray<unknown> }): KeySet | string => {
  let parsed: { readonly keys?: unknown }
  try {
    parsed = (typeof jwks === "string" ? JSON.parse(jwks) : jwks) as { readonly keys?: unknown }
  } catch {
    return "the JWKS is not valid JSON"
  }
  if (!Array.isArray(parsed?.keys)) return "the JWKS has no keys array"
  const keys = rsaSigningKeys(parsed.keys as ReadonlyArray<Jwk>)
  return keys.length === 0 ? "the JWKS has no RSA signing key" : new KeySet(keys)
}

/** The message of a PEM key that cannot be read. */
export const invalidPemMessage = "the JWT key is not an RSA public key in PEM (SPKI) form"

/**
 * The key set of a single PEM public key (`CLERK_JWT_KEY`); rejects with no detail when it is not an RSA
 * `PUBLIC KEY`. Imported once to validate; the JWK form lets each algorithm import its own key.
 */
export const pemKeySet = async (pem: string): Promise<KeySet> => {
  const spki = await globalThis.crypto.subtle.importKey(
    "spki",
    pemBody(normalisePem(pem)),
    rsaParams("RS256"),
    true,
    ["verify"]
  )
  const jwk = await globalThis.crypto.subtle.exportKey("jwk", spki)
  return new KeySet([{ kty: "RSA", n: jwk.n, e: jwk.e }])
}

/** The refusal of a token whose key set could not be fetched, naming the failure's tag only. */
export const fetchFailure = (tag: string): Problem =>
  problem("jwk-failed-to-load", `the key set could not be fetched (${tag})`)

/** How long a fetch's outcome is kept: a failure briefly, a fresh set `ttl`, the last good one standing in for a failed refresh 30 seconds at most. */
export const keySetTimeToLiveMillis = (
  outcome: "failure" | "fresh" | "stale",
  ttlMillis: number
): number => outcome === "failure" ? 1000 : outcome === "fresh" ? ttlMillis : Math.min(ttlMillis, 30_000)

/** Default time a fetched set is used before it is fetched again. */
export const defaultTtlMillis = 5 * 60_000

/** Default least time between two refetches caused by unknown `kid`s. */
export const defaultCooldownMillis = 30_000

/** The timeout of a refresh made while a good set is already in hand, so verifications are not held up. */
export const refreshTimeoutMillis = 3000

/** At most one forced refetch per cooldown window, whatever the number of callers. */
export class ForcedRefreshes {
  private last = Number.NEGATIVE_INFINITY
  constructor(readonly cooldownMillis: number) {}

  /** Whether a forced refetch may start at `nowMillis`; if so, the window starts now. */
  allow(nowMillis: number): boolean {
    if (nowMillis - this.last < this.cooldownMillis) return false
    this.last = nowMillis
    return true
  }
}

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
