// Section 6, call overhead, one child process of one Effect major. Copied into that major's scratch directory
// (bench/.tmp/majors/e3 or e4), whose node_modules holds the built package and that major's `effect`, so every
// import below resolves as in an app of that major. Argument: JSON { major, url, warmupCalls, rounds,
// callsPerRound, ids }. Prints one JSON line: per-call samples of (a) raw fetch + JSON.parse and (b)
// `clerk.users.list({ limit: 100 })`, and each round's mean (b) ÷ mean (a).
/* global fetch, performance */
import * as assert from "node:assert"

const options = JSON.parse(process.argv[2])
const v4 = options.major === 4
const { ClerkBackend, ClerkConfig } = await import(v4 ? "effect-clerk/v4" : "effect-clerk")
const FetchHttpClient = await import(v4 ? "effect/http/FetchHttpClient" : "@effect/platform/FetchHttpClient")
const Layer = await import("effect/Layer")
const ManagedRuntime = await import("effect/ManagedRuntime")
const Redacted = await import("effect/Redacted")

const secretKey = "sk_test_fake"
const url = `${options.url}/users?limit=100`
const headers = { authorization: `Bearer ${secretKey}`, accept: "application/json" }
const raw = async () => JSON.parse(await (await fetch(url, { headers })).text())

const runtime = ManagedRuntime.make(
  ClerkBackend.layer.pipe(
    Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make(secretKey), apiUrl: options.url })),
    Layer.provide(FetchHttpClient.layer)
  )
)
const clerk = await runtime.runPromise(ClerkBackend.ClerkBackend)
const list = clerk.users.list({ limit: 100 })
const effectClerk = () => runtime.runPromise(list)

// Checked before timing: both answer the fixture's 100 users, in order, and effect-clerk's are decoded (camelCase).
const wire = await raw()
assert.deepStrictEqual(wire.map((user) => user.id), options.ids, "raw fetch answers the fixture")
const users = await effectClerk()
assert.deepStrictEqual(users.map((user) => user.id), options.ids, "users.list answers the fixture's users")
assert.ok(users.every((user) => Array.isArray(user.emailAddresses)), "users.list decodes to camelCase fields")

const cases = [["raw", raw], ["effectClerk", effectClerk]]
for (let i = 0; i < options.warmupCalls; i++) for (const [, call] of cases) await call()
const samples = { raw: [], effectClerk: [] }
const roundRatios = []
for (let round = 0; round < options.rounds; round++) {
  const sums = {}
  // The order alternates every round, so neither case always runs right after the other's garbage.
  for (let k = 0; k < cases.length; k++) {
    const [key, call] = cases[(k + round) % cases.length]
    let sum = 0
    for (let i = 0; i < options.callsPerRound; i++) {
      const t0 = performance.now()
      await call()
      const ms = performance.now() - t0
      samples[key].push(ms)
      sum += ms
    }
    sums[key] = sum
  }
  roundRatios.push(sums.effectClerk / sums.raw)
}
await runtime.dispose()
console.log(JSON.stringify({ samples, roundRatios }))
process.exit(0)
