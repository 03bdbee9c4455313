/**
 * Built-in routes for sessions, session tokens, sign-in tokens, the instance's JWKS and JWT
 * templates. Tokens are signed with the fake's own keys (or a template's custom key), so any
 * verifier fed the fake's JWKS accepts them.
 *
 * Signing uses WebCrypto (`globalThis.crypto.subtle`, through the signer the auth kit uses too),
 * nothing of a particular runtime. WebCrypto is asynchronous, so a route that signs (or imports a
 * template's custom key) does all its store reads and writes synchronously first, then
 * returns a promise of the signing. A template's custom key is validated by a trial signature
 * before the template is stored; the store is then written in one synchronous step, after
 * checking again what may have changed meanwhile (the name still free, the template still
 * there).
 *
 * @internal
 */
import type * as Schemas from "../../v4/generated/Schemas.js"
import { signCompact } from "../jwt.js"
import type { Reply } from "./core.js"
import {
  badRequest,
  errorReply,
  identifierExists,
  invalidParam,
  isReply,
  missingParam,
  notFound,
  page
} from "./core.js"
import { routes } from "./route.js"
import type { FakeStore } from "./store.js"
import { extensionOf } from "./store.js"

// ---------------------------------------------------------------------------------------------
// Instance constants

/** The issuer (`iss`) of every token: the Frontend API URL of the fake instance. */
const fakeIssuer = "https://clerk.fake.test"

const secondMillis = 1000
const dayMillis = 24 * 60 * 60 * secondMillis
/** A new session expires after 7 days and is abandoned after 30, as Clerk's defaults do. */
const sessionExpiresAfterMillis = 7 * dayMillis
const sessionAbandonedAfterMillis = 30 * dayMillis
const sessionTokenLifetimeSeconds = 60
const signInTokenDefaultLifetimeSeconds = 30 * 24 * 60 * 60
const templateDefaultLifetimeSeconds = 60
const templateDefaultClockSkewSeconds = 5
/** The bounds Clerk puts on a token or template lifetime. */
const minLifetimeSeconds = 30
const maxLifetimeSeconds = 315_360_000
const maxClockSkewSeconds = 300

/** Claims Clerk sets on every template token; a template cannot replace them. */
const reservedTemplateClaims: ReadonlyArray<string> = ["azp", "exp", "iat", "iss", "jti", "nbf", "sub"]

// ---------------------------------------------------------------------------------------------
// Signing

type SignParams = AlgorithmIdentifier | RsaPssParams | EcdsaParams

/** A key ready to sign JWTs with: its JWS `alg`, the `kid` to put in the header, if any. */
type Signer = {
  readonly alg: string
  readonly kid: string | undefined
  readonly key: CryptoKey
  readonly params: SignParams
}

const subtle = (): SubtleCrypto => globalThis.crypto.subtle

const encoder = new TextEncoder()

/** The WebCrypto hash of a JWS algorithm, from its size suffix (`RS256` → `SHA-256`). */
const hashOf = (alg: string): string | undefined =>
  ({ "256": "SHA-256", "384": "SHA-384", "512": "SHA-512" } as Record<string, string>)[alg.slice(2)]

/** The algorithms a template's custom signing key may use, with how each signs. */
const customAlgorithms: Readonly<Record<string, "rsa" | "rsa-pss" | "ec" | "hmac">> = {
  RS256: "rsa",
  RS384: "rsa",
  RS512: "rsa",
  PS256: "rsa-pss",
  PS384: "rsa-pss",
  PS512: "rsa-pss",
  ES256: "ec",
  ES384: "ec",
  ES512: "ec",
  HS256: "hmac",
  HS384: "hmac",
  HS512: "hmac"
}

/** The curve each ECDSA algorithm signs on, as WebCrypto names it. */
const ecCurves: Readonly<Record<string, string>> = { ES256: "P-256", ES384: "P-384", ES512: "P-521" }

/** WebCrypto's parameters for signing with a JWS algorithm (the hash of RSA and HMAC keys is the key's own). */
const signParamsOf = (alg: string): SignParams => {
  const hash = hashOf(alg) ?? "SHA-256"
  switch (customAlgorithms[alg]) {
    case "rsa-pss":
      return { name: "RSA-PSS", saltLength: Number(hash.slice(4)) / 8 }
    case "ec":
      return { name: "ECDSA", hash }
    case "hmac":
      return { name: "HMAC" }
    default:
      return { name: "RSASSA-PKCS1-v1_5" }
  }
}

