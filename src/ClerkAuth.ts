/**
 * Authenticating incoming requests: session tokens (verified locally against the
 * instance's keys), API keys, M2M tokens and OAuth access tokens.
 *
 * `authenticateRequest` never fails for a bad token: it answers `SignedIn` or
 * `SignedOut` with the reason.
 *
 * @since 0.1.0
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as Cache from "effect/Cache"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import { ClerkAuthConfigError, TokenVerificationError } from "./ClerkAuthError.js"
import type { TokenVerificationDetail, TokenVerificationReason } from "./ClerkAuthError.js"
import { ClerkClient, withSecretKey } from "./ClerkClient.js"
import type { ClerkClientService } from "./ClerkClient.js"
import { isClerkApiError } from "./ClerkError.js"
import type { ClerkError } from "./ClerkError.js"
import { ClerkJwks } from "./ClerkJwks.js"
import type { ClerkJwksOptions } from "./ClerkJwks.js"
// Each operation from its own module, not through ClerkBackend: a bundle then keeps these three calls only.
import * as ApiKeys from "./generated/ApiKeys.js"
import * as M2m from "./generated/M2m.js"
import * as OauthAccessTokens from "./generated/OauthAccessTokens.js"
import { signedOutHeaders } from "./internal/authHeaders.js"
import type { SessionClaims } from "./internal/claims.js"
import { hasScoped, sessionClaims } from "./internal/claims.js"
import { commaList, nonNegativeDuration, optional, splitList } from "./internal/config.js"
import * as Jwt from "./internal/jwt.js"
import * as Spanned from "./internal/spannedKey.js"
import * as Tracing from "./internal/tracing.js"
import { VerifiedTokens } from "./internal/verifiedTokens.js"

/**
 * The kinds of token a request can carry.
 *
 * @since 0.1.0
 * @category models
 */
export type TokenType = "session_token" | "api_key" | "m2m_token" | "oauth_token"

/**
 * What `has` can check on a session.
 *
 * @since 0.1.0
 * @category models
 */
export type AuthorizationCheck =
  | { readonly role: string }
  | { readonly permission: string }
  | { readonly feature: string }
  | { readonly plan: string }

/**
 * A verified session token.
 *
 * @since 0.1.0
 * @category models
 */
export class SessionAuth extends Data.TaggedClass("SessionAuth")<{
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
}> {
  /** Whether the session has a role, a permission, a feature or a plan. */
  has(check: AuthorizationCheck): boolean {
    if ("role" in check) {
      const role = check.role.startsWith("org:") ? check.role : `org:${check.role}`
      return this.orgRole === role
    }
    if ("permission" in check) return this.orgPermissions.includes(check.permission)
    if ("feature" in check) return hasScoped(this.features, check.feature)
    return hasScoped(this.plans, check.plan)
  }
}

/**
 * A verified machine token (API key, M2M token or OAuth access token).
 *
 * @since 0.1.0
 * @category models
 */
export class MachineAuth extends Data.TaggedClass("MachineAuth")<{
  readonly tokenType: "api_key" | "m2m_token" | "oauth_token"
  readonly id: string
  readonly subject: string
  readonly scopes: ReadonlyArray<string>
  readonly name: string | undefined
  readonly claims: { readonly [key: string]: unknown } | undefined
  readonly userId: string | undefined
  readonly orgId: string | undefined
  readonly machineId: string | undefined
  readonly clientId: string | undefined
}> {}

/**
 * A request that carried an accepted token.
 *
 * @since 0.1.0
 * @category models
 */
export class SignedIn extends Data.TaggedClass("SignedIn")<{
  readonly auth: SessionAuth | MachineAuth
  readonly tokenType: TokenType
}> {}

/**
 * A request without an accepted token, and why.
 *
 * @since 0.1.0
 * @category models
 */
