/**
 * The webhook endpoint, served by a real Node server on 127.0.0.1 and called over HTTP, so the
 * body goes through a socket and `HttpServerRequest.arrayBuffer` as it does in production.
 * Deliveries are signed by `ClerkWebhooksTesting.signWebhook` with the live clock (the server
 * checks timestamps against the same clock). The in-memory de-duplication store is tested on
 * its own with TestClock.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServer from "@effect/platform/HttpServer"
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { describe, expect, expectTypeOf, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as HashMap from "effect/HashMap"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as http from "node:http"
import { ClerkWebhooks } from "../src/ClerkWebhooks.js"
import type { WebhookEvent } from "../src/ClerkWebhooks.js"
import { handler, WebhookDeduplication } from "../src/ClerkWebhooksHandler.js"
import type { WebhookDeduplicationService, WebhookDelivery } from "../src/ClerkWebhooksHandler.js"
import { generateSigningSecret, signWebhook } from "../src/ClerkWebhooksTesting.js"
import type { SignedWebhook } from "../src/ClerkWebhooksTesting.js"
import { wireUser } from "./support/Fixtures.js"

const SECRET = generateSigningSecret()
const webhooksLayer = ClerkWebhooks.layer({ signingSecret: Redacted.make(SECRET) })

/** A real Node server on 127.0.0.1, port 0, with an HttpClient pointed at it; closed with the test's scope. */
const testServer = HttpServer.layerTestClient.pipe(
  Layer.provide(NodeHttpClient.layerWithoutAgent),
  Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: false })),
  Layer.provideMerge(NodeHttpServer.layer(() => http.createServer(), { port: 0, host: "127.0.0.1" }))
)

interface LogEntry {
  readonly level: LogLevel.LogLevel
  readonly message: unknown
  readonly cause: Cause.Cause<unknown>
  readonly annotations: Record<string, unknown>
}

/** Replaces the default logger: the handler's logs are asserted on, and kept off the test output. */
const captureLogs = () => {
  const logs: Array<LogEntry> = []
  const layer = Logger.replace(
    Logger.defaultLogger,
    Logger.make(({ annotations, cause, logLevel, message }) => {
      logs.push({ level: logLevel, message, cause, annotations: Object.fromEntries(HashMap.toEntries(annotations)) })
    })
  )
  return { logs, layer }
}

const messageText = (entry: LogEntry) => (Array.isArray(entry.message) ? entry.message : [entry.message]).join(" ")

const envelope = { object: "event", timestamp: 1_716_883_200_000, instance_id: "ins_test_webhooks" }
const userCreated = {
  ...envelope,
  type: "user.created",
  data: wireUser({ id: "user_webhook", first_name: "Grace", external_id: "ext_42" })
}

/** Signs `body` with the endpoint's secret (or `secret`) at the live clock's second. */
const sign = (
  body: string | object,
  options: { readonly id?: string; readonly secret?: string; readonly timestamp?: number } = {}
) => signWebhook({ secret: options.secret ?? SECRET, body, id: options.id, timestamp: options.timestamp })

const deliver = (delivery: SignedWebhook) =>
  Effect.flatMap(HttpClient.HttpClient, (client) =>
    client.execute(
      HttpClientRequest.post("/webhooks").pipe(
        HttpClientRequest.setHeaders(delivery.headers),
        HttpClientRequest.bodyText(delivery.body, "application/json")
      )
    ))

/** Status and body of a response; the body as text too, to check what it does not contain. */
const answer = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.map(response.text, (text) => ({ status: response.status, text, json: JSON.parse(text) as unknown }))

/** An `onEvent` that records what it was given. */
const recorder = () => {
  const seen: Array<{ readonly event: WebhookEvent; readonly delivery: WebhookDelivery }> = []
  const onEvent = (event: WebhookEvent, delivery: WebhookDelivery) =>
    Effect.sync(() => {
      seen.push({ event, delivery })
    })
  return { seen, onEvent }
}

class HandlerFailed extends Error {
  override readonly name = "HandlerFailed"
}

