/**
 * For Effect 4. Authenticating incoming requests: session tokens (verified locally against the
 * instance's keys), API keys, M2M tokens and OAuth access tokens, with the same rules, options and
 * outcomes as the Effect 3 line.
 *
 * `authenticateRequest` never fails for a bad token: it answers `SignedIn` or
 * `SignedOut` with the reason.
 *
 * @since 0.2.0
 */
import * as Cache from "effect/Cache"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Auth from "../internal/auth.js"
import { signedOutHeaders } from "../internal/authHeaders.js"
import type { Problem } from "../internal/authReasons.js"
import { isProblem } from "../internal/authReasons.js"
import * as Jwt from "../internal/jwt.js"
import * as Sealed from "../internal/sealedTokens.js"
import { splitList } from "../internal/splitList.js"
import { VerifiedTokens } from "../internal/verifiedTokens.js"
import { ClerkAuthConfigError, TokenVerificationError } from "./ClerkAuthError.js"
import { ClerkClient, withSecretKey } from "./ClerkClient.js"
import type { ClerkClientService } from "./ClerkClient.js"
import type { ClerkError } from "./ClerkError.js"
import { ClerkJwks } from "./ClerkJwks.js"
import type { ClerkJwksOptions, ClerkJwksService } from "./ClerkJwks.js"
// Each operation from its own module, not through ClerkBackend: a bundle then keeps these three calls only.
import * as ApiKeys from "./generated/ApiKeys.js"
import * as M2m from "./generated/M2m.js"
import * as OauthAccessTokens from "./generated/OauthAccessTokens.js"
import { nonNegativeDuration, optional } from "./internal/config.js"
import * as Tracing from "./internal/tracing.js"

/**
 * The kinds of token a request can carry.
 *
 * @since 0.2.0
 * @category models
 */
export type TokenType = Auth.TokenType

/**
 * What `has` can check on a session.
 *
 * @since 0.2.0
 * @category models
 */
export type AuthorizationCheck = Auth.AuthorizationCheck

/**
 * A verified session token.
 *
 * @since 0.2.0
 * @category models
 */
export class SessionAuth extends Data.TaggedClass("SessionAuth")<Auth.SessionFields> {
  /** Whether the session has a role, a permission, a feature or a plan. */
  has(check: AuthorizationCheck): boolean {
    return Auth.has(this, check)
  }
}

/**
 * A verified machine token (API key, M2M token or OAuth access token).
 *
 * @since 0.2.0
 * @category models
 */
export class MachineAuth extends Data.TaggedClass("MachineAuth")<Auth.MachineFields> {}

/**
 * A request that carried an accepted token.
 *
 * @since 0.2.0
 * @category models
 */
export class SignedIn extends Data.TaggedClass("SignedIn")<{
  readonly auth: SessionAuth | MachineAuth
  readonly tokenType: TokenType
}> {}

/**
 * A request without an accepted token, and why.
 *
 * @since 0.2.0
 * @category models
 */
export class SignedOut extends Data.TaggedClass("SignedOut")<Auth.SignedOutFields> {
  /** Debug headers a server may send back (`x-clerk-auth-status`, `-reason`, `-message`). */
  get headers(): Record<string, string> {
    return signedOutHeaders(this.reason, this.message)
  }
}

/**
 * The outcome of authenticating a request.
 *
 * @since 0.2.0
 * @category models
 */
export type AuthState = SignedIn | SignedOut

/**
 * Options of {@link ClerkAuth.layer}.
 *
 * @since 0.2.0
 * @category models
 */
export interface ClerkAuthOptions extends Auth.Options<Duration.Input, Redacted.Redacted<string>, ClerkJwksOptions> {}

/**
 * The authentication service.
 *
 * @since 0.2.0
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

/**
 * The kinds of opaque machine token, which only Clerk can verify.
 *
 * @since 0.2.0
 * @category models
 */
export type MachineTokenType = Auth.MachineTokenType

