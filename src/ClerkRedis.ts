/**
 * Shared state for a fleet of instances, on Redis (through `ioredis`, an optional peer dependency that
 * only this entry, `effect-clerk/redis`, imports): one connection service, {@link ClerkRedis}, and the
 * stores built on it: webhook de-duplication, the request budget, key sets and verified machine tokens.
 *
 * Every command is bounded by `commandTimeout`: Redis down or slow fails the command with a
 * {@link ClerkRedisError} (`Timeout` or `Unavailable`) instead of holding a request, and each store
 * says what it does then (`whenUnavailable`). See docs/scaling.md.
 *
 * @since 0.2.0
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import { ClerkMachineTokenStore } from "./ClerkAuth.js"
import type { SharedTextStore } from "./ClerkAuth.js"
import { ClerkConfig } from "./ClerkConfig.js"
import { ClerkJwksStore } from "./ClerkJwks.js"
import type { ClerkJwksStoreService } from "./ClerkJwks.js"
import type { ClerkRateLimiterService, RateLimitOptions } from "./ClerkRateLimiter.js"
import { ClerkRateLimiter } from "./ClerkRateLimiter.js"
import { ClerkRedisError } from "./ClerkRedisError.js"
import { WebhookDeduplication, type WebhookDeduplicationService } from "./ClerkWebhooksHandler.js"
import { acquireLoop } from "./internal/rateWait.js"
import * as Window from "./internal/rateWindow.js"
import * as Shared from "./internal/redis.js"
import * as Dedup from "./internal/webhookDeduplication.js"

/**
 * Options of {@link ClerkRedis.layer}.
 *
 * @since 0.2.0
 * @category models
 */
export interface ClerkRedisOptions {
  /** `redis://[[user]:password@]host:port[/db]` (or `rediss://` for TLS): redacted, as it may hold a password. */
  readonly url: Redacted.Redacted<string>
  /** Prefix of every key written. Default `effect-clerk:`. */
  readonly keyPrefix?: string | undefined
  /** Longest wait for one command; past it the command fails with `Timeout`. Default 250 ms. */
  readonly commandTimeout?: Duration.DurationInput | undefined
  /**
   * Longest wait for the first connection when the layer is built. Past it the layer is built all the same
   * (commands fail with `Unavailable` until the connection comes up). Default 2 seconds.
   */
  readonly connectTimeout?: Duration.DurationInput | undefined
}

/**
 * One connection to Redis, shared by every store built on it.
 *
 * @since 0.2.0
 * @category models
 */
export interface ClerkRedisService {
  /** The prefix of every key written through this connection. */
  readonly keyPrefix: string
  /**
   * Runs one command on the connection, bounded by `commandTimeout`. `name` names it in errors and spans.
   * Commands are not queued while the connection is down: they fail at once with `Unavailable`.
   */
  readonly command: <A>(name: string, run: (client: Redis) => Promise<A>) => Effect.Effect<A, ClerkRedisError>
}

/** A command's failure, by what ioredis reported; never the URL. */
const errorOf = (command: string, cause: unknown): ClerkRedisError =>
  new ClerkRedisError(Shared.failureOf(command, cause))

const make = (options: ClerkRedisOptions): Effect.Effect<ClerkRedisService, never, Scope.Scope> =>
  Effect.gen(function*() {
    const commandTimeout = Duration.decode(options.commandTimeout ?? Shared.defaultCommandTimeoutMillis)
    const connectTimeout = Duration.decode(options.connectTimeout ?? Shared.defaultConnectTimeoutMillis)
    const client = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new Redis(
          Redacted.value(options.url),
          Shared.connectionOptions(Duration.toMillis(commandTimeout), Duration.toMillis(connectTimeout))
        )
      ),
      (client) => Effect.promise(() => client.quit().catch(() => client.disconnect()))
    )
    // Errors are answered per command; without a listener ioredis would print each reconnect failure.
    client.on("error", () => {})
    yield* Effect.async<void>((resume) => {
      if (client.status === "ready") return resume(Effect.void)
      const ready = () => resume(Effect.void)
      client.once("ready", ready)
      return Effect.sync(() => client.off("ready", ready))
    }).pipe(Effect.timeout(connectTimeout), Effect.ignore)
    const keyPrefix = options.keyPrefix ?? Shared.defaultKeyPrefix
    return {
      keyPrefix,
      command: <A>(name: string, run: (client: Redis) => Promise<A>) =>
        Effect.tryPromise({ try: () => run(client), catch: (cause) => errorOf(name, cause) }).pipe(
          // ioredis times the command out too; this bound also covers a connection that never answers.
          Effect.timeoutFail({
            duration: Duration.sum(commandTimeout, Duration.millis(50)),
            onTimeout: () => new ClerkRedisError(Shared.timedOut(name))
          }),
          Effect.withSpan(`ClerkRedis.${name}`, { kind: "client", attributes: { "db.system": "redis" } })
        )
    }
  })

