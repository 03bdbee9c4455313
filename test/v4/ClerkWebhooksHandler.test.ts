/**
 * The Effect 4 webhook endpoint, served on 127.0.0.1 and called over HTTP: a `node:http` server hands each
 * request, body read from the socket, to the Effect 4 router's web handler (`HttpRouter.toWebHandler`), where
 * `ClerkWebhooksHandler.route` and `handler` answer it. Deliveries are signed by `signWebhook` with the live
 * clock. The in-memory de-duplication store is tested on its own with TestClock.
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpApi from "effect/http-api/HttpApi"
import * as HttpApiBuilder from "effect/http-api/HttpApiBuilder"
import * as HttpApiEndpoint from "effect/http-api/HttpApiEndpoint"
import * as HttpApiGroup from "effect/http-api/HttpApiGroup"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServer from "effect/http/HttpServer"
import type * as HttpServerRequest from "effect/http/HttpServerRequest"
import type * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as References from "effect/References"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/testing/TestClock"
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest"
import { ClerkWebhooks } from "../../src/v4/ClerkWebhooks.js"
import type { WebhookEvent } from "../../src/v4/ClerkWebhooks.js"
import type { WebhookConfigError } from "../../src/v4/ClerkWebhooksError.js"
import { handler, memory, route, WebhookDeduplication } from "../../src/v4/ClerkWebhooksHandler.js"
import type { WebhookDeduplicationService, WebhookDelivery } from "../../src/v4/ClerkWebhooksHandler.js"
import { event, generateSigningSecret, signWebhook } from "../../src/v4/ClerkWebhooksTesting.js"
import type { SignedWebhook } from "../../src/v4/ClerkWebhooksTesting.js"
import { serveWebHandler } from "../support/PlainServer.js"

const SECRET = generateSigningSecret()
const webhooksLayer = ClerkWebhooks.layer({ signingSecret: Redacted.make(SECRET) })

interface LogEntry {
  readonly message: string
  readonly annotations: Record<string, unknown>
}
const logs: Array<LogEntry> = []
/** Replaces the default logger: the handler's logs are asserted on, and kept off the test output. */
const captureLogs = Logger.layer([
  Logger.make(({ fiber, message }) => {
    logs.push({
      message: (Array.isArray(message) ? message : [message]).map(String).join(" "),
      annotations: { ...fiber.getRef(References.CurrentLogAnnotations) }
    })
  })
])

/** What `onEvent` was given, by route. */
const seen: Array<{ readonly path: string; readonly event: WebhookEvent; readonly delivery: WebhookDelivery }> = []
const record = (path: string) => (event: WebhookEvent, delivery: WebhookDelivery) =>
  Effect.sync(() => {
    seen.push({ path, event, delivery })
  })
/** Message ids whose first run fails: the retry must run again. */
const failOnce = new Set<string>()

class HandlerFailed extends Error {
  override readonly name = "HandlerFailed"
}

/** A store with a lease: `msg_v4_busy` is being processed elsewhere; every success is marked complete. */
const leasedCalls: Array<string> = []
const leased: WebhookDeduplicationService = {
  claim: (id) => Effect.sync(() => (leasedCalls.push(`claim ${id}`), id === "msg_v4_busy" ? "busy" as const : true)),
  release: (id) => Effect.sync(() => void leasedCalls.push(`release ${id}`)),
  complete: (id) => Effect.sync(() => void leasedCalls.push(`complete ${id}`))
}

const app = Layer.mergeAll(
  route("/leased", record("/leased"), { deduplicate: true }).pipe(
    Layer.provide([webhooksLayer, Layer.succeed(WebhookDeduplication, leased)])
  ),
  // De-duplicated, mounted by `route`: the store and the service are read once, when the layer is built.
  route("/webhooks", (event, delivery) =>
    failOnce.delete(delivery.id)
      ? Effect.fail(new HandlerFailed(`secret detail of ${delivery.id}`))
      : record("/webhooks")(event, delivery), { deduplicate: true }).pipe(
      Layer.provide([webhooksLayer, memory()])
    ),
  // The bare handler on a route of the application's own, its service provided beside the router.
  HttpRouter.add("POST", "/plain", handler(record("/plain")))
).pipe(Layer.provideMerge(webhooksLayer), Layer.provideMerge(captureLogs), Layer.provide(HttpServer.layerServices))