/**
 * A verified opaque machine token as a shared store keeps it, and until when it may be trusted
 * (milliseconds since the epoch: the cache's TTL from its verification, never past the token's expiry).
 *
 * @since 0.2.0
 * @category models
 */
export interface ClerkMachineTokenEntry {
  readonly auth: MachineAuth
  readonly until: number
}

/**
 * Where instances share the opaque machine tokens Clerk verified for them (`effect-clerk/v4/ClerkRedis` gives
 * one), so a fleet asks Clerk about a token about once per `machineTokenCacheTtl` instead of once per instance.
 * Only accepted tokens are shared. A store that cannot answer answers `None`: the token is then verified
 * with Clerk, as without a store.
 *
 * @since 0.2.0
 * @category models
 */
export interface ClerkMachineTokenStoreService {
  readonly get: (type: MachineTokenType, token: string) => Effect.Effect<Option.Option<ClerkMachineTokenEntry>>
  readonly set: (type: MachineTokenType, token: string, entry: ClerkMachineTokenEntry) => Effect.Effect<void>
}

/**
 * A store of text with expiry, such as the one `ClerkJwksStore.fromKeyValueStore` adapts, or one on Redis.
 *
 * @since 0.2.0
 * @category models
 */
export interface SharedTextStore {
  /** The text under `key`, `None` when absent, expired, or when the store cannot answer. */
  readonly get: (key: string) => Effect.Effect<Option.Option<string>>
  /** Keeps `value` under `key` for `ttl`; a store that cannot answer ignores it. */
  readonly set: (key: string, value: string, ttl: Duration.Duration) => Effect.Effect<void>
}

/**
 * The shared machine-token store {@link ClerkAuth.make} reads from context when present (it then needs
 * `machineTokenCacheTtl`, the time a verified token is trusted without asking Clerk).
 *
 * @since 0.2.0
 * @category tags
 */
export class ClerkMachineTokenStore extends Context.Service<ClerkMachineTokenStore, ClerkMachineTokenStoreService>()(
  "effect-clerk/ClerkMachineTokenStore"
) {
  /**
   * A machine-token store over any text store, sealed with the instance's secret key: entries are written
   * under an HMAC of the token (never the token) and carry an HMAC of their content, checked on every read
   * (in constant time), so a store writable by others cannot make a token pass. An entry that fails its check,
   * or whose time is up, is read as absent.
   */
  static readonly make = (
    store: SharedTextStore,
    secretKey: Redacted.Redacted<string>
  ): Effect.Effect<ClerkMachineTokenStoreService> =>
    Effect.map(Effect.promise(() => Sealed.sealerOf(Redacted.value(secretKey))), (sealer) => ({
      get: (type, token) =>
        Effect.promise(() => sealer.keyOf(type, token)).pipe(
          Effect.flatMap((key) =>
            Effect.flatMap(store.get(key), (stored) =>
              Option.isNone(stored) ? Effect.succeed(Option.none()) : Effect.flatMap(
                Clock.currentTimeMillis,
                (now) =>
                  Effect.map(
                    Effect.promise(() =>
                      sealer.open(key, stored.value, type, now)
                    ),
                    (entry) =>
                      entry === undefined
                        ? Option.none()
                        : Option.some({ auth: new MachineAuth(entry.fields), until: entry.until })
                  )
              ))
          )
        ),
      set: (type, token, entry) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          const ttl = entry.until - now
          if (!(ttl > 0)) return Effect.void
          return Effect.promise(async () => {
            const key = await sealer.keyOf(type, token)
            return [key, await sealer.seal(key, { fields: { ...entry.auth }, until: entry.until })] as const
          }).pipe(Effect.flatMap(([key, sealed]) => store.set(key, sealed, Duration.millis(ttl))))
        })
    }))
}

const refuse = (problem: Problem) => TokenVerificationError.fromDetail(problem.detail, problem.message)