/**
 * The connection to Redis, from `make`, `layer` or `layerConfig`.
 *
 * @since 0.2.0
 * @category tags
 */
export class ClerkRedis extends Context.Tag("effect-clerk/ClerkRedis")<ClerkRedis, ClerkRedisService>() {
  /** Opens a connection for the scope (closed with it). */
  static readonly make: (options: ClerkRedisOptions) => Effect.Effect<ClerkRedisService, never, Scope.Scope> = make

  /** A layer holding one connection. */
  static readonly layer = (options: ClerkRedisOptions): Layer.Layer<ClerkRedis> =>
    Layer.scoped(ClerkRedis, make(options))

  /**
   * The options read through `Config`: `CLERK_REDIS_URL` (redacted), and optionally `CLERK_REDIS_KEY_PREFIX`,
   * `CLERK_REDIS_COMMAND_TIMEOUT` and `CLERK_REDIS_CONNECT_TIMEOUT` (durations such as `"250 millis"`).
   */
  static readonly config: Config.Config<ClerkRedisOptions> = Config.all({
    url: Config.redacted("CLERK_REDIS_URL"),
    keyPrefix: Config.string("CLERK_REDIS_KEY_PREFIX").pipe(Config.withDefault(undefined)),
    commandTimeout: Config.duration("CLERK_REDIS_COMMAND_TIMEOUT").pipe(Config.withDefault(undefined)),
    connectTimeout: Config.duration("CLERK_REDIS_CONNECT_TIMEOUT").pipe(Config.withDefault(undefined))
  })

  /** A layer holding one connection, configured by {@link ClerkRedis.config}. */
  static readonly layerConfig: Layer.Layer<ClerkRedis, ConfigError.ConfigError> = Layer.unwrapEffect(
    Effect.map(ClerkRedis.config, ClerkRedis.layer)
  )
}

/**
 * What a store does when Redis cannot answer: `"fail-closed"` refuses (for webhooks: the delivery is
 * answered 500 and Svix retries it later, so nothing is lost and nothing runs twice); `"fail-open"` goes
 * on with this instance's memory (for webhooks: de-duplicated within the instance only, until Redis is back).
 *
 * @since 0.2.0
 * @category models
 */
export type WhenUnavailable = "fail-closed" | "fail-open"

/**
 * Options of {@link deduplication}.
 *
 * @since 0.2.0
 * @category models
 */
export interface RedisDeduplicationOptions {
  /** How long a processed id is remembered. Default 24 hours (longer than Svix's longest wait between attempts). */
  readonly ttl?: Duration.DurationInput | undefined
  /**
   * How long a claim holds while its run has not finished. A delivery of the same id meanwhile is answered
   * 409 (Svix tries again later); past it, the id of a run that crashed can be claimed again, so its retry is
   * processed. Longer than any run should take. Default 60 seconds.
   */
  readonly lease?: Duration.DurationInput | undefined
  /** Default `"fail-closed"`. */
  readonly whenUnavailable?: WhenUnavailable | undefined
}

const warnUnavailable = (what: string, error: ClerkRedisError) =>
  Effect.logWarning(`effect-clerk: Redis unavailable, ${what} falls back to this instance`).pipe(
    Effect.annotateLogs({ reason: error.reason, command: error.command })
  )

/**
 * Webhook de-duplication shared by every instance on the same Redis (`WebhookDeduplication` for
 * `ClerkWebhooksHandler.handler(..., { deduplicate: true })`): a delivery's id is claimed atomically with
 * a lease, marked processed for `ttl` once its run succeeded, and released when it failed. Of the same
 * delivery sent to several instances at once, one runs it; the others answer 409 while it runs and 200
 * (duplicate) once it is done.
 *
 * @since 0.2.0
 * @category constructors
 */
