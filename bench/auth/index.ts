/**
 * Section 4: what authenticating one request costs. The same RS256 session
 * token, signed with a key pair made for this run, is verified by `jose`
 * alone (the floor), by effect-clerk's `ClerkAuth` with its token cache off
 * and on, and by `@clerk/backend`'s `authenticateRequest`, all networkless.
 */
import { createClerkClient } from "@clerk/backend"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Jose from "jose"
import * as assert from "node:assert"
import { ClerkAuth, SessionAuth, SignedIn } from "../../src/ClerkAuth.js"
import type { AuthState, ClerkAuthService } from "../../src/ClerkAuth.js"
import { ClerkJwks } from "../../src/ClerkJwks.js"
import * as Jwt from "../../src/internal/jwt.js"
import { interleaved, type Stats } from "../lib/measure.js"
import { type CaseProfile, profileInterleaved } from "./components.js"
import * as Distinct from "./distinct.js"

export type CaseKey =
  | "jose"
  | "fresh"
  | "cached"
  | "clerkSdk"
  | "joseRunPromise"
  | "freshInEffect"
  | "cachedInEffect"
  | "compactVerify"
  | "decode"
  | "newRequest"

/** The cases that run a batch of calls per sample (see `inEffectBatch`); every other case is one call per sample. */
const batched: ReadonlySet<CaseKey> = new Set(["freshInEffect", "cachedInEffect"])

export interface AuthResult {
  readonly tokenBytes: number
  readonly headerBytes: number
  readonly payloadBytes: number
  readonly claimNames: ReadonlyArray<string>
  readonly userId: string
  readonly rounds: number
  readonly callsPerRound: number
  readonly warmupCalls: number
  /** Calls run inside one `runPromise` for each sample of the `…InEffect` cases; their stats are per call. */
  readonly inEffectBatch: number
  readonly stats: Readonly<Record<CaseKey, Stats>>
  readonly targets: AuthTargets
  /** When a target is missed: (a) and the effect-clerk cases concerned, profiled taking turns. */
  readonly profiles: ReadonlyArray<CaseProfile & { readonly key: ProfiledKey }>
  readonly profileFile: string | undefined
  /** The distinct-token shape: fresh tokens, cache at its default, one `runPromise` per batch. */
  readonly distinct: Distinct.DistinctResult
}

export type ProfiledKey = "jose" | "fresh" | "cached"

export interface AuthTargets {
  /** (b) ÷ (a) at most this. */
  readonly freshOverJose: number
  /** (a) ÷ (c) at least this. */
  readonly joseOverCached: number
  /** (d) ÷ (b) at least this. */
  readonly sdkOverFresh: number
}

export interface AuthOptions {
  readonly warmupCalls: number
  readonly rounds: number
  readonly callsPerRound: number
  readonly inEffectBatch: number
  readonly budgetMs: number
  readonly targets: AuthTargets
  readonly profileMs: number
  readonly profileFile: string
  readonly distinct: Distinct.DistinctOptions
  readonly log: (line: string) => void
}

// Obviously fake identifiers, shaped like Clerk's.
const frontendApi = "bench-fake.clerk.accounts.dev"
const publishableKey = `pk_test_${Buffer.from(`${frontendApi}$`).toString("base64")}`
const secretKey = "sk_test_bench_fake_not_a_real_key"
export const origin = "https://example.com"
const url = `${origin}/api/projects?limit=20`
export const userId = "user_2bench000000000000000000001"

/** An RS256 key pair made for this run, and its public half as the JWKS entry and the PEM a verifier takes. */
export const keyPair = async () => {
  const { privateKey, publicKey } = await Jose.generateKeyPair("RS256", { extractable: true })
  const jwk = { ...await Jose.exportJWK(publicKey), kid: "ins_2bench000000000000000000001", alg: "RS256", use: "sig" }
  return { privateKey, publicKey, jwk, pem: await Jose.exportSPKI(publicKey) }
}