/**
 * The kind of a token, from its prefix or its JWT header and subject.
 *
 * @since 0.2.0
 * @category utils
 */
export const tokenTypeOf = (token: string): TokenType | undefined => Auth.tokenTypeOf(token)

/**
 * The request's token: `Authorization: Bearer` wins; otherwise `__session_<suffix>` (when a
 * suffix is configured), `__session`, then any other `__session_*` cookie. The body is never read.
 *
 * @since 0.2.0
 * @category utils
 */
export const tokenOf = (
  request: Request | HttpServerRequest.HttpServerRequest,
  cookieSuffix?: string
): string | undefined => Auth.tokenOf(request, cookieSuffix)

/** A verified session token, remembered with the key-set generation it was verified under. */
interface VerifiedEntry {
  readonly payload: Record<string, unknown>
  readonly auth: SessionAuth
  readonly generation: number
}

/** Checks the signature with the key the header names, then the claims at the clock's time. */
const verifyJwt = (
  token: string,
  jwks: ClerkJwksService,
  decoded: Jwt.DecodedJwt,
  rules: Jwt.ClaimRules
): Effect.Effect<Record<string, unknown>, TokenVerificationError> => {
  const request = Jwt.checkHeader(token, decoded)
  if (isProblem(request)) return Effect.fail(refuse(request))
  return jwks.getKey(request.kid, request.alg).pipe(
    Effect.flatMap(({ key }) => Effect.promise(() => Jwt.signatureVerifies(token, key as CryptoKey))),
    Effect.flatMap((ok) => ok ? Clock.currentTimeMillis : Effect.fail(refuse(Jwt.invalidSignature))),
    Effect.flatMap((now) => {
      const problem = Jwt.checkClaims(request.decoded.payload, rules, now)
      return problem === undefined ? Effect.succeed(request.decoded.payload) : Effect.fail(refuse(problem))
    })
  )
}

/** What the three Backend API checks answer: a token's facts, or an OAuth token that is not active. */
type MachineAnswer = Auth.VerifiedMachineToken | { readonly active: boolean }

/** A Clerk answer about an opaque token as a `MachineAuth` with the token's expiry, or its refusal. */
const opaqueAuth = (type: Auth.MachineTokenType, answer: MachineAnswer) => {
  const fields = "id" in answer ? Auth.opaqueFields(type, answer) : Auth.inactiveOauthToken
  return isProblem(fields)
    ? Effect.fail(refuse(fields))
    : Effect.succeed([new MachineAuth(fields), "id" in answer ? answer.expiration : undefined] as const)
}

/**
 * The authentication service key.
 *
 * @since 0.2.0
 * @category tags
 */
export class ClerkAuth extends Context.Service<ClerkAuth, ClerkAuthService>()("effect-clerk/ClerkAuth") {
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
      const accepts = Auth.acceptedTypes(options.acceptsToken)
      const unusable = Auth.acceptsProblem(accepts, Option.isSome(backend))
      if (unusable !== undefined) return yield* new ClerkAuthConfigError({ message: unusable })
      // Effect 4 keeps a negative duration negative, which would silently widen every time check.
      const skew = options.clockSkew === undefined ? undefined : Duration.fromInput(options.clockSkew)
      if (skew !== undefined && (Option.isNone(skew) || Duration.isNegative(skew.value))) {
        return yield* new ClerkAuthConfigError({ message: "clockSkew cannot be negative" })
      }
      const rules: Jwt.ClaimRules = {
        authorizedParties: options.authorizedParties ?? [],
        audiences: options.audiences ?? [],
        clockSkewMillis: skew === undefined ? Auth.defaultClockSkewMillis : Duration.toMillis(skew.value)
      }
      const machineRules: Jwt.ClaimRules = { ...rules, authorizedParties: [] }
      const sharedTokens = yield* Effect.serviceOption(ClerkMachineTokenStore)
      if (Option.isSome(sharedTokens) && options.machineTokenCacheTtl === undefined) {
        return yield* new ClerkAuthConfigError({ message: Auth.sharedStoreWithoutTtl })
      }
      const machineTtlMillis = options.machineTokenCacheTtl === undefined
        ? 0
        : Duration.toMillis(Duration.fromInputUnsafe(options.machineTokenCacheTtl))
      const verified = new VerifiedTokens<VerifiedEntry>(options.tokenCacheSize ?? Auth.defaultTokenCacheSize)

