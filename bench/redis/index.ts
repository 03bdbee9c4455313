/**
 * Section 7: what sharing state through Redis costs, on loopback: a webhook delivery de-duplicated by
 * `ClerkRedis.deduplication()` beside the in-memory store, and a Backend API call through the in-process
 * fake under `ClerkRedis.rateLimiter()` beside no limiter and the in-memory one. Then authentication: an
 * opaque machine token (API key) from the instance's own cache, from another instance through
 * `ClerkRedis.machineTokenStore`, and verified by the fake; and a session token verified locally (RSA), from
 * the instance's cache, beside a bare Redis GET of the token's size (why session tokens are not shared).
 * All in one interleaved run. Redis is Debian's `redis-server`, started on 127.0.0.1 on a free port for the
 * section and stopped by PID after it.
 */
import * as HttpApp from "@effect/platform/HttpApp"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import type { Redis } from "ioredis"
import * as assert from "node:assert"
import * as crypto from "node:crypto"
import { ClerkAuth, MachineAuth, SignedIn } from "../../src/ClerkAuth.js"
import type { AuthState } from "../../src/ClerkAuth.js"
import { ClerkBackend } from "../../src/ClerkBackend.js"
import type { ClerkClient } from "../../src/ClerkClient.js"
import { ClerkConfig } from "../../src/ClerkConfig.js"
import { ClerkRateLimiter } from "../../src/ClerkRateLimiter.js"
import { ClerkRedis, deduplication, machineTokenStore, rateLimiter } from "../../src/ClerkRedis.js"
import { ClerkTest } from "../../src/ClerkTest.js"
import { ClerkWebhooks } from "../../src/ClerkWebhooks.js"
import { handler, WebhookDeduplication } from "../../src/ClerkWebhooksHandler.js"
import { generateSigningSecret, signWebhook } from "../../src/ClerkWebhooksTesting.js"
import { redisUnavailable, startRedis } from "../../test/support/RedisServer.js"
import { verifiedApiKey } from "../../test/support/VerifiedApiKey.js"
import * as AuthBench from "../auth/index.js"
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
  /** Per case, the median of each round (µs). */
  readonly roundMediansUs: Readonly<Record<CaseKey, ReadonlyArray<number>>>
  readonly rounds: number
  readonly callsPerRound: number
  readonly warmupCalls: number
  readonly machine: {
    /** `machineTokenCacheTtl` of every instance that caches. */
    readonly ttl: string
    /** Distinct API keys instance A verified and stored before timing, one per call of (g). */
    readonly sharedTokens: number
    readonly prestoreMs: number
    /** Length of one sealed entry on Redis (what (g) reads). */
    readonly entryBytes: number
    /** `apiKeys.verify` calls instance B's own fake received over the whole run (0: every (g) was a shared hit). */
    readonly sharedInstanceFakeCalls: number
  }
  readonly session: { readonly tokenBytes: number }
}

export type CaseKey =
  | "webhookMemory"
  | "webhookRedis"
  | "callNone"
  | "callMemory"
  | "callRedis"
  | "machineLocal"
  | "machineShared"
  | "machineMiss"
  | "machineDirect"
  | "sessionCached"
  | "sessionVerify"
  | "redisGet"

const SECRET = generateSigningSecret()
/** The fleet's (fake) secret key: every instance seals and opens shared machine-token entries with it. */
const fleetSecretKey = Redacted.make("sk_test_bench_fake_not_a_real_key")
const machineTtl = "10 minutes"

const signedInMachine = (state: AuthState): MachineAuth => {
  if (!(state instanceof SignedIn && state.auth instanceof MachineAuth)) {
    throw new Error(`machine token not accepted: ${JSON.stringify(state)}`)
  }
  return state.auth
}