/** WebCrypto's parameters for importing a key for a JWS algorithm. */
const importParamsOf = (alg: string): RsaHashedImportParams | EcKeyImportParams | HmacImportParams => {
  const hash = hashOf(alg) ?? "SHA-256"
  switch (customAlgorithms[alg]) {
    case "rsa-pss":
      return { name: "RSA-PSS", hash }
    case "ec":
      return { name: "ECDSA", namedCurve: ecCurves[alg]! }
    case "hmac":
      return { name: "HMAC", hash }
    default:
      return { name: "RSASSA-PKCS1-v1_5", hash }
  }
}

const instanceSignerKey = Symbol("effect-clerk/ClerkTest/instanceSigner")

const instanceSigner = (store: FakeStore): Signer =>
  extensionOf<Signer>(store, instanceSignerKey, () => ({
    alg: store.keys.alg,
    kid: store.keys.kid,
    key: store.keys.privateKey as CryptoKey,
    params: signParamsOf(store.keys.alg)
  }))

/** A compact JWS of `payload`; its header is `{ alg, kid, typ: "JWT" }`. */
const signJwt = (signer: Signer, payload: Readonly<Record<string, unknown>>): Promise<string> =>
  signCompact(
    { alg: signer.alg, ...(signer.kid === undefined ? {} : { kid: signer.kid }), typ: "JWT" },
    payload,
    signer.key,
    signer.params
  )

/** A token answer whose JWT is signed once the route is done with the store. */
const signedToken = async (signer: Signer, payload: Readonly<Record<string, unknown>>) => ({
  object: "token" as const,
  jwt: await signJwt(signer, payload)
})

// --- Custom keys ---------------------------------------------------------------------------

/** Bytes as `TextEncoder` makes them: on a plain (not shared) buffer, which WebCrypto takes. */
type Bytes = ReturnType<TextEncoder["encode"]>

const base64Bytes = (text: string): Bytes | undefined => {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0))
  } catch {
    return undefined
  }
}

const pkcs8Pattern = /-----BEGIN PRIVATE KEY-----([^-]*)-----END PRIVATE KEY-----/

/**
 * The DER of an unencrypted PKCS #8 private key in PEM form, the form WebCrypto imports;
 * whether it is a key of the right kind is found out by importing it.
 */
const readPem = (pem: string): Bytes | undefined => {
  const match = pkcs8Pattern.exec(pem)
  return match === null ? undefined : base64Bytes(match[1]!.replace(/\s+/g, ""))
}

/** A template's custom key, checked as far as can be without WebCrypto, ready to import. */
interface CustomKey {
  readonly alg: string
  readonly format: "raw" | "pkcs8"
  readonly material: Bytes
}

/**
 * Checks a template's custom key as far as can be without WebCrypto: a known algorithm, and for
 * an asymmetric one a PKCS #8 PEM (its kind is checked on import). Answers the reply naming the
 * parameter at fault.
 */
const checkCustomKey = (algorithm: string, signingKey: string): CustomKey | Reply => {
  const family = customAlgorithms[algorithm]
  if (family === undefined) {
    return invalidParam(
      "signing_algorithm",
      `signing_algorithm must be one of ${Object.keys(customAlgorithms).join(", ")}.`
    )
  }
  if (family === "hmac") {
    if (signingKey.length === 0) return invalidParam("signing_key", "signing_key cannot be empty.")
    return { alg: algorithm, format: "raw", material: encoder.encode(signingKey) }
  }
  const material = readPem(signingKey)
  if (material === undefined) {
    return invalidParam("signing_key", "signing_key must be a PKCS #8 private key in PEM form (BEGIN PRIVATE KEY).")
  }
  return { alg: algorithm, format: "pkcs8", material }
}

const probe = encoder.encode("probe")

/**
 * Imports a checked custom key, then signs once with it: a key can still be unusable (too small
 * for the hash, say), which is found out now rather than when minting. Never fails: a key
 * WebCrypto refuses answers the 422 naming `signing_key`.
 */