export class SignedOut extends Data.TaggedClass("SignedOut")<{
  /** Why, in Clerk's SDK vocabulary. */
  readonly reason: TokenVerificationReason
  /** The specific case (see `TokenVerificationDetail`). */
  readonly detail: TokenVerificationDetail
  readonly message: string
  /** The kind of token found, when one was. */
  readonly tokenType: TokenType | undefined
}> {
  /** Debug headers a server may send back (`x-clerk-auth-status`, `-reason`, `-message`). */
  get headers(): Record<string, string> {
    return signedOutHeaders(this.reason, this.message)
  }
}

/**
 * The outcome of authenticating a request.
 *
 * @since 0.1.0
 * @category models
 */
export type AuthState = SignedIn | SignedOut

/**
 * Options of {@link ClerkAuth.layer}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClerkAuthOptions {
  /** Origins allowed in a session token's `azp`; when set, `azp` must be present and listed. */
  readonly authorizedParties?: ReadonlyArray<string> | undefined
  /** Accepted `aud` values; checked when set. */
  readonly audiences?: ReadonlyArray<string> | undefined
  /** Tolerance on `exp`, `nbf` and `iat`. Default 5 seconds. */
  readonly clockSkew?: Duration.DurationInput | undefined
  /** The instance's PEM public key: session tokens are then verified with no Backend API call at all. */
  readonly jwtKey?: string | undefined
  /** Which token kinds are accepted. Default `session_token`. */
  readonly acceptsToken?: TokenType | ReadonlyArray<TokenType> | "any" | undefined
  /** A machine's secret key, used instead of the instance key to verify M2M tokens. */
  readonly machineSecretKey?: Redacted.Redacted<string> | undefined
  /**
   * How many verified session tokens to remember (their time claims are re-checked on every use). Default 1,000;
   * 0 turns it off. A token used once takes a probation slot only; tokens used again are kept ahead of it.
   */
  readonly tokenCacheSize?: number | undefined
  /** Remember opaque machine-token results this long (opt-in; default off). */
  readonly machineTokenCacheTtl?: Duration.DurationInput | undefined
  /** Cookie suffix of this app's `__session_<suffix>` cookie, tried before `__session`. */
  readonly cookieSuffix?: string | undefined
  /** TTL and cooldown of the fetched key set (ignored with `jwtKey`). */
  readonly jwks?: ClerkJwksOptions | undefined
}

/**
 * The authentication service.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClerkAuthService {
  /** Finds the request's token (Bearer header, else `__session` cookie) and verifies it. Never fails. */
  readonly authenticateRequest: (request: Request | HttpServerRequest.HttpServerRequest) => Effect.Effect<AuthState>
  /** Verifies a token already taken from a request (`undefined`: none was found). Never fails. */
  readonly authenticateToken: (token: string | undefined) => Effect.Effect<AuthState>
  /** Verifies a token of an accepted kind, failing with the reason when it is not accepted. */
  readonly verifyToken: (token: string) => Effect.Effect<SessionAuth | MachineAuth, TokenVerificationError>
}

const allTokenTypes: ReadonlyArray<TokenType> = ["session_token", "api_key", "m2m_token", "oauth_token"]

const failure = (detail: TokenVerificationDetail, message: string) => TokenVerificationError.fromDetail(detail, message)

/**
 * The kind of a token, from its prefix or its JWT header and subject.
 *
 * @since 0.1.0
 * @category utils
 */
export const tokenTypeOf = (token: string): TokenType | undefined => classify(token).type

