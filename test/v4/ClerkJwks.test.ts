/**
 * The Effect 4 ClerkJwks against a local `/jwks` endpoint: one fetch for many callers, the cached set reused,
 * one refetch for an unknown `kid`, the last good set when Clerk fails; and the networkless key sources.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ClerkAuth } from "../../src/v4/ClerkAuth.js"
import { generateKeys, mintSessionToken } from "../../src/v4/ClerkAuthTesting.js"
import type { TestKeys } from "../../src/v4/ClerkAuthTesting.js"
import { ClerkClient } from "../../src/v4/ClerkClient.js"
import { ClerkConfig } from "../../src/v4/ClerkConfig.js"
import { ClerkJwks, ClerkJwksStore } from "../../src/v4/ClerkJwks.js"
import type { ClerkJwksOptions } from "../../src/v4/ClerkJwks.js"
import { ClerkRetryPolicy } from "../../src/v4/ClerkRetryPolicy.js"
import { ClerkTest } from "../../src/v4/ClerkTest.js"
import { type PlainServer, startServer } from "../support/PlainServer.js"

const secret = "sk_test_v4_jwks"

let keyA: TestKeys
let keyB: TestKeys
let served: ReadonlyArray<unknown> = []
let status = 200
let server: PlainServer
beforeAll(async () => {
  keyA = await Effect.runPromise(generateKeys({ kid: "ins_v4_a" }))
  keyB = await Effect.runPromise(generateKeys({ kid: "ins_v4_b" }))
  server = await startServer((request) =>
    request.path === "/v1/jwks"
      ? status === 200 ? { body: { keys: served } } : { status, body: { errors: [] } }
      : { status: 404, body: { errors: [] } }
  )
})
afterAll(() => server.close())

const fetches = () => server.requests.filter((r) => r.path === "/v1/jwks").length

const reset = (keys: ReadonlyArray<TestKeys>) => {
  served = keys.map((k) => k.jwk)
  status = 200
  server.requests.length = 0
}

/** Runs with one ClerkJwks over the local server, and a ClerkAuth on it. */
const run = <A, E>(use: Effect.Effect<A, E, ClerkAuth | ClerkJwks>, options: ClerkJwksOptions = {}) =>
  Effect.runPromise(
    use.pipe(
      Effect.provide(
        ClerkAuth.layerWithJwks().pipe(
          Layer.provideMerge(ClerkJwks.layer(options)),
          Layer.provide(ClerkClient.layer),
          Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make(secret), apiUrl: `${server.url}/v1` })),
          Layer.provide(FetchHttpClient.layer)
        )
      ),
      Effect.provideService(ClerkRetryPolicy, ClerkRetryPolicy.none)
    )
  )

const authenticate = (token: string) => Effect.flatMap(ClerkAuth, (auth) => auth.authenticateToken(token))

describe("ClerkJwks.layer (Effect 4)", () => {
  it("fetches once for many concurrent verifications, with the secret key, then reuses the set", async () => {
    reset([keyA])
    const tokens = await Promise.all(
      Array.from({ length: 50 }, (_, i) => Effect.runPromise(mintSessionToken(keyA, { sub: `user_${i}` })))
    )
    const states = await run(Effect.gen(function*() {
      const first = yield* Effect.all(tokens.map(authenticate), { concurrency: "unbounded" })
      const again = yield* authenticate(tokens[0]!)
      return [...first, again]
    }))
    expect(states.every((state) => state._tag === "SignedIn")).toBe(true)
    expect(fetches()).toBe(1)
    expect(server.requests[0]!.authorization).toBe(`Bearer ${secret}`)
  })

  it("refetches for an unknown kid once per cooldown, and then finds a rotated key", async () => {
    reset([keyA])
    const tokenA = await Effect.runPromise(mintSessionToken(keyA))
    const tokenB = await Effect.runPromise(mintSessionToken(keyB))
    const bogus = await Effect.runPromise(mintSessionToken(keyA, {}, { header: { kid: "ins_v4_nowhere" } }))
    const [before, rotated, unknown] = await run(Effect.gen(function*() {
      const before = yield* authenticate(tokenA)
      served = [keyA.jwk, keyB.jwk]
      const rotated = yield* authenticate(tokenB)
      const unknown = yield* authenticate(bogus)
      return [before, rotated, unknown]
    }))
    expect(before._tag).toBe("SignedIn")
    expect(rotated._tag).toBe("SignedIn")
    expect(unknown).toMatchObject({ _tag: "SignedOut", reason: "jwk-kid-mismatch" })
    // The first fetch, one for keyB's kid; the bogus kid comes within the cooldown and fetches nothing.
    expect(fetches()).toBe(2)
  })

  it("fails with jwk-remote-failed-to-load when the first fetch fails, naming no secret", async () => {
    reset([keyA])
    status = 500
    const token = await Effect.runPromise(mintSessionToken(keyA))
    const state = await run(authenticate(token))
    expect(state).toMatchObject({
      _tag: "SignedOut",
      reason: "jwk-remote-failed-to-load",
      detail: "jwk-failed-to-load"
    })
    expect(state._tag === "SignedOut" && state.message).not.toContain(secret)
  })

  it("serves the last good set when a refresh fails", async () => {
    reset([keyA])
    const token = await Effect.runPromise(mintSessionToken(keyA))
    // A zero TTL refetches on every use, so the second use must go through a failed refresh.
    const [first, second] = await run(
      Effect.gen(function*() {
        const first = yield* authenticate(token)
        status = 503
        const second = yield* Effect.flatMap(ClerkJwks, (jwks) => jwks.getKey(keyA.kid, "RS256"))
        return [first, second] as const
      }),
      { ttl: 0 }
    )
    expect(first._tag).toBe("SignedIn")
    expect(second.kid).toBe(keyA.kid)
    expect(fetches()).toBeGreaterThanOrEqual(2)
  })
})

