import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as OpenApi from "@effect/platform/OpenApi"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Jose from "jose"
import * as http from "node:http"
import { ClerkAuth } from "../src/ClerkAuth.js"
import { ClerkUnauthorized } from "../src/ClerkAuthError.js"
import { Authenticated, ClerkAuthentication, CurrentAuth, middleware, requireAuth } from "../src/ClerkAuthMiddleware.js"
import { ClerkJwks } from "../src/ClerkJwks.js"

// One key pair for the file; tokens are minted with jose directly so the test depends on nothing but the module.
const kid = "ins_test_key"
const { privateKey, publicKey } = await Jose.generateKeyPair("RS256", { extractable: true })
const jwk = { ...(await Jose.exportJWK(publicKey)), kid, alg: "RS256", use: "sig" }

const nowSeconds = () => Math.floor(Date.now() / 1000)

const mint = (
  options: { readonly sub?: string; readonly iat?: number; readonly exp?: number; readonly alg?: string } = {}
) => {
  const iat = options.iat ?? nowSeconds() - 10
  return new Jose.SignJWT({ sid: "sess_1" })
    .setProtectedHeader({ alg: "RS256", kid, typ: "JWT" })
    .setSubject(options.sub ?? "user_1")
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(options.exp ?? iat + 60)
    .sign(privateKey)
}

/** A JWT whose header names an algorithm outside the accepted list, with non-ASCII text the message will quote. */
const foreignAlgorithmToken = () => {
  const part = (value: object) => Jose.base64url.encode(JSON.stringify(value))
  return `${part({ alg: "RS256€", kid })}.${part({ sub: "user_1", exp: nowSeconds() + 60 })}.c2ln`
}

const authLayer = ClerkAuth.layerWithJwks().pipe(Layer.provide(ClerkJwks.fromJwks({ keys: [jwk] })))

/** A real Node server on 127.0.0.1, port 0, with an HttpClient pointed at it; closed with the test's scope. */
const testServer = HttpServer.layerTestClient.pipe(
  Layer.provide(NodeHttpClient.layerWithoutAgent),
  Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: false })),
  Layer.provideMerge(NodeHttpServer.layer(() => http.createServer(), { port: 0, host: "127.0.0.1" }))
)

const get = (path: string, init: { readonly bearer?: string; readonly cookie?: string } = {}) =>
  Effect.flatMap(HttpClient.HttpClient, (client) => {
    let request = HttpClientRequest.get(path)
    if (init.bearer !== undefined) request = HttpClientRequest.bearerToken(request, init.bearer)
    if (init.cookie !== undefined) request = HttpClientRequest.setHeader(request, "cookie", init.cookie)
    return client.execute(request)
  })

const readJson = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.map(response.json, (body) => body as Record<string, unknown>)

/** Echoes what the middleware decided: the user for a signed-in request, the reason otherwise. */
const whoami = Effect.map(CurrentAuth, (state) =>
  HttpServerResponse.unsafeJson(
    state._tag === "SignedIn"
      ? { signedIn: true, userId: state.auth.tokenType === "session_token" ? state.auth.userId : state.auth.subject }
      : { signedIn: false, reason: state.reason, tokenType: state.tokenType ?? null }
  ))

const router = HttpRouter.empty.pipe(
  HttpRouter.get("/whoami", whoami),
  HttpRouter.get(
    "/strict",
    Effect.map(CurrentAuth.signedIn, (auth) => HttpServerResponse.unsafeJson({ id: auth._tag }))
  ),
  HttpRouter.post(
    "/echo",
    Effect.gen(function*() {
      const state = yield* CurrentAuth
      const body = yield* HttpServerRequest.schemaBodyJson(Schema.Struct({ note: Schema.String }))
      return HttpServerResponse.unsafeJson({ note: body.note, state: state._tag })
    })
  )
)

