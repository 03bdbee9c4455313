/**
 * ClerkRedis against a real `redis-server` (Debian's, started here on 127.0.0.1 on a free port and stopped
 * by PID): webhook de-duplication shared by handlers that each hold their own connection, the lease of a
 * crashed run, and what happens when Redis is slow, killed and back.
 */
import * as HttpApp from "@effect/platform/HttpApp"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { Redis } from "ioredis"
import { type ChildProcess, spawn } from "node:child_process"
import * as Path from "node:path"
import type { MachineAuth } from "../src/ClerkAuth.js"
import { ClerkAuth, SignedIn } from "../src/ClerkAuth.js"
import { generateKeys } from "../src/ClerkAuthTesting.js"
import { ClerkConfig } from "../src/ClerkConfig.js"
import { ClerkJwks } from "../src/ClerkJwks.js"
import { ClerkRateLimiter } from "../src/ClerkRateLimiter.js"
import type { RedisDeduplicationOptions } from "../src/ClerkRedis.js"
import { ClerkRedis, deduplication, jwksStore, machineTokenStore, rateLimiter } from "../src/ClerkRedis.js"
import { ClerkRedisError } from "../src/ClerkRedisError.js"
import { ClerkTest } from "../src/ClerkTest.js"
import { ClerkWebhooks } from "../src/ClerkWebhooks.js"
import { handler, WebhookDeduplication } from "../src/ClerkWebhooksHandler.js"
import { generateSigningSecret, signWebhook } from "../src/ClerkWebhooksTesting.js"
import { freePort } from "./support/Prism.js"
import type { RedisServer } from "./support/RedisServer.js"
import { redisUnavailable, startRedis } from "./support/RedisServer.js"
import { verifiedApiKey } from "./support/VerifiedApiKey.js"

const unavailable = redisUnavailable()
if (unavailable !== undefined) console.warn(unavailable)

const SECRET = generateSigningSecret()
const event = {
  object: "event",
  type: "widget.created",
  timestamp: 1_716_883_200_000,
  instance_id: "ins_redis",
  data: {}
}

/** A signed delivery of `id`, as a web `Request` (each call a new one: a body is read once). */
const delivery = (id: string) =>
  Effect.map(
    signWebhook({ secret: SECRET, body: event, id }),
    (signed) => () =>
      new Request("http://127.0.0.1/webhooks", { method: "POST", headers: signed.headers, body: signed.body })
  )

const apiKey = "ak_redis_shared_fake_0001"

/** One instance's ClerkAuth, accepting API keys, on its own Redis connection and the fake in context. */
const authInstance = (url: string, keyPrefix: string) =>
  Effect.map(
    Layer.build(
      ClerkAuth.layer({ acceptsToken: "api_key", machineTokenCacheTtl: "1 minute" }).pipe(
        Layer.provide(machineTokenStore),
        Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_redis_fake") })),
        Layer.provide(ClerkRedis.layer({ url: Redacted.make(url), keyPrefix, connectTimeout: "500 millis" }))
      )
    ),
    (context) => Context.get(context, ClerkAuth)
  )

/** The fake answers every API key as valid, and counts how often it was asked. */
const verifiedByFake = Effect.gen(function*() {
  yield* ClerkTest.handle("apiKeys.verify", () => Effect.succeed(verifiedApiKey as never))
  return Effect.map(ClerkTest.calls, (calls) => calls.filter((c) => c.operation === "apiKeys.verify").length)
})

const acceptedKey = (state: unknown): MachineAuth => {
  expect(state).toBeInstanceOf(SignedIn)
  return (state as SignedIn).auth as MachineAuth
}

/** Keys of one test apart from another's, on the one server. */
let namespaces = 0
const namespace = () => `test${++namespaces}-${process.pid}:`

interface Instance {
  readonly handle: (request: Request) => Promise<Response>
  readonly dispose: () => Promise<void>
}

/**
 * One "instance" of an application: a webhook handler with de-duplication on its own Redis connection,
 * counting its runs per id into `runs`.
 */