const customSigner = async (custom: CustomKey): Promise<Signer | Reply> => {
  let key: CryptoKey
  try {
    key = await subtle().importKey(custom.format, custom.material, importParamsOf(custom.alg), false, ["sign"])
  } catch {
    return custom.format === "pkcs8"
      ? invalidParam("signing_key", `signing_key is not a private key for ${custom.alg}.`)
      : invalidParam("signing_key", `signing_key cannot sign with ${custom.alg}.`)
  }
  const signer: Signer = { alg: custom.alg, kid: undefined, key, params: signParamsOf(custom.alg) }
  try {
    await subtle().sign(signer.params, signer.key, probe)
  } catch {
    return invalidParam("signing_key", `signing_key cannot sign with ${custom.alg}.`)
  }
  return signer
}

/** Custom signers by template id. The key is never returned by the API, so it lives only here. */
const templateSignersKey = Symbol("effect-clerk/ClerkTest/templateSigners")

const templateSignersOf = (store: FakeStore): Map<string, Signer> =>
  extensionOf(store, templateSignersKey, () => new Map<string, Signer>())

// ---------------------------------------------------------------------------------------------
// Lookups

const seconds = (millis: number): number => Math.floor(millis / secondMillis)

/** A session as it stands now: an active session past its expiry is recorded as expired. */
const currentSession = (store: FakeStore, session: Schemas.Session, now: number): Schemas.Session => {
  if (session.status !== "active" || now < session.expireAt) return session
  const expired: Schemas.Session = { ...session, status: "expired", updatedAt: now }
  store.sessions.set(session.id, expired)
  return expired
}

/** The membership of `userId` in `organizationId`, if any. */
const membershipOf = (
  store: FakeStore,
  organizationId: string,
  userId: string
): Schemas.OrganizationMembership | undefined => {
  for (const membership of store.memberships.values()) {
    if (membership.organization.id === organizationId && membership.publicUserData?.userId === userId) return membership
  }
  return undefined
}

/** Checks an organization to activate for a user: it exists and the user belongs to it. */
const checkOrganizationFor = (
  store: FakeStore,
  organizationId: string,
  userId: string,
  param: string
): Reply | undefined => {
  if (!store.organizations.has(organizationId)) return notFound("organization")
  if (membershipOf(store, organizationId, userId) === undefined) {
    return invalidParam(param, `The user ${userId} is not a member of the organization ${organizationId}.`)
  }
  return undefined
}

/** A lifetime in whole seconds within Clerk's bounds, or the reply refusing it. */
const checkLifetime = (value: number, param: string, min: number, max: number): Reply | undefined =>
  Number.isInteger(value) && value >= min && value <= max
    ? undefined
    : invalidParam(param, `${param} must be a whole number of seconds from ${min} to ${max}.`)

/**
 * The session behind a token request: 404 for an unknown session, and also for one that is no
 * longer active (revoked, ended, expired) or whose user is gone, as Clerk answers when the
 * session cannot issue tokens any more.
 */
const activeSession = (store: FakeStore, sessionId: string, now: number): Schemas.Session | Reply => {
  const stored = store.sessions.get(sessionId)
  if (stored === undefined) return notFound("session")
  const session = currentSession(store, stored, now)
  if (session.status !== "active" || !store.users.has(session.userId)) {
    return errorReply(404, {
      code: "resource_not_found",
      message: "not found",
      longMessage: `The session ${sessionId} is ${session.status}: it cannot issue tokens.`
    })
  }
  return session
}

// ---------------------------------------------------------------------------------------------
// Session token claims

const withoutOrgPrefix = (role: string): string => role.startsWith("org:") ? role.slice(4) : role

/**
 * The v2 organization claims (`o`, and the organization's features in `fea`) of a session's
 * active organization. Permissions are packed as Clerk packs them: `per` lists permission
 * names, `fpm` one bitmask per feature in `fea` order.
 */
