/**
 * Section 7: what sharing state through Redis costs, on loopback: a webhook delivery de-duplicated by
 * `ClerkRedis.deduplication()` beside the in-memory store, and a Backend API call through the in-process
 * fake under `ClerkRedis.rateLimiter()` beside no limiter and the in-memory one. Redis is Debian's
 * `redis-server`, started on 127.0.0.1 on a free port for the section and stopped by PID after it.
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as assert from "node:assert"
import { ClerkBackend } from "../../src/ClerkBackend.js"
import { ClerkRateLimiter } from "../../src/ClerkRateLimiter.js"
import { ClerkRedis, deduplication, rateLimiter } from "../../src/ClerkRedis.js"
import { ClerkTest } from "../../src/ClerkTest.js"
import { ClerkWebhooks } from "../../src/ClerkWebhooks.js"
import { handler, WebhookDeduplication } from "../../src/ClerkWebhooksHandler.js"
import { generateSigningSecret, signWebhook } from "../../src/ClerkWebhooksTesting.js"
import { redisUnavailable, startRedis } from "../../test/support/RedisServer.js"
import type { Stats } from "../lib/measure.js"
import { interleaved } from "../lib/measure.js"

export interface RedisOptions {
  readonly warmupCalls: number
  readonly rounds: number
  readonly callsPerRound: number
  readonly budgetMs: number
  readonly log: (line: string) => void
}

export interface RedisResult {
  readonly redisVersion: string
  readonly stats: Readonly<Record<CaseKey, Stats>>
  readonly rounds: number
  readonly callsPerRound: number
  readonly warmupCalls: number
}

export type CaseKey = "webhookMemory" | "webhookRedis" | "callNone" | "callMemory" | "callRedis"

const SECRET = generateSigningSecret()
const event = { object: "event", type: "widget.created", timestamp: 1_716_883_200_000, instance_id: "ins_b", data: {} }

export const run = async (options: RedisOptions): Promise<RedisResult> => {
  const missing = redisUnavailable()
  if (missing !== undefined) throw new Error(missing)
  const server = await startRedis()
  try {
    const url = Redacted.make(server.url)
    const connection = ClerkRedis.layer({ url, keyPrefix: `bench-${process.pid}:` })
    const quiet = Logger.remove(Logger.defaultLogger)

    // Webhooks: the same handler, one delivery per call with an id never seen, signed before timing.
    const webhooks = (store: Layer.Layer<WebhookDeduplication>) =>
      HttpApp.toWebHandlerLayer(
        handler(() => Effect.void, { deduplicate: true }),
        Layer.mergeAll(ClerkWebhooks.layer({ signingSecret: Redacted.make(SECRET) }), store, quiet)
      )
    const memoryHook = webhooks(WebhookDeduplication.memory({ capacity: 1_000_000 }))
    const redisHook = webhooks(deduplication().pipe(Layer.provide(connection)))
    // Warm-up, timed rounds, and the check before them.
    const total = options.warmupCalls + options.rounds * options.callsPerRound + 1
    const signedFor = async (prefix: string) => {
      const out: Array<{ readonly headers: Record<string, string>; readonly body: string }> = []
      for (let i = 0; i < total; i++) {
        const signed = await Effect.runPromise(signWebhook({ secret: SECRET, body: event, id: `msg_${prefix}_${i}` }))
        out.push({ headers: { ...signed.headers }, body: signed.body })
      }
      return out
    }
    const memoryDeliveries = await signedFor("memory")
    const redisDeliveries = await signedFor("redis")
    let memoryIndex = 0
    let redisIndex = 0
    const deliver = async (
      hook: typeof memoryHook,
      delivery: { readonly headers: Record<string, string>; readonly body: string }
    ) => {
      const response = await hook.handler(
        new Request("http://127.0.0.1/webhooks", { method: "POST", headers: delivery.headers, body: delivery.body })
      )
      if (response.status !== 200) throw new Error(`webhook answered ${response.status}`)
      await response.arrayBuffer()
    }

    // Calls: users.get on the in-process fake, without a limiter, with the in-memory one, with Redis's.
    // The limits are far above the rate reached, so no call waits: what is timed is consulting the budget.
    const fakeWith = (limiter: Layer.Layer<ClerkRateLimiter> | undefined) =>
      ManagedRuntime.make(
        limiter === undefined
          ? ClerkTest.layerWith({ users: [{ id: "user_bench", emailAddress: ["bench@example.com"] }] })
          : ClerkTest.layerWith({ users: [{ id: "user_bench", emailAddress: ["bench@example.com"] }] }).pipe(
            Layer.provide(limiter)
          )
      )
    const plain = fakeWith(undefined)
    const inMemory = fakeWith(ClerkRateLimiter.memory({ limit: 1_000_000_000, window: "1 minute" }))
    const shared = fakeWith(
      rateLimiter({ limit: 1_000_000_000, window: "1 minute" }).pipe(Layer.provide(connection))
    )
    const get = Effect.flatMap(ClerkBackend, (clerk) => clerk.users.get({ userId: "user_bench" }))
    for (const runtime of [plain, inMemory, shared]) {
      assert.strictEqual((await runtime.runPromise(get)).id, "user_bench")
    }
    await deliver(memoryHook, memoryDeliveries[memoryIndex++]!)
    await deliver(redisHook, redisDeliveries[redisIndex++]!)

    const { rounds, stats } = await interleaved([
      { key: "webhookMemory", run: () => deliver(memoryHook, memoryDeliveries[memoryIndex++]!) },
      { key: "webhookRedis", run: () => deliver(redisHook, redisDeliveries[redisIndex++]!) },
      { key: "callNone", run: () => plain.runPromise(get) },
      { key: "callMemory", run: () => inMemory.runPromise(get) },
      { key: "callRedis", run: () => shared.runPromise(get) }
    ], options)
    const versionLine = await Effect.runPromise(
      Effect.scoped(Effect.flatMap(
        ClerkRedis.make({ url }),
        (redis) => redis.command("info", (client) => client.info("server"))
      ))
    )
    for (const runtime of [plain, inMemory, shared]) await runtime.dispose()
    await memoryHook.dispose()
    await redisHook.dispose()
    return {
      redisVersion: /redis_version:(\S+)/.exec(versionLine)?.[1] ?? "unknown",
      stats: Object.fromEntries(stats.map((s) => [s.key, s])) as Record<CaseKey, Stats>,
      rounds,
      callsPerRound: options.callsPerRound,
      warmupCalls: options.warmupCalls
    }
  } finally {
    await server.stop()
  }
}