/** A session token as Clerk's Frontend API issues it, v1 organization claims, about 850 bytes. */
export const makeToken = async (privateKey: Jose.CryptoKey, nowS: number) => {
  const claims = {
    azp: origin,
    exp: nowS + 3_600,
    fva: [3, -1],
    iat: nowS - 5,
    iss: `https://${frontendApi}`,
    nbf: nowS - 15,
    sid: "sess_2bench000000000000000000001",
    sub: userId,
    org_id: "org_2bench000000000000000000001",
    org_role: "org:admin",
    org_slug: "acme",
    org_permissions: ["org:projects:write"]
  }
  const token = await new Jose.SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: "ins_2bench000000000000000000001", typ: "JWT" })
    .sign(privateKey)
  const [header, payload] = token.split(".")
  return {
    token,
    headerBytes: Buffer.from(header!, "base64url").length,
    payloadBytes: Buffer.from(payload!, "base64url").length,
    claimNames: Object.keys(claims)
  }
}

/** The effect-clerk service on a fixed JWKS, built once in its own runtime. */
export const effectClerk = async (jwk: Jose.JWK, tokenCacheSize: number | undefined) => {
  const runtime = ManagedRuntime.make(
    ClerkAuth.layerWithJwks({
      authorizedParties: [origin],
      ...(tokenCacheSize === undefined ? {} : { tokenCacheSize })
    }).pipe(
      Layer.provide(ClerkJwks.fromJwks({ keys: [jwk] }))
    )
  )
  const auth = await runtime.runPromise(ClerkAuth)
  return { runtime, auth }
}

export const signedInUser = (state: AuthState): string | undefined =>
  state instanceof SignedIn && state.auth instanceof SessionAuth ? state.auth.userId : undefined

