/**
 * Authenticating a request without Effect: finding its token, telling the kinds of token apart, the options
 * that decide which are accepted, and the fields of a verified session or machine token. Both lines'
 * `ClerkAuth` wrap these in their own classes and effects.
 *
 * @internal
 */
import type { Detail, Problem, Reason } from "./authReasons.js"
import { problem } from "./authReasons.js"
import { hasScoped, sessionClaims } from "./claims.js"
import { hasApiErrorTag } from "./errorTags.js"
import * as Jwt from "./jwt.js"
import { splitList } from "./splitList.js"

/** The kinds of token a request can carry. */
export type TokenType = "session_token" | "api_key" | "m2m_token" | "oauth_token"

/** The kinds verified through the Backend API when they are not JWTs. */
export type MachineTokenType = Exclude<TokenType, "session_token">

/** What `has` can check on a session. */
export type AuthorizationCheck =
  | { readonly role: string }
  | { readonly permission: string }
  | { readonly feature: string }
  | { readonly plan: string }

/** Every token kind, in the order `acceptsToken: "any"` lists them. */
export const allTokenTypes: ReadonlyArray<TokenType> = ["session_token", "api_key", "m2m_token", "oauth_token"]

/**
 * The options of both lines' `ClerkAuth`, over each line's duration input, secret and key-set options (the
 * types Effect 3 and Effect 4 name differently).
 */
export interface Options<DurationInput, Secret, JwksOptions> {
  /** Origins allowed in a session token's `azp`; when set, `azp` must be present and listed. */
  readonly authorizedParties?: ReadonlyArray<string> | undefined
  /** Accepted `aud` values; checked when set. */
  readonly audiences?: ReadonlyArray<string> | undefined
  /** Tolerance on `exp`, `nbf` and `iat`. Default 5 seconds. */
  readonly clockSkew?: DurationInput | undefined
  /** The instance's PEM public key: session tokens are then verified with no Backend API call at all. */
  readonly jwtKey?: string | undefined
  /** Which token kinds are accepted. Default `session_token`. */
  readonly acceptsToken?: TokenType | ReadonlyArray<TokenType> | "any" | undefined
  /** A machine's secret key, used instead of the instance key to verify M2M tokens. */
  readonly machineSecretKey?: Secret | undefined
  /**
   * How many verified session tokens to remember (their time claims are re-checked on every use). Default 1,000;
   * 0 turns it off. A token used once takes a probation slot only; tokens used again are kept ahead of it.
   */
  readonly tokenCacheSize?: number | undefined
  /**
   * Remember opaque machine-token results this long (opt-in; default off), never past the token's expiry. With a
   * `ClerkMachineTokenStore` in context the results are shared with the fleet for as long, and this is required.
   */
  readonly machineTokenCacheTtl?: DurationInput | undefined
  /** Cookie suffix of this app's `__session_<suffix>` cookie, tried before `__session`. */
  readonly cookieSuffix?: string | undefined
  /** TTL and cooldown of the fetched key set (ignored with `jwtKey`). */
  readonly jwks?: JwksOptions | undefined
}

/** The fields of a request without an accepted token. */
export interface SignedOutFields {
  /** Why, in Clerk's SDK vocabulary. */
  readonly reason: Reason
  /** The specific case (see `TokenVerificationDetail`). */
  readonly detail: Detail
  readonly message: string
  /** The kind of token found, when one was. */
  readonly tokenType: TokenType | undefined
}

/** The fields of a verified session token. */
export interface SessionFields {
  readonly tokenType: "session_token"
  readonly userId: string
  readonly sessionId: string | undefined
  /** `sts`, e.g. `active` or `pending`. */
  readonly sessionStatus: string | undefined
  readonly orgId: string | undefined
  /** With its `org:` prefix, e.g. `org:admin`. */
  readonly orgRole: string | undefined
  readonly orgSlug: string | undefined
  /** e.g. `org:members:read` (v2 tokens expanded from their bitmaps). */
  readonly orgPermissions: ReadonlyArray<string>
  /** Minutes since the first and second factor were verified (`fva`), when present. */
  readonly factorVerificationAge: readonly [number, number] | undefined
  /** The impersonating actor (`act`), when present. */
  readonly actor: { readonly sub: string; readonly [key: string]: unknown } | undefined
  /** Every claim of the token, as decoded. */
  readonly claims: { readonly [key: string]: unknown }
  /** Scoped features and plans (`o:x`, `u:y`), used by `has`. */
  readonly features: ReadonlyArray<string>
  readonly plans: ReadonlyArray<string>
}

