/**
 * Applies a `ClerkRetryPolicy` to one attempt on Effect 4, honouring `Retry-After`.
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

/** The policy's schedule with Clerk's `Retry-After` (capped) in place of the computed delay, logging each retry. */
export const scheduleFor = (
  policy: ClerkRetryPolicyService,
  descriptor: Descriptor
): Schedule.Schedule<unknown, ClerkError> =>
  policy.schedule.pipe(
    Schedule.modifyDelay(({ attempt, duration, input }) => {
      const requested = retryAfterOf(input)
      const delay = requested === undefined ? duration : Duration.min(requested, policy.maxRetryAfter)
      return Effect.as(
        Effect.logDebug("effect-clerk: retrying").pipe(
          Effect.annotateLogs({
            operation: descriptor.name,
            attempt: attempt + 1,
            delay: Duration.format(delay),
            reason: input._tag
          })
        ),
        delay
      )
    })
  )

/** Retries an attempt as the policy says, for the descriptor's method; a failure it does not retry ends at once. */
export const apply = <A>(
  attempt: Effect.Effect<A, ClerkError>,
  policy: ClerkRetryPolicyService,
  descriptor: Descriptor
): Effect.Effect<A, ClerkError> =>
  Effect.retry(attempt, {
    schedule: scheduleFor(policy, descriptor),
    while: (error: ClerkError) => policy.isRetryable(error, descriptor.method)
  })