/** An API of the application's own, served with the webhook route beside it on one router. */
const Api = HttpApi.make("app").add(
  HttpApiGroup.make("health").add(HttpApiEndpoint.get("health", "/health", { success: Schema.String }))
)
const HealthLive = HttpApiBuilder.group(
  Api,
  "health",
  (handlers) => handlers.handle("health", () => Effect.succeed("up"))
)
const apiApp = Layer.mergeAll(
  HttpApiBuilder.layer(Api).pipe(Layer.provide(HealthLive)),
  route("/webhooks/clerk", record("/webhooks/clerk"), { deduplicate: true })
).pipe(Layer.provide([webhooksLayer, memory(), captureLogs]), Layer.provide(HttpServer.layerServices))

let base: string
let apiBase: string
const closers: Array<() => Promise<void>> = []

beforeAll(async () => {
  const web = HttpRouter.toWebHandler(app, { disableLogger: true })
  const apiWeb = HttpRouter.toWebHandler(apiApp, { disableLogger: true })
  const served = await serveWebHandler(web.handler)
  const apiServed = await serveWebHandler(apiWeb.handler)
  base = served.url
  apiBase = apiServed.url
  closers.push(served.close, web.dispose, apiServed.close, apiWeb.dispose)
})
afterAll(async () => {
  for (const close of closers) await close()
})

/** POSTs a delivery over HTTP; the status and body (as text, to check what it does not contain). */
const deliver = async (path: string, delivery: SignedWebhook) => {
  const response = await fetch(path.startsWith("http") ? path : `${base}${path}`, {
    method: "POST",
    headers: delivery.headers,
    body: delivery.body
  })
  const text = await response.text()
  return { status: response.status, text, json: JSON.parse(text) as unknown }
}

const sign = (body: string | object, options: { readonly id?: string; readonly secret?: string } = {}) =>
  Effect.runPromise(signWebhook({ secret: options.secret ?? SECRET, body, id: options.id }))

const userDeleted = event("user.deleted", { object: "user", id: "user_gone", deleted: true })
const seenOn = (path: string, id: string) => seen.filter((entry) => entry.path === path && entry.delivery.id === id)