describe("ClerkAuthMiddleware.middleware", () => {
  it.scopedLive("provides SignedIn with the user for a valid Bearer token", () =>
    Effect.gen(function*() {
      yield* HttpServer.serveEffect(router, middleware)
      const response = yield* get("/whoami", { bearer: yield* Effect.promise(() => mint({ sub: "user_bearer" })) })
      expect(response.status).toBe(200)
      expect(yield* readJson(response)).toEqual({ signedIn: true, userId: "user_bearer" })
    }).pipe(Effect.provide(testServer), Effect.provide(authLayer)))

  it.scopedLive("reads the __session cookie when there is no Authorization header", () =>
    Effect.gen(function*() {
      yield* HttpServer.serveEffect(router, middleware)
      const token = yield* Effect.promise(() => mint({ sub: "user_cookie" }))
      const response = yield* get("/whoami", { cookie: `theme=dark; __session=${token}` })
      expect(response.status).toBe(200)
      expect(yield* readJson(response)).toEqual({ signedIn: true, userId: "user_cookie" })
    }).pipe(Effect.provide(testServer), Effect.provide(authLayer)))

  it.scopedLive("still calls the app for a request without a token, with reason session-token-missing", () =>
    Effect.gen(function*() {
      yield* HttpServer.serveEffect(router, middleware)
      const response = yield* get("/whoami")
      expect(response.status).toBe(200)
      expect(yield* readJson(response)).toEqual({ signedIn: false, reason: "session-token-missing", tokenType: null })
    }).pipe(Effect.provide(testServer), Effect.provide(authLayer)))

  it.scopedLive("gives token-expired for an expired token", () =>
    Effect.gen(function*() {
      yield* HttpServer.serveEffect(router, middleware)
      const iat = nowSeconds() - 3600
      const token = yield* Effect.promise(() => mint({ iat, exp: iat + 60 }))
      const response = yield* get("/whoami", { bearer: token })
      expect(yield* readJson(response)).toEqual({
        signedIn: false,
        reason: "token-expired",
        tokenType: "session_token"
      })
    }).pipe(Effect.provide(testServer), Effect.provide(authLayer)))

  it.scopedLive("lets the Bearer token win over a cookie, as Clerk's SDKs do", () =>
    Effect.gen(function*() {
      yield* HttpServer.serveEffect(router, middleware)
      const good = yield* Effect.promise(() => mint({ sub: "user_cookie" }))
      const response = yield* get("/whoami", { bearer: "not-a-token", cookie: `__session=${good}` })
      expect(yield* readJson(response)).toEqual({ signedIn: false, reason: "token-invalid", tokenType: null })
    }).pipe(Effect.provide(testServer), Effect.provide(authLayer)))

  it.scopedLive("leaves the body to the handler: a JSON POST is still readable after authentication", () =>
    Effect.gen(function*() {
      yield* HttpServer.serveEffect(router, middleware)
      const token = yield* Effect.promise(() => mint())
      const client = yield* HttpClient.HttpClient
      const request = yield* HttpClientRequest.post("/echo").pipe(
        HttpClientRequest.bearerToken(token),
        HttpClientRequest.bodyJson({ note: "hello" })
      )
      const response = yield* client.execute(request)
      expect(response.status).toBe(200)
      expect(yield* readJson(response)).toEqual({ note: "hello", state: "SignedIn" })
    }).pipe(Effect.provide(testServer), Effect.provide(authLayer)))

  it.scopedLive("CurrentAuth.signedIn fails with ClerkUnauthorized, which answers 401 by itself", () =>
    Effect.gen(function*() {
      yield* HttpServer.serveEffect(router, middleware)
      const refused = yield* get("/strict")
      expect(refused.status).toBe(401)
      expect(refused.headers["x-clerk-auth-reason"]).toBe("session-token-missing")
      expect(yield* readJson(refused)).toMatchObject({ _tag: "ClerkUnauthorized", reason: "session-token-missing" })
      const accepted = yield* get("/strict", { bearer: yield* Effect.promise(() => mint()) })
      expect(accepted.status).toBe(200)
      expect(yield* readJson(accepted)).toEqual({ id: "SessionAuth" })
    }).pipe(Effect.provide(testServer), Effect.provide(authLayer)))
})

