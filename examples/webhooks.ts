/**
 * A Clerk webhook endpoint beside an `HttpApi`, on one server:
 *
 * - `GET  /api/signups`     an `HttpApi` endpoint: the users created so far, as the webhooks told
 * - `POST /webhooks/clerk`  Clerk's deliveries, verified, de-duplicated and handed to `onEvent`
 *
 * `ClerkWebhooksHandler.route` mounts the handler on the `HttpApi`'s router. The de-duplication
 * store (`ClerkWebhooksHandler.memory()`) is a layer of the server, built once, so a retried or
 * replayed delivery is answered `{ ok: true, duplicate: true }` without running `onEvent` again.
 *
 * Configuration comes from the environment: `CLERK_WEBHOOK_SIGNING_SECRET` (required, the
 * endpoint's `whsec_...` secret), `PORT` (default 3001) and `HOST` (default 127.0.0.1).
 * Run it with `npx tsx examples/webhooks.ts`; `test/WebhooksExample.test.ts` runs it on a free port.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpServer from "@effect/platform/HttpServer"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import { createServer } from "node:http"
import * as Url from "node:url"
import * as ClerkWebhooks from "../src/ClerkWebhooks.js"
import * as ClerkWebhooksHandler from "../src/ClerkWebhooksHandler.js"

/** The application's own state: the ids of the users Clerk said were created. */
export class SignUps extends Context.Tag("examples/SignUps")<SignUps, Ref.Ref<ReadonlyArray<string>>>() {}

/** What the app does with each verified event. Other event types are acknowledged and ignored. */
const onEvent = (event: ClerkWebhooks.WebhookEvent) =>
  event.type === "user.created"
    ? Effect.flatMap(SignUps, (signUps) => Ref.update(signUps, (ids) => [...ids, event.data.id]))
    : Effect.void

/** The `HttpApi`: one endpoint, to show the webhook route living beside the API's. */
export class ExampleApi extends HttpApi.make("example").add(
  HttpApiGroup.make("signups").add(
    HttpApiEndpoint.get("list", "/api/signups").addSuccess(Schema.Struct({ userIds: Schema.Array(Schema.String) }))
  )
) {}

const SignUpsApiLive = HttpApiBuilder.group(
  ExampleApi,
  "signups",
  (handlers) => handlers.handle("list", () => Effect.map(Effect.flatMap(SignUps, Ref.get), (userIds) => ({ userIds })))
)

/**
 * The whole app as a layer: it needs the `ClerkWebhooks` verifier and an `HttpServer`. Each
 * dependency is built once for the server's lifetime, the de-duplication store included.
 */
export const AppLive = HttpApiBuilder.serve().pipe(
  Layer.provide(HttpApiBuilder.api(ExampleApi).pipe(Layer.provide(SignUpsApiLive))),
  Layer.provide(ClerkWebhooksHandler.route("/webhooks/clerk", onEvent, { deduplicate: true })),
  Layer.provide(ClerkWebhooksHandler.memory()),
  Layer.provide(Layer.effect(SignUps, Ref.make<ReadonlyArray<string>>([])))
)

const isMain = process.argv[1] !== undefined && import.meta.url === Url.pathToFileURL(process.argv[1]).href

if (isMain) {
  AppLive.pipe(
    Layer.provide(ClerkWebhooks.layerConfig),
    HttpServer.withLogAddress,
    Layer.provide(
      NodeHttpServer.layerConfig(() => createServer(), {
        port: Config.integer("PORT").pipe(Config.withDefault(3001)),
        host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1"))
      })
    ),
    Layer.launch,
    NodeRuntime.runMain
  )
}
