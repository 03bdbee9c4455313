/**
 * When and how failed Clerk calls are tried again.
 *
 * The policy is a service: provide one for the whole program with
 * {@link ClerkRetryPolicy.layer}, or for a single call with
 * `Effect.provideService(ClerkRetryPolicy, ClerkRetryPolicy.none)`.
 *
 * @since 0.1.0
 */
import type * as HttpMethod from "@effect/platform/HttpMethod"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import type { ClerkError } from "./ClerkError.js"
import { isRetryableByDefault } from "./internal/retryDecision.js"

/**
 * A retry policy.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClerkRetryPolicyService {
  /** Delays between attempts and when to give up; its input is the failure of the last attempt. */
  readonly schedule: Schedule.Schedule<unknown, ClerkError>
  /** Whether a failure of a request with this method may be retried at all. */
  readonly isRetryable: (error: ClerkError, method: HttpMethod.HttpMethod) => boolean
  /** The longest `Retry-After` honoured; a longer one is cut to this. */
  readonly maxRetryAfter: Duration.Duration
}

/**
 * Options of {@link ClerkRetryPolicy.make}; each replaces the default's part.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClerkRetryPolicyOptions {
  readonly schedule?: Schedule.Schedule<unknown, ClerkError> | undefined
  readonly isRetryable?: ((error: ClerkError, method: HttpMethod.HttpMethod) => boolean) | undefined
  readonly maxRetryAfter?: Duration.DurationInput | undefined
}

/**
 * The default decision: 429 always; 5xx (but 501) and transport failures for idempotent
 * methods (GET, HEAD, OPTIONS, PUT, DELETE); for POST and PATCH only failures where the
 * request provably never reached Clerk (connection refused, DNS).
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultIsRetryable: (error: ClerkError, method: HttpMethod.HttpMethod) => boolean = isRetryableByDefault

/**
 * The default schedule: jittered exponential backoff from 500 ms, factor 1.5, each
 * delay at most 5 s, at most 4 retries, and no retry once 20 s have passed.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultSchedule: Schedule.Schedule<unknown, ClerkError> = Schedule.exponential("500 millis", 1.5).pipe(
  Schedule.jittered,
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(5))),
  Schedule.intersect(Schedule.recurs(4)),
  Schedule.upTo(Duration.seconds(20))
)

/**
 * The default cap on `Retry-After`.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultMaxRetryAfter: Duration.Duration = Duration.seconds(20)

/**
 * The retry policy service.
 *
 * @since 0.1.0
 * @category tags
 */
export class ClerkRetryPolicy extends Context.Tag("effect-clerk/ClerkRetryPolicy")<
  ClerkRetryPolicy,
  ClerkRetryPolicyService
>() {
  /** Builds a policy: the default with the given parts replaced. */
  static readonly make = (options: ClerkRetryPolicyOptions = {}): ClerkRetryPolicyService => ({
    schedule: options.schedule ?? defaultSchedule,
    isRetryable: options.isRetryable ?? defaultIsRetryable,
    maxRetryAfter: Duration.decode(options.maxRetryAfter ?? defaultMaxRetryAfter)
  })

  /** The default policy (see {@link defaultSchedule} and {@link defaultIsRetryable}). */
  static readonly default: ClerkRetryPolicyService = ClerkRetryPolicy.make()

  /** Never retries. */
  static readonly none: ClerkRetryPolicyService = {
    schedule: Schedule.stop,
    isRetryable: () => false,
    maxRetryAfter: Duration.zero
  }

  /** A layer providing {@link ClerkRetryPolicy.make} of the options (a whole policy is valid options too). */
  static readonly layer = (options: ClerkRetryPolicyOptions = {}): Layer.Layer<ClerkRetryPolicy> =>
    Layer.succeed(ClerkRetryPolicy, ClerkRetryPolicy.make(options))
}

/**
 * Builds a policy: the default with the given parts replaced.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: typeof ClerkRetryPolicy.make = ClerkRetryPolicy.make

/**
 * A policy that never retries.
 *
 * @since 0.2.0
 * @category constructors
 */
export const none: typeof ClerkRetryPolicy.none = ClerkRetryPolicy.none

/**
 * A layer providing {@link make} of the options.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: typeof ClerkRetryPolicy.layer = ClerkRetryPolicy.layer