      const verifySession = (
        token: string,
        decoded: Jwt.DecodedJwt
      ): Effect.Effect<SessionAuth, TokenVerificationError> =>
        Effect.flatMap(verifyJwt(token, jwks, decoded, rules), (payload) => {
          const auth = new SessionAuth(Auth.sessionFields(payload))
          // Remembered under the generation the key lookup just used (a refetch may have moved it).
          return Effect.map(jwks.generation, (generation) => {
            verified.set(token, { payload, auth, generation })
            return auth
          })
        })

      /**
       * A token verified before skips decoding and RSA; its time claims are checked again. Looked up when the
       * effect runs, not when it is built, so an effect built once and run again finds what was verified since.
       */
      const fromCache = (token: string): Effect.Effect<SessionAuth | undefined, TokenVerificationError> =>
        Effect.suspend(() =>
          !verified.has(token) ? Effect.succeed(undefined) : Effect.flatMap(jwks.generation, (generation) => {
            const entry = verified.get(token, generation)
            if (entry === undefined) return Effect.succeed(undefined)
            return Effect.flatMap(Clock.currentTimeMillis, (now) => {
              const problem = Jwt.checkClaims(entry.payload, rules, now)
              return problem === undefined ? Effect.succeed(entry.auth) : Effect.fail(refuse(problem))
            })
          })
        )

      const verifyOpaque = (
        client: ClerkClientService,
        type: Auth.MachineTokenType,
        token: string
      ): Effect.Effect<readonly [MachineAuth, expiration: number | null | undefined], TokenVerificationError> => {
        const m2m = M2m.verifyToken({ token })
        const call: Effect.Effect<MachineAnswer, ClerkError, ClerkClient> = type === "api_key"
          ? ApiKeys.verify({ secret: token })
          : type === "m2m_token"
          ? (options.machineSecretKey === undefined ? m2m : withSecretKey(m2m, options.machineSecretKey))
          : OauthAccessTokens.verify({ accessToken: token })
        return call.pipe(
          Effect.provideService(ClerkClient, client),
          Effect.mapError((error) => refuse(Auth.machineCallProblem(error))),
          Effect.flatMap((answer) => opaqueAuth(type, answer))
        )
      }

