/**
 * Verifying a session JWT without Effect: shape, algorithm and header checks before the key is looked up,
 * the RSA signature check once it is, then the claims, each refusal with its detail. Nothing here throws on
 * bad input. And the one way tokens are signed, for the testing kits. Both lines wire these steps into their
 * own `ClerkAuth`.
 *
 * @internal
 */
import type { CryptoKey } from "jose"
import type { Problem } from "./authReasons.js"
import { problem } from "./authReasons.js"
import * as Base64url from "./base64url.js"

const textEncoder = new TextEncoder()

/** The signature algorithms accepted for session tokens. */
export const allowedAlgorithms: ReadonlyArray<string> = ["RS256", "RS384", "RS512"]

/**
 * An algorithm as `subtle.sign` takes it, written without the DOM library's names so that the package's
 * declarations read in a project without it.
 */
export type SigningParams = string | {
  readonly name: string
  readonly hash?: string | { readonly name: string }
  readonly saltLength?: number
  readonly namedCurve?: string
}

/**
 * A compact JWS of `header` and `payload` signed with a WebCrypto key (`params`: the
 * algorithm as `subtle.sign` takes it). The header is written as given: tests forge some.
 */
export const signCompact = async (
  header: Readonly<Record<string, unknown>>,
  payload: Readonly<Record<string, unknown>>,
  key: CryptoKey,
  params: SigningParams
): Promise<string> => {
  const input = `${Base64url.encode(JSON.stringify(header))}.${Base64url.encode(JSON.stringify(payload))}`
  const signature = await globalThis.crypto.subtle.sign(params, key, textEncoder.encode(input))
  return `${input}.${Base64url.encode(new Uint8Array(signature))}`
}

/** Tokens longer than this are refused before any parsing. */
export const maxTokenLength = 16 * 1024

/** The decoded parts of a compact JWT, before verification. */
export interface DecodedJwt {
  readonly header: Record<string, unknown>
  readonly payload: Record<string, unknown>
}

const textDecoder = new TextDecoder()

const base64url = /^[A-Za-z0-9_-]+$/

const decodeSegment = (segment: string): Record<string, unknown> | undefined => {
  if (!base64url.test(segment)) return undefined
  try {
    const value: unknown = JSON.parse(textDecoder.decode(Base64url.decode(segment)))
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? value as Record<string, unknown>
      : undefined
  } catch {
    return undefined
  }
}

/** Whether a string looks like a compact JWT (three base64url parts, the first a JSON header). */
export const looksLikeJwt = (token: string): boolean => token.length <= maxTokenLength && decode(token) !== undefined

/** Splits and decodes a compact JWT, or returns undefined for anything else. */
export const decode = (token: string): DecodedJwt | undefined => {
  if (token.length > maxTokenLength) return undefined
  const parts = token.split(".")
  if (parts.length !== 3 || parts[2]!.length === 0) return undefined
  const header = decodeSegment(parts[0]!)
  const payload = decodeSegment(parts[1]!)
  return header === undefined || payload === undefined ? undefined : { header, payload }
}

/** What claims must satisfy besides the signature. */
export interface ClaimRules {
  /** Allowed `azp` values; empty means not checked. */
  readonly authorizedParties: ReadonlyArray<string>
  /** Allowed `aud` values; empty means not checked. */
  readonly audiences: ReadonlyArray<string>
  readonly clockSkewMillis: number
}

/** A token that passed the checks made before its key is looked up, and what the lookup needs. */
export interface KeyRequest {
  readonly _tag: "KeyRequest"
  readonly decoded: DecodedJwt
  readonly kid: string | undefined
  readonly alg: string
}

