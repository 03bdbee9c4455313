/**
 * Applies a `ClerkRetryPolicy` to one attempt, honouring `Retry-After`.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type { Descriptor } from "../ClerkDescriptor.js"
import type { ClerkError } from "../ClerkError.js"
import type { ClerkRetryPolicyService } from "../ClerkRetryPolicy.js"

const retryAfterOf = (error: ClerkError): Duration.Duration | undefined =>
  "retryAfter" in error ? error.retryAfter : undefined

/**
 * The policy's schedule, stopped by a failure the policy does not retry, with Clerk's `Retry-After` (capped) in
 * place of the computed delay, logging each retry. The retryability check sits inside the schedule, before the
 * delay is computed, so the log line is written only for a retry that will happen, with the delay it waits.
 */
export const scheduleFor = (
  policy: ClerkRetryPolicyService,
  descriptor: Descriptor
): Schedule.Schedule<unknown, ClerkError> =>
  policy.schedule.pipe(
    Schedule.intersect(Schedule.identity<ClerkError>()),
    Schedule.intersect(Schedule.count),
    Schedule.whileInput((error: ClerkError) => policy.isRetryable(error, descriptor.method)),
    Schedule.modifyDelayEffect(([[, error], retries], computed) => {
      const requested = retryAfterOf(error)
      const delay = requested === undefined ? computed : Duration.min(requested, policy.maxRetryAfter)
      return Effect.as(
        Effect.logDebug("effect-clerk: retrying").pipe(
          Effect.annotateLogs({
            operation: descriptor.name,
            attempt: retries + 2,
            delay: Duration.format(delay),
            reason: error._tag
          })
        ),
        delay
      )
    })
  )

/** Retries an attempt as the policy says, for the descriptor's method. */
export const apply = <A>(
  attempt: Effect.Effect<A, ClerkError>,
  policy: ClerkRetryPolicyService,
  descriptor: Descriptor
): Effect.Effect<A, ClerkError> => Effect.retry(attempt, scheduleFor(policy, descriptor))