const instance = (
  url: string,
  keyPrefix: string,
  runs: Map<string, number>,
  options: RedisDeduplicationOptions & { readonly work?: Effect.Effect<void, unknown> } = {}
): Instance => {
  const app = handler((_event, { id }) =>
    Effect.zipRight(
      Effect.sync(() => void runs.set(id, (runs.get(id) ?? 0) + 1)),
      options.work ?? Effect.void
    ), { deduplicate: true })
  const layer = Layer.mergeAll(
    ClerkWebhooks.layer({ signingSecret: Redacted.make(SECRET) }),
    deduplication(options).pipe(
      Layer.provide(ClerkRedis.layer({ url: Redacted.make(url), keyPrefix, commandTimeout: "250 millis" }))
    ),
    Logger.remove(Logger.defaultLogger)
  )
  const web = HttpApp.toWebHandlerLayer(app, layer)
  return { handle: (request) => web.handler(request), dispose: web.dispose }
}

const withInstances = <A>(count: number, make: (i: number) => Instance, use: (all: Array<Instance>) => Promise<A>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => Array.from({ length: count }, (_, i) => make(i))),
    (all) => Effect.promise(() => use(all)),
    (all) => Effect.promise(() => Promise.all(all.map((one) => one.dispose())))
  )

/** The limiter of a layer built in the current scope (its connection open until the scope closes). */
const limiterIn = (layer: Layer.Layer<ClerkRateLimiter>) =>
  Effect.map(Layer.build(layer), (context) => Context.get(context, ClerkRateLimiter))

if (unavailable !== undefined) {
  describe("ClerkRedis", () => {
    it.skip(unavailable, () => {})
  })
}

