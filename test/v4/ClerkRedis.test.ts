/**
 * The Effect 4 line's ClerkRedis against a real `redis-server` (started here on 127.0.0.1 on a free port and
 * stopped by PID): de-duplication claimed once among ten connections and shared with the Effect 3 line (same
 * keys and scripts), the lease of a crashed run, the fleet budget and its 429 hold, key sets and machine tokens
 * shared by instances, and the documented fallbacks with Redis killed.
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ClerkAuth, SignedIn } from "../../src/v4/ClerkAuth.js"
import type { MachineAuth } from "../../src/v4/ClerkAuth.js"
import { generateKeys } from "../../src/v4/ClerkAuthTesting.js"
import { ClerkConfig } from "../../src/v4/ClerkConfig.js"
import { ClerkJwks } from "../../src/v4/ClerkJwks.js"
import { ClerkRateLimiter } from "../../src/v4/ClerkRateLimiter.js"
import { ClerkRedis, deduplication, jwksStore, machineTokenStore, rateLimiter } from "../../src/v4/ClerkRedis.js"
import { ClerkRedisError } from "../../src/v4/ClerkRedisError.js"
import { ClerkTest } from "../../src/v4/ClerkTest.js"
import { WebhookDeduplication } from "../../src/v4/ClerkWebhooksHandler.js"
import { claimWithEffect3 } from "../support/Effect3Redis.js"
import type { RedisServer } from "../support/RedisServer.js"
import { redisUnavailable, startRedis } from "../support/RedisServer.js"
import { verifiedApiKey } from "../support/VerifiedApiKey.js"

const unavailable = redisUnavailable()
if (unavailable !== undefined) console.warn(unavailable)

let namespaces = 0
const namespace = () => `v4test${++namespaces}-${process.pid}:`

const connection = (url: string, keyPrefix: string) =>
  ClerkRedis.layer({ url: Redacted.make(url), keyPrefix, connectTimeout: "500 millis" })

/** Builds a layer in the scope of the test and takes one service out of it. */
const service = <I, S, E, R>(
  tag: Context.Key<I, S>,
  layer: Layer.Layer<I, E, R>
): Effect.Effect<S, E, Scope.Scope | R> => Effect.map(Layer.build(layer), Context.get(tag))

/** An instance's ClerkAuth accepting API keys, sharing verified ones through `redis` (the fake in context). */
const sharingTokens = (redis: Layer.Layer<ClerkRedis>) =>
  service(
    ClerkAuth,
    ClerkAuth.layer({ acceptsToken: "api_key", machineTokenCacheTtl: "1 minute" }).pipe(
      Layer.provide(machineTokenStore),
      Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_redis_v4_fake") })),
      Layer.provide(redis)
    )
  )

const scoped = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>) => Effect.runPromise(Effect.scoped(effect))

if (unavailable !== undefined) {
  describe("ClerkRedis (Effect 4)", () => {
    it.skip(unavailable, () => {})
  })
}