const organizationClaims = (store: FakeStore, session: Schemas.Session): Record<string, unknown> => {
  const organizationId = session.lastActiveOrganizationId
  if (organizationId === undefined || organizationId === null) return {}
  const organization = store.organizations.get(organizationId)
  const membership = membershipOf(store, organizationId, session.userId)
  if (organization === undefined || membership === undefined) return {}
  const split = membership.permissions.flatMap((key) => {
    const match = /^org:([^:,]+):([^:,]+)$/.exec(key)
    return match === null ? [] : [[match[1]!, match[2]!] as const]
  })
  const features = [...new Set(split.map(([feature]) => feature))]
  const names = [...new Set(split.map(([, permission]) => permission))]
  const masks = features.map((feature) =>
    String(
      names.reduce((mask, name, bit) => split.some(([f, p]) => f === feature && p === name) ? mask + 2 ** bit : mask, 0)
    )
  )
  return {
    o: {
      id: organization.id,
      rol: withoutOrgPrefix(membership.role),
      slg: organization.slug,
      ...(names.length > 0 ? { per: names.join(","), fpm: masks.join(",") } : {})
    },
    ...(features.length > 0 ? { fea: features.map((feature) => `o:${feature}`).join(",") } : {})
  }
}

const sessionTokenClaims = (
  store: FakeStore,
  session: Schemas.Session,
  now: number,
  lifetimeSeconds: number
): Record<string, unknown> => {
  const issuedAt = seconds(now)
  return {
    iss: fakeIssuer,
    sub: session.userId,
    sid: session.id,
    iat: issuedAt,
    nbf: issuedAt,
    exp: issuedAt + lifetimeSeconds,
    jti: store.ids.token(20),
    v: 2,
    ...(session.actor !== undefined && session.actor !== null ? { act: session.actor } : {}),
    ...organizationClaims(store, session)
  }
}

// ---------------------------------------------------------------------------------------------
// Template shortcodes

const isVerified = (verification: unknown): boolean =>
  typeof verification === "object" && verification !== null &&
  (verification as { readonly status?: unknown }).status === "verified"

/** What `{{user.…}}` and `{{org.…}}` shortcodes read, in the names templates use. */
const shortcodeContext = (store: FakeStore, session: Schemas.Session): Record<string, unknown> => {
  const user = store.users.get(session.userId)
  const email = user?.emailAddresses.find((address) => address.id === user.primaryEmailAddressId)
  const phone = user?.phoneNumbers.find((number) => number.id === user.primaryPhoneNumberId)
  const organizationId = session.lastActiveOrganizationId ?? undefined
  const organization = organizationId === undefined ? undefined : store.organizations.get(organizationId)
  const membership = organizationId === undefined ? undefined : membershipOf(store, organizationId, session.userId)
  return {
    user: user === undefined ? null : {
      id: user.id,
      external_id: user.externalId,
      first_name: user.firstName,
      last_name: user.lastName,
      full_name: [user.firstName, user.lastName].filter((part) => part !== null && part !== "").join(" ") || null,
      username: user.username,
      primary_email_address: email?.emailAddress ?? null,
      email_verified: email === undefined ? false : isVerified(email.verification),
      primary_phone_number: phone?.phoneNumber ?? null,
      phone_number_verified: phone === undefined ? false : isVerified(phone.verification),
      image_url: user.imageUrl ?? null,
      has_image: user.hasImage,
      two_factor_enabled: user.twoFactorEnabled,
      public_metadata: user.publicMetadata,
      unsafe_metadata: user.unsafeMetadata ?? {},
      created_at: seconds(user.createdAt),
      updated_at: seconds(user.updatedAt)
    },
    org: organization === undefined || membership === undefined ? null : {
      id: organization.id,
      name: organization.name,
      slug: organization.slug,
      role: membership.role,
      image_url: organization.imageUrl ?? null,
      public_metadata: organization.publicMetadata
    },
    session: { id: session.id }
  }
}

const lookupPath = (context: Record<string, unknown>, path: string): unknown => {
  let value: unknown = context
  for (const part of path.split(".")) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return null
    value = (value as Record<string, unknown>)[part]
  }
  return value === undefined ? null : value
}

/** One shortcode body: paths and quoted literals joined by `||`, the first present one winning. */
const evaluateShortcode = (context: Record<string, unknown>, expression: string): unknown => {
  for (const alternative of expression.split("||").map((part) => part.trim())) {
    const quoted = /^(['"])(.*)\1$/.exec(alternative)
    const value = quoted !== null ? quoted[2] : lookupPath(context, alternative)
    if (value !== null && value !== "") return value
  }
  return null
}

const shortcodePattern = /\{\{([^{}]*)\}\}/g

/**
 * Fills a template's claims: a string that is exactly one shortcode becomes the value itself
 * (an object, a number, null...); shortcodes inside longer strings are written into the text.
 */
const renderClaims = (value: unknown, context: Record<string, unknown>): unknown => {
  if (typeof value === "string") {
    const whole = /^\{\{([^{}]*)\}\}$/.exec(value)
    if (whole !== null) return evaluateShortcode(context, whole[1]!)
    return value.replace(shortcodePattern, (_, expression: string) => {
      const filled = evaluateShortcode(context, expression)
      return filled === null ? "" : typeof filled === "object" ? JSON.stringify(filled) : String(filled)
    })
  }
  if (Array.isArray(value)) return value.map((item) => renderClaims(item, context))
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderClaims(item, context)]))
  }
  return value
}

