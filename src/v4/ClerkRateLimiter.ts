/**
 * A request budget for the Backend API, per secret key, for Effect 4: with a `ClerkRateLimiter` in context,
 * `ClerkClient` asks it before every attempt (retries included), and tells it when Clerk answered 429 with
 * `Retry-After`, so every caller of that key waits, not only the one that was refused.
 *
 * @since 0.2.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Window from "../internal/rateWindow.js"
import { acquireLoop } from "./internal/rateWait.js"

/**
 * A request budget.
 *
 * @since 0.2.0
 * @category models
 */
export interface ClerkRateLimiterService {
  /**
   * Waits until one more request may be sent under `key` (a digest of the secret key, never the key). A
   * limiter that cannot decide dies: the call then fails with `ClerkTransportError` and is not sent.
   */
  readonly acquire: (key: string) => Effect.Effect<void>
  /** Clerk answered 429 with `Retry-After`: no request goes out under `key` for `delay`. */
  readonly backOff: (key: string, delay: Duration.Duration) => Effect.Effect<void>
}

/**
 * Options of {@link ClerkRateLimiter.memory}: at most `limit` requests in any `window`.
 *
 * @since 0.2.0
 * @category models
 */
export interface RateLimitOptions {
  readonly limit: number
  readonly window: Duration.Input
}

/**
 * The request budget `ClerkClient` consults when one is in context.
 *
 * @since 0.2.0
 * @category tags
 */
export class ClerkRateLimiter extends Context.Service<ClerkRateLimiter, ClerkRateLimiterService>()(
  "effect-clerk/ClerkRateLimiter"
) {
  /** A limiter from its two operations (a store of your own). */
  static readonly make = (service: ClerkRateLimiterService): ClerkRateLimiterService => service

  /**
   * A budget in this process's memory: at most `limit` requests in any `window` (a sliding window, by the
   * `Clock`), per secret key. A limit that is not a positive integer, or a window that is not a positive
   * duration, is a defect when the layer is built.
   */
  static readonly memory = (options: RateLimitOptions): Layer.Layer<ClerkRateLimiter> =>
    Layer.sync(ClerkRateLimiter, () => {
      const windowMillis = Duration.toMillis(Duration.fromInputUnsafe(options.window))
      Window.checkBudget(options.limit, windowMillis, "ClerkRateLimiter.memory")
      const windows = Window.rateWindows(options.limit, windowMillis)
      return {
        acquire: (key) => acquireLoop((now) => Effect.succeed(windows.tryAcquire(key, now))),
        backOff: (key, delay) =>
          Effect.map(Clock.currentTimeMillis, (now) => windows.hold(key, now + Duration.toMillis(delay)))
      }
    })
}

/**
 * A budget in this process's memory: {@link ClerkRateLimiter.memory}.
 *
 * @since 0.2.0
 * @category layers
 */
export const memory: typeof ClerkRateLimiter.memory = ClerkRateLimiter.memory