/** The fields of a verified machine token (API key, M2M token or OAuth access token). */
export interface MachineFields {
  readonly tokenType: MachineTokenType
  readonly id: string
  readonly subject: string
  readonly scopes: ReadonlyArray<string>
  readonly name: string | undefined
  readonly claims: { readonly [key: string]: unknown } | undefined
  readonly userId: string | undefined
  readonly orgId: string | undefined
  readonly machineId: string | undefined
  readonly clientId: string | undefined
}

/** Whether a session has a role, a permission, a feature or a plan. */
export const has = (session: SessionFields, check: AuthorizationCheck): boolean => {
  if ("role" in check) {
    const role = check.role.startsWith("org:") ? check.role : `org:${check.role}`
    return session.orgRole === role
  }
  if ("permission" in check) return session.orgPermissions.includes(check.permission)
  if ("feature" in check) return hasScoped(session.features, check.feature)
  return hasScoped(session.plans, check.plan)
}

/** A token's kind, and its decoded parts when it is a JWT (so they are decoded once). */
export const classify = (
  token: string
): { readonly type: TokenType | undefined; readonly jwt: Jwt.DecodedJwt | undefined } => {
  if (token.startsWith("ak_")) return { type: "api_key", jwt: undefined }
  if (token.startsWith("mt_") || token.startsWith("m2m_")) return { type: "m2m_token", jwt: undefined }
  if (token.startsWith("oat_")) return { type: "oauth_token", jwt: undefined }
  const jwt = Jwt.decode(token)
  if (jwt === undefined) return { type: undefined, jwt }
  const typ = typeof jwt.header.typ === "string" ? jwt.header.typ.toLowerCase() : ""
  if (typ === "at+jwt" || typ === "application/at+jwt") return { type: "oauth_token", jwt }
  if (typeof jwt.payload.sub === "string" && jwt.payload.sub.startsWith("mch_")) return { type: "m2m_token", jwt }
  return { type: "session_token", jwt }
}

/** The kind of a token, from its prefix or its JWT header and subject. */
export const tokenTypeOf = (token: string): TokenType | undefined => classify(token).type

/** How a token of an accepted kind is verified: locally as a JWT, or by asking Clerk. */
export type Route =
  | { readonly _tag: "Session"; readonly jwt: Jwt.DecodedJwt }
  | { readonly _tag: "MachineJwt"; readonly type: "m2m_token" | "oauth_token"; readonly jwt: Jwt.DecodedJwt }
  | { readonly _tag: "Opaque"; readonly type: MachineTokenType }

/** The route of a token, or its refusal when it is no token at all or of a kind not accepted. */
export const route = (token: string, accepts: ReadonlySet<TokenType>): Route | Problem => {
  const { jwt, type } = classify(token)
  if (type === undefined) return problem("token-invalid", "the token is neither a JWT nor a known machine token")
  if (!accepts.has(type)) {
    return problem("token-type-mismatch", `a ${type} was given where ${[...accepts].join(" or ")} is accepted`)
  }
  if (jwt === undefined) return { _tag: "Opaque", type: type as MachineTokenType }
  return type === "session_token"
    ? { _tag: "Session", jwt }
    : { _tag: "MachineJwt", type: type as "m2m_token" | "oauth_token", jwt }
}

/** The part of a server request read here: both lines' `HttpServerRequest` have it. */
export interface ServerRequestLike {
  readonly headers: { readonly [name: string]: string | undefined }
  readonly cookies: { readonly [name: string]: string }
}

const parseCookies = (header: string | undefined): Map<string, string> => {
  const cookies = new Map<string, string>()
  for (const part of (header ?? "").split(";")) {
    const index = part.indexOf("=")
    if (index <= 0) continue
    const name = part.slice(0, index).trim()
    if (cookies.has(name)) continue
    let value = part.slice(index + 1).trim()
    try {
      value = decodeURIComponent(value)
    } catch {
      // An undecodable value is kept as sent; verification will refuse it if it is not a token.
    }
    cookies.set(name, value)
  }
  return cookies
}

