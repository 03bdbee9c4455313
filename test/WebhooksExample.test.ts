/**
 * examples/webhooks.ts on a real server (127.0.0.1, a free port): the webhook route mounted with
 * `ClerkWebhooksHandler.route` answers beside the `HttpApi` endpoint, and a replayed delivery is
 * de-duplicated because the store is built once with the server.
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpServer from "@effect/platform/HttpServer"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as http from "node:http"
import { AppLive } from "../examples/webhooks.js"
import * as ClerkWebhooks from "../src/ClerkWebhooks.js"
import * as ClerkWebhooksTesting from "../src/ClerkWebhooksTesting.js"
import { wireUser } from "./support/Fixtures.js"

const secret = ClerkWebhooksTesting.generateSigningSecret()

const server = AppLive.pipe(
  Layer.provide(ClerkWebhooks.layer({ signingSecret: Redacted.make(secret) })),
  Layer.provideMerge(NodeHttpServer.layer(() => http.createServer(), { port: 0, host: "127.0.0.1" })),
  Layer.provide(Logger.remove(Logger.defaultLogger))
)

const baseUrl = Effect.map(HttpServer.HttpServer, (s) => {
  if (s.address._tag !== "TcpAddress") throw new Error("expected a TCP address")
  return `http://127.0.0.1:${s.address.port}`
})

const post = (url: string, delivery: ClerkWebhooksTesting.SignedWebhook) =>
  Effect.promise(async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { ...delivery.headers, "content-type": "application/json" },
      body: delivery.body,
      signal: AbortSignal.timeout(5_000)
    })
    return { status: response.status, json: await response.json() as unknown }
  })

const get = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) })
    return { status: response.status, json: await response.json() as unknown }
  })

describe("examples/webhooks.ts", () => {
  it.scopedLive("serves the HttpApi endpoint and the webhook route; a replayed delivery runs once", () =>
    Effect.gen(function*() {
      const url = yield* baseUrl
      expect(yield* get(`${url}/api/signups`)).toEqual({ status: 200, json: { userIds: [] } })

      const delivery = yield* ClerkWebhooksTesting.signWebhook({
        secret,
        id: "msg_example_1",
        body: {
          object: "event",
          type: "user.created",
          timestamp: 1_767_225_600_000,
          instance_id: "ins_example",
          data: wireUser({ id: "user_example_1" })
        }
      })
      const first = yield* post(`${url}/webhooks/clerk`, delivery)
      const replay = yield* post(`${url}/webhooks/clerk`, delivery)
      const forged = yield* post(`${url}/webhooks/clerk`, { ...delivery, body: delivery.body.replace("user_", "usr_") })

      expect(first).toEqual({ status: 200, json: { ok: true } })
      expect(replay).toEqual({ status: 200, json: { ok: true, duplicate: true } })
      expect(forged.status).toBe(400)
      expect(yield* get(`${url}/api/signups`)).toEqual({ status: 200, json: { userIds: ["user_example_1"] } })
    }).pipe(Effect.provide(server)))
})