describe("ClerkWebhooksHandler (Effect 4) over HTTP", () => {
  it("answers 200 to a signed delivery and runs the effect once with the decoded, camelCase event", async () => {
    const delivery = await sign(userDeleted, { id: "msg_v4_valid" })
    const result = await deliver("/webhooks", delivery)
    expect(result).toMatchObject({ status: 200, json: { ok: true } })
    const [entry, ...more] = seenOn("/webhooks", "msg_v4_valid")
    expect(more).toEqual([])
    expect(entry!.event).toMatchObject({ type: "user.deleted", instanceId: "ins_test", data: { id: "user_gone" } })
    expect(entry!.delivery).toStrictEqual({
      id: "msg_v4_valid",
      timestamp: Number(delivery.headers["svix-timestamp"])
    })
  })

  it("answers 400 with the reason to a bad signature, without running the effect or quoting the secret", async () => {
    const delivery = await sign(userDeleted, { id: "msg_v4_forged", secret: generateSigningSecret() })
    const result = await deliver("/webhooks", delivery)
    expect(result).toMatchObject({ status: 400, json: { reason: "no-matching-signature" } })
    expect(result.text).not.toContain(SECRET.slice(6))
    expect(result.text).not.toContain(delivery.headers["svix-signature"]!.slice(3))
    expect(seenOn("/webhooks", "msg_v4_forged")).toEqual([])
    expect(
      logs.some((log) => log.message.includes("webhook refused") && log.annotations.reason === "no-matching-signature")
    )
      .toBe(true)
    // The forged delivery burnt no id: the real one with the same id still runs.
    const real = await sign(userDeleted, { id: "msg_v4_forged" })
    expect((await deliver("/webhooks", real)).status).toBe(200)
    expect(seenOn("/webhooks", "msg_v4_forged")).toHaveLength(1)
  })

  it("answers 400 missing-header to a delivery without the Svix headers", async () => {
    const result = await deliver("/webhooks", { headers: { "content-type": "application/json" }, body: "{}" })
    expect(result).toMatchObject({ status: 400, json: { reason: "missing-header" } })
  })

  it("processes a duplicate delivery once: the replay gets 200 duplicate without running the effect", async () => {
    const delivery = await sign(userDeleted, { id: "msg_v4_duplicate" })
    expect((await deliver("/webhooks", delivery)).json).toStrictEqual({ ok: true })
    expect((await deliver("/webhooks", delivery)).json).toStrictEqual({ ok: true, duplicate: true })
    expect((await deliver("/webhooks", delivery)).status).toBe(200)
    expect(seenOn("/webhooks", "msg_v4_duplicate")).toHaveLength(1)
  })

  it("with a leasing store: 409 for an id busy elsewhere (Svix retries), complete after a success", async () => {
    const busy = await deliver("/leased", await sign(userDeleted, { id: "msg_v4_busy" }))
    const done = await deliver("/leased", await sign(userDeleted, { id: "msg_v4_leased" }))
    expect([busy.status, busy.json, done.status]).toEqual([409, { ok: false, busy: true }, 200])
    expect(seenOn("/leased", "msg_v4_busy")).toHaveLength(0)
    expect(seenOn("/leased", "msg_v4_leased")).toHaveLength(1)
    expect(leasedCalls).toEqual(["claim msg_v4_busy", "claim msg_v4_leased", "complete msg_v4_leased"])
  })

  it("answers 500 when the effect fails, logging the cause but not sending it; the retry runs again", async () => {
    failOnce.add("msg_v4_fails")
    const delivery = await sign(userDeleted, { id: "msg_v4_fails" })
    const failed = await deliver("/webhooks", delivery)
    expect(failed).toStrictEqual({
      status: 500,
      text: JSON.stringify({ ok: false, message: "the webhook could not be processed" }),
      json: { ok: false, message: "the webhook could not be processed" }
    })
    expect(failed.text).not.toContain("secret detail")
    const logged = logs.find((log) => log.message.includes("webhook handler failed"))
    expect(logged?.annotations).toMatchObject({ webhookId: "msg_v4_fails", webhookType: "user.deleted" })
    expect(seenOn("/webhooks", "msg_v4_fails")).toEqual([])
    // The failed run released its id.
    expect((await deliver("/webhooks", delivery)).json).toStrictEqual({ ok: true })
    expect(seenOn("/webhooks", "msg_v4_fails")).toHaveLength(1)
  })

  it("the bare handler keeps an unknown event type and hands over a payload that does not match as malformed", async () => {
    const unknown = await sign({ ...userDeleted, type: "widget.created", data: { size: 3 } }, { id: "msg_v4_unknown" })
    expect((await deliver("/plain", unknown)).status).toBe(200)
    expect(seenOn("/plain", "msg_v4_unknown")[0]?.event).toMatchObject({
      type: "unknown",
      unknownType: "widget.created",
      data: { size: 3 }
    })
    const broken = await sign({ ...userDeleted, data: { deleted: "yes" } }, { id: "msg_v4_malformed" })
    expect((await deliver("/plain", broken)).status).toBe(200)
    expect(seenOn("/plain", "msg_v4_malformed")[0]?.event).toMatchObject({
      type: "malformed",
      eventType: "user.deleted",
      data: { deleted: "yes" }
    })
    // Without deduplicate, a replay runs again.
    expect((await deliver("/plain", unknown)).json).toStrictEqual({ ok: true })
    expect(seenOn("/plain", "msg_v4_unknown")).toHaveLength(2)
  })
})