describe("ClerkAuthMiddleware.requireAuth", () => {
  /** Counts the calls that reach the app, to show refused requests never do. */
  const counted = () => {
    let calls = 0
    const app = HttpRouter.empty.pipe(
      HttpRouter.get(
        "/private",
        Effect.gen(function*() {
          calls++
          const auth = yield* Authenticated
          const state = yield* CurrentAuth
          return HttpServerResponse.unsafeJson({ tag: auth._tag, state: state._tag })
        })
      )
    )
    return { app, calls: () => calls }
  }

  it.scopedLive("answers 401 with { reason, message } and the debug headers, without calling the app", () =>
    Effect.gen(function*() {
      const { app, calls } = counted()
      yield* HttpServer.serveEffect(app, requireAuth)
      const response = yield* get("/private")
      expect(response.status).toBe(401)
      expect(response.headers["content-type"]).toContain("application/json")
      expect(response.headers["x-clerk-auth-status"]).toBe("signed-out")
      expect(response.headers["x-clerk-auth-reason"]).toBe("session-token-missing")
      expect(response.headers["x-clerk-auth-message"]).toBe("the request carries no token")
      expect(yield* readJson(response)).toEqual({
        _tag: "ClerkUnauthorized",
        reason: "session-token-missing",
        detail: "session-token-missing",
        message: "the request carries no token"
      })
      expect(calls()).toBe(0)
    }).pipe(Effect.provide(testServer), Effect.provide(authLayer)))

  it.scopedLive("refuses an expired token with its reason", () =>
    Effect.gen(function*() {
      const { app, calls } = counted()
      yield* HttpServer.serveEffect(app, requireAuth)
      const iat = nowSeconds() - 3600
      const response = yield* get("/private", { bearer: yield* Effect.promise(() => mint({ iat, exp: iat + 60 })) })
      expect(response.status).toBe(401)
      expect(response.headers["x-clerk-auth-reason"]).toBe("token-expired")
      expect(yield* readJson(response)).toMatchObject({ reason: "token-expired" })
      expect(calls()).toBe(0)
    }).pipe(Effect.provide(testServer), Effect.provide(authLayer)))

  it.scopedLive("calls the app with CurrentAuth and Authenticated for a signed-in request", () =>
    Effect.gen(function*() {
      const { app, calls } = counted()
      yield* HttpServer.serveEffect(app, requireAuth)
      const response = yield* get("/private", { cookie: `__session=${yield* Effect.promise(() => mint())}` })
      expect(response.status).toBe(200)
      expect(yield* readJson(response)).toEqual({ tag: "SessionAuth", state: "SignedIn" })
      expect(calls()).toBe(1)
    }).pipe(Effect.provide(testServer), Effect.provide(authLayer)))

  it.scopedLive("guards only the routes it is applied to with HttpRouter.use", () =>
    Effect.gen(function*() {
      const { app: privateRoutes, calls } = counted()
      const publicRoutes = HttpRouter.empty.pipe(HttpRouter.get("/open", HttpServerResponse.text("open")))
      yield* HttpServer.serveEffect(HttpRouter.concat(publicRoutes, privateRoutes.pipe(HttpRouter.use(requireAuth))))
      const open = yield* get("/open")
      expect(open.status).toBe(200)
      expect(yield* open.text).toBe("open")
      expect((yield* get("/private")).status).toBe(401)
      expect((yield* get("/elsewhere")).status).toBe(404)
      expect(calls()).toBe(0)
    }).pipe(Effect.provide(testServer), Effect.provide(authLayer)))

  it.scopedLive("keeps header values writable when the message quotes non-ASCII text from the token", () =>
    Effect.gen(function*() {
      const { app } = counted()
      yield* HttpServer.serveEffect(app, requireAuth)
      const response = yield* get("/private", { bearer: foreignAlgorithmToken() })
      expect(response.status).toBe(401)
      expect(response.headers["x-clerk-auth-reason"]).toBe("token-invalid-algorithm")
      // Node refuses to write a header value outside ASCII: the response would never be sent.
      expect(response.headers["x-clerk-auth-message"]).toMatch(/^[\x20-\x7e]+$/)
      // The JSON body keeps the message as it was.
      expect(String((yield* readJson(response)).message)).toContain("RS256€")
    }).pipe(Effect.provide(testServer), Effect.provide(authLayer)))
})

