/**
 * Section 4, second shape: fresh tokens as a server sees them. Each round mints 100 distinct session tokens
 * (distinct `sid`, so no cache can answer), wraps each in a `Request`, and times one batch per library:
 * effect-clerk as an app would run it (one `ManagedRuntime` of `ClerkAuth.layer({ jwtKey, authorizedParties })`,
 * the verified-token cache at its default, `runPromise(Effect.forEach(requests, authenticateRequest))`),
 * `jose.jwtVerify` and `@clerk/backend`'s `authenticateRequest` in plain loops over the same tokens.
 */
import { createClerkClient } from "@clerk/backend"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Jose from "jose"
import * as assert from "node:assert"
import { ClerkAuth, SessionAuth, SignedIn } from "../../src/ClerkAuth.js"

/** The batches timed in every round. */
export type DistinctKey = "jose" | "effectClerk" | "clerkSdk"

/** Milliseconds per batch, median and range over the rounds. */
export interface BatchStats {
  readonly medianMs: number
  readonly minMs: number
  readonly maxMs: number
}

/** Per-round ratios, median and range. */
export interface RatioStats {
  readonly median: number
  readonly min: number
  readonly max: number
}

/** What the distinct-token shape measured. */
export interface DistinctResult {
  readonly rounds: number
  readonly tokensPerRound: number
  readonly batches: Readonly<Record<DistinctKey, BatchStats>>
  /** effect-clerk ÷ jose, per round. */
  readonly oursOverJose: RatioStats
  /** `@clerk/backend` ÷ effect-clerk, per round. */
  readonly sdkOverOurs: RatioStats
}

/** Options of {@link run}. */
export interface DistinctOptions {
  readonly rounds: number
  readonly warmupRounds: number
  readonly tokensPerRound: number
}

const origin = "https://example.com"
const frontendApi = "bench-fake.clerk.accounts.dev"
const publishableKey = `pk_test_${Buffer.from(`${frontendApi}$`).toString("base64")}`
const secretKey = "sk_test_bench_fake_not_a_real_key"

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const spread = (xs: ReadonlyArray<number>) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) })

/** Runs the shape; every batch is checked to sign all its tokens in before anything is kept. */
export const run = async (options: DistinctOptions): Promise<DistinctResult> => {
  const { privateKey, publicKey } = await Jose.generateKeyPair("RS256", { extractable: true })
  const pem = await Jose.exportSPKI(publicKey)
  const runtime = ManagedRuntime.make(ClerkAuth.layer({ jwtKey: pem, authorizedParties: [origin] }))
  const auth = await runtime.runPromise(ClerkAuth)
  const clerk = createClerkClient({ secretKey, publishableKey, jwtKey: pem, telemetry: { disabled: true } })
  const sdkOptions = { jwtKey: pem, authorizedParties: [origin] }
  let serial = 0
  const mint = () => {
    const now = Math.floor(Date.now() / 1_000)
    const n = serial++
    return new Jose.SignJWT({
      azp: origin,
      sid: `sess_bench${String(n).padStart(20, "0")}`,
      sub: "user_2bench000000000000000000001",
      iss: `https://${frontendApi}`,
      nbf: now - 15,
      iat: now - 5,
      exp: now + 3_600
    }).setProtectedHeader({ alg: "RS256", kid: "ins_2bench000000000000000000001", typ: "JWT" }).sign(privateKey)
  }

  const batches: Record<
    DistinctKey,
    (tokens: ReadonlyArray<string>, requests: ReadonlyArray<Request>) => Promise<void>
  > = {
    jose: async (tokens) => {
      for (const token of tokens) await Jose.jwtVerify(token, publicKey, { algorithms: ["RS256"] })
    },
    effectClerk: async (_, requests) => {
      const states = await runtime.runPromise(Effect.forEach(requests, auth.authenticateRequest))
      for (const state of states) {
        assert.ok(state instanceof SignedIn && state.auth instanceof SessionAuth, "effect-clerk signs in")
      }
    },
    clerkSdk: async (_, requests) => {
      for (const request of requests) {
        const state = await clerk.authenticateRequest(request, sdkOptions)
        assert.strictEqual(state.status, "signed-in", "@clerk/backend signs in")
      }
    }
  }
  const keys = Object.keys(batches) as Array<DistinctKey>
  const samples: Record<DistinctKey, Array<number>> = { jose: [], effectClerk: [], clerkSdk: [] }
  const oursOverJose: Array<number> = []
  const sdkOverOurs: Array<number> = []
  try {
    for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
      const tokens = await Promise.all(Array.from({ length: options.tokensPerRound }, mint))
      const requests = tokens.map((token) =>
        new Request(`${origin}/api/projects`, { headers: { authorization: `Bearer ${token}` } })
      )
      const took: Partial<Record<DistinctKey, number>> = {}
      // The order rotates every round, so no library always runs right after another's garbage.
      for (let k = 0; k < keys.length; k++) {
        const key = keys[(k + round) % keys.length]!
        const started = performance.now()
        await batches[key](tokens, requests)
        took[key] = performance.now() - started
      }
      if (round < options.warmupRounds) continue
      for (const key of keys) samples[key].push(took[key]!)
      oursOverJose.push(took.effectClerk! / took.jose!)
      sdkOverOurs.push(took.clerkSdk! / took.effectClerk!)
    }
  } finally {
    await runtime.dispose()
  }
  const stats = (xs: ReadonlyArray<number>): BatchStats => {
    const s = spread(xs)
    return { medianMs: s.median, minMs: s.min, maxMs: s.max }
  }
  return {
    rounds: options.rounds,
    tokensPerRound: options.tokensPerRound,
    batches: { jose: stats(samples.jose), effectClerk: stats(samples.effectClerk), clerkSdk: stats(samples.clerkSdk) },
    oursOverJose: spread(oursOverJose),
    sdkOverOurs: spread(sdkOverOurs)
  }
}
