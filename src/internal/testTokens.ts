/**
 * The throwaway keys and signed session tokens of both lines' `ClerkAuthTesting`, without Effect: key
 * generation and export through `jose`, the v1 and v2 claim layouts, and signing.
 *
 * @internal
 */
import * as Jose from "jose"
import { signCompact } from "./jwt.js"

/**
 * The RSA algorithms Clerk signs session tokens with.
 */
export type TestKeyAlgorithm = "RS256" | "RS384" | "RS512"

/**
 * A throwaway key pair and the forms a verifier may want it in.
 */
export interface TestKeys {
  readonly kid: string
  readonly alg: TestKeyAlgorithm
  /** Signs tokens; extractable, so tokens can also be signed with another RSA algorithm. */
  readonly privateKey: Jose.CryptoKey
  readonly publicKey: Jose.CryptoKey
  /** The public key as a JWK, with `kid`, `alg` and `use: "sig"`. */
  readonly jwk: Jose.JWK
  /** A JWKS document holding only {@link TestKeys.jwk}, as `GET /jwks` would answer. */
  readonly jwks: { readonly keys: ReadonlyArray<Jose.JWK> }
  /** The public key in SPKI PEM form, as `jwtKey` / `CLERK_JWT_KEY` takes it. */
  readonly pem: string
}

/**
 * Options of {@link generateKeys}.
 */
export interface GenerateKeysOptions {
  /** Default: a random `ins_test_…` id, so two key pairs never share a `kid`. */
  readonly kid?: string | undefined
  /** Default `RS256`. */
  readonly alg?: TestKeyAlgorithm | undefined
}

/** Generates a 2048-bit RSA key pair for signing test tokens. */
export const generateKeys = async (options: GenerateKeysOptions = {}): Promise<TestKeys> => {
  const alg = options.alg ?? "RS256"
  const kid = options.kid ?? `ins_test_${globalThis.crypto.randomUUID().replace(/-/g, "").slice(0, 16)}`
  const { privateKey, publicKey } = await Jose.generateKeyPair(alg, { extractable: true })
  const exported = await Jose.exportJWK(publicKey)
  const jwk: Jose.JWK = { kty: "RSA", n: exported.n!, e: exported.e!, kid, alg, use: "sig" }
  return { kid, alg, privateKey, publicKey, jwk, jwks: { keys: [jwk] }, pem: await Jose.exportSPKI(publicKey) }
}

/**
 * The organization a minted session token is active in.
 */
export interface TestOrganization {
  readonly id: string
  readonly slug?: string | undefined
  /** With or without the `org:` prefix (`admin` or `org:admin`). */
  readonly role?: string | undefined
  /** Full permission keys, `org:<feature>:<permission>` (e.g. `org:members:read`). */
  readonly permissions?: ReadonlyArray<string> | undefined
  /**
   * Organization features, bare (`members`) or scoped (`o:members`). Features named by
   * `permissions` are added on their own; list here those that have no permission.
   */
  readonly features?: ReadonlyArray<string> | undefined
}

/**
 * Options of {@link mintSessionToken}.
 */
export interface MintOptions {
  /** Claim layout: 1 (`org_id`, `org_role`, …) or 2 (`v: 2`, `o: {…}`, `fea`). Default 2. */
  readonly version?: 1 | 2 | undefined
  /** The active organization, encoded in the layout of `version`. */
  readonly org?: TestOrganization | undefined
  /** Scoped features outside the organization (`u:profile`), added to `fea`. */
  readonly features?: ReadonlyArray<string> | undefined
  /** Scoped plans (`u:free`, `o:pro`), written to `pla`. */
  readonly plans?: ReadonlyArray<string> | undefined
  /**
   * Header fields written as given (`undefined` removes one), to forge bad tokens. An RSA
   * `alg` is also the signing algorithm; any other `alg` (`none`, `HS256`, …) is only
   * written, and the token is still signed with the keys' own algorithm.
   */
  readonly header?: {
    readonly alg?: string | undefined
    readonly kid?: string | undefined
    readonly typ?: string | undefined
    readonly [key: string]: unknown
  } | undefined
}

const rsaAlgorithms: ReadonlyArray<string> = ["RS256", "RS384", "RS512"]

const withoutPrefix = (role: string) => role.startsWith("org:") ? role.slice(4) : role

/** `org:<feature>:<permission>` split in two, or undefined for a key v2 cannot express. */
const splitPermission = (key: string): readonly [feature: string, permission: string] | undefined => {
  const match = /^org:([^:,]+):([^:,]+)$/.exec(key)
  return match === null ? undefined : [match[1]!, match[2]!]
}

const unique = (values: Iterable<string>): Array<string> => [...new Set(values)]