/** Length, shape, algorithm (refusing any outside the allowed list) and `crit`, before any key is looked up. */
export const checkHeader = (token: string, decodedAlready?: DecodedJwt): KeyRequest | Problem => {
  if (token.length > maxTokenLength) {
    return problem("token-invalid", `the token is longer than ${maxTokenLength} characters`)
  }
  const decoded = decodedAlready ?? decode(token)
  if (decoded === undefined) return problem("token-invalid", "the token is not a JWT")
  const alg = decoded.header.alg
  if (typeof alg !== "string" || !allowedAlgorithms.includes(alg)) {
    return problem(
      "token-invalid-algorithm",
      `the algorithm ${JSON.stringify(alg)} is not accepted (${allowedAlgorithms.join(", ")})`
    )
  }
  // No extension is understood, so a token that names critical ones must be refused (RFC 7515 §4.1.11).
  if (decoded.header.crit !== undefined) {
    return problem("token-invalid", "the token's header names critical extensions, none of which is supported")
  }
  const kid = typeof decoded.header.kid === "string" ? decoded.header.kid : undefined
  return { _tag: "KeyRequest", decoded, kid, alg }
}

/** The refusal of a token whose signature does not verify. */
export const invalidSignature: Problem = problem("token-invalid-signature", "the token's signature does not verify")

const minimumModulusBits = 2048

/**
 * The RSA check straight on WebCrypto: the header and payload are already decoded and checked, so only the
 * signature over the first two segments is left. The key was imported for the token's algorithm, which
 * fixes the hash. Never rejects: a malformed signature or a short key is `false`.
 */
export const signatureVerifies = async (token: string, key: CryptoKey): Promise<boolean> => {
  const dot = token.lastIndexOf(".")
  const signature = token.slice(dot + 1)
  const modulus = (key.algorithm as RsaHashedKeyAlgorithm).modulusLength
  if (!base64url.test(signature) || !(modulus >= minimumModulusBits)) return false
  try {
    return await globalThis.crypto.subtle.verify(
      "RSASSA-PKCS1-v1_5",
      key,
      Base64url.decode(signature) as Uint8Array<ArrayBuffer>,
      textEncoder.encode(token.slice(0, dot))
    )
  } catch {
    return false
  }
}

const isNumber = (u: unknown): u is number => typeof u === "number" && Number.isFinite(u)

/** Checks time and audience claims at `nowMillis`; run on every use, cached or not. */
export const checkClaims = (
  payload: Record<string, unknown>,
  rules: ClaimRules,
  nowMillis: number
): Problem | undefined => {
  const now = nowMillis / 1000
  const skew = rules.clockSkewMillis / 1000
  if (typeof payload.sub !== "string" || payload.sub === "") {
    return problem("token-missing-subject", "the token has no subject (sub)")
  }
  if (!isNumber(payload.exp)) return problem("token-invalid-expiry", "the token has no expiry (exp)")
  if (payload.exp <= now - skew) {
    return problem("token-expired", `the token expired at ${new Date(payload.exp * 1000).toISOString()}`)
  }
  if (payload.nbf !== undefined && (!isNumber(payload.nbf) || payload.nbf > now + skew)) {
    return problem("token-not-active-yet", "the token is not valid yet (nbf)")
  }
  if (payload.iat !== undefined && (!isNumber(payload.iat) || payload.iat > now + skew)) {
    return problem("token-iat-in-the-future", "the token was issued in the future (iat)")
  }
  if (rules.authorizedParties.length > 0) {
    const azp = payload.azp
    if (typeof azp !== "string" || !rules.authorizedParties.includes(azp)) {
      return problem(
        "token-invalid-authorized-parties",
        typeof azp === "string"
          ? `the authorized party ${JSON.stringify(azp)} is not accepted`
          : "the token names no authorized party (azp)"
      )
    }
  }
  if (rules.audiences.length > 0) {
    const aud = payload.aud
    const given = typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud.filter((a) => typeof a === "string") : []
    if (!given.some((a) => rules.audiences.includes(a))) {
      return problem("token-invalid-audience", "the token's audience (aud) is not accepted")
    }
  }
  return undefined
}