      /** Asks Clerk, then shares the answer; the entry says how long it may be kept from now. */
      const verifyAndShare = (
        client: ClerkClientService,
        type: Auth.MachineTokenType,
        token: string
      ): Effect.Effect<ClerkMachineTokenEntry, TokenVerificationError> =>
        Effect.flatMap(verifyOpaque(client, type, token), ([auth, expiration]) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) => {
            const entry = { auth, until: Sealed.trustedUntil(now, machineTtlMillis, expiration) }
            return Option.isNone(sharedTokens) ? Effect.succeed(entry) : Effect.as(
              sharedTokens.value.set(type, token, entry),
              entry
            )
          }))

      const lookupOpaque = (
        client: ClerkClientService,
        token: string
      ): Effect.Effect<readonly [MachineAuth, keepMillis: number], TokenVerificationError> => {
        const type = Auth.tokenTypeOf(token) as Auth.MachineTokenType
        const fresh = verifyAndShare(client, type, token)
        const entry = Option.isNone(sharedTokens) ? fresh : Effect.flatMap(
          sharedTokens.value.get(type, token),
          Option.match({
            onNone: () =>
              fresh,
            onSome: Effect.succeed
          })
        )
        return Effect.flatMap(
          entry,
          ({ auth, until }) =>
            Effect.map(Clock.currentTimeMillis, (now) => [auth, until - now] as const)
        )
      }

      // Keyed by the token alone: an opaque token's kind is its prefix.
      const opaqueCache = Option.isSome(backend) && options.machineTokenCacheTtl !== undefined
        ? yield* Cache.makeWith((token: string) => lookupOpaque(backend.value, token), {
          capacity: Auth.machineTokenCacheCapacity,
          // Only accepted tokens are remembered (a refusal may be a passing failure), and never past the time
          // their entry says, which a token expiring soon or one shared by another instance shortens.
          timeToLive: (exit) => Exit.isSuccess(exit) ? Duration.millis(Math.max(0, exit.value[1])) : Duration.zero
        })
        : undefined

      const verifyToken = (token: string): Effect.Effect<SessionAuth | MachineAuth, TokenVerificationError> =>
        verified.enabled && accepts.has("session_token")
          ? Effect.flatMap(fromCache(token), (cached) =>
            cached === undefined ? verifyFresh(token) : Effect.succeed(cached))
          : verifyFresh(token)

      const verifyFresh = (token: string): Effect.Effect<SessionAuth | MachineAuth, TokenVerificationError> => {
        const route = Auth.route(token, accepts)
        if (isProblem(route)) {
          return Effect.fail(refuse(route))
        }
        if (route._tag === "Session") {
          return verifySession(token, route.jwt)
        }
        if (route._tag === "MachineJwt") {
          return Effect.map(
            verifyJwt(token, jwks, route.jwt, machineRules),
            (payload) =>
              new MachineAuth(Auth.machineJwtFields(route.type, payload))
          )
        }
        if (opaqueCache !== undefined) {
          // A refusal is not kept: a zero TTL already drops it, invalidating makes sure of it.
          return Cache.get(opaqueCache, token).pipe(
            Effect.map(([auth]) =>
              auth
            ),
            Effect.tapError(() => Cache.invalidate(opaqueCache, token))
          )
        }
        return Option.match(backend, {
          onNone: () => Effect.fail(refuse(Auth.noBackend)),
          onSome: (clerk) => Effect.map(verifyOpaque(clerk, route.type, token), ([auth]) => auth)
        })
      }

      const authenticate = (token: string | undefined): Effect.Effect<AuthState> =>
        token === undefined || token === ""
          ? Effect.succeed(new SignedOut(Auth.missingToken))
          : verifyToken(token).pipe(
            Effect.map((auth): AuthState => new SignedIn({ auth, tokenType: auth.tokenType })),
            Effect.catch((error) =>
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
            attributes: { "clerk.auth.token_type": Auth.tokenTypeAttribute(token) }
          }), (state) => Effect.annotateCurrentSpan(Auth.outcomeAnnotations(state)))
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
    jwtKey: optional(Config.String("CLERK_JWT_KEY")),
    authorizedParties: optional(Config.map(Config.String("CLERK_AUTHORIZED_PARTIES"), splitList)),
    audiences: optional(Config.map(Config.String("CLERK_AUDIENCES"), splitList)),
    clockSkew: optional(nonNegativeDuration("CLERK_CLOCK_SKEW")),
    acceptsToken: optional(Config.map(Config.String("CLERK_ACCEPTS_TOKEN"), Auth.acceptsTokenOf)),
    machineSecretKey: optional(Config.Redacted("CLERK_MACHINE_SECRET_KEY"))
  })

  /**
   * {@link ClerkAuth.layer} from {@link ClerkAuth.config}. It asks for `ClerkClient` because configuration
   * may accept opaque machine tokens; with `CLERK_JWT_KEY` set, session tokens still make no Backend API call.
   */
  static readonly layerConfig: Layer.Layer<ClerkAuth, ClerkAuthConfigError | Config.ConfigError, ClerkClient> = Layer
    .unwrap(
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
