/**
 * An example server protected by Clerk, in three styles:
 *
 * - `GET /`         public: answers everyone, greeting signed-in users (`ClerkAuthMiddleware.middleware`)
 * - `GET /private`  answers 401 unless signed in (`ClerkAuthMiddleware.requireAuth`)
 * - `GET /api/me`   an `HttpApi` endpoint behind the `ClerkAuthentication` security middleware
 *
 * Configuration comes from the environment: `CLERK_SECRET_KEY` (required; the signing keys are
 * fetched with it), `CLERK_JWT_KEY` (optional PEM public key: session tokens are then verified
 * with no call to Clerk), `PORT` (default 3000) and `HOST` (default 127.0.0.1).
 *
 * Run it with `npx tsx examples/server.ts`.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpMiddleware from "@effect/platform/HttpMiddleware"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { createServer } from "node:http"
import { ClerkAuth } from "../src/ClerkAuth.js"
import type { MachineAuth, SessionAuth } from "../src/ClerkAuth.js"
import * as ClerkAuthMiddleware from "../src/ClerkAuthMiddleware.js"
import { ClerkBackend } from "../src/ClerkBackend.js"
import { ClerkConfig } from "../src/ClerkConfig.js"

/** A session's user, or a machine token's subject. */
const principalOf = (auth: SessionAuth | MachineAuth): string =>
  auth._tag === "SessionAuth" ? auth.userId : auth.subject

// ---------------------------------------------------------------------------
// HttpRouter routes
// ---------------------------------------------------------------------------

/** Public: every request gets here; `CurrentAuth` says who, if anyone, is calling. */
const publicRoutes = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/",
    Effect.map(ClerkAuthMiddleware.CurrentAuth, (state) =>
      HttpServerResponse.text(
        state._tag === "SignedIn"
          ? `Hello, ${principalOf(state.auth)}.\n`
          : `Hello, guest (${state.reason}). Send a session token to be greeted by name.\n`
      ))
  ),
  HttpRouter.use(ClerkAuthMiddleware.middleware)
)

/** Protected: signed-out requests are answered 401 before reaching the handler. */
const privateRoutes = HttpRouter.empty.pipe(
  HttpRouter.get(
    "/private",
    Effect.map(ClerkAuthMiddleware.Authenticated, (auth) =>
      HttpServerResponse.unsafeJson({
        principal: principalOf(auth),
        tokenType: auth.tokenType,
        orgId: auth.orgId ?? null
      }))
  ),
  HttpRouter.use(ClerkAuthMiddleware.requireAuth)
)

/** Mounts both routers on the `HttpApi`'s router, so one server answers everything. */
const RoutesLive = HttpApiBuilder.Router.use((router) =>
  Effect.flatMap(
    ClerkAuth,
    (clerk) =>
      router.concat(HttpRouter.concat(publicRoutes, privateRoutes).pipe(HttpRouter.provideService(ClerkAuth, clerk)))
  )
)

// ---------------------------------------------------------------------------
// HttpApi endpoint
// ---------------------------------------------------------------------------

class Profile extends Schema.Class<Profile>("Profile")({
  principal: Schema.String,
  sessionId: Schema.NullOr(Schema.String),
  orgId: Schema.NullOr(Schema.String),
  orgRole: Schema.NullOr(Schema.String)
}) {}

class ExampleApi extends HttpApi.make("example").add(
  HttpApiGroup.make("profile")
    .add(HttpApiEndpoint.get("me", "/api/me").addSuccess(Profile))
    // Bearer token or `__session` cookie; a request with neither, or a bad one, gets ClerkUnauthorized (401).
    .middleware(ClerkAuthMiddleware.ClerkAuthentication)
) {}

const ProfileLive = HttpApiBuilder.group(
  ExampleApi,
  "profile",
  (handlers) =>
    handlers.handle("me", () =>
      Effect.map(ClerkAuthMiddleware.Authenticated, (auth) =>
        new Profile({
          principal: principalOf(auth),
          sessionId: auth._tag === "SessionAuth" ? auth.sessionId ?? null : null,
          orgId: auth.orgId ?? null,
          orgRole: auth._tag === "SessionAuth" ? auth.orgRole ?? null : null
        })))
)

const ApiLive = HttpApiBuilder.api(ExampleApi).pipe(
  Layer.provide(ProfileLive),
  Layer.provide(ClerkAuthMiddleware.ClerkAuthentication.layer)
)

// ---------------------------------------------------------------------------
// Wiring
// ---------------------------------------------------------------------------

/** `ClerkAuth` from the environment, with the Backend API it fetches keys through. */
const ClerkLive = ClerkAuth.layerConfig.pipe(
  Layer.provide(ClerkBackend.layer),
  Layer.provide(ClerkConfig.layerConfig),
  Layer.provide(FetchHttpClient.layer)
)

const ServerLive = HttpApiBuilder.serve(HttpMiddleware.logger).pipe(
  Layer.provide([ApiLive, RoutesLive]),
  Layer.provide(ClerkLive),
  HttpServer.withLogAddress,
  Layer.provide(
    NodeHttpServer.layerConfig(() => createServer(), {
      port: Config.integer("PORT").pipe(Config.withDefault(3000)),
      host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1"))
    })
  )
)

Layer.launch(ServerLive).pipe(NodeRuntime.runMain)