describe("ClerkWebhooksHandler.handler", () => {
  it.scopedLive("answers 200 to a signed delivery and runs the effect with the decoded, camelCase event", () => {
    const { layer, logs } = captureLogs()
    const { onEvent, seen } = recorder()
    return Effect.gen(function*() {
      yield* HttpServer.serveEffect(handler(onEvent))
      const delivery = yield* sign(userCreated, { id: "msg_user_created" })
      const result = yield* Effect.flatMap(deliver(delivery), answer)

      expect(result).toMatchObject({ status: 200, json: { ok: true } })
      expect(seen).toHaveLength(1)
      const [{ delivery: received, event }] = seen as [(typeof seen)[number]]
      expect(received).toEqual({ id: "msg_user_created", timestamp: Number(delivery.headers["svix-timestamp"]) })
      if (event.type !== "user.created") throw new Error(`decoded as ${event.type}`)
      expect(event.instanceId).toBe("ins_test_webhooks")
      expect(event.data.id).toBe("user_webhook")
      expect(event.data.firstName).toBe("Grace")
      expect(event.data.externalId).toBe("ext_42")
      expect(logs.filter((entry) => LogLevel.greaterThanEqual(entry.level, LogLevel.Warning))).toEqual([])
    }).pipe(Effect.provide(testServer), Effect.provide(webhooksLayer), Effect.provide(layer))
  })

  it.scopedLive("verifies the body's bytes as sent: an unknown event type with non-ASCII text is answered 2xx as type unknown", () => {
    const { onEvent, seen } = recorder()
    return Effect.gen(function*() {
      yield* HttpServer.serveEffect(handler(onEvent))
      // Spacing JSON.stringify would not produce, and characters of 2, 3 and 4 UTF-8 bytes: any re-encoding breaks the signature.
      const body =
        `{ "type":"widget.created",  "object":"event","timestamp":1,"instance_id":"ins_1",\n "data":{"note":"José ✓ 🚀"} }`
      const result = yield* Effect.flatMap(deliver(yield* sign(body)), answer)

      expect(result.status).toBe(200)
      expect(seen).toHaveLength(1)
      const event = seen[0]!.event
      if (event.type !== "unknown") throw new Error(`decoded as ${event.type}`)
      expect(event.unknownType).toBe("widget.created")
      expect(event.data).toEqual({ note: "José ✓ 🚀" })
    }).pipe(Effect.provide(testServer), Effect.provide(webhooksLayer), Effect.provide(captureLogs().layer))
  })

  it.scopedLive("answers 400 no-matching-signature to a delivery signed with another secret, without running the effect or showing the secret", () => {
    const { layer, logs } = captureLogs()
    const { onEvent, seen } = recorder()
    return Effect.gen(function*() {
      yield* HttpServer.serveEffect(handler(onEvent))
      const result = yield* Effect.flatMap(
        deliver(yield* sign(userCreated, { secret: generateSigningSecret() })),
        answer
      )

      expect(result.status).toBe(400)
      expect(result.json).toEqual({ reason: "no-matching-signature", message: expect.any(String) })
      expect(result.text).not.toContain(SECRET.slice("whsec_".length))
      expect(seen).toEqual([])
      // Logged for operators (a wrong secret is the usual cause), as a warning: nothing failed here.
      const refused = logs.filter((entry) => messageText(entry).includes("webhook refused"))
      expect(refused.map((entry) => [entry.level, entry.annotations.reason])).toEqual([[
        LogLevel.Warning,
        "no-matching-signature"
      ]])
    }).pipe(Effect.provide(testServer), Effect.provide(webhooksLayer), Effect.provide(layer))
  })

  it.scopedLive("answers 400 no-matching-signature when the body was changed after signing", () => {
    const { onEvent, seen } = recorder()
    return Effect.gen(function*() {
      yield* HttpServer.serveEffect(handler(onEvent))
      const signed = yield* sign(userCreated)
      const tampered = { ...signed, body: signed.body.replace("Grace", "Mallory") }
      const result = yield* Effect.flatMap(deliver(tampered), answer)

      expect(result).toMatchObject({ status: 400, json: { reason: "no-matching-signature" } })
      expect(seen).toEqual([])
    }).pipe(Effect.provide(testServer), Effect.provide(webhooksLayer), Effect.provide(captureLogs().layer))
  })

  it.scopedLive("answers 400 missing-header to a request without the svix headers", () => {
    const { onEvent, seen } = recorder()
    return Effect.gen(function*() {
      yield* HttpServer.serveEffect(handler(onEvent))
      const result = yield* Effect.flatMap(deliver({ headers: {}, body: JSON.stringify(userCreated) }), answer)

      expect(result).toMatchObject({ status: 400, json: { reason: "missing-header" } })
      expect(seen).toEqual([])
    }).pipe(Effect.provide(testServer), Effect.provide(webhooksLayer), Effect.provide(captureLogs().layer))
  })

  it.scopedLive("answers 400 timestamp-too-old to a delivery signed an hour ago (a replay)", () => {
    const { onEvent, seen } = recorder()
    return Effect.gen(function*() {
      yield* HttpServer.serveEffect(handler(onEvent))
      const anHourAgo = Math.floor(Date.now() / 1000) - 3600
      const result = yield* Effect.flatMap(deliver(yield* sign(userCreated, { timestamp: anHourAgo })), answer)

      expect(result).toMatchObject({ status: 400, json: { reason: "timestamp-too-old" } })
      expect(seen).toEqual([])
    }).pipe(Effect.provide(testServer), Effect.provide(webhooksLayer), Effect.provide(captureLogs().layer))
  })

  it.scopedLive("answers 400 body-not-json to a signed body that is not JSON, without running the effect", () => {
    const { onEvent, seen } = recorder()
    return Effect.gen(function*() {
      yield* HttpServer.serveEffect(handler(onEvent))
      const notJson = yield* Effect.flatMap(deliver(yield* sign("not json")), answer)
      expect(notJson).toMatchObject({ status: 400, json: { reason: "body-not-json" } })
      expect(seen).toEqual([])
    }).pipe(Effect.provide(testServer), Effect.provide(webhooksLayer), Effect.provide(captureLogs().layer))
  })

  it.scopedLive("runs the effect with a malformed event for signed data that does not match, answers 200 and logs a warning", () => {
    const { onEvent, seen } = recorder()
    const { layer, logs } = captureLogs()
    const badData = { ...userCreated, data: { id: 7 } }
    return Effect.gen(function*() {
      yield* HttpServer.serveEffect(handler(onEvent))
      const result = yield* Effect.flatMap(deliver(yield* sign(badData, { id: "msg_malformed" })), answer)
      expect(result).toMatchObject({ status: 200, json: { ok: true } })
      expect(seen).toHaveLength(1)
      const [{ delivery, event }] = seen as [(typeof seen)[number]]
      expect(delivery.id).toBe("msg_malformed")
      expect(event).toStrictEqual({
        type: "malformed",
        eventType: "user.created",
        data: { id: 7 },
        payload: badData,
        issue: { path: "data.id", message: "Expected string" }
      })
      const warnings = logs.filter((entry) => entry.level === LogLevel.Warning)
      expect(warnings.map((entry) => entry.annotations)).toStrictEqual([
        { webhookId: "msg_malformed", webhookType: "user.created", issuePath: "data.id", issue: "Expected string" }
      ])
    }).pipe(Effect.provide(testServer), Effect.provide(webhooksLayer), Effect.provide(layer))
  })

  it.scopedLive("answers 400 invalid-payload to signed data that does not match when the service rejects, without running the effect", () => {
    const { onEvent, seen } = recorder()
    const rejecting = ClerkWebhooks.layer({ signingSecret: Redacted.make(SECRET), onInvalidPayload: "reject" })
    return Effect.gen(function*() {
      yield* HttpServer.serveEffect(handler(onEvent))
      const badUser = yield* Effect.flatMap(deliver(yield* sign({ ...userCreated, data: { id: 7 } })), answer)
      expect(badUser).toMatchObject({ status: 400, json: { reason: "invalid-payload" } })
      expect(seen).toEqual([])
    }).pipe(Effect.provide(testServer), Effect.provide(rejecting), Effect.provide(captureLogs().layer))
  })

  it.scopedLive("answers 500 when the effect fails, logs the error at error level, and does not put it in the response", () => {
    const { layer, logs } = captureLogs()
    return Effect.gen(function*() {
      const app = handler(() => Effect.fail(new HandlerFailed("database password is hunter2")))
      yield* HttpServer.serveEffect(app)
      const result = yield* Effect.flatMap(deliver(yield* sign(userCreated, { id: "msg_fails" })), answer)

      expect(result.status).toBe(500)
      expect(result.text).not.toContain("hunter2")
      expect(result.text).not.toContain("HandlerFailed")
      const errors = logs.filter((entry) => entry.level === LogLevel.Error)
      expect(errors).toHaveLength(1)
      const [logged] = errors as [LogEntry]
      expect(messageText(logged)).toContain("webhook handler failed")
      const failure = Option.getOrUndefined(Cause.failureOption(logged.cause))
      expect(failure).toBeInstanceOf(HandlerFailed)
      expect((failure as HandlerFailed).message).toBe("database password is hunter2")
      expect(logged.annotations).toMatchObject({ webhookId: "msg_fails", webhookType: "user.created" })
    }).pipe(Effect.provide(testServer), Effect.provide(webhooksLayer), Effect.provide(layer))
  })

  it.scopedLive("answers 500 when the effect dies, with the defect logged", () => {
    const { layer, logs } = captureLogs()
    return Effect.gen(function*() {
      yield* HttpServer.serveEffect(handler(() => Effect.dieMessage("boom in handler")))
      const result = yield* Effect.flatMap(deliver(yield* sign(userCreated)), answer)

      expect(result.status).toBe(500)
      expect(result.text).not.toContain("boom")
      const errors = logs.filter((entry) => entry.level === LogLevel.Error)
      expect(errors.map((entry) => Cause.isDie(entry.cause))).toEqual([true])
      expect(Cause.pretty(errors[0]!.cause)).toContain("boom in handler")
    }).pipe(Effect.provide(testServer), Effect.provide(webhooksLayer), Effect.provide(layer))
  })

  it.scopedLive("with deduplicate: a failed run releases the id, so the retry runs again; once it succeeded, a duplicate gets 200 without a run", () => {
    let runs = 0
    return Effect.gen(function*() {
      const app = handler(
        () =>
          Effect.suspend(() => {
            runs++
            return runs === 1 ? Effect.fail(new HandlerFailed("first attempt")) : Effect.void
          }),
        { deduplicate: true }
      )
      yield* HttpServer.serveEffect(app)
      // Svix signs each attempt afresh but keeps the message id.
      const attempt = () => Effect.flatMap(Effect.flatMap(sign(userCreated, { id: "msg_retried" }), deliver), answer)

      const first = yield* attempt()
      const retry = yield* attempt()
      const replay = yield* attempt()

      expect(first.status).toBe(500)
      expect(retry).toMatchObject({ status: 200, json: { ok: true } })
      expect(replay).toMatchObject({ status: 200, json: { ok: true, duplicate: true } })
      expect(runs).toBe(2)
    }).pipe(
      Effect.provide(testServer),
      Effect.provide(webhooksLayer),
      Effect.provide(WebhookDeduplication.memory()),
      Effect.provide(captureLogs().layer)
    )
  })

  it.scopedLive("with deduplicate: a duplicate of a successful delivery gets 200 without a second run; other ids still run", () => {
    const { onEvent, seen } = recorder()
    return Effect.gen(function*() {
      yield* HttpServer.serveEffect(handler(onEvent, { deduplicate: true }))
      const delivery = yield* sign(userCreated, { id: "msg_once" })

      const first = yield* Effect.flatMap(deliver(delivery), answer)
      const again = yield* Effect.flatMap(deliver(delivery), answer)
      const other = yield* Effect.flatMap(Effect.flatMap(sign(userCreated, { id: "msg_other" }), deliver), answer)

      expect([first.json, again.json, other.json]).toEqual([{ ok: true }, { ok: true, duplicate: true }, { ok: true }])
      expect([first.status, again.status, other.status]).toEqual([200, 200, 200])
      expect(seen.map((entry) => entry.delivery.id)).toEqual(["msg_once", "msg_other"])
    }).pipe(
      Effect.provide(testServer),
      Effect.provide(webhooksLayer),
      Effect.provide(WebhookDeduplication.memory()),
      Effect.provide(captureLogs().layer)
    )
  })

  it.scopedLive("with deduplicate: a second attempt arriving while the first still runs is not run concurrently", () => {
    let runs = 0
    return Effect.gen(function*() {
      const started = yield* Deferred.make<void>()
      const finish = yield* Deferred.make<void>()
      const app = handler(
        () =>
          Effect.andThen(Effect.sync(() => runs++), Deferred.succeed(started, undefined)).pipe(
            Effect.zipRight(Deferred.await(finish))
          ),
        { deduplicate: true }
      )
      yield* HttpServer.serveEffect(app)
      const delivery = yield* sign(userCreated, { id: "msg_concurrent" })

      const first = yield* Effect.fork(Effect.flatMap(deliver(delivery), answer))
      yield* Deferred.await(started)
      const second = yield* Effect.flatMap(deliver(delivery), answer)
      yield* Deferred.succeed(finish, undefined)

      expect(second).toMatchObject({ status: 200, json: { duplicate: true } })
      expect(yield* Fiber.join(first)).toMatchObject({ status: 200, json: { ok: true } })
      expect(runs).toBe(1)
    }).pipe(
      Effect.provide(testServer),
      Effect.provide(webhooksLayer),
      Effect.provide(WebhookDeduplication.memory()),
      Effect.provide(captureLogs().layer)
    )
  })

  it.scopedLive("with deduplicate: the memory layer provided on the handler itself still de-duplicates", () => {
    const { onEvent, seen } = recorder()
    return Effect.gen(function*() {
      // Provided per request: the layer is built for each delivery, and gives the same store each time.
      yield* HttpServer.serveEffect(
        handler(onEvent, { deduplicate: true }).pipe(Effect.provide(WebhookDeduplication.memory()))
      )
      const delivery = yield* sign(userCreated, { id: "msg_per_request_layer" })
      const first = yield* Effect.flatMap(deliver(delivery), answer)
      const again = yield* Effect.flatMap(deliver(delivery), answer)
      expect([first.json, again.json]).toEqual([{ ok: true }, { ok: true, duplicate: true }])
      expect(seen).toHaveLength(1)
    }).pipe(Effect.provide(testServer), Effect.provide(webhooksLayer), Effect.provide(captureLogs().layer))
  })

  it.scopedLive("with deduplicate: a new memory store per delivery is warned about, once", () => {
    const { layer, logs } = captureLogs()
    const { onEvent, seen } = recorder()
    return Effect.gen(function*() {
      const app = handler(onEvent, { deduplicate: true })
      // The mistake: a store made inside the request path remembers nothing across deliveries.
      yield* HttpServer.serveEffect(Effect.suspend(() => Effect.provide(app, WebhookDeduplication.memory())))
      const delivery = yield* sign(userCreated, { id: "msg_fresh_store" })
      for (let i = 0; i < 3; i++) yield* Effect.flatMap(deliver(delivery), answer)
      expect(seen).toHaveLength(3)
      const warnings = logs.filter((entry) => messageText(entry).includes("new in-memory de-duplication store"))
      expect(warnings.map((entry) => entry.level.label)).toEqual(["WARN"])
      expect(messageText(warnings[0]!)).toContain("build WebhookDeduplication once")
    }).pipe(Effect.provide(testServer), Effect.provide(webhooksLayer), Effect.provide(layer))
  })

  it.scopedLive("with deduplicate: one store built by a layer around the server is not warned about", () => {
    const { layer, logs } = captureLogs()
    const { onEvent } = recorder()
    return Effect.gen(function*() {
      yield* HttpServer.serveEffect(handler(onEvent, { deduplicate: true }))
      for (const id of ["msg_s1", "msg_s2", "msg_s1"]) {
        yield* Effect.flatMap(Effect.flatMap(sign(userCreated, { id }), deliver), answer)
      }
      expect(logs.filter((entry) => messageText(entry).includes("de-duplication store"))).toEqual([])
    }).pipe(
      Effect.provide(testServer),
      Effect.provide(webhooksLayer),
      Effect.provide(WebhookDeduplication.memory()),
      Effect.provide(layer)
    )
  })

  it.scopedLive("with a custom store (make): claims verified ids only, releases after a failure, never after a success", () => {
    const calls: Array<string> = []
    const claimed = new Set<string>()
    const store = WebhookDeduplication.make({
      claim: (id) =>
        Effect.sync(() => {
          calls.push(`claim ${id}`)
          if (claimed.has(id)) return false
          claimed.add(id)
          return true
        }),
      release: (id) =>
        Effect.sync(() => {
          calls.push(`release ${id}`)
          claimed.delete(id)
        })
    })
    return Effect.gen(function*() {
      const app = handler(
        (event) => event.type === "user.created" ? Effect.fail(new HandlerFailed("no")) : Effect.void,
        { deduplicate: true }
      )
      yield* HttpServer.serveEffect(app)
      const failing = yield* Effect.flatMap(Effect.flatMap(sign(userCreated, { id: "msg_a" }), deliver), answer)
      const passing = yield* Effect.flatMap(
        Effect.flatMap(sign({ ...envelope, type: "widget.created", data: {} }, { id: "msg_b" }), deliver),
        answer
      )
      const forged = yield* Effect.flatMap(
        Effect.flatMap(sign(userCreated, { id: "msg_c", secret: generateSigningSecret() }), deliver),
        answer
      )

      expect([failing.status, passing.status, forged.status]).toEqual([500, 200, 400])
      expect(calls).toEqual(["claim msg_a", "release msg_a", "claim msg_b"])
    }).pipe(
      Effect.provide(testServer),
      Effect.provide(webhooksLayer),
      Effect.provide(Layer.succeed(WebhookDeduplication, store)),
      Effect.provide(captureLogs().layer)
    )
  })

  it.scopedLive("with a leasing store: 409 for a busy id (Svix retries it), complete after a success only, 200 when complete fails", () => {
    const calls: Array<string> = []
    const store = WebhookDeduplication.make({
      claim: (id) =>
        Effect.sync(() => {
          calls.push(`claim ${id}`)
          return id === "msg_busy" ? "busy" as const : true
        }),
      release: (id) => Effect.sync(() => void calls.push(`release ${id}`)),
      complete: (id) =>
        id === "msg_unmarkable"
          ? Effect.die(new Error("store gone"))
          : Effect.sync(() => void calls.push(`complete ${id}`))
    })
    const { layer, logs } = captureLogs()
    return Effect.gen(function*() {
      const seen: Array<string> = []
      const app = handler((_event, delivery) =>
        delivery.id === "msg_failing"
          ? Effect.fail(new HandlerFailed("no"))
          : Effect.sync(() => void seen.push(delivery.id)), { deduplicate: true })
      yield* HttpServer.serveEffect(app)
      const post = (id: string) => Effect.flatMap(Effect.flatMap(sign(userCreated, { id }), deliver), answer)
      const busyAnswer = yield* post("msg_busy")
      const statuses = [busyAnswer.status]
      for (const id of ["msg_done", "msg_failing", "msg_unmarkable"]) statuses.push((yield* post(id)).status)
      expect(statuses).toEqual([409, 200, 500, 200])
      expect(busyAnswer.json).toEqual({ ok: false, busy: true })
      expect(seen).toEqual(["msg_done", "msg_unmarkable"])
      expect(calls).toEqual([
        "claim msg_busy",
        "claim msg_done",
        "complete msg_done",
        "claim msg_failing",
        "release msg_failing",
        "claim msg_unmarkable"
      ])
      expect(logs.some((entry) => messageText(entry).includes("could not be marked done"))).toBe(true)
    }).pipe(
      Effect.provide(testServer),
      Effect.provide(webhooksLayer),
      Effect.provide(Layer.succeed(WebhookDeduplication, store)),
      Effect.provide(layer)
    )
  })

  it.scopedLive("with deduplicate: a run that opted into interruption and was interrupted by the client going away releases the id", () => {
    const { layer, logs } = captureLogs()
    let runs = 0
    return Effect.gen(function*() {
      const started = yield* Deferred.make<void>()
      const released = yield* Deferred.make<string>()
      const memory = yield* Effect.provide(WebhookDeduplication, WebhookDeduplication.memory())
      // The memory store, with its release observed: the interruption reaches the server asynchronously.
      const store = WebhookDeduplication.make({
        claim: memory.claim,
        release: (id) => Effect.zipRight(memory.release(id), Deferred.succeed(released, id))
      })
      // The platform runs apps uninterruptibly; an effect that wants to stop when the client leaves says so.
      const hang = Effect.zipRight(Deferred.succeed(started, undefined), Effect.interruptible(Effect.never))
      const app = handler(
        () => Effect.suspend(() => ++runs === 1 ? hang : Effect.void),
        { deduplicate: true }
      )
      yield* HttpServer.serveEffect(app).pipe(Effect.provideService(WebhookDeduplication, store))
      const delivery = yield* sign(userCreated, { id: "msg_abandoned" })

      const abandoned = yield* Effect.fork(deliver(delivery))
      yield* Deferred.await(started)
      yield* Fiber.interrupt(abandoned) // aborts the request: the socket closes mid-run
      expect(yield* Deferred.await(released).pipe(Effect.timeout("5 seconds"))).toBe("msg_abandoned")

      const retry = yield* Effect.flatMap(deliver(delivery), answer)
      expect(retry).toMatchObject({ status: 200, json: { ok: true } })
      expect(runs).toBe(2)
      // Not an error of the service: a warning, and nothing at error level.
      expect(logs.filter((entry) => messageText(entry).includes("interrupted")).map((entry) => entry.level)).toEqual([
        LogLevel.Warning
      ])
      expect(logs.filter((entry) => entry.level === LogLevel.Error)).toEqual([])
    }).pipe(Effect.provide(testServer), Effect.provide(webhooksLayer), Effect.provide(layer))
  })

  it.scopedLive("answers 500, without running the effect, when the store dies", () => {
    const { layer, logs } = captureLogs()
    const { onEvent, seen } = recorder()
    const broken = WebhookDeduplication.make({
      claim: () => Effect.dieMessage("store unreachable"),
      release: () => Effect.void
    })
    return Effect.gen(function*() {
      yield* HttpServer.serveEffect(handler(onEvent, { deduplicate: true }))
      const result = yield* Effect.flatMap(Effect.flatMap(sign(userCreated), deliver), answer)

      expect(result.status).toBe(500)
      expect(result.text).not.toContain("unreachable")
      expect(seen).toEqual([])
      expect(logs.filter((entry) => entry.level === LogLevel.Error)).toHaveLength(1)
    }).pipe(
      Effect.provide(testServer),
      Effect.provide(webhooksLayer),
      Effect.provide(Layer.succeed(WebhookDeduplication, broken)),
      Effect.provide(layer)
    )
  })

  it.scopedLive("without deduplicate, the same delivery runs each time it arrives", () => {
    const { onEvent, seen } = recorder()
    return Effect.gen(function*() {
      yield* HttpServer.serveEffect(handler(onEvent))
      const delivery = yield* sign(userCreated, { id: "msg_twice" })
      const statuses = [(yield* deliver(delivery)).status, (yield* deliver(delivery)).status]

      expect(statuses).toEqual([200, 200])
      expect(seen.map((entry) => entry.delivery.id)).toEqual(["msg_twice", "msg_twice"])
    }).pipe(Effect.provide(testServer), Effect.provide(webhooksLayer), Effect.provide(captureLogs().layer))
  })

  it("types: the app has no error channel, carries the effect's requirements, and needs the store only with deduplicate", () => {
    class Audit extends Context.Tag("test/Audit")<
      Audit,
      { readonly record: (type: string) => Effect.Effect<void, HandlerFailed> }
    >() {}
    const onEvent = (event: WebhookEvent) => Effect.flatMap(Audit, (audit) => audit.record(event.type))
    type App<R> = Effect.Effect<HttpServerResponse.HttpServerResponse, never, R | HttpServerRequest.HttpServerRequest>

    expectTypeOf(handler(onEvent)).toEqualTypeOf<App<ClerkWebhooks | Audit>>()
    expectTypeOf(handler(onEvent, { deduplicate: false })).toEqualTypeOf<App<ClerkWebhooks | Audit>>()
    expectTypeOf(handler(onEvent, { deduplicate: true })).toEqualTypeOf<
      App<ClerkWebhooks | WebhookDeduplication | Audit>
    >()
    // A flag known only at run time may turn it on, so the store is required.
    const flag: boolean = process.env.NEVER_SET === "1"
    expectTypeOf(handler(onEvent, { deduplicate: flag })).toEqualTypeOf<
      App<ClerkWebhooks | WebhookDeduplication | Audit>
    >()
  })
})