export const deduplication = (
  options: RedisDeduplicationOptions = {}
): Layer.Layer<WebhookDeduplication, never, ClerkRedis> =>
  Layer.effect(
    WebhookDeduplication,
    Effect.gen(function*() {
      const redis = yield* ClerkRedis
      const ttl = Duration.toMillis(Duration.decode(options.ttl ?? Duration.hours(Dedup.defaultTtlHours)))
      const lease = Duration.toMillis(Duration.decode(options.lease ?? Shared.defaultLeaseMillis))
      if (!(ttl > 0) || !(lease > 0)) {
        return yield* Effect.dieMessage("ClerkRedis.deduplication: ttl and lease must be longer than zero")
      }
      const failOpen = options.whenUnavailable === "fail-open"
      // The fallback of fail-open: this instance's own claims, for as long as Redis does not answer.
      const local = Dedup.memoryClaims(undefined, ttl)
      const key = Shared.keys(redis.keyPrefix).webhook
      const fallback = <A>(error: ClerkRedisError, local: Effect.Effect<A>): Effect.Effect<A> =>
        failOpen ?
          Effect.zipRight(warnUnavailable("webhook de-duplication", error), local)
          : Effect.die(error)
      const service: WebhookDeduplicationService = {
        claim: (id) =>
          redis.command("claim", (client) => client.eval(Shared.claimScript, 1, key(id), String(lease))).pipe(
            Effect.map(Shared.claimAnswer),
            Effect.catchAll((error) =>
              fallback(error, Effect.map(Clock.currentTimeMillis, (now) => local.claim(id, now)))
            )
          ),
        release: (id) =>
          redis.command("release", (client) => client.eval(Shared.releaseScript, 1, key(id))).pipe(
            Effect.zipRight(Effect.sync(() => local.release(id))),
            Effect.catchAll((error) => fallback(error, Effect.sync(() => local.release(id))))
          ),
        complete: (id) =>
          Effect.asVoid(redis.command("complete", (client) => client.set(key(id), "done", "PX", ttl)))
            .pipe(Effect.orDie)
      }
      return service
    })
  )

/**
 * Options of {@link rateLimiter}: at most `limit` requests in any `window`, for the whole fleet.
 *
 * @since 0.2.0
 * @category models
 */
export interface RedisRateLimitOptions extends RateLimitOptions {
  /**
   * Default `"fail-open"`: while Redis does not answer, this instance keeps a budget of its own (`limit` in
   * any `window`, for itself alone) and requests go on. `"fail-closed"`: a request that cannot get a decision
   * fails with `ClerkTransportError` and is not sent.
   */
  readonly whenUnavailable?: WhenUnavailable | undefined
  /**
   * Called with the time of each admission on Redis's clock (milliseconds since the epoch), the clock the
   * budget is kept by: for metrics, or to check the budget from outside.
   */
  readonly onAdmitted?: ((at: number) => void) | undefined
}

/**
 * A request budget shared by every instance on the same Redis (`ClerkRateLimiter` for `ClerkClient`): at
 * most `limit` requests in any `window` per secret key across the fleet (a sliding window log on Redis's
 * clock, in one atomic script), and a 429 with `Retry-After` on any instance holds every instance's calls
 * with that key. Provide it beside `ClerkBackend.layer` (or `ClerkClient.layer`), which read it when built.
 *
 * @since 0.2.0
 * @category constructors
 */