/**
 * The request's token: `Authorization: Bearer` wins; otherwise `__session_<suffix>` (when a
 * suffix is configured), `__session`, then any other `__session_*` cookie. The body is never read.
 */
export const tokenOf = (request: Request | ServerRequestLike, cookieSuffix?: string): string | undefined => {
  const authorization = request instanceof Request
    ? request.headers.get("authorization") ?? undefined
    : request.headers["authorization"]
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1]
  if (bearer !== undefined) return bearer
  const cookies = request instanceof Request
    ? parseCookies(request.headers.get("cookie") ?? undefined)
    : new Map(Object.entries(request.cookies))
  if (cookieSuffix !== undefined) {
    const suffixed = cookies.get(`__session_${cookieSuffix}`)
    if (suffixed) return suffixed
  }
  const plain = cookies.get("__session")
  if (plain) return plain
  for (const [name, value] of cookies) if (name.startsWith("__session_") && value) return value
  return undefined
}

const subjectIds = (subject: string) => ({
  userId: subject.startsWith("user_") ? subject : undefined,
  orgId: subject.startsWith("org_") ? subject : undefined,
  machineId: subject.startsWith("mch_") ? subject : undefined
})

const asRecord = (u: unknown): { readonly [key: string]: unknown } | undefined =>
  typeof u === "object" && u !== null && !Array.isArray(u) ? u as { readonly [key: string]: unknown } : undefined

/** The fields of a verified session token's payload, v1 or v2 claims. */
export const sessionFields = (payload: Record<string, unknown>): SessionFields => {
  const claims = sessionClaims(payload)
  const fva = payload.fva
  const act = asRecord(payload.act)
  return {
    tokenType: "session_token",
    userId: payload.sub as string,
    sessionId: typeof payload.sid === "string" ? payload.sid : undefined,
    sessionStatus: typeof payload.sts === "string" ? payload.sts : undefined,
    orgId: claims.orgId,
    orgRole: claims.orgRole,
    orgSlug: claims.orgSlug,
    orgPermissions: claims.orgPermissions,
    factorVerificationAge: Array.isArray(fva) && fva.length === 2 && fva.every((n) => typeof n === "number")
      ? [fva[0] as number, fva[1] as number]
      : undefined,
    actor: act !== undefined && typeof act.sub === "string" ? act as SessionFields["actor"] : undefined,
    claims: payload,
    features: claims.features,
    plans: claims.plans
  }
}

/** The fields of a verified machine JWT (M2M or OAuth). */
export const machineJwtFields = (
  tokenType: "m2m_token" | "oauth_token",
  payload: Record<string, unknown>
): MachineFields => {
  const subject = payload.sub as string
  const scope = payload.scp ?? payload.scope ?? payload.scopes
  const scopes = typeof scope === "string"
    ? scope.split(/[\s,]+/).filter((s) => s !== "")
    : Array.isArray(scope)
    ? scope.filter((s): s is string => typeof s === "string")
    : []
  return {
    tokenType,
    id: typeof payload.jti === "string" ? payload.jti : subject,
    subject,
    scopes,
    name: typeof payload.name === "string" ? payload.name : undefined,
    claims: payload,
    ...subjectIds(subject),
    clientId: typeof payload.client_id === "string"
      ? payload.client_id
      : typeof payload.azp === "string" && tokenType === "oauth_token"
      ? payload.azp
      : undefined
  }
}

/** What Clerk answers about an opaque machine token, in the shape both lines' generated operations decode. */
export interface VerifiedMachineToken {
  readonly id: string
  readonly subject: string
  readonly scopes?: ReadonlyArray<string> | undefined
  readonly name?: string | undefined
  readonly claims?: unknown
  readonly clientId?: string | undefined
  readonly revoked?: boolean | undefined
  readonly expired?: boolean | undefined
  /** When the token expires (milliseconds since the epoch), `null` when it does not. */
  readonly expiration?: number | null | undefined
}

/**
 * The fields of an opaque machine token Clerk verified, or its refusal when Clerk says it is revoked or
 * expired. OAuth answers carry neither a name nor claims.
 */