export const run = async (options: AuthOptions): Promise<AuthResult> => {
  const nowS = Math.floor(Date.now() / 1_000)
  const { privateKey, publicKey, jwk, pem } = await keyPair()
  const made = await makeToken(privateKey, nowS)
  const { token } = made
  const headers = { authorization: `Bearer ${token}` }
  // One request for every case, as a server would hand it over; what building one costs is a case of its own.
  const request = new Request(url, { headers })

  const fresh = await effectClerk(jwk, 0)
  const cached = await effectClerk(jwk, undefined)
  // With `jwtKey` the SDK verifies locally; the publishable key only names a (fake) Frontend API host.
  const clerk = createClerkClient({ secretKey, publishableKey, jwtKey: pem, telemetry: { disabled: true } })
  const sdkOptions = { jwtKey: pem, authorizedParties: [origin] }
  const batch = options.inEffectBatch

  const loop = (auth: ClerkAuthService) =>
    Effect.gen(function*() {
      let last: AuthState | undefined
      for (let i = 0; i < batch; i++) last = yield* auth.authenticateRequest(request)
      return last!
    })
  // jose alone behind the same runtime entry: what any effect run once per request pays on top of (a).
  const joseEffect = Effect.promise(() => Jose.jwtVerify(token, publicKey))
  const freshLoop = loop(fresh.auth)
  const cachedLoop = loop(cached.auth)

  const calls: Record<CaseKey, () => Promise<unknown> | unknown> = {
    jose: () => Jose.jwtVerify(token, publicKey),
    fresh: () => fresh.runtime.runPromise(fresh.auth.authenticateRequest(request)),
    cached: () => cached.runtime.runPromise(cached.auth.authenticateRequest(request)),
    clerkSdk: () => clerk.authenticateRequest(request, sdkOptions),
    joseRunPromise: () => fresh.runtime.runPromise(joseEffect),
    freshInEffect: () => fresh.runtime.runPromise(freshLoop),
    cachedInEffect: () => cached.runtime.runPromise(cachedLoop),
    compactVerify: () => Jose.compactVerify(token, publicKey, { algorithms: ["RS256"] }),
    decode: () => Jwt.decode(token),
    newRequest: () => new Request(url, { headers })
  }

  try {
    // Every case must accept the token for the right user before anything is timed.
    const verified = await Jose.jwtVerify(token, publicKey)
    assert.strictEqual(verified.payload.sub, userId, "jose accepts the token")
    assert.strictEqual(
      signedInUser(await calls.fresh() as AuthState),
      userId,
      "effect-clerk (cache off) signs the request in"
    )
    assert.strictEqual(
      signedInUser(await calls.cached() as AuthState),
      userId,
      "effect-clerk (cache on) signs the request in"
    )
    // A second time: the cache on now answers from memory, and must still sign in.
    assert.strictEqual(
      signedInUser(await calls.cached() as AuthState),
      userId,
      "effect-clerk (cache hit) signs the request in"
    )
    assert.strictEqual(((await calls.joseRunPromise()) as Jose.JWTVerifyResult).payload.sub, userId)
    assert.strictEqual(signedInUser(await calls.freshInEffect() as AuthState), userId)
    assert.strictEqual(signedInUser(await calls.cachedInEffect() as AuthState), userId)
    const sdkState = await clerk.authenticateRequest(request, sdkOptions)
    assert.strictEqual(
      sdkState.status,
      "signed-in",
      `@clerk/backend signs the request in (${sdkState.reason ?? ""} ${sdkState.message ?? ""})`
    )
    assert.strictEqual(sdkState.toAuth().userId, userId, "@clerk/backend reads the user id")
    // And the cases that must refuse do refuse: a token signed by another key is signed out by both libraries.
    const other = await Jose.generateKeyPair("RS256")
    const forged = (await makeToken(other.privateKey, nowS)).token
    const forgedRequest = new Request(url, { headers: { authorization: `Bearer ${forged}` } })
    assert.strictEqual(
      signedInUser(await cached.runtime.runPromise(cached.auth.authenticateRequest(forgedRequest))),
      undefined
    )
    assert.strictEqual(
      signedInUser(await fresh.runtime.runPromise(fresh.auth.authenticateRequest(forgedRequest))),
      undefined
    )
    assert.strictEqual((await clerk.authenticateRequest(forgedRequest, sdkOptions)).status, "signed-out")
    options.log(`  token: ${token.length} bytes, RS256; every case signs in ${userId}, a forged token is refused`)

    const { rounds, stats } = await interleaved(
      (Object.keys(calls) as Array<CaseKey>).map((key) => ({ key, run: calls[key] })),
      options
    )
    const perCall = (s: Stats): Stats => ({
      ...s,
      meanUs: s.meanUs / batch,
      medianUs: s.medianUs / batch,
      p90Us: s.p90Us / batch
    })
    const byKey = Object.fromEntries(
      stats.map((s) => [s.key, batched.has(s.key as CaseKey) ? perCall(s) : s])
    ) as Record<CaseKey, Stats>
    options.log(`  ${rounds} rounds x ${options.callsPerRound} calls per case`)
    const distinct = await Distinct.run(options.distinct)
    options.log(
      `  distinct tokens: ${distinct.rounds} rounds x ${distinct.tokensPerRound}, effect-clerk ÷ jose median ${
        distinct.oursOverJose.median.toFixed(2)
      }`
    )

    const missed: Array<"fresh" | "cached"> = []
    if (
      byKey.fresh.meanUs / byKey.jose.meanUs > options.targets.freshOverJose ||
      byKey.clerkSdk.meanUs / byKey.fresh.meanUs < options.targets.sdkOverFresh
    ) missed.push("fresh")
    if (byKey.jose.meanUs / byKey.cached.meanUs < options.targets.joseOverCached) missed.push("cached")
    const profiled: Array<ProfiledKey> = missed.length === 0 ? [] : ["jose", ...missed]
    let profiles: AuthResult["profiles"] = []
    if (profiled.length > 0) {
      options.log(`  target missed: profiling ${profiled.join(", ")} for ${options.profileMs} ms, taking turns`)
      const byCase = await profileInterleaved(
        profiled.map((key) => ({ key, run: calls[key] as () => Promise<unknown> })),
        { durationMs: options.profileMs, turnMs: 10, saveTo: options.profileFile }
      )
      profiles = profiled.map((key) => ({ key, ...byCase[key] }))
    }
    return {
      tokenBytes: token.length,
      headerBytes: made.headerBytes,
      payloadBytes: made.payloadBytes,
      claimNames: made.claimNames,
      userId,
      rounds,
      callsPerRound: options.callsPerRound,
      warmupCalls: options.warmupCalls,
      inEffectBatch: batch,
      stats: byKey,
      targets: options.targets,
      profiles,
      profileFile: profiles.length === 0 ? undefined : options.profileFile,
      distinct
    }
  } finally {
    await fresh.runtime.dispose()
    await cached.runtime.dispose()
  }
}