export const rateLimiter = (options: RedisRateLimitOptions): Layer.Layer<ClerkRateLimiter, never, ClerkRedis> =>
  Layer.effect(
    ClerkRateLimiter,
    Effect.gen(function*() {
      const redis = yield* ClerkRedis
      const windowMillis = Duration.toMillis(Duration.decode(options.window))
      yield* Effect.try({
        try: () => Window.checkBudget(options.limit, windowMillis, "ClerkRedis.rateLimiter"),
        catch: (error) => error
      }).pipe(Effect.orDie)
      const failClosed = options.whenUnavailable === "fail-closed"
      const local = Window.rateWindows(options.limit, windowMillis)
      const { budget: logKey, hold: holdKey } = Shared.keys(redis.keyPrefix)
      const unavailable = (error: ClerkRedisError, key: string, now: number): Effect.Effect<number> =>
        failClosed
          ? Effect.die(error)
          : Effect.as(warnUnavailable("the request budget", error), local.tryAcquire(key, now))
      const service: ClerkRateLimiterService = {
        acquire: (key) =>
          acquireLoop((now) =>
            redis.command(
              "acquire",
              (client) =>
                client.eval(
                  Shared.acquireScript,
                  2,
                  logKey(key),
                  holdKey(key),
                  String(options.limit),
                  String(windowMillis),
                  crypto.randomUUID()
                ) as Promise<[number, number]>
            ).pipe(
              Effect.map(([wait, at]) => {
                if (wait === 0) options.onAdmitted?.(at)
                return wait
              }),
              Effect.catchAll((error) => unavailable(error, key, now))
            )
          ),
        backOff: (key, delay) => {
          const millis = Shared.pxOf(Duration.toMillis(delay))
          return redis.command("hold", (client) => client.eval(Shared.holdScript, 1, holdKey(key), String(millis)))
            .pipe(
              Effect.asVoid,
              // Held here at least, whatever Redis says: this instance got the 429.
              Effect.ensuring(Effect.map(Clock.currentTimeMillis, (now) => local.hold(key, now + millis))),
              Effect.catchAll(() => Effect.void)
            )
        }
      }
      return service
    })
  )

/** Text with expiry on Redis; what cannot be read is read as absent, and logged at debug level. */
const textStore = (redis: ClerkRedisService, name: string, what: string): SharedTextStore => {
  const logged = (error: ClerkRedisError) =>
    Effect.logDebug(`effect-clerk: Redis unavailable for the shared ${what}; going on without it`).pipe(
      Effect.annotateLogs({ reason: error.reason, command: error.command })
    )
  const { text } = Shared.keys(redis.keyPrefix)
  return {
    get: (key) =>
      redis.command(`${name}.get`, (client) => client.get(text(key))).pipe(
        Effect.map(Option.fromNullable),
        Effect.catchAll((error) => Effect.as(logged(error), Option.none()))
      ),
    set: (key, value, ttl) =>
      redis.command(
        `${name}.set`,
        (client) => client.set(text(key), value, "PX", Shared.pxOf(Duration.toMillis(ttl)))
      ).pipe(Effect.asVoid, Effect.catchAll(logged))
  }
}

/**
 * The key sets `ClerkJwks` fetches, shared by every instance on the same Redis (`ClerkJwksStore`): an
 * instance reads the set another one stored before fetching its own, and stores what it fetched for the
 * key set's TTL, so a fleet fetches `/jwks` about once per TTL and once per key rotation. Redis away, each
 * instance fetches for itself, as without a store (a key set is never refused for want of Redis).
 *
 * @since 0.2.0
 * @category constructors
 */
export const jwksStore: Layer.Layer<ClerkJwksStore, never, ClerkRedis> = Layer.effect(
  ClerkJwksStore,
  Effect.map(ClerkRedis, (redis): ClerkJwksStoreService => textStore(redis, "jwks", "key set"))
)

/**
 * The opaque machine tokens (API keys, M2M tokens, OAuth access tokens) Clerk verified, shared by every
 * instance on the same Redis (`ClerkMachineTokenStore`, for `ClerkAuth` with `machineTokenCacheTtl`): a token
 * one instance verified is accepted by the others without asking Clerk until its entry's time is up (the TTL,
 * never past the token's expiry). Entries are sealed with the secret key of the `ClerkConfig` in context
 * (`ClerkMachineTokenStore.make`): Redis holds no token and cannot vouch for one. Redis away, each instance
 * asks Clerk itself, as without a store.
 *
 * @since 0.2.0
 * @category constructors
 */
export const machineTokenStore: Layer.Layer<ClerkMachineTokenStore, never, ClerkRedis | ClerkConfig> = Layer.effect(
  ClerkMachineTokenStore,
  Effect.flatMap(
    Effect.all([ClerkRedis, ClerkConfig]),
    ([redis, config]) =>
      ClerkMachineTokenStore.make(textStore(redis, "tokens", "machine-token cache"), config.secretKey)
  )
)