describe("networkless key sources (Effect 4)", () => {
  it("fromJwks and fromPem verify tokens; fromPem accepts any kid", async () => {
    const token = await Effect.runPromise(mintSessionToken(keyA, {}, { header: { kid: "whatever" } }))
    const viaPem = await Effect.runPromise(
      authenticate(token).pipe(
        Effect.provide(ClerkAuth.layerWithJwks().pipe(Layer.provide(ClerkJwks.fromPem(keyA.pem))))
      )
    )
    expect(viaPem._tag).toBe("SignedIn")
    const escaped = keyA.pem.replace(/\n/g, "\\n")
    const viaEscaped = await Effect.runPromise(
      authenticate(token).pipe(
        Effect.provide(ClerkAuth.layerWithJwks().pipe(Layer.provide(ClerkJwks.fromPem(escaped))))
      )
    )
    expect(viaEscaped._tag).toBe("SignedIn")
    const viaJwks = await Effect.runPromise(
      authenticate(await Effect.runPromise(mintSessionToken(keyA))).pipe(
        Effect.provide(ClerkAuth.layerWithJwks().pipe(Layer.provide(ClerkJwks.fromJwks(JSON.stringify(keyA.jwks)))))
      )
    )
    expect(viaJwks._tag).toBe("SignedIn")
  })

  it("refuses a JWKS without RSA signing keys and a PEM that is not an RSA public key", async () => {
    const refused = (layer: Layer.Layer<ClerkJwks, unknown>) =>
      Effect.runPromise(Effect.flip(Effect.flatMap(ClerkJwks, () => Effect.void).pipe(Effect.provide(layer))))
    expect(await refused(ClerkJwks.fromJwks("{"))).toMatchObject({ _tag: "ClerkAuthConfigError" })
    expect(await refused(ClerkJwks.fromJwks({ keys: [{ kty: "EC" }] }))).toMatchObject({
      message: "the JWKS has no RSA signing key"
    })
    expect(await refused(ClerkJwks.fromPem("not a key"))).toMatchObject({ _tag: "ClerkAuthConfigError" })
  })

  it("refuses a key whose alg differs from the token's", async () => {
    const error = await Effect.runPromise(
      Effect.flip(Effect.flatMap(ClerkJwks, (jwks) => jwks.getKey(keyA.kid, "RS384"))).pipe(
        Effect.provide(ClerkJwks.fromJwks(keyA.jwks))
      )
    )
    expect(error).toMatchObject({ _tag: "TokenVerificationError", reason: "token-invalid-algorithm" })
  })
})

describe("ClerkJwks (Effect 4) with a shared ClerkJwksStore", () => {
  it("a set one instance fetched is read by the next without a fetch; a rotation is fetched once and shared", async () => {
    const entries = new Map<string, string>()
    const store = Layer.succeed(ClerkJwksStore, {
      get: (key) => Effect.sync(() => Option.fromNullishOr(entries.get(key))),
      set: (key, jwks) => Effect.sync(() => void entries.set(key, jwks))
    })
    const config = ClerkConfig.layer({ secretKey: Redacted.make("sk_test_shared_v4") })
    const outcome = await Effect.runPromise(
      Effect.scoped(Effect.gen(function*() {
        const { keys } = yield* ClerkTest
        const instance = () =>
          Effect.map(
            Layer.build(ClerkJwks.layer().pipe(Layer.provide(store), Layer.provide(config))),
            (context) => Context.get(context, ClerkJwks)
          )
        const fetches = Effect.map(
          ClerkTest.calls,
          (calls) => calls.filter((c) => c.operation === "jwks.getJWKS").length
        )
        const [first, second] = yield* Effect.all([instance(), instance()])
        yield* first.getKey(keys.kid, "RS256")
        yield* second.getKey(keys.kid, "RS256")
        const afterTwo = yield* fetches
        const rotated = yield* generateKeys()
        yield* ClerkTest.handle("jwks.getJWKS", () => Effect.succeed(rotated.jwks as never))
        yield* second.getKey(rotated.kid, "RS256")
        yield* first.getKey(rotated.kid, "RS256")
        return { afterTwo, afterRotation: yield* fetches, stored: [...entries.keys()] }
      })).pipe(Effect.provide(Layer.orDie(ClerkTest.layerWith({}))))
    )
    expect(outcome.afterTwo).toBe(1)
    expect(outcome.afterRotation).toBe(2)
    expect(outcome.stored).toEqual([expect.stringMatching(/^jwks:[0-9a-f]{24}$/)])
  })
})