describe("ClerkAuthMiddleware.ClerkAuthentication (HttpApi)", () => {
  const Me = Schema.Struct({ userId: Schema.String, tokenType: Schema.String })

  class TestApi extends HttpApi.make("test")
    .add(
      HttpApiGroup.make("account")
        .add(HttpApiEndpoint.get("me", "/me").addSuccess(Me))
        .middleware(ClerkAuthentication)
    )
    .add(HttpApiGroup.make("public").add(HttpApiEndpoint.get("health", "/health").addSuccess(Schema.String)))
  {}

  const AccountLive = HttpApiBuilder.group(
    TestApi,
    "account",
    (handlers) =>
      handlers.handle("me", () =>
        Effect.map(Authenticated, (auth) => ({
          userId: auth.tokenType === "session_token" ? auth.userId : auth.subject,
          tokenType: auth.tokenType
        })))
  )

  const PublicLive = HttpApiBuilder.group(
    TestApi,
    "public",
    (handlers) => handlers.handle("health", () => Effect.succeed("ok"))
  )

  const apiServerWith = <E>(auth: Layer.Layer<ClerkAuth, E>) =>
    HttpApiBuilder.serve().pipe(
      Layer.provide(HttpApiBuilder.api(TestApi)),
      Layer.provide([AccountLive, PublicLive]),
      Layer.provide(ClerkAuthentication.layer),
      Layer.provideMerge(testServer),
      Layer.provide(auth)
    )
  const apiServer = apiServerWith(authLayer)

  /** The real service, counting how many times a request is authenticated. */
  const countingAuth = (counter: { calls: number }) =>
    Layer.effect(
      ClerkAuth,
      Effect.map(ClerkAuth, (real) => ({
        ...real,
        authenticateRequest: (request: Parameters<typeof real.authenticateRequest>[0]) =>
          Effect.suspend(() => {
            counter.calls++
            return real.authenticateRequest(request)
          })
      }))
    ).pipe(Layer.provide(authLayer))

  it.scopedLive("answers 200 with the user for a valid Bearer token", () =>
    Effect.gen(function*() {
      const response = yield* get("/me", { bearer: yield* Effect.promise(() => mint({ sub: "user_api" })) })
      expect(response.status).toBe(200)
      expect(yield* readJson(response)).toEqual({ userId: "user_api", tokenType: "session_token" })
    }).pipe(Effect.provide(apiServer)))

  it.scopedLive("accepts the __session cookie", () =>
    Effect.gen(function*() {
      const response = yield* get("/me", {
        cookie: `__session=${yield* Effect.promise(() => mint({ sub: "user_browser" }))}`
      })
      expect(response.status).toBe(200)
      expect(yield* readJson(response)).toEqual({ userId: "user_browser", tokenType: "session_token" })
    }).pipe(Effect.provide(apiServer)))

  it.scopedLive("answers 401 with session-token-missing and the debug headers when there is no token", () =>
    Effect.gen(function*() {
      const response = yield* get("/me")
      expect(response.status).toBe(401)
      expect(yield* readJson(response)).toEqual({
        _tag: "ClerkUnauthorized",
        reason: "session-token-missing",
        detail: "session-token-missing",
        message: "the request carries no token"
      })
      expect(response.headers["x-clerk-auth-status"]).toBe("signed-out")
      expect(response.headers["x-clerk-auth-reason"]).toBe("session-token-missing")
    }).pipe(Effect.provide(apiServer)))

  it.scopedLive("reports the Bearer token's own reason, not the missing cookie's", () =>
    Effect.gen(function*() {
      const iat = nowSeconds() - 3600
      const response = yield* get("/me", { bearer: yield* Effect.promise(() => mint({ iat, exp: iat + 60 })) })
      expect(response.status).toBe(401)
      expect(yield* readJson(response)).toMatchObject({ _tag: "ClerkUnauthorized", reason: "token-expired" })
      expect(response.headers["x-clerk-auth-reason"]).toBe("token-expired")
    }).pipe(Effect.provide(apiServer)))

  it.scopedLive("authenticates a refused request once, though both schemes are tried", () => {
    const counter = { calls: 0 }
    return Effect.gen(function*() {
      const iat = nowSeconds() - 3600
      const response = yield* get("/me", { bearer: yield* Effect.promise(() => mint({ iat, exp: iat + 60 })) })
      expect(response.status).toBe(401)
      expect(counter.calls).toBe(1)
      const again = yield* get("/me")
      expect(again.status).toBe(401)
      expect(counter.calls).toBe(2)
    }).pipe(Effect.provide(apiServerWith(countingAuth(counter))))
  })

  it.scopedLive("refuses an expired __session cookie with its reason", () =>
    Effect.gen(function*() {
      const iat = nowSeconds() - 3600
      const response = yield* get("/me", {
        cookie: `__session=${yield* Effect.promise(() => mint({ iat, exp: iat + 60 }))}`
      })
      expect(response.status).toBe(401)
      expect(yield* readJson(response)).toMatchObject({ reason: "token-expired" })
    }).pipe(Effect.provide(apiServer)))

  it.scopedLive("leaves groups without the middleware public", () =>
    Effect.gen(function*() {
      const response = yield* get("/health")
      expect(response.status).toBe(200)
      expect(yield* response.json).toBe("ok")
      expect(response.headers["x-clerk-auth-status"]).toBeUndefined()
    }).pipe(Effect.provide(apiServer)))

  it("declares the Bearer and __session cookie schemes and the 401 in the OpenAPI document", () => {
    expect(ClerkAuthentication.failure).toBe(ClerkUnauthorized)
    const spec = OpenApi.fromApi(TestApi)
    expect(spec.components.securitySchemes).toEqual({
      clerkBearer: { type: "http", scheme: "bearer" },
      clerkSession: { type: "apiKey", name: "__session", in: "cookie" }
    })
    const me = spec.paths["/me"]?.get
    expect(me?.security).toEqual([{ clerkBearer: [] }, { clerkSession: [] }])
    expect(Object.keys(me?.responses ?? {})).toContain("401")
    expect(spec.paths["/health"]?.get?.security).toEqual([])
  })
})