/** A token's kind, and its decoded parts when it is a JWT (so they are decoded once). */
const classify = (
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

const headerOf = (request: Request | HttpServerRequest.HttpServerRequest, name: string): string | undefined =>
  request instanceof Request ? request.headers.get(name) ?? undefined : request.headers[name]

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
 * @since 0.1.0
 * @category utils
 */
export const tokenOf = (
  request: Request | HttpServerRequest.HttpServerRequest,
  cookieSuffix?: string
): string | undefined => {
  const authorization = headerOf(request, "authorization")
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

const sessionAuthOf = (payload: Record<string, unknown>, claims: SessionClaims): SessionAuth => {
  const fva = payload.fva
  const act = asRecord(payload.act)
  return new SessionAuth({
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
    actor: act !== undefined && typeof act.sub === "string" ? act as SessionAuth["actor"] : undefined,
    claims: payload,
    features: claims.features,
    plans: claims.plans
  })
}

/** A machine JWT (M2M or OAuth) as a `MachineAuth`. */
const machineAuthOfJwt = (tokenType: "m2m_token" | "oauth_token", payload: Record<string, unknown>): MachineAuth => {
  const subject = payload.sub as string
  const scope = payload.scp ?? payload.scope ?? payload.scopes
  const scopes = typeof scope === "string"
    ? scope.split(/[\s,]+/).filter((s) => s !== "")
    : Array.isArray(scope)
    ? scope.filter((s): s is string => typeof s === "string")
    : []
  return new MachineAuth({
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
  })
}

/** A verified session token, remembered with the key-set generation it was verified under. */
interface VerifiedEntry {
  readonly payload: Record<string, unknown>
  readonly auth: SessionAuth
  readonly generation: number
}

const annotateAuthState = (state: AuthState): Effect.Effect<void> =>
  state._tag === "SignedIn"
    ? Effect.annotateCurrentSpan("clerk.auth.outcome", "signed_in")
    : Effect.annotateCurrentSpan({
      "clerk.auth.outcome": "signed_out",
      "clerk.auth.reason": state.reason,
      "clerk.auth.detail": state.detail
    })

const acceptedTypes = (accepts: ClerkAuthOptions["acceptsToken"]): ReadonlySet<TokenType> =>
  new Set(
    accepts === undefined
      ? ["session_token"]
      : accepts === "any"
      ? allTokenTypes
      : typeof accepts === "string"
      ? [accepts]
      : accepts
  )

/** A failed machine-token call: refused by Clerk, or Clerk could not be asked. */
const machineFailure = (error: ClerkError): TokenVerificationError =>
  isClerkApiError(error) && error.status < 500 && error.status !== 429
    ? failure("machine-token-invalid", `Clerk did not accept the token (${error.status})`)
    : failure("unexpected-error", `the token could not be checked with Clerk (${error._tag})`)

const checkMachineStatus = (result: { readonly revoked?: boolean; readonly expired?: boolean }) =>
  result.revoked === true
    ? Effect.fail(failure("machine-token-invalid", "the token was revoked"))
    : result.expired === true
    ? Effect.fail(failure("machine-token-invalid", "the token has expired"))
    : Effect.void

/**
 * The authentication service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class ClerkAuth extends Context.Tag("effect-clerk/ClerkAuth")<ClerkAuth, ClerkAuthService>() {
  /**
   * Builds the service on the `ClerkJwks` in context. Opaque machine tokens use the
   * `ClerkClient` in context (which `ClerkBackend.layer` provides); accepting them without one is a configuration
   * error.
   */
  static readonly make = (
    options: ClerkAuthOptions = {}
  ): Effect.Effect<ClerkAuthService, ClerkAuthConfigError, ClerkJwks> =>
    Effect.gen(function*() {
      const jwks = yield* ClerkJwks
      const backend = yield* Effect.serviceOption(ClerkClient)
      const accepts = acceptedTypes(options.acceptsToken)
      for (const type of accepts) {
        if (!allTokenTypes.includes(type)) {
          return yield* new ClerkAuthConfigError({
            message: `unknown token type ${JSON.stringify(type)} in acceptsToken`
          })
        }
      }
      if (accepts.size === 0) return yield* new ClerkAuthConfigError({ message: "acceptsToken lists no token type" })
      const needsBackend = accepts.has("api_key") || accepts.has("m2m_token") || accepts.has("oauth_token")
      if (needsBackend && Option.isNone(backend)) {
        return yield* new ClerkAuthConfigError({
          message:
            "accepting API keys, M2M or OAuth tokens needs the Backend API: provide ClerkBackend.layer or ClerkClient.layer"
        })
      }
      // Duration.decode would turn a negative input into zero; refuse it instead.
      const rawSkew = options.clockSkew
      if (
        (typeof rawSkew === "number" && rawSkew < 0) || (typeof rawSkew === "string" && rawSkew.trim().startsWith("-"))
      ) {
        return yield* new ClerkAuthConfigError({ message: "clockSkew cannot be negative" })
      }
      const skew = Duration.decode(rawSkew ?? Duration.seconds(5))
      const rules: Jwt.ClaimRules = {
        authorizedParties: options.authorizedParties ?? [],
        audiences: options.audiences ?? [],
        clockSkewMillis: Duration.toMillis(skew)
      }
      const machineRules: Jwt.ClaimRules = { ...rules, authorizedParties: [] }
      const verified = new VerifiedTokens<VerifiedEntry>(options.tokenCacheSize ?? 1000)

      const verifySession = (
        token: string,
        decoded: Jwt.DecodedJwt
      ): Effect.Effect<SessionAuth, TokenVerificationError> =>
        Effect.gen(function*() {
          const { payload } = yield* Jwt.verifySignature(token, jwks, decoded)
          const problem = Jwt.checkClaims(payload, rules, yield* Clock.currentTimeMillis)
          if (problem !== undefined) return yield* problem
          const auth = sessionAuthOf(payload, sessionClaims(payload))
          // Remembered under the generation the key lookup just used (a refetch may have moved it).
          verified.set(token, { payload, auth, generation: yield* jwks.generation })
          return auth
        })

      /** A token verified before skips decoding and RSA; its time claims are checked again. */
      const fromCache = (token: string): Effect.Effect<SessionAuth | undefined, TokenVerificationError> =>
        !verified.has(token) ? Effect.succeed(undefined) : Effect.flatMap(jwks.generation, (generation) => {
          const entry = verified.get(token, generation)
          if (entry === undefined) return Effect.succeed(undefined)
          return Effect.flatMap(Clock.currentTimeMillis, (now) => {
            const problem = Jwt.checkClaims(entry.payload, rules, now)
            return problem === undefined ? Effect.succeed(entry.auth) : Effect.fail(problem)
          })
        })

      const verifyMachineJwt = (type: "m2m_token" | "oauth_token", token: string, decoded: Jwt.DecodedJwt) =>
        Effect.gen(function*() {
          const { payload } = yield* Jwt.verifySignature(token, jwks, decoded)
          const problem = Jwt.checkClaims(payload, machineRules, yield* Clock.currentTimeMillis)
          if (problem !== undefined) return yield* problem
          return machineAuthOfJwt(type, payload)
        })

      const verifyOpaque = (
        client: ClerkClientService,
        type: "api_key" | "m2m_token" | "oauth_token",
        token: string
      ) => {
        switch (type) {
          case "api_key":
            return ApiKeys.verify({ secret: token }).pipe(
              Effect.provideService(ClerkClient, client),
              Effect.mapError(machineFailure),
              Effect.tap(checkMachineStatus),
              Effect.map((key) =>
                new MachineAuth({
                  tokenType: "api_key",
                  id: key.id,
                  subject: key.subject,
                  scopes: key.scopes,
                  name: key.name,
                  claims: asRecord(key.claims),
                  ...subjectIds(key.subject),
                  clientId: undefined
                })
              )
            )
          case "m2m_token": {
            const call = M2m.verifyToken({ token })
            return (options.machineSecretKey === undefined ? call : withSecretKey(call, options.machineSecretKey)).pipe(
              Effect.provideService(ClerkClient, client),
              Effect.mapError(machineFailure),
              Effect.tap(checkMachineStatus),
              Effect.map((m2m) =>
                new MachineAuth({
                  tokenType: "m2m_token",
                  id: m2m.id,
                  subject: m2m.subject,
                  scopes: m2m.scopes ?? [],
                  name: undefined,
                  claims: asRecord(m2m.claims),
                  ...subjectIds(m2m.subject),
                  clientId: undefined
                })
              )
            )
          }
          case "oauth_token":
            return OauthAccessTokens.verify({ accessToken: token }).pipe(
              Effect.provideService(ClerkClient, client),
              Effect.mapError(machineFailure),
              Effect.flatMap((result) =>
                "id" in result
                  ? Effect.as(
                    checkMachineStatus(result),
                    new MachineAuth({
                      tokenType: "oauth_token",
                      id: result.id,
                      subject: result.subject,
                      scopes: result.scopes,
                      name: undefined,
                      claims: undefined,
                      ...subjectIds(result.subject),
                      clientId: result.clientId
                    })
                  )
                  : Effect.fail(failure("machine-token-invalid", "the token is not active"))
              )
            )
        }
      }

      const lookupOpaque = Spanned.underCaller((
        [type, token]: readonly [type: "api_key" | "m2m_token" | "oauth_token", token: string]
      ) => Option.isSome(backend) ? verifyOpaque(backend.value, type, token) : Effect.die("no Backend API"))
      const opaqueCache = Option.isSome(backend) && options.machineTokenCacheTtl !== undefined
        ? yield* Cache.makeWith({
          capacity: 10_000,
          lookup: lookupOpaque,
          // Only accepted tokens are remembered: a refusal may be a passing failure.
          timeToLive: (exit) => Exit.isSuccess(exit) ? Duration.decode(options.machineTokenCacheTtl!) : Duration.zero
        })
        : undefined

      const verifyToken = (token: string): Effect.Effect<SessionAuth | MachineAuth, TokenVerificationError> =>
        verified.enabled && accepts.has("session_token")
          ? Effect.flatMap(fromCache(token), (cached) =>
            cached === undefined ? verifyFresh(token) : Effect.succeed(cached))
          : verifyFresh(token)

      const verifyFresh = (token: string): Effect.Effect<SessionAuth | MachineAuth, TokenVerificationError> => {
        const { jwt, type } = classify(token)
        if (type === undefined) {
          return Effect.fail(failure("token-invalid", "the token is neither a JWT nor a known machine token"))
        }
        if (!accepts.has(type)) {
          return Effect.fail(
            failure("token-type-mismatch", `a ${type} was given where ${[...accepts].join(" or ")} is accepted`)
          )
        }
        if (jwt !== undefined) {
          return type === "session_token"
            ? verifySession(token, jwt)
            : verifyMachineJwt(type as "m2m_token" | "oauth_token", token, jwt)
        }
        const opaque = type as "api_key" | "m2m_token" | "oauth_token"
        if (opaqueCache !== undefined) {
          // Data.tuple: Cache keys compare with Equal, and plain arrays are equal only to themselves.
          const key = Data.tuple(opaque, token)
          // A refusal is not kept: a zero TTL still serves it until the clock moves.
          return Effect.flatMap(Spanned.spanned(key), (spannedKey) =>
            opaqueCache.get(spannedKey).pipe(Effect.tapError(() =>
              opaqueCache.invalidate(spannedKey)
            )))
        }
        return Option.match(backend, {
          onNone: () =>
            Effect.fail(failure("unexpected-error", "no Backend API to verify the token with")),
          onSome: (clerk) => verifyOpaque(clerk, opaque, token)
        })
      }

      const authenticate = (token: string | undefined): Effect.Effect<AuthState> =>
        token === undefined || token === ""
          ? Effect.succeed(
            new SignedOut({
              reason: "session-token-missing",
              detail: "session-token-missing",
              message: "the request carries no token",
              tokenType: undefined
            })
          )
          : verifyToken(token).pipe(
            Effect.map((auth) => new SignedIn({ auth, tokenType: auth.tokenType }) as AuthState),
            Effect.catchAll((error) =>
              Effect.succeed(
                new SignedOut({
                  reason: error.reason,
                  detail: error.detail,
                  message: error.message,
                  tokenType: tokenTypeOf(token)
                })
              )
            )
          )

      // The span says what kind of token came and how it ended; the token itself never goes into it.
      const traced = (name: string) => (token: string | undefined): Effect.Effect<AuthState> =>
        authenticate(token).pipe(
          Tracing.withSpanWhenTraced(name, () => ({
            kind: "internal",
            captureStackTrace: false,
            attributes: { "clerk.auth.token_type": token ? tokenTypeOf(token) ?? "unknown" : "none" }
          }), annotateAuthState)
        )
      const authenticateToken = traced("ClerkAuth.authenticateToken")
      const authenticateRequestToken = traced("ClerkAuth.authenticateRequest")

      return {
        authenticateRequest: (request) => authenticateRequestToken(tokenOf(request, options.cookieSuffix)),
        authenticateToken,
        verifyToken
      }
    })

  /** The service with keys from `options.jwtKey` (networkless), or fetched through the `ClerkClient` in context. */
  static readonly layer: {
    (options: ClerkAuthOptions & { readonly jwtKey: string }): Layer.Layer<ClerkAuth, ClerkAuthConfigError>
    (options?: ClerkAuthOptions): Layer.Layer<ClerkAuth, ClerkAuthConfigError, ClerkClient>
  } = ((options: ClerkAuthOptions = {}) =>
    Layer.effect(ClerkAuth, ClerkAuth.make(options)).pipe(
      Layer.provide(options.jwtKey !== undefined ? ClerkJwks.fromPem(options.jwtKey) : ClerkJwks.layer(options.jwks))
    )) as any

  /** The service on a `ClerkJwks` provided from outside (a fixed JWKS, or the testing keys). */
  static readonly layerWithJwks = (
    options: ClerkAuthOptions = {}
  ): Layer.Layer<ClerkAuth, ClerkAuthConfigError, ClerkJwks> => Layer.effect(ClerkAuth, ClerkAuth.make(options))

  /**
   * Options read through `Config`: `CLERK_JWT_KEY`, `CLERK_AUTHORIZED_PARTIES` and `CLERK_AUDIENCES` (comma lists),
   * `CLERK_CLOCK_SKEW` (a duration), `CLERK_ACCEPTS_TOKEN` (comma list or `any`), `CLERK_MACHINE_SECRET_KEY`.
   */
  static readonly config: Config.Config<ClerkAuthOptions> = Config.all({
    jwtKey: optional(Config.string("CLERK_JWT_KEY")),
    authorizedParties: optional(commaList("CLERK_AUTHORIZED_PARTIES")),
    audiences: optional(commaList("CLERK_AUDIENCES")),
    clockSkew: optional(nonNegativeDuration("CLERK_CLOCK_SKEW")),
    acceptsToken: optional(
      Config.map(
        Config.string("CLERK_ACCEPTS_TOKEN"),
        (text): ClerkAuthOptions["acceptsToken"] => text.trim() === "any" ? "any" : splitList(text) as Array<TokenType>
      )
    ),
    machineSecretKey: optional(Config.redacted("CLERK_MACHINE_SECRET_KEY"))
  })

  /**
   * {@link ClerkAuth.layer} from {@link ClerkAuth.config}. It asks for `ClerkClient` because configuration
   * may accept opaque machine tokens; with `CLERK_JWT_KEY` set, session tokens still make no Backend API call.
   */
  static readonly layerConfig: Layer.Layer<ClerkAuth, ClerkAuthConfigError | ConfigError.ConfigError, ClerkClient> =
    Layer.unwrapEffect(
      Effect.map(
        ClerkAuth.config,
        (options) => ClerkAuth.layer(options) as Layer.Layer<ClerkAuth, ClerkAuthConfigError, ClerkClient>
      )
    )
}

/**
 * Builds the service on the `ClerkJwks` in context.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: typeof ClerkAuth.make = ClerkAuth.make

/**
 * The service with keys from `options.jwtKey` (networkless), or fetched through the `ClerkClient` in context.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: typeof ClerkAuth.layer = ClerkAuth.layer

/**
 * The service on a `ClerkJwks` provided from outside.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerWithJwks: typeof ClerkAuth.layerWithJwks = ClerkAuth.layerWithJwks

/**
 * The options read through `Config` (`CLERK_JWT_KEY`, `CLERK_AUTHORIZED_PARTIES`, ...).
 *
 * @since 0.2.0
 * @category config
 */
export const config: typeof ClerkAuth.config = ClerkAuth.config

/**
 * {@link layer} from {@link config}.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig: typeof ClerkAuth.layerConfig = ClerkAuth.layerConfig
