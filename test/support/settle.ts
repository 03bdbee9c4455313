/**
 * Waiting for work outside the TestClock (promises of a mock response, body reads)
 * to reach its next clock-driven sleep.
 */
import * as Effect from "effect/Effect"

const tick = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/** Lets pending I/O callbacks run until `done()` holds, failing after a bounded number of turns. */
export const settleUntil = (done: () => boolean, turns = 200): Effect.Effect<void> =>
  Effect.gen(function*() {
    for (let i = 0; i < turns; i++) {
      if (done()) return
      yield* tick
    }
    if (!done()) return yield* Effect.dieMessage("condition not reached")
  })

/** Lets pending I/O callbacks run for a few turns. */
export const settle: Effect.Effect<void> = Effect.gen(function*() {
  for (let i = 0; i < 20; i++) yield* tick
})