export const opaqueFields = (tokenType: MachineTokenType, result: VerifiedMachineToken): MachineFields | Problem =>
  result.revoked === true
    ? problem("machine-token-invalid", "the token was revoked")
    : result.expired === true
    ? problem("machine-token-invalid", "the token has expired")
    : {
      tokenType,
      id: result.id,
      subject: result.subject,
      scopes: result.scopes ?? [],
      name: tokenType === "api_key" ? result.name : undefined,
      claims: tokenType === "oauth_token" ? undefined : asRecord(result.claims),
      ...subjectIds(result.subject),
      clientId: tokenType === "oauth_token" ? result.clientId : undefined
    }

/** The refusal of an OAuth token Clerk reports inactive. */
export const inactiveOauthToken: Problem = problem("machine-token-invalid", "the token is not active")

/** A failed machine-token call: refused by Clerk, or Clerk could not be asked. Only the tag and status are quoted. */
export const machineCallProblem = (error: { readonly _tag: string; readonly status?: number }): Problem =>
  hasApiErrorTag(error) && error.status !== undefined && error.status < 500 && error.status !== 429
    ? problem("machine-token-invalid", `Clerk did not accept the token (${error.status})`)
    : problem("unexpected-error", `the token could not be checked with Clerk (${error._tag})`)

/** The refusal of an opaque token with no Backend API to ask. */
export const noBackend: Problem = problem("unexpected-error", "no Backend API to verify the token with")

/** The signed-out outcome of a request without a token. */
export const missingToken = {
  reason: "session-token-missing",
  detail: "session-token-missing",
  message: "the request carries no token",
  tokenType: undefined
} as const

/** The accepted kinds of an `acceptsToken` option (default: session tokens only). */
export const acceptedTypes = (
  accepts: TokenType | ReadonlyArray<TokenType> | "any" | undefined
): ReadonlySet<TokenType> =>
  new Set(
    accepts === undefined
      ? ["session_token"]
      : accepts === "any"
      ? allTokenTypes
      : typeof accepts === "string"
      ? [accepts]
      : accepts
  )

/** `CLERK_ACCEPTS_TOKEN`: `any`, or a comma list of kinds (checked when the service is built). */
export const acceptsTokenOf = (text: string): "any" | Array<TokenType> =>
  text.trim() === "any" ? "any" : splitList(text) as Array<TokenType>

/** Why accepted kinds cannot work (an unknown kind, none, opaque kinds with no Backend API), if they cannot. */
export const acceptsProblem = (accepts: ReadonlySet<TokenType>, hasBackend: boolean): string | undefined => {
  for (const type of accepts) {
    if (!allTokenTypes.includes(type)) return `unknown token type ${JSON.stringify(type)} in acceptsToken`
  }
  if (accepts.size === 0) return "acceptsToken lists no token type"
  const needsBackend = accepts.has("api_key") || accepts.has("m2m_token") || accepts.has("oauth_token")
  return needsBackend && !hasBackend
    ? "accepting API keys, M2M or OAuth tokens needs the Backend API: provide ClerkBackend.layer or ClerkClient.layer"
    : undefined
}

/** The span attribute naming the kind of token that came; the token itself never goes into a span. */
export const tokenTypeAttribute = (token: string | undefined): string =>
  token ? tokenTypeOf(token) ?? "unknown" : "none"

/** The span annotations of an outcome. */
export const outcomeAnnotations = (
  state: { readonly _tag: "SignedIn" } | {
    readonly _tag: "SignedOut"
    readonly reason: string
    readonly detail: string
  }
): Record<string, string> =>
  state._tag === "SignedIn"
    ? { "clerk.auth.outcome": "signed_in" }
    : { "clerk.auth.outcome": "signed_out", "clerk.auth.reason": state.reason, "clerk.auth.detail": state.detail }

/** Default number of verified session tokens remembered. */
export const defaultTokenCacheSize = 1000

/** Default tolerance on `exp`, `nbf` and `iat`. */
export const defaultClockSkewMillis = 5000

/** How many opaque machine-token results are remembered when that cache is on. */
export const machineTokenCacheCapacity = 10_000

/** Why a shared machine-token store without a TTL is refused: how long to trust a token is the user's call. */
export const sharedStoreWithoutTtl =
  "a shared machine-token store needs machineTokenCacheTtl: how long a token Clerk verified is trusted without asking again"
