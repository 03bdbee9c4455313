/**
 * The Effect 4 middleware in a real HTTP server on 127.0.0.1: an HttpApi secured with ClerkAuthentication
 * (401 without an accepted token, 200 with one, in the header or the cookie), and the HttpRouter middlewares.
 */
import * as Effect from "effect/Effect"
import * as HttpApi from "effect/http-api/HttpApi"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServer from "effect/http/HttpServer"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { SessionAuth } from "../../src/v4/ClerkAuth.js"
import {
  Authenticated,
  ClerkAuthentication,
  CurrentAuth,
  middleware,
  requireAuth
} from "../../src/v4/ClerkAuthMiddleware.js"
import { authLayer, generateKeys, mintSessionToken } from "../../src/v4/ClerkAuthTesting.js"
import type { TestKeys } from "../../src/v4/ClerkAuthTesting.js"
import { serveWebHandler } from "../support/PlainServer.js"

const Api = HttpApi.make("protected").add(
  HttpApiGroup.make("me").add(
    HttpApiEndpoint.get("whoami", "/whoami", { success: Schema.Struct({ userId: Schema.String }) })
  ).middleware(ClerkAuthentication)
)

const MeLive = HttpApiBuilder.group(
  Api,
  "me",
  (handlers) =>
    handlers.handle("whoami", () => Effect.map(Authenticated, (auth) => ({ userId: (auth as SessionAuth).userId })))
)

let keys: TestKeys
let api: { readonly url: string; readonly close: () => Promise<void> }
let router: { readonly url: string; readonly close: () => Promise<void> }
const disposers: Array<() => Promise<void>> = []

beforeAll(async () => {
  keys = await Effect.runPromise(generateKeys({ kid: "ins_v4_mw" }))
  const apiHandler = HttpRouter.toWebHandler(
    HttpApiBuilder.layer(Api).pipe(
      Layer.provide(MeLive),
      Layer.provide(ClerkAuthentication.layer),
      Layer.provide(authLayer(keys)),
      Layer.provide(HttpServer.layerServices)
    ),
    { disableLogger: true }
  )
  disposers.push(apiHandler.dispose)
  api = await serveWebHandler(apiHandler.handler)

  const Routes = Layer.mergeAll(
    HttpRouter.add(
      "GET",
      "/open",
      middleware(Effect.map(CurrentAuth, (state) => HttpServerResponse.jsonUnsafe({ state: state._tag })))
    ),
    HttpRouter.add(
      "GET",
      "/closed",
      requireAuth(
        Effect.map(Authenticated, (auth) => HttpServerResponse.jsonUnsafe({ userId: (auth as SessionAuth).userId }))
      )
    )
  )
  const routerHandler = HttpRouter.toWebHandler(
    Routes.pipe(Layer.provideMerge(authLayer(keys))),
    { disableLogger: true }
  )
  disposers.push(routerHandler.dispose)
  router = await serveWebHandler(routerHandler.handler)
})

afterAll(async () => {
  await api.close()
  await router.close()
  for (const dispose of disposers) await dispose()
})

const token = (claims: Record<string, unknown> = {}) => Effect.runPromise(mintSessionToken(keys, claims))

describe("ClerkAuthentication (Effect 4 HttpApi)", () => {
  it("answers 401 with the reason and debug headers without a token, 200 with one", async () => {
    const missing = await fetch(`${api.url}/whoami`)
    expect(missing.status).toBe(401)
    expect(await missing.json()).toMatchObject({ _tag: "ClerkUnauthorized", reason: "session-token-missing" })
    expect(missing.headers.get("x-clerk-auth-status")).toBe("signed-out")
    expect(missing.headers.get("x-clerk-auth-reason")).toBe("session-token-missing")

    const bearer = await fetch(`${api.url}/whoami`, {
      headers: { authorization: `Bearer ${await token({ sub: "user_api" })}` }
    })
    expect(bearer.status).toBe(200)
    expect(await bearer.json()).toEqual({ userId: "user_api" })

    const cookie = await fetch(`${api.url}/whoami`, {
      headers: { cookie: `__session=${await token({ sub: "user_cookie" })}` }
    })
    expect(cookie.status).toBe(200)
    expect(await cookie.json()).toEqual({ userId: "user_cookie" })
  })

  it("reports an expired Bearer token as expired, not as missing", async () => {
    const expired = await token({ exp: Math.floor(Date.now() / 1000) - 60 })
    const response = await fetch(`${api.url}/whoami`, { headers: { authorization: `Bearer ${expired}` } })
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({ reason: "token-expired", detail: "token-expired" })
    expect(response.headers.get("x-clerk-auth-reason")).toBe("token-expired")
  })
})

describe("middleware and requireAuth (Effect 4 HttpRouter)", () => {
  it("middleware gives every request its state; requireAuth answers 401 for a signed-out one", async () => {
    const open = await fetch(`${router.url}/open`)
    expect(await open.json()).toEqual({ state: "SignedOut" })
    const openSigned = await fetch(`${router.url}/open`, { headers: { authorization: `Bearer ${await token()}` } })
    expect(await openSigned.json()).toEqual({ state: "SignedIn" })

    const closed = await fetch(`${router.url}/closed`)
    expect(closed.status).toBe(401)
    expect(await closed.json()).toMatchObject({ _tag: "ClerkUnauthorized", reason: "session-token-missing" })
    expect(closed.headers.get("x-clerk-auth-status")).toBe("signed-out")
    const allowed = await fetch(`${router.url}/closed`, {
      headers: { cookie: `__session=${await token({ sub: "user_router" })}` }
    })
    expect(allowed.status).toBe(200)
    expect(await allowed.json()).toEqual({ userId: "user_router" })
  })
})
