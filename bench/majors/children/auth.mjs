// Section 6, request authentication of fresh tokens, one child process of one Effect major (copied into that
// major's scratch directory, like calls.mjs). The shape of bench/auth/distinct.ts: every round mints distinct
// session tokens (distinct `sid`, so no cache can answer), wraps each in a `Request`, and times one batch of
// `jose.jwtVerify` and one of effect-clerk as an app runs it (one `ManagedRuntime` of
// `ClerkAuth.layer({ jwtKey, authorizedParties })`, cache at its default,
// `runPromise(Effect.forEach(requests, authenticateRequest))`). Argument: JSON { major, warmupRounds, rounds,
// tokensPerRound }. Prints one JSON line: batch milliseconds per library and each round's effect-clerk ÷ jose.
/* global performance, Request */
import * as Jose from "jose"
import * as assert from "node:assert"

const options = JSON.parse(process.argv[2])
const v4 = options.major === 4
const { ClerkAuth, SessionAuth, SignedIn } = await import(v4 ? "effect-clerk/v4/ClerkAuth" : "effect-clerk/ClerkAuth")
const Effect = await import("effect/Effect")
const ManagedRuntime = await import("effect/ManagedRuntime")

const origin = "https://example.com"
const frontendApi = "bench-fake.clerk.accounts.dev"
const userId = "user_2bench000000000000000000001"
const { privateKey, publicKey } = await Jose.generateKeyPair("RS256", { extractable: true })
const pem = await Jose.exportSPKI(publicKey)
const runtime = ManagedRuntime.make(ClerkAuth.layer({ jwtKey: pem, authorizedParties: [origin] }))
const auth = await runtime.runPromise(ClerkAuth)

let serial = 0
const mint = () => {
  const now = Math.floor(Date.now() / 1_000)
  const n = serial++
  return new Jose.SignJWT({
    azp: origin,
    sid: `sess_bench${String(n).padStart(20, "0")}`,
    sub: userId,
    iss: `https://${frontendApi}`,
    nbf: now - 15,
    iat: now - 5,
    exp: now + 3_600
  }).setProtectedHeader({ alg: "RS256", kid: "ins_2bench000000000000000000001", typ: "JWT" }).sign(privateKey)
}

const batches = {
  jose: async (tokens) => {
    for (const token of tokens) await Jose.jwtVerify(token, publicKey, { algorithms: ["RS256"] })
  },
  effectClerk: async (_, requests) => {
    const states = await runtime.runPromise(Effect.forEach(requests, auth.authenticateRequest))
    for (const state of states) {
      assert.ok(state instanceof SignedIn && state.auth instanceof SessionAuth, "effect-clerk signs in")
      assert.strictEqual(state.auth.userId, userId)
    }
  }
}
// A token signed by another key must be refused before anything counts.
const other = await Jose.generateKeyPair("RS256")
const forged = await new Jose.SignJWT({ azp: origin, sid: "sess_forged", sub: userId, iss: `https://${frontendApi}` })
  .setProtectedHeader({ alg: "RS256", kid: "ins_2bench000000000000000000001", typ: "JWT" })
  .setIssuedAt()
  .setExpirationTime("1h")
  .sign(other.privateKey)
const refused = await runtime.runPromise(
  auth.authenticateRequest(new Request(`${origin}/`, { headers: { authorization: `Bearer ${forged}` } }))
)
assert.ok(!(refused instanceof SignedIn), "effect-clerk refuses a forged token")

const keys = Object.keys(batches)
const samples = { jose: [], effectClerk: [] }
const roundRatios = []
for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
  const tokens = await Promise.all(Array.from({ length: options.tokensPerRound }, mint))
  const requests = tokens.map((token) =>
    new Request(`${origin}/api/projects`, { headers: { authorization: `Bearer ${token}` } })
  )
  const took = {}
  for (let k = 0; k < keys.length; k++) {
    const key = keys[(k + round) % keys.length]
    const started = performance.now()
    await batches[key](tokens, requests)
    took[key] = performance.now() - started
  }
  if (round < options.warmupRounds) continue
  for (const key of keys) samples[key].push(took[key])
  roundRatios.push(took.effectClerk / took.jose)
}
await runtime.dispose()
console.log(JSON.stringify({ samples, roundRatios }))
process.exit(0)