// ---------------------------------------------------------------------------------------------
// JWT templates

interface TemplateInput {
  readonly name: string
  readonly claims: { readonly [key: string]: unknown }
  readonly lifetime?: number | null | undefined
  readonly allowedClockSkew?: number | null | undefined
  readonly customSigningKey?: boolean | undefined
  readonly signingAlgorithm?: string | null | undefined
  readonly signingKey?: string | null | undefined
}

/**
 * Validates a template's settings, falling back to `current` (on update) then to Clerk's
 * defaults. Synchronous, and run again right before the store is written. Answers the template
 * fields and the custom key: one to import (then keep), `null` to drop any, `undefined` to keep
 * the current one.
 */
const templateSettings = (
  store: FakeStore,
  input: TemplateInput,
  current: Schemas.JWTTemplate | undefined
):
  | {
    readonly fields: Pick<
      Schemas.JWTTemplate,
      "name" | "claims" | "lifetime" | "allowedClockSkew" | "customSigningKey" | "signingAlgorithm"
    >
    readonly customKey: CustomKey | null | undefined
  }
  | Reply =>
{
  const name = input.name.trim()
  if (name === "") return missingParam("name")
  for (const template of store.jwtTemplates.values()) {
    if (template.name === name && template.id !== current?.id) return identifierExists("name", "JWT template name")
  }
  const lifetime = input.lifetime ?? current?.lifetime ?? templateDefaultLifetimeSeconds
  const lifetimeProblem = checkLifetime(lifetime, "lifetime", minLifetimeSeconds, maxLifetimeSeconds)
  if (lifetimeProblem !== undefined) return lifetimeProblem
  const allowedClockSkew = input.allowedClockSkew ?? current?.allowedClockSkew ?? templateDefaultClockSkewSeconds
  const skewProblem = checkLifetime(allowedClockSkew, "allowed_clock_skew", 0, maxClockSkewSeconds)
  if (skewProblem !== undefined) return skewProblem
  const base = { name, claims: input.claims, lifetime, allowedClockSkew }
  if (input.customSigningKey === true) {
    if (input.signingAlgorithm === undefined || input.signingAlgorithm === null) {
      return missingParam("signing_algorithm")
    }
    if (input.signingKey === undefined || input.signingKey === null) return missingParam("signing_key")
    const customKey = checkCustomKey(input.signingAlgorithm, input.signingKey)
    if (isReply(customKey)) return customKey
    return { fields: { ...base, customSigningKey: true, signingAlgorithm: customKey.alg }, customKey }
  }
  // Omitted on update: the template keeps its current key, if it has one.
  if (input.customSigningKey === undefined && current?.customSigningKey === true) {
    return {
      fields: { ...base, customSigningKey: true, signingAlgorithm: current.signingAlgorithm },
      customKey: undefined
    }
  }
  return { fields: { ...base, customSigningKey: false, signingAlgorithm: store.keys.alg }, customKey: null }
}

/**
 * Creates (`templateId` undefined) or updates a template, synchronously: checks the settings
 * against the store as it is now (a name taken, or the template deleted, while a custom key
 * was being validated is refused here), then writes the template and its signer. `signer` is
 * the imported custom key, when the settings ask for one.
 */
const writeTemplate = (
  store: FakeStore,
  input: TemplateInput,
  now: number,
  templateId: string | undefined,
  signer: Signer | undefined
): Schemas.JWTTemplate | Reply => {
  const current = templateId === undefined ? undefined : store.jwtTemplates.get(templateId)
  if (templateId !== undefined && current === undefined) return notFound("JWT template")
  const settings = templateSettings(store, input, current)
  if (isReply(settings)) return settings
  const template: Schemas.JWTTemplate = current === undefined
    ? { object: "jwt_template", id: store.ids.next("jtmp", now), ...settings.fields, createdAt: now, updatedAt: now }
    : { ...current, ...settings.fields, updatedAt: now }
  store.jwtTemplates.set(template.id, template)
  if (settings.customKey === null) templateSignersOf(store).delete(template.id)
  else if (settings.customKey !== undefined && signer !== undefined) templateSignersOf(store).set(template.id, signer)
  return template
}