describe("ClerkWebhooksHandler (Effect 4) route beside an HttpApi", () => {
  it("serves the API's endpoint and the webhook route from one router; a replayed delivery runs once", async () => {
    const health = await fetch(`${apiBase}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toBe("up")
    const delivery = await sign(userDeleted, { id: "msg_v4_api" })
    expect((await deliver(`${apiBase}/webhooks/clerk`, delivery)).json).toStrictEqual({ ok: true })
    expect((await deliver(`${apiBase}/webhooks/clerk`, delivery)).json).toStrictEqual({ ok: true, duplicate: true })
    expect(seenOn("/webhooks/clerk", "msg_v4_api")).toHaveLength(1)
    const forged = await sign(userDeleted, { id: "msg_v4_api_forged", secret: generateSigningSecret() })
    expect((await deliver(`${apiBase}/webhooks/clerk`, forged)).status).toBe(400)
  })
})

describe("ClerkWebhooksHandler (Effect 4) types", () => {
  it("the handler has no error channel and needs the store only with deduplicate; route needs only its router once provided", () => {
    const onEvent = (_: WebhookEvent) => Effect.void
    expectTypeOf(handler(onEvent)).toEqualTypeOf<
      Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest | ClerkWebhooks>
    >()
    expectTypeOf(handler(onEvent, { deduplicate: true })).toEqualTypeOf<
      Effect.Effect<
        HttpServerResponse.HttpServerResponse,
        never,
        HttpServerRequest.HttpServerRequest | ClerkWebhooks | WebhookDeduplication
      >
    >()
    expectTypeOf(route("/hook", onEvent, { deduplicate: true }).pipe(Layer.provide([webhooksLayer, memory()])))
      .toEqualTypeOf<Layer.Layer<never, WebhookConfigError, HttpRouter.HttpRouter>>()
    expect(Layer.isLayer(route("/hook", onEvent))).toBe(true)
  })
})

describe("ClerkWebhooksHandler (Effect 4) WebhookDeduplication.memory", () => {
  const withStore = <A, E>(
    f: (store: WebhookDeduplicationService) => Effect.Effect<A, E>,
    options?: Parameters<typeof WebhookDeduplication.memory>[0]
  ) =>
    Effect.runPromise(
      Effect.flatMap(WebhookDeduplication, f).pipe(
        Effect.provide(WebhookDeduplication.memory(options)),
        Effect.provide(TestClock.layer())
      )
    )

  it("claims an id once; release makes it claimable again", () =>
    withStore((store) =>
      Effect.gen(function*() {
        expect(yield* store.claim("a")).toBe(true)
        expect(yield* store.claim("a")).toBe(false)
        yield* store.release("a")
        yield* store.release("never-claimed")
        expect(yield* store.claim("a")).toBe(true)
      })
    ))

  it("forgets the oldest claim first beyond its capacity", () =>
    withStore(
      (store) =>
        Effect.gen(function*() {
          for (const id of ["a", "b", "c"]) expect(yield* store.claim(id)).toBe(true)
          expect(yield* store.claim("b")).toBe(false)
          expect(yield* store.claim("a")).toBe(true)
          expect(yield* store.claim("b")).toBe(true)
        }),
      { capacity: 2 }
    ))

  it("forgets an id once its ttl has passed, by Effect's Clock", () =>
    withStore(
      (store) =>
        Effect.gen(function*() {
          expect(yield* store.claim("a")).toBe(true)
          yield* TestClock.adjust(Duration.subtract(Duration.hours(1), Duration.millis(1)))
          expect(yield* store.claim("a")).toBe(false)
          yield* TestClock.adjust("1 millis")
          expect(yield* store.claim("a")).toBe(true)
        }),
      { ttl: "1 hour" }
    ))

  it("is one store per call: every build of one layer value shares it, another call has its own", async () => {
    const layer = WebhookDeduplication.memory()
    const claim = Effect.flatMap(WebhookDeduplication, (store) => store.claim("a"))
    expect(await Effect.runPromise(Effect.provide(claim, layer))).toBe(true)
    expect(await Effect.runPromise(Effect.provide(claim, layer))).toBe(false)
    expect(await Effect.runPromise(Effect.provide(claim, WebhookDeduplication.memory()))).toBe(true)
  })

  it("refuses a capacity that is not a positive integer, and a zero or negative ttl, as defects", async () => {
    for (const options of [{ capacity: 0 }, { capacity: 1.5 }, { ttl: 0 }, { ttl: "-1 hour" as const }]) {
      const exit = await Effect.runPromise(Effect.exit(withStoreEffect(options)))
      if (!Exit.isFailure(exit)) throw new Error(`${JSON.stringify(options)} was accepted`)
      expect(Cause.hasDies(exit.cause)).toBe(true)
      expect(Cause.pretty(exit.cause)).toMatch(/capacity must be a positive integer|ttl must be longer than zero/)
    }
  })
})

const withStoreEffect = (options: Parameters<typeof WebhookDeduplication.memory>[0]) =>
  Effect.flatMap(WebhookDeduplication, (store) => store.claim("a")).pipe(
    Effect.provide(WebhookDeduplication.memory(options))
  )