describe.skipIf(unavailable !== undefined)("ClerkRedis (Effect 4, real redis-server)", () => {
  let server: RedisServer

  beforeAll(async () => {
    server = await startRedis()
  }, 30_000)

  afterAll(async () => {
    await server?.stop()
  })

  it(
    "of ten instances claiming the same ids at once, each on its own connection, one wins each id",
    () =>
      scoped(Effect.gen(function*() {
        const keyPrefix = namespace()
        const stores = yield* Effect.forEach(
          Array.from({ length: 10 }),
          () => service(WebhookDeduplication, deduplication().pipe(Layer.provide(connection(server.url, keyPrefix))))
        )
        const ids = Array.from({ length: 20 }, (_, i) => `msg_v4_${i}`)
        const answers = yield* Effect.forEach(
          ids,
          (id) => Effect.forEach(stores, (store) => store.claim(id), { concurrency: "unbounded" }),
          { concurrency: "unbounded" }
        )
        for (const perId of answers) {
          expect(perId.filter((answer) => answer === true).length).toBe(1)
          expect(perId.filter((answer) => answer !== true).every((answer) => answer === "busy")).toBe(true)
        }
        // Completed, the id is processed for every instance; released, it can be claimed again.
        yield* stores[0]!.complete!(ids[0]!)
        expect(yield* stores[1]!.claim(ids[0]!)).toBe(false)
        yield* stores[0]!.release(ids[1]!)
        expect(yield* stores[2]!.claim(ids[1]!)).toBe(true)
      })),
    30_000
  )

  it("shares de-duplication with the Effect 3 line: same keys, same scripts", async () => {
    const keyPrefix = namespace()
    const v3Claim = (id: string) => claimWithEffect3(server.url, keyPrefix, id)
    expect(await v3Claim("msg_both")).toBe(true)
    await scoped(Effect.gen(function*() {
      const store = yield* service(
        WebhookDeduplication,
        deduplication().pipe(Layer.provide(connection(server.url, keyPrefix)))
      )
      expect(yield* store.claim("msg_both")).toBe("busy")
      yield* store.complete!("msg_both")
    }))
    expect(await v3Claim("msg_both")).toBe(false)
  })

  it("an id claimed by a run that crashed is busy during its lease, then claimable", () =>
    scoped(Effect.gen(function*() {
      const keyPrefix = namespace()
      const layer = deduplication({ lease: "300 millis" }).pipe(Layer.provide(connection(server.url, keyPrefix)))
      const crashed = yield* service(WebhookDeduplication, layer)
      const other = yield* service(WebhookDeduplication, layer)
      expect(yield* crashed.claim("msg_crash")).toBe(true)
      expect(yield* other.claim("msg_crash")).toBe("busy")
      yield* Effect.sleep("450 millis")
      expect(yield* other.claim("msg_crash")).toBe(true)
    })))

  it(
    "a budget of 20 per 300 ms across two instances is never exceeded; a 429 holds the other instance",
    () =>
      scoped(Effect.gen(function*() {
        const keyPrefix = namespace()
        const admitted: Array<number> = []
        const limiter = () =>
          service(
            ClerkRateLimiter,
            rateLimiter({ limit: 20, window: "300 millis", onAdmitted: (at) => void admitted.push(at) }).pipe(
              Layer.provide(connection(server.url, keyPrefix))
            )
          )
        const [one, two] = yield* Effect.all([limiter(), limiter()])
        const started = Date.now()
        yield* Effect.all(
          [one!, two!].map((instance) =>
            Effect.forEach(Array.from({ length: 40 }), () => instance.acquire("key"), { concurrency: 4 })
          ),
          { concurrency: "unbounded" }
        )
        expect(admitted.length).toBe(80)
        const sorted = [...admitted].sort((a, b) => a - b)
        for (let i = 20; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 20]!).toBeGreaterThanOrEqual(300)
        // 80 admissions at 20 per 300 ms take at least three windows.
        expect(Date.now() - started).toBeGreaterThanOrEqual(850)

        yield* one!.backOff("held", Duration.millis(400))
        const before = Date.now()
        yield* two!.acquire("held")
        expect(Date.now() - before).toBeGreaterThanOrEqual(350)
      })),
    30_000
  )

  it(
    "instances share key sets and verified machine tokens",
    () =>
      Effect.runPromise(Effect.scoped(
        Effect.gen(function*() {
          const keyPrefix = namespace()
          const { keys } = yield* ClerkTest
          const count = (operation: string) =>
            Effect.map(ClerkTest.calls, (calls) => calls.filter((c) => c.operation === operation).length)
          const jwksOf = () =>
            service(
              ClerkJwks,
              ClerkJwks.layer().pipe(Layer.provide(jwksStore), Layer.provide(connection(server.url, keyPrefix)))
            )
          const [first, second] = yield* Effect.all([jwksOf(), jwksOf()])
          expect((yield* first.getKey(keys.kid, "RS256")).kid).toBe(keys.kid)
          expect((yield* second.getKey(keys.kid, "RS256")).kid).toBe(keys.kid)
          expect(yield* count("jwks.getJWKS")).toBe(1)
          const rotated = yield* generateKeys()
          yield* ClerkTest.handle("jwks.getJWKS", () => Effect.succeed(rotated.jwks as never))
          expect((yield* second.getKey(rotated.kid, "RS256")).kid).toBe(rotated.kid)
          expect((yield* first.getKey(rotated.kid, "RS256")).kid).toBe(rotated.kid)
          expect(yield* count("jwks.getJWKS")).toBe(2)

          yield* ClerkTest.handle("apiKeys.verify", () => Effect.succeed(verifiedApiKey as never))
          const authOf = () => sharingTokens(connection(server.url, keyPrefix))
          const instances = yield* Effect.all([authOf(), authOf(), authOf()])
          for (const instance of instances) {
            const state = yield* instance.authenticateToken("ak_v4_shared_fake")
            expect(state).toBeInstanceOf(SignedIn)
            expect(((state as SignedIn).auth as MachineAuth).scopes).toEqual(["jobs:run"])
          }
          expect(yield* count("apiKeys.verify")).toBe(1)
        }).pipe(Effect.provide(ClerkTest.layer))
      )),
    30_000
  )

  describe("Redis killed mid-run, then back", () => {
    let own: RedisServer

    beforeAll(async () => {
      own = await startRedis()
    }, 30_000)

    afterAll(async () => {
      await own?.stop()
    })

    it(
      "fail-closed refuses, fail-open decides locally, caches go on without it; back, Redis decides again",
      () =>
        Effect.runPromise(Effect.scoped(
          Effect.gen(function*() {
            const keyPrefix = namespace()
            const redisLayer = connection(own.url, keyPrefix)
            const closed = yield* service(WebhookDeduplication, deduplication().pipe(Layer.provide(redisLayer)))
            const open = yield* service(
              WebhookDeduplication,
              deduplication({ whenUnavailable: "fail-open" }).pipe(Layer.provide(redisLayer))
            )
            const budgetClosed = yield* service(
              ClerkRateLimiter,
              rateLimiter({ limit: 5, window: "1 second", whenUnavailable: "fail-closed" }).pipe(
                Layer.provide(redisLayer)
              )
            )
            const budgetOpen = yield* service(
              ClerkRateLimiter,
              rateLimiter({ limit: 5, window: "1 second" }).pipe(Layer.provide(redisLayer))
            )
            yield* ClerkTest.handle("apiKeys.verify", () => Effect.succeed(verifiedApiKey as never))
            const auth = yield* sharingTokens(redisLayer)

            yield* Effect.promise(() => own.stop())
            const refused = yield* Effect.exit(closed.claim("msg_down"))
            expect(Exit.isFailure(refused)).toBe(true)
            expect(String(Exit.isFailure(refused) && refused.cause)).toContain("ClerkRedisError")
            expect(yield* open.claim("msg_open")).toBe(true)
            expect(yield* open.claim("msg_open")).toBe(false)
            const notAdmitted = yield* Effect.exit(budgetClosed.acquire("key"))
            expect(Exit.isFailure(notAdmitted)).toBe(true)
            yield* budgetOpen.acquire("key")
            expect(yield* auth.authenticateToken("ak_v4_down_fake")).toBeInstanceOf(SignedIn)

            yield* Effect.promise(() => own.restart())
            let answer: boolean | "busy" | undefined
            for (let attempt = 0; attempt < 60 && answer === undefined; attempt++) {
              const exit = yield* Effect.exit(closed.claim("msg_down"))
              if (Exit.isSuccess(exit)) answer = exit.value
              else yield* Effect.sleep("100 millis")
            }
            expect(answer).toBe(true)
          }).pipe(Effect.provide(ClerkTest.layer))
        )),
      60_000
    )
  })

  it("a command Redis answers with an error is a typed ClerkRedisError naming the command, not the URL", () =>
    scoped(Effect.gen(function*() {
      const redis = yield* service(ClerkRedis, connection(server.url, namespace()))
      const exit = yield* Effect.exit(
        redis.command("broken", (client) => client.eval("return redis.error_reply('no')", 0))
      )
      expect(Exit.isFailure(exit)).toBe(true)
      const error = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
      expect(error?._tag === "Fail" && error.error).toBeInstanceOf(ClerkRedisError)
      const failure = (error as { readonly error: ClerkRedisError }).error
      expect(failure.reason).toBe("Command")
      expect(failure.command).toBe("broken")
      expect(failure.message).not.toContain(server.url)
    })))
})
