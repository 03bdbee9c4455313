/**
 * The fake's HTTP delivery of its webhook events: signed so that `ClerkWebhooks.verify` accepts them at a real
 * endpoint on 127.0.0.1, and retried on the `Clock` when the endpoint fails (so `TestClock` drives the
 * retries), then given up on.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { ClerkBackend } from "../../src/ClerkBackend.js"
import { ClerkTest } from "../../src/ClerkTest.js"
import { ClerkWebhooks } from "../../src/ClerkWebhooks.js"
import { generateSigningSecret } from "../../src/ClerkWebhooksTesting.js"
import { serveWebHandler } from "../support/PlainServer.js"

/** An endpoint on 127.0.0.1 answering each delivery with `answer`, for the scope of the test. */
const endpoint = (answer: (request: Request) => Promise<number>) =>
  Effect.acquireRelease(
    Effect.promise(() => serveWebHandler(async (request) => new Response(null, { status: await answer(request) }))),
    (server) => Effect.promise(server.close)
  )

/** Waits in real time (the deliveries' HTTP is real, whatever the clock). */
const settle = (ms = 100) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, ms)))

const until = <A>(check: Effect.Effect<A, never, ClerkTest>, done: (value: A) => boolean) =>
  Effect.gen(function*() {
    for (let i = 0; i < 100; i++) {
      const value = yield* check
      if (done(value)) return value
      yield* settle(20)
    }
    return yield* check
  })

describe("webhook deliveries of the fake", () => {
  it.live("signs each delivery so that ClerkWebhooks.verify accepts it at an endpoint on 127.0.0.1", () =>
    Effect.gen(function*() {
      const secret = generateSigningSecret()
      const verified: Array<string> = []
      const verify = (request: Request) =>
        Effect.runPromise(
          Effect.flatMap(ClerkWebhooks, (webhooks) => webhooks.verify(request)).pipe(
            Effect.provide(ClerkWebhooks.layer({ signingSecret: Redacted.make(secret) })),
            Effect.match({ onFailure: () => 400, onSuccess: (event) => (verified.push(event.type), 204) })
          )
        )
      const { url } = yield* endpoint(verify)
      yield* Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        const user = yield* clerk.users.create({ emailAddress: ["hook@example.com"] })
        yield* clerk.users.delete({ userId: user.id })
        const deliveries = yield* until(ClerkTest.webhookDeliveries, (all) => all.every((d) => d.outcome !== "pending"))
        expect(deliveries.map((d) => [d.type, d.outcome, d.attempts.map((a) => a.status)])).toEqual([
          ["user.created", "delivered", [204]],
          ["user.deleted", "delivered", [204]]
        ])
        expect(new Set(deliveries.map((d) => d.id)).size).toBe(2)
      }).pipe(Effect.provide(ClerkTest.layerWith({ webhooks: { url, signingSecret: secret } })))
      expect(verified.sort()).toEqual(["user.created", "user.deleted"])
    }).pipe(Effect.scoped))

  it.scoped("retries a failing endpoint after each delay on the Clock, then gives up", () =>
    Effect.gen(function*() {
      let received = 0
      const { url } = yield* endpoint(async () => (++received, 500))
      yield* Effect.gen(function*() {
        const clerk = yield* ClerkBackend
        yield* clerk.users.create({ emailAddress: ["down@example.com"] })
        const attempts = () => Effect.map(ClerkTest.webhookDeliveries, (all) => all[0]?.attempts.length ?? 0)
        expect(yield* until(attempts(), (n) => n === 1)).toBe(1)
        yield* TestClock.adjust("4 seconds")
        yield* settle()
        expect(yield* attempts()).toBe(1)
        yield* TestClock.adjust("1 second")
        expect(yield* until(attempts(), (n) => n === 2)).toBe(2)
        yield* TestClock.adjust("1 minute")
        const [delivery] = yield* until(
          Effect.gen(function*() {
            yield* TestClock.adjust("1 minute")
            return yield* ClerkTest.webhookDeliveries
          }),
          (all) => all[0]?.outcome === "failed"
        )
        expect(delivery).toMatchObject({ type: "user.created", outcome: "failed" })
        expect(delivery!.attempts.map((a) => a.status)).toEqual([500, 500, 500])
        // Each retry waited its delay: 0, then 5 s, then 1 minute after that.
        const times = delivery!.attempts.map((a) => a.at)
        expect([times[1]! - times[0]!, times[2]! - times[1]! >= 60_000]).toEqual([5_000, true])
      }).pipe(
        Effect.provide(
          ClerkTest.layerWith({
            webhooks: { url, signingSecret: generateSigningSecret(), retryDelays: ["5 seconds", "1 minute"] }
          })
        )
      )
      expect(received).toBe(3)
    }))

  it.effect("refuses a signing secret that cannot sign when the layer is built, not in a background delivery", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.provide(
          ClerkTest.webhookEvents,
          ClerkTest.layerWith({ webhooks: { url: "http://127.0.0.1:9/", signingSecret: "not base64!" } })
        )
      )
      expect(error._tag).toBe("ClerkTestSeedError")
      expect(error.message).toContain("webhooks.signingSecret")
      expect(error.message).not.toContain("not base64!")
    }))
})
