/**
 * One process of the fleet in the Redis rate-limit test: takes the shared budget as fast as it can for a
 * while and prints when each admission returned (ms since the epoch), as one JSON line.
 *
 *   node --import tsx test/support/rateLimitWorker.ts <redis url> <key prefix> <limit> <window ms> <run ms>
 *
 * It prints `READY` once connected, then waits for a line on stdin holding the time to start at (ms since
 * the epoch), so every process takes over the same span. Admissions are timed on Redis's clock (`onAdmitted`).
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { ClerkRateLimiter } from "../../src/ClerkRateLimiter.js"
import { ClerkRedis, rateLimiter } from "../../src/ClerkRedis.js"

const [url, keyPrefix, limit, windowMs, runMs] = process.argv.slice(2)
const admitted: Array<number> = []

const startSignal = () =>
  new Promise<number>((resolve) => {
    process.stdout.write("READY\n")
    process.stdin.once("data", (chunk) => resolve(Number(String(chunk).trim())))
  })

const program = Effect.gen(function*() {
  const budget = yield* ClerkRateLimiter
  const startAt = yield* Effect.promise(startSignal)
  yield* Effect.sleep(`${Math.max(0, startAt - Date.now())} millis`)
  const until = startAt + Number(runMs)
  // Two fibers per process, as two concurrent callers of one instance would be.
  yield* Effect.all(
    [0, 1].map(() =>
      Effect.gen(function*() {
        while (Date.now() < until) {
          yield* budget.acquire("fleet")
        }
      })
    ),
    { concurrency: "unbounded" }
  )
  process.stdout.write(`ADMITTED ${JSON.stringify(admitted)}\n`)
})

const layer = rateLimiter({
  limit: Number(limit),
  window: `${Number(windowMs)} millis`,
  onAdmitted: (at) => void admitted.push(at)
}).pipe(
  Layer.provide(ClerkRedis.layer({ url: Redacted.make(url!), keyPrefix: keyPrefix! }))
)

Effect.runPromise(Effect.provide(program, layer)).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
