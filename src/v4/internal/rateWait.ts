/**
 * Waiting for a request budget (Effect 4): shared by the in-memory and the Redis limiters.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** Asks `tryAcquire` until it admits, sleeping on the `Clock` for as long as it says. */
export const acquireLoop = (tryAcquire: (now: number) => Effect.Effect<number>): Effect.Effect<void> =>
  Effect.flatMap(
    Clock.currentTimeMillis,
    (now) =>
      Effect.flatMap(tryAcquire(now), (wait) =>
        wait <= 0 ? Effect.void : Effect.andThen(Effect.sleep(Duration.millis(wait)), acquireLoop(tryAcquire)))
  )