describe("ClerkWebhooksHandler.WebhookDeduplication.memory", () => {
  const withStore = <A, E>(
    f: (store: WebhookDeduplicationService) => Effect.Effect<A, E>,
    options?: Parameters<typeof WebhookDeduplication.memory>[0]
  ) => Effect.provide(Effect.flatMap(WebhookDeduplication, f), WebhookDeduplication.memory(options))

  it.effect("claims an id once; release makes it claimable again; releasing an unknown id does nothing", () =>
    withStore((store) =>
      Effect.gen(function*() {
        expect(yield* store.claim("a")).toBe(true)
        expect(yield* store.claim("a")).toBe(false)
        yield* store.release("a")
        yield* store.release("never-claimed")
        expect(yield* store.claim("a")).toBe(true)
        expect(yield* store.claim("a")).toBe(false)
      })
    ))

  it.effect("forgets the oldest claim first beyond its capacity", () =>
    withStore(
      (store) =>
        Effect.gen(function*() {
          for (const id of ["a", "b", "c"]) expect(yield* store.claim(id)).toBe(true)
          // A refused claim does not refresh an id: "b" stays older than "c".
          expect(yield* store.claim("b")).toBe(false)
          expect(yield* store.claim("c")).toBe(false)
          expect(yield* store.claim("a")).toBe(true) // "a" was evicted by "c"; claiming it again evicts "b"
          expect(yield* store.claim("c")).toBe(false)
          expect(yield* store.claim("b")).toBe(true)
        }),
      { capacity: 2 }
    ))

  it.effect("forgets an id once its ttl has passed, by Effect's Clock", () =>
    withStore(
      (store) =>
        Effect.gen(function*() {
          expect(yield* store.claim("a")).toBe(true)
          yield* TestClock.adjust("30 minutes")
          expect(yield* store.claim("b")).toBe(true)
          yield* TestClock.adjust(Duration.subtract(Duration.minutes(30), Duration.millis(1)))
          expect(yield* store.claim("a")).toBe(false)
          yield* TestClock.adjust("1 millis")
          expect(yield* store.claim("a")).toBe(true) // exactly one hour after its claim
          expect(yield* store.claim("b")).toBe(false) // claimed half an hour later, still remembered
          yield* TestClock.adjust("30 minutes")
          expect(yield* store.claim("b")).toBe(true)
        }),
      { ttl: "1 hour" }
    ))

  it.effect("defaults to 10 000 ids for 24 hours", () =>
    withStore((store) =>
      Effect.gen(function*() {
        for (let i = 0; i < 10_001; i++) yield* store.claim(`msg_${i}`)
        expect(yield* store.claim("msg_0")).toBe(true) // evicted by msg_10000
        expect(yield* store.claim("msg_2")).toBe(false)
        yield* TestClock.adjust(Duration.subtract(Duration.hours(24), Duration.millis(1)))
        expect(yield* store.claim("msg_3")).toBe(false)
        yield* TestClock.adjust("1 millis")
        expect(yield* store.claim("msg_3")).toBe(true)
      })
    ))

  it.effect("is one store per call: every build of one layer value shares it, another call has its own", () =>
    Effect.gen(function*() {
      const layer = WebhookDeduplication.memory()
      const claim = Effect.flatMap(WebhookDeduplication, (store) => store.claim("a"))
      expect(yield* Effect.provide(claim, layer)).toBe(true)
      expect(yield* Effect.provide(claim, layer)).toBe(false)
      expect(yield* Effect.provide(claim, Layer.fresh(layer))).toBe(false)
      expect(yield* Effect.provide(claim, WebhookDeduplication.memory())).toBe(true)
    }))

  it.effect("refuses a capacity that is not a positive integer, and a zero ttl, as defects", () =>
    Effect.gen(function*() {
      for (const options of [{ capacity: 0 }, { capacity: 1.5 }, { capacity: Number.POSITIVE_INFINITY }, { ttl: 0 }]) {
        const exit = yield* Effect.exit(withStore((store) => store.claim("a"), options))
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
        if (Exit.isFailure(exit)) {
          expect(Cause.pretty(exit.cause)).toMatch(/capacity must be a positive integer|ttl must be longer than zero/)
        }
      }
    }))
})
