/**
 * For Effect 4. Request authentication for `effect/http` servers: a middleware for `HttpRouter` /
 * `HttpServer` apps that gives handlers the request's `AuthState`, a variant that answers
 * 401 for signed-out requests, and a security middleware for `HttpApi` definitions.
 *
 * Tokens are found as `ClerkAuth.authenticateRequest` finds them (`Authorization: Bearer`,
 * else the `__session` cookies); the request body is never read.
 *
 * @since 0.2.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as HttpApiMiddleware from "effect/http-api/HttpApiMiddleware"
import * as HttpApiSecurity from "effect/http-api/HttpApiSecurity"
import * as HttpEffect from "effect/http/HttpEffect"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerRespondable from "effect/http/HttpServerRespondable"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import { ClerkAuth } from "./ClerkAuth.js"
import type { AuthState, MachineAuth, SessionAuth } from "./ClerkAuth.js"
import { ClerkUnauthorized } from "./ClerkAuthError.js"

/**
 * The 401 failure of this middleware; it lives in `ClerkAuthError`.
 *
 * @since 0.2.0
 * @category errors
 */
export { ClerkUnauthorized } from "./ClerkAuthError.js"

/**
 * The request's authentication outcome, provided by {@link middleware} and {@link requireAuth}.
 *
 * @since 0.2.0
 * @category tags
 */
export class CurrentAuth extends Context.Service<CurrentAuth, AuthState>()("effect-clerk/CurrentAuth") {
  /** The verified session or machine token, or `ClerkUnauthorized` (a 401 response when left unhandled). */
  static readonly signedIn: Effect.Effect<SessionAuth | MachineAuth, ClerkUnauthorized, CurrentAuth> = Effect.flatMap(
    CurrentAuth,
    (state) =>
      state._tag === "SignedIn" ? Effect.succeed(state.auth) : Effect.fail(ClerkUnauthorized.fromSignedOut(state))
  )
}

/**
 * The verified session or machine token of a request that had to be signed in: provided by
 * {@link requireAuth} and by the {@link ClerkAuthentication} `HttpApi` middleware.
 *
 * @since 0.2.0
 * @category tags
 */
export class Authenticated
  extends Context.Service<Authenticated, SessionAuth | MachineAuth>()("effect-clerk/Authenticated")
{}

/** Authenticates the request in context. */
const authenticate: Effect.Effect<AuthState, never, ClerkAuth | HttpServerRequest.HttpServerRequest> = Effect.flatMap(
  Effect.all([ClerkAuth, HttpServerRequest.HttpServerRequest]),
  ([clerk, request]) => clerk.authenticateRequest(request)
)

/**
 * Authenticates every request and provides {@link CurrentAuth} to the app, signed in or not:
 * handlers decide (`yield* CurrentAuth`, or `yield* CurrentAuth.signedIn` to require it).
 *
 * @since 0.2.0
 * @category middleware
 */
export const middleware = <E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  E,
  ClerkAuth | HttpServerRequest.HttpServerRequest | Exclude<R, CurrentAuth>
> => Effect.flatMap(authenticate, (state) => Effect.provideService(app, CurrentAuth, state))

/**
 * Like {@link middleware}, but a signed-out request gets a 401 (JSON `{ _tag, reason, detail, message }`
 * and the `x-clerk-auth-*` headers) without reaching the app. Handlers also get
 * {@link Authenticated}, so they need not check the state again.
 *
 * @since 0.2.0
 * @category middleware
 */
export const requireAuth = <E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<
  HttpServerResponse.HttpServerResponse,
  E,
  ClerkAuth | HttpServerRequest.HttpServerRequest | Exclude<R, CurrentAuth | Authenticated>
> =>
  Effect.flatMap(authenticate, (state) =>
    state._tag === "SignedOut"
      ? ClerkUnauthorized.fromSignedOut(state)[HttpServerRespondable.symbol]()
      : Effect.provideContext(app, Context.make(CurrentAuth, state).pipe(Context.add(Authenticated, state.auth))))

/**
 * The schemes {@link ClerkAuthentication} declares: a Bearer token, and the cookie browsers send.
 * The names are OpenAPI component names, prefixed so they do not replace an API's own `bearer`.
 */
const security = {
  clerkBearer: HttpApiSecurity.bearer,
  clerkSession: HttpApiSecurity.apiKey({ in: "cookie", key: "__session" })
} as const

/**
 * `HttpApi` security middleware: add it to a group or endpoint with `.middleware(ClerkAuthentication)`,
 * provide {@link ClerkAuthentication.layer}, and handlers read {@link Authenticated}. A request
 * without an accepted token fails with {@link ClerkUnauthorized} (401).
 *
 * @since 0.2.0
 * @category middleware
 */
export class ClerkAuthentication extends HttpApiMiddleware.Service<ClerkAuthentication, {
  provides: Authenticated
}>()("effect-clerk/ClerkAuthentication", {
  error: ClerkUnauthorized,
  security
}) {
  /**
   * The implementation on the `ClerkAuth` in context.
   *
   * Both schemes authenticate the request as a whole, once, rather than the value each one
   * decoded: `HttpApiBuilder` tries the schemes in turn and reports only the last failure, so an
   * expired Bearer token with no cookie would otherwise be answered "token missing". Going through
   * `authenticateRequest` keeps the same rules as {@link middleware}.
   */
  static readonly layer: Layer.Layer<ClerkAuthentication, never, ClerkAuth> = Layer.effect(
    ClerkAuthentication,
    Effect.gen(function*() {
      const clerk = yield* ClerkAuth
      // One outcome per request: the second scheme reuses the first one's instead of verifying again.
      const outcomes = new WeakMap<HttpServerRequest.HttpServerRequest, AuthState>()
      const check = <E, R>(
        handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
      ): Effect.Effect<
        HttpServerResponse.HttpServerResponse,
        E | ClerkUnauthorized,
        Exclude<R, Authenticated> | HttpServerRequest.HttpServerRequest
      > =>
        Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
          const known = outcomes.get(request)
          const outcome = known !== undefined ? Effect.succeed(known) : clerk.authenticateRequest(request).pipe(
            Effect.tap((state) => {
              outcomes.set(request, state)
              return state._tag === "SignedOut" ? withDebugHeaders(ClerkUnauthorized.fromSignedOut(state)) : Effect.void
            })
          )
          return Effect.flatMap(
            outcome,
            (state): Effect.Effect<
              HttpServerResponse.HttpServerResponse,
              E | ClerkUnauthorized,
              Exclude<R, Authenticated> | HttpServerRequest.HttpServerRequest
            > =>
              state._tag === "SignedIn"
                ? Effect.provideService(handler, Authenticated, state.auth)
                : Effect.fail(ClerkUnauthorized.fromSignedOut(state))
          )
        })
      return { clerkBearer: (handler) => check(handler), clerkSession: (handler) => check(handler) }
    })
  )
}

/** The `HttpApi` 401 body comes from the error schema; the debug headers are added on the way out. */
const withDebugHeaders = (error: ClerkUnauthorized): Effect.Effect<void, never, HttpServerRequest.HttpServerRequest> =>
  HttpEffect.appendPreResponseHandler((_request, response) =>
    Effect.succeed(response.status === 401 ? HttpServerResponse.setHeaders(response, error.headers) : response)
  )

/**
 * The `HttpApi` security middleware ({@link ClerkAuthentication}) on the `ClerkAuth` in context.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: typeof ClerkAuthentication.layer = ClerkAuthentication.layer
