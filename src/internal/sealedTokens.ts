/**
 * Entries of a shared machine-token cache, sealed so that a store is trusted with nothing: the key an entry
 * is written under is an HMAC of the token (the token itself is never written, nor can it be recovered from
 * a key listing), and each entry carries an HMAC over its key and its text, both with keys derived from the
 * instance's secret key. Whoever can write to the store but does not hold the secret key cannot make a
 * token pass; an entry that fails its check is read as absent, and the token is asked about again.
 * Shared by both Effect lines; no Effect in it.
 *
 * @internal
 */
import type { MachineFields, MachineTokenType } from "./auth.js"
import * as Base64Url from "./base64url.js"

/** What is remembered of a verified opaque token, and until when (milliseconds since the epoch). */
export interface SealedEntry {
  readonly fields: MachineFields
  readonly until: number
}

/** Names, seals and opens entries for one Clerk instance. */
export interface Sealer {
  /** The store key of a token: `machine-token:` and a hex HMAC of the token and its kind. */
  readonly keyOf: (type: MachineTokenType, token: string) => Promise<string>
  readonly seal: (key: string, entry: SealedEntry) => Promise<string>
  /** The entry, when its seal holds, its shape is right and it is still valid at `now`; otherwise `undefined`. */
  readonly open: (key: string, text: string, type: MachineTokenType, now: number) => Promise<SealedEntry | undefined>
}

const encoder = new TextEncoder()
const hmac = { name: "HMAC", hash: "SHA-256" } as const

const hex = (bytes: ArrayBuffer): string =>
  [...new Uint8Array(bytes)].map((byte) => byte.toString(16).padStart(2, "0")).join("")

const sealers = new Map<string, Promise<Sealer>>()

const makeSealer = async (secretKey: string): Promise<Sealer> => {
  const root = await crypto.subtle.importKey("raw", encoder.encode(secretKey), hmac, false, ["sign"])
  // Two keys from one secret, for two purposes: a name never doubles as a seal.
  const derive = async (purpose: string) =>
    crypto.subtle.importKey(
      "raw",
      await crypto.subtle.sign("HMAC", root, encoder.encode(`effect-clerk/${purpose}/v1`)),
      hmac,
      false,
      ["sign", "verify"]
    )
  const naming = await derive("machine-token-names")
  const sealing = await derive("machine-token-seals")
  return {
    keyOf: async (type, token) =>
      `machine-token:${hex(await crypto.subtle.sign("HMAC", naming, encoder.encode(`${type}\n${token}`)))}`,
    seal: async (key, entry) => {
      const text = JSON.stringify({ f: entry.fields, u: entry.until })
      const seal = await crypto.subtle.sign("HMAC", sealing, encoder.encode(`${key}\n${text}`))
      return `${Base64Url.encode(new Uint8Array(seal))}.${text}`
    },
    open: async (key, stored, type, now) => {
      const dot = stored.indexOf(".")
      if (dot <= 0) return undefined
      const text = stored.slice(dot + 1)
      let seal: Uint8Array<ArrayBuffer>
      try {
        seal = Base64Url.decode(stored.slice(0, dot))
      } catch {
        return undefined
      }
      // WebCrypto's verify compares in constant time.
      const intact = await crypto.subtle.verify("HMAC", sealing, seal, encoder.encode(`${key}\n${text}`))
      if (!intact) return undefined
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch {
        return undefined
      }
      const entry = entryOf(parsed, type)
      return entry !== undefined && entry.until > now ? entry : undefined
    }
  }
}

/** The sealer of a secret key, derived once per key for the life of the process. */
export const sealerOf = (secretKey: string): Promise<Sealer> => {
  let sealer = sealers.get(secretKey)
  if (sealer === undefined) sealers.set(secretKey, sealer = makeSealer(secretKey))
  return sealer
}

const isString = (value: unknown): value is string => typeof value === "string"
const isOptionalString = (value: unknown): value is string | undefined => value === undefined || isString(value)

/** A sealed entry written by another version could have another shape: anything unexpected is a miss. */
const entryOf = (parsed: unknown, type: MachineTokenType): SealedEntry | undefined => {
  if (typeof parsed !== "object" || parsed === null) return undefined
  const { f, u } = parsed as { f?: unknown; u?: unknown }
  if (typeof u !== "number" || typeof f !== "object" || f === null) return undefined
  const fields = f as Record<string, unknown>
  const scopes = fields.scopes
  const claims = fields.claims
  if (
    fields.tokenType !== type || !isString(fields.id) || !isString(fields.subject) ||
    !Array.isArray(scopes) || !scopes.every(isString) ||
    !isOptionalString(fields.name) || !isOptionalString(fields.userId) || !isOptionalString(fields.orgId) ||
    !isOptionalString(fields.machineId) || !isOptionalString(fields.clientId) ||
    (claims !== undefined && (typeof claims !== "object" || claims === null || Array.isArray(claims)))
  ) return undefined
  return {
    fields: {
      tokenType: type,
      id: fields.id,
      subject: fields.subject,
      scopes,
      name: fields.name,
      claims: claims as MachineFields["claims"],
      userId: fields.userId,
      orgId: fields.orgId,
      machineId: fields.machineId,
      clientId: fields.clientId
    },
    until: u
  }
}

/**
 * Until when a verified token may be trusted without asking again: `ttl` from now, never past the token's own
 * expiry. Clerk gives the expiry in milliseconds; a value too small to be one (before 1973) is read as seconds,
 * as some examples in Clerk's documentation give it.
 */
export const trustedUntil = (now: number, ttlMillis: number, expiration: number | null | undefined): number => {
  const byTtl = now + ttlMillis
  if (typeof expiration !== "number" || !Number.isFinite(expiration)) return byTtl
  const expiresAt = expiration < 1e11 ? expiration * 1000 : expiration
  return Math.min(byTtl, expiresAt)
}