/**
 * The organization's features in one order used by both layouts: those listed, then
 * those named by permissions, each once.
 */
const orgFeaturesOf = (org: TestOrganization): Array<string> =>
  unique([
    ...(org.features ?? []).map((feature) => feature.startsWith("o:") ? feature.slice(2) : feature),
    ...(org.permissions ?? []).flatMap((key) => {
      const split = splitPermission(key)
      return split === undefined ? [] : [split[0]]
    })
  ])

/** v2 packing, the inverse of the reader: `per` names, one decimal bitmask per feature in `fea` order. */
const packPermissions = (features: ReadonlyArray<string>, permissions: ReadonlyArray<string>) => {
  const split = permissions.map((key) => {
    const parts = splitPermission(key)
    if (parts === undefined) {
      throw new Error(
        `the permission ${JSON.stringify(key)} is not of the form org:<feature>:<permission>, which v2 claims need`
      )
    }
    return parts
  })
  const per = unique(split.map(([, permission]) => permission))
  if (per.length > 52) throw new Error("v2 claims cannot pack more than 52 distinct permission names")
  // Sums of distinct powers of two: exact up to 2^53, unlike the 32-bit `|` and `<<`.
  const fpm = features.map((feature) =>
    String(
      per.reduce(
        (mask, permission, bit) => split.some(([f, p]) => f === feature && p === permission) ? mask + 2 ** bit : mask,
        0
      )
    )
  )
  return { per, fpm }
}

/** The claims an organization and feature options add, in the chosen layout. */
const layoutClaims = (options: MintOptions): Record<string, unknown> => {
  const org = options.org
  const orgFeatures = org === undefined ? [] : orgFeaturesOf(org)
  const fea = [...orgFeatures.map((feature) => `o:${feature}`), ...(options.features ?? [])]
  const claims: Record<string, unknown> = {}
  if (fea.length > 0) claims.fea = fea.join(",")
  if (options.plans !== undefined && options.plans.length > 0) claims.pla = options.plans.join(",")
  if ((options.version ?? 2) === 2) {
    claims.v = 2
    if (org !== undefined) {
      const { fpm, per } = packPermissions(orgFeatures, org.permissions ?? [])
      claims.o = {
        id: org.id,
        ...(org.role !== undefined ? { rol: withoutPrefix(org.role) } : {}),
        ...(org.slug !== undefined ? { slg: org.slug } : {}),
        ...(per.length > 0 ? { per: per.join(","), fpm: fpm.join(",") } : {})
      }
    }
  } else if (org !== undefined) {
    claims.org_id = org.id
    if (org.role !== undefined) claims.org_role = `org:${withoutPrefix(org.role)}`
    if (org.slug !== undefined) claims.org_slug = org.slug
    claims.org_permissions = [...(org.permissions ?? [])]
  }
  return claims
}

const hashOf: Record<string, string> = { RS256: "SHA-256", RS384: "SHA-384", RS512: "SHA-512" }

/** The private key usable with `alg`: the keys' own, or the same RSA key imported for another hash. */
const signingKey = async (keys: TestKeys, alg: string): Promise<CryptoKey> => {
  if (alg === keys.alg) return keys.privateKey as CryptoKey
  const { alg: _alg, ext: _ext, key_ops: _ops, ...jwk } = await Jose.exportJWK(keys.privateKey)
  return globalThis.crypto.subtle.importKey("jwk", jwk, { name: "RSASSA-PKCS1-v1_5", hash: hashOf[alg]! }, false, [
    "sign"
  ])
}

const dropUndefined = (record: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined))

/** Default time from `iat` to `exp`. */
export const defaultLifetimeSeconds = 60

/**
 * Signs a session token at `nowSeconds`: the defaults, then the organization and features of `options` in
 * the layout of `options.version`, then `claims`, which win; a claim given as `undefined` is left out.
 * Rejects when `options.org.permissions` holds a key v2 claims cannot express.
 */
export const mintSessionToken = async (
  keys: TestKeys,
  claims: { readonly [key: string]: unknown },
  options: MintOptions,
  nowSeconds: number,
  lifetimeSeconds: number
): Promise<string> => {
  const payload = dropUndefined({
    sub: "user_test",
    sid: "sess_test",
    iat: nowSeconds,
    nbf: nowSeconds,
    exp: nowSeconds + lifetimeSeconds,
    ...layoutClaims(options),
    ...claims
  })
  const header = dropUndefined({ alg: keys.alg, kid: keys.kid, typ: "JWT", ...options.header })
  const alg = typeof header.alg === "string" && rsaAlgorithms.includes(header.alg) ? header.alg : keys.alg
  return signCompact(header, payload, await signingKey(keys, alg), "RSASSA-PKCS1-v1_5")
}
