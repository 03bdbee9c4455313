/**
 * How `ClerkClient` consults a request budget (Effect 4).
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { digestOfSecretOnce } from "../../internal/secretDigest.js"
import type { Descriptor } from "../ClerkDescriptor.js"
import { ClerkTransportError } from "../ClerkError.js"
import type { ClerkError } from "../ClerkError.js"
import type { ClerkRateLimiterService } from "../ClerkRateLimiter.js"

const defaultHold = Duration.seconds(1)

/**
 * One attempt under the budget: acquired first (a limiter that dies is a `ClerkTransportError`, the request
 * not sent), and a 429 held for every caller of the key.
 */
export const limited = <A>(
  limiter: Option.Option<ClerkRateLimiterService>,
  secretKey: string,
  descriptor: Descriptor,
  attempt: Effect.Effect<A, ClerkError>
): Effect.Effect<A, ClerkError> => {
  if (Option.isNone(limiter)) return attempt
  const budget = limiter.value
  return Effect.flatMap(Effect.promise(() => digestOfSecretOnce(secretKey)), (key) =>
    budget.acquire(key).pipe(
      Effect.catchDefect((defect) =>
        Effect.fail(
          new ClerkTransportError({
            operation: descriptor.name,
            kind: "Other",
            message: "the rate limiter could not be consulted, so the request was not sent",
            cause: defect
          })
        )
      ),
      Effect.andThen(attempt),
      Effect.tapError((error) =>
        error._tag === "ClerkRateLimited" ? budget.backOff(key, error.retryAfter ?? defaultHold) : Effect.void
      )
    ))
}