describe.skipIf(unavailable !== undefined)("ClerkRedis (real redis-server)", () => {
  let server: RedisServer

  beforeAll(async () => {
    server = await startRedis()
  }, 30_000)

  afterAll(async () => {
    await server?.stop()
  })

  it.live(
    "the same deliveries sent to 10 handlers at once, each on its own connection, run exactly once",
    () =>
      Effect.gen(function*() {
        const runs = new Map<string, number>()
        const keyPrefix = namespace()
        const ids = Array.from({ length: 20 }, (_, i) => `msg_fleet_${i}`)
        const requests = yield* Effect.forEach(ids, delivery)
        const statuses = yield* withInstances(
          10,
          () => instance(server.url, keyPrefix, runs, { work: Effect.sleep("30 millis") }),
          async (all) => {
            const answers = await Promise.all(
              requests.flatMap((request) => all.map((one) => one.handle(request())))
            )
            return answers.map((answer) => answer.status)
          }
        )
        // Every id ran once, on one of the ten; the others answered 409 (busy) or 200 (duplicate), never 500.
        expect([...runs.values()]).toEqual(ids.map(() => 1))
        expect(runs.size).toBe(ids.length)
        expect(statuses.filter((status) => status !== 200 && status !== 409)).toEqual([])
        expect(statuses.length).toBe(200)
      }),
    60_000
  )

  it.live("a run that fails releases its id, so the retry runs; a processed id answers duplicate", () =>
    Effect.gen(function*() {
      const runs = new Map<string, number>()
      const keyPrefix = namespace()
      let fail = true
      const request = yield* delivery("msg_retry")
      const [first, second, third] = yield* withInstances(
        1,
        () =>
          instance(server.url, keyPrefix, runs, {
            work: Effect.suspend(() => fail ? (fail = false, Effect.fail("no")) : Effect.void)
          }),
        async ([one]) => {
          const answers = []
          for (let i = 0; i < 3; i++) answers.push(await (await one!.handle(request())).json())
          return answers
        }
      )
      expect([first, second, third]).toEqual([
        { ok: false, message: "the webhook could not be processed" },
        { ok: true },
        { ok: true, duplicate: true }
      ])
      expect(runs.get("msg_retry")).toBe(2)
    }))

  it.live("an id claimed by a run that crashed is busy (409) during its lease, then processed", () =>
    Effect.gen(function*() {
      const runs = new Map<string, number>()
      const keyPrefix = namespace()
      // The crashed instance: claimed, then gone without completing or releasing.
      const crashed = yield* Effect.provide(
        Effect.flatMap(WebhookDeduplication, (store) => store.claim("msg_crash")),
        deduplication({ lease: "400 millis" }).pipe(
          Layer.provide(ClerkRedis.layer({ url: Redacted.make(server.url), keyPrefix }))
        )
      )
      expect(crashed).toBe(true)
      const request = yield* delivery("msg_crash")
      const statuses = yield* withInstances(
        1,
        () => instance(server.url, keyPrefix, runs, { lease: "400 millis" }),
        async ([one]) => {
          const during = (await one!.handle(request())).status
          await new Promise((resolve) => setTimeout(resolve, 600))
          const after = (await one!.handle(request())).status
          const again = (await one!.handle(request())).status
          return [during, after, again]
        }
      )
      expect(statuses).toEqual([409, 200, 200])
      expect(runs.get("msg_crash")).toBe(1)
    }))

  it.live("a slow Redis fails the command with Timeout within its bound, instead of holding the request", () =>
    Effect.scoped(Effect.gen(function*() {
      const redis = yield* ClerkRedis.make({ url: Redacted.make(server.url), commandTimeout: "200 millis" })
      const admin = new Redis(server.url)
      yield* Effect.addFinalizer(() => Effect.promise(() => admin.quit()))
      yield* Effect.promise(() => admin.call("CLIENT", "PAUSE", "1500", "WRITE"))
      const exit = yield* Effect.exit(redis.command("set", (client) => client.set("effect-clerk:slow", "1")))
      expect(exit).toStrictEqual(Exit.fail(
        new ClerkRedisError({
          reason: "Timeout",
          command: "set",
          message: "set: no answer in time"
        })
      ))
      yield* Effect.promise(() => admin.call("CLIENT", "UNPAUSE"))
    })))

  it.live(
    "a budget of N per window holds across 4 processes, each with two callers: never over, within 5% of it",
    () =>
      Effect.gen(function*() {
        const limit = 40
        const windowMs = 500
        const runMs = 4_000
        const keyPrefix = namespace()
        const worker = Path.join(import.meta.dirname, "support", "rateLimitWorker.ts")
        // Every worker starts once all four are connected, at one time given to all.
        let ready = 0
        const children: Array<ChildProcess> = []
        const go = () => {
          const startAt = String(Date.now() + 200)
          for (const child of children) child.stdin?.write(`${startAt}\n`)
        }
        const outputs = yield* Effect.forEach(
          [0, 1, 2, 3],
          () =>
            Effect.promise(() =>
              new Promise<ReadonlyArray<number>>((resolve, reject) => {
                const child = spawn(process.execPath, [
                  "--import",
                  "tsx",
                  worker,
                  server.url,
                  keyPrefix,
                  String(limit),
                  String(windowMs),
                  String(runMs)
                ], { stdio: ["pipe", "pipe", "pipe"] })
                children.push(child)
                let out = ""
                child.stdout.on("data", (chunk) => {
                  const text = String(chunk)
                  if (!out.includes("READY") && text.includes("READY") && ++ready === 4) go()
                  out += text
                })
                child.stderr.on("data", (chunk) => (out += String(chunk)))
                const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
                child.once("exit", (code) => {
                  clearTimeout(timer)
                  const line = out.split("\n").find((text) => text.startsWith("ADMITTED "))
                  if (code === 0 && line !== undefined) resolve(JSON.parse(line.slice("ADMITTED ".length)))
                  else reject(new Error(`worker exited with ${code}: ${out.slice(-2_000)}`))
                })
              })
            ),
          { concurrency: "unbounded" }
        )
        const all = outputs.flat().sort((a, b) => a - b)
        // The most admissions any window of the budget's length saw (two pointers over the sorted times).
        let most = 0
        for (let lo = 0, hi = 0; hi < all.length; hi++) {
          while (all[hi]! - all[lo]! >= windowMs) lo++
          most = Math.max(most, hi - lo + 1)
        }
        const perWindow = all.length / (runMs / windowMs)
        console.log(
          `ClerkRedis.rateLimiter: ${limit} per ${windowMs} ms across 4 processes × 2 callers for ${runMs} ms: ` +
            `${all.length} admitted (${outputs.map((out) => out.length).join(" + ")}), ${
              perWindow.toFixed(1)
            } per window ` +
            `on average, at most ${most} in any window`
        )
        expect(outputs.every((out) => out.length > 0)).toBe(true)
        expect(most).toBeLessThanOrEqual(limit)
        expect(perWindow).toBeGreaterThanOrEqual(limit * 0.95)
        expect(perWindow).toBeLessThanOrEqual(limit * 1.05 * (1 + windowMs / runMs))
      }),
    60_000
  )

  it.live("a 429 seen by one instance holds the others' calls with that key", () =>
    Effect.gen(function*() {
      const keyPrefix = namespace()
      const limiterOf = () =>
        limiterIn(
          rateLimiter({ limit: 100, window: "1 second" }).pipe(
            Layer.provide(ClerkRedis.layer({ url: Redacted.make(server.url), keyPrefix }))
          )
        )
      yield* Effect.scoped(Effect.gen(function*() {
        const [refused, other] = yield* Effect.all([limiterOf(), limiterOf()])
        yield* other.acquire("key")
        yield* refused.backOff("key", Duration.millis(800))
        // The other instance waits for the hold, and goes once it is over.
        expect(Option.isNone(yield* Effect.timeout(other.acquire("key"), "200 millis").pipe(Effect.option))).toBe(true)
        yield* Effect.timeout(other.acquire("key"), "3 seconds")
      }))
    }))

  it.live("Redis away: fail-open keeps this instance's own budget, fail-closed refuses (the call is not sent)", () =>
    Effect.gen(function*() {
      const nowhere = `redis://127.0.0.1:${yield* Effect.promise(() => freePort())}`
      const limiterOf = (whenUnavailable: "fail-open" | "fail-closed") =>
        limiterIn(
          rateLimiter({ limit: 1, window: "1 minute", whenUnavailable }).pipe(
            Layer.provide(ClerkRedis.layer({ url: Redacted.make(nowhere), connectTimeout: "100 millis" }))
          )
        )
      yield* Effect.scoped(Effect.gen(function*() {
        const open = yield* limiterOf("fail-open")
        yield* Effect.timeout(open.acquire("key"), "2 seconds")
        // The local budget of 1 per minute is spent: the next one waits.
        expect(Option.isNone(yield* Effect.timeout(open.acquire("key"), "300 millis").pipe(Effect.option))).toBe(true)
        const closed = yield* limiterOf("fail-closed")
        const exit = yield* Effect.exit(Effect.timeout(closed.acquire("key"), "2 seconds"))
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(true)
        const died = Exit.isFailure(exit) ? Cause.dieOption(exit.cause) : Option.none()
        expect(Option.getOrUndefined(died)).toMatchObject({ _tag: "ClerkRedisError", reason: "Unavailable" })
      }))
    }))

  it.live("instances share fetched key sets: one /jwks fetch for two instances, one more per rotation", () =>
    Effect.gen(function*() {
      const keyPrefix = namespace()
      const instanceJwks = () =>
        Effect.map(
          Layer.build(
            ClerkJwks.layer().pipe(
              Layer.provide(jwksStore),
              Layer.provide(ClerkRedis.layer({ url: Redacted.make(server.url), keyPrefix }))
            )
          ),
          (context) => Context.get(context, ClerkJwks)
        )
      const fetches = Effect.map(ClerkTest.calls, (calls) => calls.filter((c) => c.operation === "jwks.getJWKS").length)
      yield* Effect.scoped(Effect.gen(function*() {
        const { keys } = yield* ClerkTest
        const [first, second] = yield* Effect.all([instanceJwks(), instanceJwks()])
        expect((yield* first.getKey(keys.kid, "RS256")).kid).toBe(keys.kid)
        expect((yield* second.getKey(keys.kid, "RS256")).kid).toBe(keys.kid)
        expect(yield* fetches).toBe(1)
        // The instance's keys rotate: the first instance to see a token of the new key fetches and shares it.
        const rotated = yield* generateKeys()
        yield* ClerkTest.handle("jwks.getJWKS", () => Effect.succeed(rotated.jwks as never))
        expect((yield* second.getKey(rotated.kid, "RS256")).kid).toBe(rotated.kid)
        expect((yield* first.getKey(rotated.kid, "RS256")).kid).toBe(rotated.kid)
        expect(yield* fetches).toBe(2)
      }))
    }).pipe(Effect.provide(ClerkTest.layer)))

  it.live("a machine token one instance verified is accepted by three others without asking Clerk; Redis holds no token", () =>
    Effect.gen(function*() {
      const keyPrefix = namespace()
      const verifyCalls = yield* verifiedByFake
      yield* Effect.scoped(Effect.gen(function*() {
        const instances = yield* Effect.all(Array.from({ length: 4 }, () => authInstance(server.url, keyPrefix)))
        const first = acceptedKey(yield* instances[0]!.authenticateToken(apiKey))
        expect(first.scopes).toEqual(["jobs:run"])
        for (const other of instances.slice(1)) {
          expect(acceptedKey(yield* other.authenticateToken(apiKey))).toEqual(first)
        }
        expect(yield* verifyCalls).toBe(1)
      }))
      const admin = new Redis(server.url)
      yield* Effect.addFinalizer(() => Effect.promise(() => admin.quit()))
      const keys = yield* Effect.promise(() => admin.keys(`${keyPrefix}*`))
      expect(keys.length).toBe(1)
      expect(keys[0]).toMatch(new RegExp(`^${keyPrefix}machine-token:[0-9a-f]{64}$`))
      const stored = yield* Effect.promise(() => admin.get(keys[0]!))
      expect(stored).not.toContain(apiKey)
      const ttl = yield* Effect.promise(() => admin.pttl(keys[0]!))
      expect(ttl).toBeGreaterThan(50_000)
      expect(ttl).toBeLessThanOrEqual(60_000)
    }).pipe(Effect.scoped, Effect.provide(ClerkTest.layer)))

  describe("Redis killed mid-run, then back", () => {
    let own: RedisServer

    beforeAll(async () => {
      own = await startRedis()
    }, 30_000)

    afterAll(async () => {
      await own?.stop()
    })

    it.live(
      "fail-closed answers 500 (Svix retries later); fail-open runs with this instance's memory; back, Redis decides again",
      () =>
        Effect.gen(function*() {
          const runs = new Map<string, number>()
          const keyPrefix = namespace()
          const [before, down, downOpen, downOpenAgain, back] = yield* Effect.forEach(
            ["msg_before", "msg_down", "msg_open", "msg_open", "msg_down"],
            delivery
          )
          const answers = yield* withInstances(
            2,
            (i) => instance(own.url, keyPrefix, runs, { whenUnavailable: i === 0 ? "fail-closed" : "fail-open" }),
            async ([closed, open]) => {
              const statuses: Array<number> = []
              statuses.push((await closed!.handle(before!())).status)
              await own.stop()
              statuses.push((await closed!.handle(down!())).status)
              statuses.push((await open!.handle(downOpen!())).status)
              statuses.push((await open!.handle(downOpenAgain!())).status)
              await own.restart()
              // The connection comes back on its own (reconnect backs off up to 2 s).
              for (let attempt = 0; attempt < 60; attempt++) {
                const status = (await closed!.handle(back!())).status
                if (status !== 500) {
                  statuses.push(status)
                  break
                }
                await new Promise((resolve) => setTimeout(resolve, 100))
              }
              return statuses
            }
          )
          expect(answers).toEqual([200, 500, 200, 200, 200])
          // msg_down ran once: refused while Redis was down, processed once it was back.
          expect(Object.fromEntries(runs)).toEqual({ msg_before: 1, msg_down: 1, msg_open: 1 })
        }),
      60_000
    )

    it.live(
      "with Redis down, each instance verifies machine tokens with Clerk itself; none is refused",
      () =>
        Effect.gen(function*() {
          const keyPrefix = namespace()
          const verifyCalls = yield* verifiedByFake
          const [one, two] = yield* Effect.all([authInstance(own.url, keyPrefix), authInstance(own.url, keyPrefix)])
          yield* Effect.promise(() => own.stop())
          const started = Date.now()
          acceptedKey(yield* one.authenticateToken(apiKey))
          acceptedKey(yield* two.authenticateToken(apiKey))
          expect(yield* verifyCalls).toBe(2)
          // Each store call fails at once (no offline queue) or within its bound; nothing waited for Redis.
          expect(Date.now() - started).toBeLessThan(5_000)
          yield* Effect.promise(() => own.restart())
        }).pipe(Effect.scoped, Effect.provide(ClerkTest.layer)),
      30_000
    )
  })
})
