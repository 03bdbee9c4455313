/**
 * How `ClerkClient` consults a request budget (Effect 4).
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { digestOfSecret } from "../../internal/secretDigest.js"
import type { Descriptor } from "../ClerkDescriptor.js"
import { ClerkTransportError } from "../ClerkError.js"
import type { ClerkError } from "../ClerkError.js"
import type { ClerkRateLimiterService } from "../ClerkRateLimiter.js"

const keys = new Map<string, Promise<string>>()

/** The budget key of a secret key, digested once per key. */
const keyOf = (secretKey: string): Effect.Effect<string> =>
  Effect.promise(() => {
    let key = keys.get(secretKey)
    if (key === undefined) keys.set(secretKey, key = digestOfSecret(secretKey))
    return key
  })

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
  return Effect.flatMap(keyOf(secretKey), (key) =>
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