/** A fake Clerk that answers every API key as valid (in the decoded, camelCase form), and counts the asks. */
const apiKeyFake = async () => {
  const runtime = ManagedRuntime.make(ClerkTest.layer)
  await runtime.runPromise(ClerkTest.handle("apiKeys.verify", () => Effect.succeed(verifiedApiKey as never)))
  const context: Context.Context<ClerkClient> = (await runtime.runtime()).context
  const verifyCalls = () =>
    runtime.runPromise(
      Effect.map(ClerkTest.calls, (calls) => calls.filter((c) => c.operation === "apiKeys.verify").length)
    )
  return { runtime, context, verifyCalls }
}
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

    // Machine tokens: instances of one fleet, each a `ClerkAuth` accepting API keys on its own Redis connection.
    // Instance B has a fake of its own, so any call it would make to Clerk is counted apart.
    const fleetFake = await apiKeyFake()
    const ownFake = await apiKeyFake()
    const machineInstance = async (fake: Context.Context<ClerkClient>, cached: boolean) => {
      const auth = cached
        ? ClerkAuth.layer({ acceptsToken: "api_key", machineTokenCacheTtl: machineTtl }).pipe(
          Layer.provide(machineTokenStore),
          Layer.provide(Layer.merge(ClerkConfig.layer({ secretKey: fleetSecretKey }), connection))
        )
        : ClerkAuth.layer({ acceptsToken: "api_key" })
      const runtime = ManagedRuntime.make(auth.pipe(Layer.provide(Layer.succeedContext(fake))))
      const service = await runtime.runPromise(ClerkAuth)
      const verify = async (token: string) =>
        signedInMachine(await runtime.runPromise(service.authenticateToken(token)))
      return { runtime, service, verify }
    }
    // A verifies (with the fake) and stores the tokens B reads, one per call of B, so B never has one locally.
    const prestoring = await machineInstance(fleetFake.context, true)
    const localHits = await machineInstance(fleetFake.context, true)
    const sharedHits = await machineInstance(ownFake.context, true)
    const misses = await machineInstance(fleetFake.context, true)
    const direct = await machineInstance(fleetFake.context, false)
    const sharedTokens = Array.from({ length: total }, (_, i) => `ak_bench_shared_${process.pid}_${i}`)
    const prestoreStarted = performance.now()
    await prestoring.runtime.runPromise(
      Effect.forEach(sharedTokens, prestoring.service.authenticateToken, { concurrency: 8 }).pipe(
        Effect.map((states) => states.forEach(signedInMachine))
      )
    )
    const prestoreMs = performance.now() - prestoreStarted
    let sharedIndex = 0
    let missIndex = 0
    const missToken = () => `ak_bench_miss_${process.pid}_${missIndex++}`
    const localToken = `ak_bench_local_${process.pid}`
    const directToken = `ak_bench_direct_${process.pid}`
    const expected = (auth: MachineAuth) => {
      assert.strictEqual(auth.tokenType, "api_key")
      assert.strictEqual(auth.subject, verifiedApiKey.subject)
      assert.deepStrictEqual(auth.scopes, verifiedApiKey.scopes)
    }
    const localCalls = await fleetFake.verifyCalls()
    expected(await localHits.verify(localToken))
    expected(await localHits.verify(localToken))
    assert.strictEqual(await fleetFake.verifyCalls(), localCalls + 1, "a second call is answered from the local cache")
    expected(await sharedHits.verify(sharedTokens[sharedIndex++]!))
    assert.strictEqual(await ownFake.verifyCalls(), 0, "a token stored by another instance is not asked about")
    const missCalls = await fleetFake.verifyCalls()
    expected(await misses.verify(missToken()))
    expected(await direct.verify(directToken))
    expected(await direct.verify(directToken))
    assert.strictEqual(await fleetFake.verifyCalls(), missCalls + 3, "a miss, and every call without a cache, asks")

    // Session tokens: the section 4 token and `ClerkAuth` (fixed JWKS), cache off (each call checks the RSA
    // signature) and at its default (each call after the first a hit); beside one GET of as many bytes on Redis.
    const keys = await AuthBench.keyPair()
    const { token: sessionToken } = await AuthBench.makeToken(keys.privateKey, Math.floor(Date.now() / 1_000))
    const sessionFresh = await AuthBench.effectClerk(keys.jwk, 0)
    const sessionCached = await AuthBench.effectClerk(keys.jwk, undefined)
    const verifySession = (session: typeof sessionFresh) => async () => {
      const state = await session.runtime.runPromise(session.auth.authenticateToken(sessionToken))
      if (AuthBench.signedInUser(state) !== AuthBench.userId) throw new Error("session token not accepted")
    }
    const redisOnly = ManagedRuntime.make(connection)
    const sizedKey = `session-sized:${crypto.randomBytes(32).toString("hex")}`
    const sizedValue = crypto.randomBytes(sessionToken.length).toString("base64url").slice(0, sessionToken.length)
    const redis = await redisOnly.runPromise(ClerkRedis)
    const onRedis = <A>(name: string, run: (client: Redis) => Promise<A>) =>
      redisOnly.runPromise(redis.command(name, run))
    await onRedis("set", (client) => client.set(`${redis.keyPrefix}${sizedKey}`, sizedValue, "PX", 3_600_000))
    const sizedGet = redis.command("get", (client) => client.get(`${redis.keyPrefix}${sizedKey}`))
    const getSized = async () => {
      const value = await redisOnly.runPromise(sizedGet)
      if (value?.length !== sessionToken.length) throw new Error("the sized value is not on Redis")
    }
    await verifySession(sessionFresh)()
    await verifySession(sessionCached)()
    await verifySession(sessionCached)()
    await getSized()
    const [entryKey] = await onRedis("keys", (client) => client.keys(`${redis.keyPrefix}machine-token:*`))
    const entryBytes = await onRedis("strlen", (client) => client.strlen(entryKey!))
    options.log(
      `  ${sharedTokens.length} API keys stored by another instance in ${
        (prestoreMs / 1_000).toFixed(1)
      } s (entry ${entryBytes} bytes); session token ${sessionToken.length} bytes`
    )

    const { rounds, roundMediansUs, stats } = await interleaved([
      { key: "webhookMemory", run: () => deliver(memoryHook, memoryDeliveries[memoryIndex++]!) },
      { key: "webhookRedis", run: () => deliver(redisHook, redisDeliveries[redisIndex++]!) },
      { key: "callNone", run: () => plain.runPromise(get) },
      { key: "callMemory", run: () => inMemory.runPromise(get) },
      { key: "callRedis", run: () => shared.runPromise(get) },
      { key: "machineLocal", run: () => localHits.verify(localToken) },
      { key: "machineShared", run: () => sharedHits.verify(sharedTokens[sharedIndex++]!) },
      { key: "machineMiss", run: () => misses.verify(missToken()) },
      { key: "machineDirect", run: () => direct.verify(directToken) },
      { key: "sessionCached", run: verifySession(sessionCached) },
      { key: "sessionVerify", run: verifySession(sessionFresh) },
      { key: "redisGet", run: getSized }
    ], options)
    const sharedInstanceFakeCalls = await ownFake.verifyCalls()
    assert.strictEqual(sharedInstanceFakeCalls, 0, "every call of (g) was answered from Redis")
    const versionLine = await Effect.runPromise(
      Effect.scoped(Effect.flatMap(
        ClerkRedis.make({ url }),
        (redis) => redis.command("info", (client) => client.info("server"))
      ))
    )
    for (const runtime of [plain, inMemory, shared]) await runtime.dispose()
    for (const instance of [prestoring, localHits, sharedHits, misses, direct]) await instance.runtime.dispose()
    for (const fake of [fleetFake, ownFake]) await fake.runtime.dispose()
    for (const session of [sessionFresh, sessionCached]) await session.runtime.dispose()
    await redisOnly.dispose()
    await memoryHook.dispose()
    await redisHook.dispose()
    return {
      redisVersion: /redis_version:(\S+)/.exec(versionLine)?.[1] ?? "unknown",
      stats: Object.fromEntries(stats.map((s) => [s.key, s])) as Record<CaseKey, Stats>,
      roundMediansUs: roundMediansUs as Record<CaseKey, ReadonlyArray<number>>,
      rounds,
      callsPerRound: options.callsPerRound,
      warmupCalls: options.warmupCalls,
      machine: { ttl: machineTtl, sharedTokens: sharedTokens.length, prestoreMs, entryBytes, sharedInstanceFakeCalls },
      session: { tokenBytes: sessionToken.length }
    }
  } finally {
    await server.stop()
  }
}