/**
 * Creates or updates a template: at once when it needs no custom key; otherwise the key is
 * imported and tried first, and the store written only once it signs.
 */
const saveTemplate = (
  store: FakeStore,
  input: TemplateInput,
  now: number,
  current: Schemas.JWTTemplate | undefined
): Schemas.JWTTemplate | Reply | Promise<Schemas.JWTTemplate | Reply> => {
  const settings = templateSettings(store, input, current)
  if (isReply(settings)) return settings
  const customKey = settings.customKey
  if (customKey === null || customKey === undefined) return writeTemplate(store, input, now, current?.id, undefined)
  return customSigner(customKey).then((signer) =>
    isReply(signer) ? signer : writeTemplate(store, input, now, current?.id, signer)
  )
}

// ---------------------------------------------------------------------------------------------
// Routes

/** Built-in routes for sessions, session tokens, sign-in tokens, the JWKS and JWT templates. */
export const sessionRoutes = routes({
  "sessions.create": (params, { now, store }) => {
    if (!store.users.has(params.userId)) return notFound("user")
    if (params.activeOrganizationId !== undefined) {
      const problem = checkOrganizationFor(store, params.activeOrganizationId, params.userId, "active_organization_id")
      if (problem !== undefined) return problem
    }
    const session: Schemas.Session = {
      object: "session",
      id: store.ids.next("sess", now),
      userId: params.userId,
      clientId: store.ids.next("client", now),
      actor: null,
      status: "active",
      lastActiveOrganizationId: params.activeOrganizationId ?? null,
      lastActiveAt: now,
      expireAt: now + sessionExpiresAfterMillis,
      abandonAt: now + sessionAbandonedAfterMillis,
      tasks: [],
      updatedAt: now,
      createdAt: now
    }
    store.sessions.set(session.id, session)
    return session
  },

  "sessions.get": (params, { now, store }) => {
    const session = store.sessions.get(params.sessionId)
    return session === undefined ? notFound("session") : currentSession(store, session, now)
  },

  "sessions.list": (params, { now, store }) => {
    // Clerk requires one of the two since 2024; listing the whole instance is refused.
    if (params.userId === undefined && params.clientId === undefined) {
      return errorReply(422, {
        code: "form_param_missing",
        message: "missing data",
        longMessage: "Either client_id or user_id must be included.",
        meta: { param_name: "user_id" }
      })
    }
    const matching = [...store.sessions.values()]
      .map((session) => currentSession(store, session, now))
      .filter((session) =>
        (params.userId === undefined || session.userId === params.userId) &&
        (params.clientId === undefined || session.clientId === params.clientId) &&
        (params.status === undefined || session.status === params.status)
      )
    // Newest first; the map holds them oldest first.
    return page(matching.reverse(), params)
  },

  // Revoking is only meaningful for a live session: a revoked, ended or expired one is refused
  // with 400 (the only client error Clerk declares for this operation besides 404).
  "sessions.revoke": (params, { now, store }) => {
    const stored = store.sessions.get(params.sessionId)
    if (stored === undefined) return notFound("session")
    const session = currentSession(store, stored, now)
    if (session.status !== "active" && session.status !== "pending") {
      return badRequest("session_not_active", `The session ${session.id} is ${session.status} and cannot be revoked.`)
    }
    const revoked: Schemas.Session = { ...session, status: "revoked", updatedAt: now }
    store.sessions.set(revoked.id, revoked)
    return revoked
  },

  "sessions.createToken": (params, { now, store }) => {
    const session = activeSession(store, params.sessionId, now)
    if (isReply(session)) return session
    const lifetime = params.expiresInSeconds ?? sessionTokenLifetimeSeconds
    const problem = checkLifetime(lifetime, "expires_in_seconds", minLifetimeSeconds, maxLifetimeSeconds)
    if (problem !== undefined) return problem
    return signedToken(instanceSigner(store), sessionTokenClaims(store, session, now, lifetime))
  },

  "sessions.createTokenFromTemplate": (params, { now, store }) => {
    const session = activeSession(store, params.sessionId, now)
    if (isReply(session)) return session
    const template = [...store.jwtTemplates.values()].find((candidate) => candidate.name === params.templateName)
    if (template === undefined) return notFound("JWT template")
    const lifetime = params.expiresInSeconds ?? template.lifetime
    const problem = checkLifetime(lifetime, "expires_in_seconds", minLifetimeSeconds, maxLifetimeSeconds)
    if (problem !== undefined) return problem
    const rendered = renderClaims(template.claims, shortcodeContext(store, session)) as Record<string, unknown>
    const custom = Object.fromEntries(
      Object.entries(rendered).filter(([claim]) => !reservedTemplateClaims.includes(claim))
    )
    const issuedAt = seconds(now)
    const payload = {
      ...custom,
      iss: fakeIssuer,
      sub: session.userId,
      iat: issuedAt,
      // Clerk backdates template tokens by the template's allowed clock skew.
      nbf: issuedAt - template.allowedClockSkew,
      exp: issuedAt + lifetime,
      jti: store.ids.token(20)
    }
    const signer = template.customSigningKey ? templateSignersOf(store).get(template.id) : undefined
    return signedToken(signer ?? instanceSigner(store), payload)
  },

  "signInTokens.create": (params, { now, store }) => {
    if (!store.users.has(params.userId)) return notFound("user")
    if (params.orgId !== undefined && params.orgId !== null) {
      const problem = checkOrganizationFor(store, params.orgId, params.userId, "org_id")
      if (problem !== undefined) return problem
    }
    const lifetime = params.expiresInSeconds ?? signInTokenDefaultLifetimeSeconds
    if (!Number.isInteger(lifetime) || lifetime < 1) {
      return invalidParam("expires_in_seconds", "expires_in_seconds must be a whole number of seconds, at least 1.")
    }
    const token = store.ids.token(40)
    const signInToken: Schemas.SignInToken = {
      object: "sign_in_token",
      id: store.ids.next("sit", now),
      status: "pending",
      userId: params.userId,
      token,
      url: `${fakeIssuer}/v1/tickets/accept?ticket=${token}`,
      createdAt: now,
      updatedAt: now
    }
    store.signInTokens.set(signInToken.id, signInToken)
    return signInToken
  },

  // Only a pending token can be revoked; an accepted or revoked one answers 400, the error
  // Clerk declares for this operation.
  "signInTokens.revoke": (params, { now, store }) => {
    const signInToken = store.signInTokens.get(params.signInTokenId)
    if (signInToken === undefined) return notFound("sign-in token")
    if (signInToken.status !== "pending") {
      return badRequest(
        "sign_in_token_not_pending",
        `The sign-in token ${signInToken.id} is ${signInToken.status} and cannot be revoked.`
      )
    }
    const revoked: Schemas.SignInToken = { ...signInToken, status: "revoked", updatedAt: now }
    store.signInTokens.set(revoked.id, revoked)
    return revoked
  },

  "jwks.getJWKS": (_params, { store }) => {
    const { e, n } = store.keys.jwk
    if (n === undefined || e === undefined) return { keys: [] }
    const key: Schemas.JWKSRsaPublicKey = { kid: store.keys.kid, alg: store.keys.alg, use: "sig", kty: "RSA", n, e }
    return { keys: [key] }
  },

  "jwtTemplates.list": (params, { store }) => page([...store.jwtTemplates.values()], params),

  "jwtTemplates.create": (params, { now, store }) => saveTemplate(store, params, now, undefined),

  "jwtTemplates.get": (params, { store }) => store.jwtTemplates.get(params.templateId) ?? notFound("JWT template"),

  "jwtTemplates.update": (params, { now, store }) => {
    const current = store.jwtTemplates.get(params.templateId)
    if (current === undefined) return notFound("JWT template")
    return saveTemplate(store, params, now, current)
  },

  "jwtTemplates.delete": (params, { store }) => {
    if (!store.jwtTemplates.delete(params.templateId)) return notFound("JWT template")
    templateSignersOf(store).delete(params.templateId)
    return { object: "jwt_template", id: params.templateId, deleted: true }
  }
})
