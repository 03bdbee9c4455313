/**
 * The fetched key set against a real local `/jwks` endpoint: one fetch for many callers, a
 * refetch per TTL, at most one unknown-`kid` refetch per cooldown, the last good set when
 * Clerk fails; and the networkless key sources.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { describe, expect, it } from "@effect/vitest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Jose from "jose"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { ClerkAuth, type MachineAuth, SessionAuth, SignedOut } from "../src/ClerkAuth.js"
import type { ClerkAuthOptions } from "../src/ClerkAuth.js"
import { ClerkAuthConfigError } from "../src/ClerkAuthError.js"
import type { TokenVerificationError } from "../src/ClerkAuthError.js"
import { ClerkBackend } from "../src/ClerkBackend.js"
import { ClerkConfig } from "../src/ClerkConfig.js"
import { ClerkJwks, ClerkJwksStore } from "../src/ClerkJwks.js"
import type { ClerkJwksStoreService } from "../src/ClerkJwks.js"
import { ClerkRetryPolicy } from "../src/ClerkRetryPolicy.js"
import { ClerkTest } from "../src/ClerkTest.js"
import type * as Schemas from "../src/generated/Schemas.js"
import { makeKey, type TestKey } from "./support/Keys.js"

const fakeSecret = "sk_test_fake"

// ---------------------------------------------------------------------------------------------
// Keys and tokens, minted here with jose (keys from test/support/Keys.ts).

const keyA = await makeKey("ins_key_a")
const keyB = await makeKey("ins_key_b")
const outsider = await makeKey("ins_key_a") // same kid as keyA, different key

/** TestClock starts at the epoch: tokens are issued then and live a year of test time. */
const farFuture = 365 * 24 * 3600

const sign = (key: TestKey, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  new Jose.SignJWT({ sub: "user_1", sid: "sess_1", iat: 0, exp: farFuture, ...claims })
    .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT", ...header })
    .sign(key.privateKey)

const token = (key: TestKey, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  Effect.promise(() => sign(key, claims, header))

const tokens = (key: TestKey, count: number, prefix = "user") =>
  Effect.promise(() =>
    Promise.all(Array.from({ length: count }, (_, i) => sign(key, { sub: `${prefix}_${i}`, sid: `sess_${i}` })))
  )

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url")

/** Tokens naming a `kid` no key set has; the signature is never reached, so it is junk. */
const unknownKidTokens = (count: number, tag: string) =>
  Array.from(
    { length: count },
    (_, i) =>
      `${b64({ alg: "RS256", kid: `kid_${tag}_${i}_${Math.random().toString(36).slice(2)}`, typ: "JWT" })}.${
        b64({ sub: `user_${i}`, iat: 0, exp: farFuture })
      }.bm90LWEtc2lnbmF0dXJl`
  )

// ---------------------------------------------------------------------------------------------
// A local `/jwks` endpoint: counts requests, serves a switchable key set, can fail or hold answers.

interface JwksServer {
  readonly url: string
  /** `/jwks` requests received so far. */
  readonly fetches: () => number
  readonly authorizations: ReadonlyArray<string | undefined>
  /** What later answers serve. */
  readonly serve: (keys: ReadonlyArray<Schemas.JWKSRsaPublicKey.Encoded>) => void
  /** Later answers use this status (200 serves the keys). */
  readonly answerWith: (status: number) => void
  /** Holds later answers until `release`. */
  readonly hold: () => void
  readonly release: () => void
  /** Resolves once a held request has arrived. */
  readonly held: Effect.Effect<void>
}

/** More requests than any test here makes: past it the server answers 503, which the counts would show. */
const requestLimit = 50

const jwksServer = (initial: ReadonlyArray<Schemas.JWKSRsaPublicKey.Encoded>) =>
  Effect.acquireRelease(
    Effect.async<{ readonly api: JwksServer; readonly close: () => Promise<void> }>((resume) => {
      let keys = initial
      let status = 200
      let fetches = 0
      let waiting: Array<() => void> | undefined
      let arrived: () => void = () => {}
      let arrivedPromise = new Promise<void>((resolve) => (arrived = resolve))
      const authorizations: Array<string | undefined> = []
      const server = http.createServer((request, response) => {
        request.resume()
        request.on("end", () => {
          const url = new URL(request.url ?? "/", "http://127.0.0.1")
          if (request.method !== "GET" || url.pathname !== "/jwks") {
            response.writeHead(404, { "content-type": "application/json" })
            response.end(
              JSON.stringify({
                errors: [{ code: "resource_not_found", message: "not found", long_message: "not found" }]
              })
            )
            return
          }
          fetches++
          authorizations.push(request.headers.authorization)
          const answer = () => {
            const code = fetches > requestLimit ? 503 : status
            response.writeHead(code, { "content-type": "application/json" })
            response.end(JSON.stringify(
              code === 200 ? { keys } : { errors: [{ code: "internal_error", message: "boom", long_message: "boom" }] }
            ))
          }
          if (waiting !== undefined) {
            waiting.push(answer)
            arrived()
          } else {
            answer()
          }
        })
      })
      const release = () => {
        const answers = waiting ?? []
        waiting = undefined
        for (const answer of answers) answer()
      }
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({
          api: {
            url: `http://127.0.0.1:${port}`,
            fetches: () => fetches,
            authorizations,
            serve: (next) => (keys = next),
            answerWith: (next) => (status = next),
            hold: () => {
              waiting = []
              arrivedPromise = new Promise<void>((resolve) => (arrived = resolve))
            },
            release,
            held: Effect.promise(() => arrivedPromise)
          },
          close: () =>
            new Promise<void>((resolve) => {
              release()
              server.closeAllConnections()
              server.close(() => resolve())
            })
        }))
      })
    }),
    ({ close }) => Effect.promise(close)
  ).pipe(Effect.map(({ api }) => api))

/** The Backend API on a local server, with retries off (a backoff would sleep on the TestClock). */
const backendLayer = (url: string) =>
  ClerkBackend.layer.pipe(
    Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make(fakeSecret), apiUrl: url })),
    Layer.provide(FetchHttpClient.layer),
    Layer.provide(ClerkRetryPolicy.layer(ClerkRetryPolicy.none))
  )

const authOn = (url: string, options: ClerkAuthOptions = {}) =>
  Effect.map(Layer.build(ClerkAuth.layer(options).pipe(Layer.provide(backendLayer(url)))), Context.get(ClerkAuth))

const setup = (keys: ReadonlyArray<Schemas.JWKSRsaPublicKey.Encoded>, options: ClerkAuthOptions = {}) =>
  Effect.gen(function*() {
    const server = yield* jwksServer(keys)
    const auth = yield* authOn(server.url, options)
    return { server, auth }
  })

const userIdOf = (
  auth: SessionAuth | MachineAuth
) => (auth instanceof SessionAuth ? auth.userId : `not a session: ${auth.tokenType}`)

const reasonsOf = (errors: ReadonlyArray<TokenVerificationError>) => new Set(errors.map((error) => error.reason))

/** Lets every forked fiber run up to its wait. Only widens a window; nothing is asserted on time. */
const letFibersSettle = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 100)))

const ttl = Duration.minutes(10)
const cooldown = Duration.seconds(30)

// ---------------------------------------------------------------------------------------------

describe("ClerkJwks.layer (fetched keys)", () => {
  it.scoped("1,000 concurrent verifications on a cold cache share one /jwks fetch", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup([keyA.jwk])
      const many = yield* tokens(keyA, 1000)
      expect(new Set(many).size).toBe(1000)
      server.hold()
      const fiber = yield* Effect.fork(Effect.all(many.map((t) => auth.verifyToken(t)), { concurrency: "unbounded" }))
      yield* server.held
      yield* letFibersSettle
      expect(server.fetches()).toBe(1)
      server.release()
      const results = yield* Fiber.join(fiber)
      expect(results).toHaveLength(1000)
      expect(results.every((auth) => auth instanceof SessionAuth)).toBe(true)
      expect(results.map(userIdOf)).toEqual(many.map((_, i) => `user_${i}`))
      expect(server.fetches()).toBe(1)
      expect(server.authorizations).toEqual([`Bearer ${fakeSecret}`])
    }))

  it.scoped("refetches once after the TTL, not before", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup([keyA.jwk], { jwks: { ttl: Duration.minutes(5), cooldown } })
      const [t1, t2, t3, t4, t5] = yield* tokens(keyA, 5)
      yield* auth.verifyToken(t1!)
      expect(server.fetches()).toBe(1)
      yield* TestClock.adjust(Duration.minutes(4))
      yield* auth.verifyToken(t2!)
      expect(server.fetches()).toBe(1)
      yield* TestClock.adjust(Duration.minutes(1).pipe(Duration.sum(Duration.seconds(1))))
      yield* Effect.all([auth.verifyToken(t3!), auth.verifyToken(t4!)], { concurrency: "unbounded" })
      expect(server.fetches()).toBe(2)
      yield* auth.verifyToken(t5!)
      expect(server.fetches()).toBe(2)
    }))

  it.scoped("a flood of unknown kids causes at most one refetch per cooldown window", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup([keyA.jwk], { jwks: { ttl, cooldown } })
      yield* auth.verifyToken(yield* token(keyA))
      expect(server.fetches()).toBe(1)

      const concurrent = yield* Effect.all(unknownKidTokens(200, "a").map((t) => Effect.flip(auth.verifyToken(t))), {
        concurrency: "unbounded"
      })
      expect(reasonsOf(concurrent)).toEqual(new Set(["jwk-kid-mismatch"]))
      expect(server.fetches()).toBe(2)

      yield* TestClock.adjust(Duration.seconds(29))
      const sequential = yield* Effect.forEach(unknownKidTokens(200, "b"), (t) => Effect.flip(auth.verifyToken(t)))
      expect(reasonsOf(sequential)).toEqual(new Set(["jwk-kid-mismatch"]))
      expect(server.fetches()).toBe(2)

      yield* TestClock.adjust(Duration.seconds(2))
      const next = yield* Effect.all(unknownKidTokens(200, "c").map((t) => Effect.flip(auth.verifyToken(t))), {
        concurrency: "unbounded"
      })
      const nextSequential = yield* Effect.forEach(unknownKidTokens(200, "d"), (t) => Effect.flip(auth.verifyToken(t)))
      expect(reasonsOf([...next, ...nextSequential])).toEqual(new Set(["jwk-kid-mismatch"]))
      expect(server.fetches()).toBe(3)

      // Known keys kept working throughout, with no extra fetch.
      const ok = yield* auth.verifyToken(yield* token(keyA, { sub: "user_after_flood" }))
      expect(ok).toBeInstanceOf(SessionAuth)
      expect(server.fetches()).toBe(3)
    }))

  it.scoped("a flood of unknown kids on a cold cache fetches at most twice", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup([keyA.jwk], { jwks: { ttl, cooldown } })
      const errors = yield* Effect.all(unknownKidTokens(200, "cold").map((t) => Effect.flip(auth.verifyToken(t))), {
        concurrency: "unbounded"
      })
      expect(reasonsOf(errors)).toEqual(new Set(["jwk-kid-mismatch"]))
      expect(server.fetches()).toBeGreaterThanOrEqual(1)
      expect(server.fetches()).toBeLessThanOrEqual(2)
    }))

  it.scoped("accepts a token signed by a rotated-in key after the refetch its unknown kid triggers", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup([keyA.jwk], { jwks: { ttl, cooldown } })
      yield* auth.verifyToken(yield* token(keyA))
      expect(server.fetches()).toBe(1)

      server.serve([keyA.jwk, keyB.jwk])
      const rotated = yield* auth.verifyToken(yield* token(keyB, { sub: "user_rotated" }))
      expect(userIdOf(rotated)).toBe("user_rotated")
      expect(server.fetches()).toBe(2)
      // Both keys now verify without another fetch.
      yield* auth.verifyToken(yield* token(keyA, { sub: "user_a_again" }))
      yield* auth.verifyToken(yield* token(keyB, { sub: "user_b_again" }))
      expect(server.fetches()).toBe(2)
    }))

  it.scoped("a key rotated in just after a forced refetch is accepted once the cooldown has passed", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup([keyA.jwk], { jwks: { ttl, cooldown } })
      yield* auth.verifyToken(yield* token(keyA))
      // Spend this window's refetch on a junk kid.
      yield* Effect.flip(auth.verifyToken(unknownKidTokens(1, "junk")[0]!))
      expect(server.fetches()).toBe(2)

      server.serve([keyB.jwk])
      const tokenB = yield* token(keyB, { sub: "user_b" })
      const early = yield* Effect.flip(auth.verifyToken(tokenB))
      expect(early.reason).toBe("jwk-kid-mismatch")
      expect(server.fetches()).toBe(2)

      yield* TestClock.adjust(Duration.seconds(31))
      const later = yield* auth.verifyToken(tokenB)
      expect(userIdOf(later)).toBe("user_b")
      expect(server.fetches()).toBe(3)
    }))

  it.scoped("after the TTL, a remembered token whose key was removed is refused", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup([keyA.jwk], { jwks: { ttl: Duration.minutes(5), cooldown } })
      const tokenA = yield* token(keyA, { sub: "user_a" })
      yield* auth.verifyToken(tokenA)
      expect(server.fetches()).toBe(1)

      server.serve([keyB.jwk])
      yield* TestClock.adjust(Duration.minutes(6))
      const refused = yield* Effect.flip(auth.verifyToken(tokenA))
      expect(refused.reason).toBe("jwk-kid-mismatch")
      expect(server.fetches()).toBeGreaterThanOrEqual(2)
    }))

  it.scoped("serves the last good key set when a refresh fails", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup([keyA.jwk], { jwks: { ttl: Duration.minutes(5), cooldown } })
      yield* auth.verifyToken(yield* token(keyA))
      expect(server.fetches()).toBe(1)

      server.answerWith(500)
      yield* TestClock.adjust(Duration.minutes(6))
      const stillOk = yield* auth.verifyToken(yield* token(keyA, { sub: "user_during_outage" }))
      expect(userIdOf(stillOk)).toBe("user_during_outage")
      expect(server.fetches()).toBe(2)

      // An unknown kid during the outage: one refetch attempt, then the last good set decides.
      const unknown = yield* Effect.flip(auth.verifyToken(unknownKidTokens(1, "outage")[0]!))
      expect(unknown.reason).toBe("jwk-kid-mismatch")
      expect(server.fetches()).toBe(3)
      const signedIn = yield* auth.authenticateToken(yield* token(keyA, { sub: "user_still" }))
      expect(signedIn._tag).toBe("SignedIn")
    }))

  it.scoped("a refresh Clerk does not answer holds verifications for 3 seconds at most, then once per 30 seconds", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup([keyA.jwk], { jwks: { ttl: Duration.minutes(5), cooldown } })
      yield* auth.verifyToken(yield* token(keyA))
      expect(server.fetches()).toBe(1)

      server.hold()
      yield* TestClock.adjust(Duration.minutes(6))
      const waiting = yield* Effect.fork(auth.verifyToken(yield* token(keyA, { sub: "user_waiting" })))
      yield* letFibersSettle
      expect(server.fetches()).toBe(2)
      yield* TestClock.adjust(Duration.seconds(3))
      expect(userIdOf(yield* Fiber.join(waiting))).toBe("user_waiting")

      // The last good set now stands for up to 30 seconds: no request, no wait.
      yield* TestClock.adjust(Duration.seconds(20))
      expect(userIdOf(yield* auth.verifyToken(yield* token(keyA, { sub: "user_next" })))).toBe("user_next")
      expect(server.fetches()).toBe(2)
      server.release()
    }))

  it.scoped("without any good fetch, verification says jwk-failed-to-load (and never fails authenticateToken)", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup([keyA.jwk], { jwks: { ttl, cooldown } })
      server.answerWith(500)
      const tokenA = yield* token(keyA)
      const error = yield* Effect.flip(auth.verifyToken(tokenA))
      expect(error.detail).toBe("jwk-failed-to-load")
      expect(error.reason).toBe("jwk-remote-failed-to-load")
      expect(error.message).not.toContain(fakeSecret)
      const state = yield* auth.authenticateToken(tokenA)
      expect(state).toBeInstanceOf(SignedOut)
      expect((state as SignedOut).detail).toBe("jwk-failed-to-load")
      // The failure is remembered briefly: no hammering while it lasts.
      expect(server.fetches()).toBe(1)

      server.answerWith(200)
      yield* TestClock.adjust(Duration.seconds(2))
      const ok = yield* auth.verifyToken(tokenA)
      expect(ok).toBeInstanceOf(SessionAuth)
      expect(server.fetches()).toBe(2)
    }))

  it.scoped("a refused connection with no previous success is jwk-failed-to-load", () =>
    Effect.gen(function*() {
      const closed = yield* Effect.scoped(jwksServer([]))
      const auth = yield* authOn(closed.url, { jwks: { ttl, cooldown } })
      const error = yield* Effect.flip(auth.verifyToken(yield* token(keyA)))
      expect(error.detail).toBe("jwk-failed-to-load")
    }))

  it.scoped("a token signed by another key with a known kid is refused on its signature", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup([keyA.jwk])
      const error = yield* Effect.flip(auth.verifyToken(yield* token(outsider)))
      expect(error.reason).toBe("token-invalid-signature")
      expect(server.fetches()).toBe(1)
    }))

  it.scoped("ClerkJwks.layer with ClerkAuth.layerWithJwks: keys come through the backend, generation moves on refetch", () =>
    Effect.gen(function*() {
      const server = yield* jwksServer([keyA.jwk])
      const context = yield* Layer.build(
        ClerkAuth.layerWithJwks().pipe(
          Layer.provideMerge(ClerkJwks.layer({ ttl: Duration.minutes(1) })),
          Layer.provide(backendLayer(server.url))
        )
      )
      const auth = Context.get(context, ClerkAuth)
      const jwks = Context.get(context, ClerkJwks)
      yield* auth.verifyToken(yield* token(keyA))
      expect(server.fetches()).toBe(1)
      const before = yield* jwks.generation
      yield* jwks.getKey(keyA.kid, "RS256")
      yield* TestClock.adjust(Duration.minutes(2))
      yield* jwks.getKey(keyA.kid, "RS256")
      expect(server.fetches()).toBe(2)
      expect(yield* jwks.generation).not.toBe(before)
      const wrongAlg = yield* Effect.flip(jwks.getKey(keyA.kid, "RS512"))
      expect(wrongAlg.reason).toBe("token-invalid-algorithm")
    }))
})

describe("networkless key sources", () => {
  const jwksDocument = { keys: [keyA.jwk, keyB.jwk] }

  const authWith = (jwks: Layer.Layer<ClerkJwks, ClerkAuthConfigError>) =>
    Effect.map(Layer.build(ClerkAuth.layerWithJwks().pipe(Layer.provide(jwks))), Context.get(ClerkAuth))

  const configError = (layer: Layer.Layer<ClerkJwks, ClerkAuthConfigError>) =>
    Effect.gen(function*() {
      const result = yield* Effect.either(Layer.build(layer))
      expect(Either.isLeft(result)).toBe(true)
      const error = Either.isLeft(result) ? result.left : undefined
      expect(error).toBeInstanceOf(ClerkAuthConfigError)
      return error!
    })

  for (const [name, input] of [["an object", jwksDocument], ["JSON text", JSON.stringify(jwksDocument)]] as const) {
    it.scoped(`fromJwks (${name}) verifies tokens of each key with no server`, () =>
      Effect.gen(function*() {
        const auth = yield* authWith(ClerkJwks.fromJwks(input))
        expect(userIdOf(yield* auth.verifyToken(yield* token(keyA, { sub: "user_a" })))).toBe("user_a")
        expect(userIdOf(yield* auth.verifyToken(yield* token(keyB, { sub: "user_b" })))).toBe("user_b")
        expect((yield* Effect.flip(auth.verifyToken(yield* token(outsider)))).reason).toBe("token-invalid-signature")
        expect((yield* Effect.flip(auth.verifyToken(unknownKidTokens(1, "fixed")[0]!))).reason).toBe("jwk-kid-mismatch")
      }))
  }

  const rawPem = keyA.pem.trim()
  const bareBase64 = rawPem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "")
  const pemForms = [
    ["real newlines", rawPem],
    ["escaped \\n", rawPem.replace(/\n/g, "\\n")],
    ["bare base64", bareBase64]
  ] as const

  for (const [name, pem] of pemForms) {
    it.scoped(`fromPem (${name}) verifies tokens with no server, whatever their kid`, () =>
      Effect.gen(function*() {
        const auth = yield* authWith(ClerkJwks.fromPem(pem))
        expect(userIdOf(yield* auth.verifyToken(yield* token(keyA, { sub: "user_pem" })))).toBe("user_pem")
        const otherKid = yield* auth.verifyToken(yield* token(keyA, { sub: "user_kid" }, { kid: "whatever" }))
        expect(userIdOf(otherKid)).toBe("user_kid")
        expect((yield* Effect.flip(auth.verifyToken(yield* token(keyB)))).reason).toBe("token-invalid-signature")
      }))
  }

  it.scoped("ClerkAuth.layer({ jwtKey }) needs nothing and verifies locally", () =>
    Effect.gen(function*() {
      const auth = Context.get(yield* Layer.build(ClerkAuth.layer({ jwtKey: rawPem.replace(/\n/g, "\\n") })), ClerkAuth)
      expect(userIdOf(yield* auth.verifyToken(yield* token(keyA, { sub: "user_env" })))).toBe("user_env")
    }))

  it.scoped("fromJwks refuses text that is not JSON, a document without keys, and one without RSA signing keys", () =>
    Effect.gen(function*() {
      yield* configError(ClerkJwks.fromJwks("{ not json"))
      yield* configError(ClerkJwks.fromJwks("{}"))
      yield* configError(ClerkJwks.fromJwks(JSON.stringify({ keys: "nope" })))
      yield* configError(ClerkJwks.fromJwks({ keys: [] }))
      yield* configError(ClerkJwks.fromJwks({ keys: [{ kid: "ec", kty: "EC", crv: "P-256", x: "AA", y: "AA" }] }))
      yield* configError(ClerkJwks.fromJwks({ keys: [{ ...keyA.jwk, use: "enc" }] }))
    }))

  it.scoped("fromPem refuses garbage, a private key and a non-RSA key", () =>
    Effect.gen(function*() {
      yield* configError(ClerkJwks.fromPem("not a key"))
      yield* configError(ClerkJwks.fromPem(""))
      const { privateKey } = yield* Effect.promise(() => Jose.generateKeyPair("RS256", { extractable: true }))
      yield* configError(ClerkJwks.fromPem(yield* Effect.promise(() => Jose.exportPKCS8(privateKey))))
      const ec = yield* Effect.promise(() => Jose.generateKeyPair("ES256", { extractable: true }))
      yield* configError(ClerkJwks.fromPem(yield* Effect.promise(() => Jose.exportSPKI(ec.publicKey))))
    }))

  it.scoped("ClerkAuth.layer({ jwtKey }) with a bad key fails the layer", () =>
    Effect.gen(function*() {
      const result = yield* Effect.either(
        Layer.build(ClerkAuth.layer({ jwtKey: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----" }))
      )
      expect(Either.isLeft(result) && result.left).toBeInstanceOf(ClerkAuthConfigError)
    }))
})

describe("ClerkJwks with a shared ClerkJwksStore", () => {
  /** A store in a Map, recording what it was asked. */
  const mapStore = (initial: Record<string, string> = {}) => {
    const entries = new Map(Object.entries(initial))
    const log: Array<string> = []
    const service: ClerkJwksStoreService = {
      get: (key) => Effect.sync(() => (log.push(`get ${key}`), Option.fromNullable(entries.get(key)))),
      set: (key, jwks, ttl) =>
        Effect.sync(() => {
          log.push(`set ${key} ${Duration.toMillis(ttl)}`)
          entries.set(key, jwks)
        })
    }
    return { entries, log, layer: Layer.succeed(ClerkJwksStore, service) }
  }
  // The instance's configuration beside the store: the stored set is keyed by its secret key's digest.
  const withFake = <A, E>(effect: Effect.Effect<A, E, ClerkJwks | ClerkTest>, store: Layer.Layer<ClerkJwksStore>) =>
    Effect.scoped(Effect.flatMap(
      Layer.build(
        ClerkJwks.layer({ ttl: Duration.minutes(5) }).pipe(
          Layer.provide(store),
          Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_shared_key_set") }))
        )
      ),
      (context) => Effect.provide(effect, context)
    )).pipe(Effect.provide(ClerkTest.layer))

  const jwksFetches = Effect.map(ClerkTest.calls, (calls) => calls.filter((c) => c.operation === "jwks.getJWKS").length)

  it.effect("a stored set is used without a fetch; a fetched one is stored under the instance's digest for the TTL", () => {
    const shared = mapStore()
    return Effect.gen(function*() {
      const { keys } = yield* ClerkTest
      const jwks = yield* ClerkJwks
      expect((yield* jwks.getKey(keys.kid, "RS256")).kid).toBe(keys.kid)
      expect(yield* jwksFetches).toBe(1)
      const [key] = [...shared.entries.keys()]
      expect(key).toMatch(/^jwks:[0-9a-f]{24}$/)
      expect(shared.log).toEqual([`get ${key}`, `set ${key} 300000`])
      expect(JSON.parse(shared.entries.get(key!)!).keys[0].kid).toBe(keys.kid)
    }).pipe((effect) => withFake(effect, shared.layer))
  })

  it.effect("a stored value that is not a JWKS is ignored, and the keys are fetched", () => {
    const corrupt = mapStore()
    const store = ClerkJwksStore.of({
      get: () => Effect.succeed(Option.some("{not json")),
      set: (key, jwks, ttl) =>
        Effect.asVoid(Effect.sync(() => corrupt.entries.set(key, `${jwks}|${Duration.toMillis(ttl)}`)))
    })
    return Effect.gen(function*() {
      const { keys } = yield* ClerkTest
      expect((yield* (yield* ClerkJwks).getKey(keys.kid, "RS256")).kid).toBe(keys.kid)
      expect(yield* jwksFetches).toBe(1)
      expect(corrupt.entries.size).toBe(1)
    }).pipe((effect) => withFake(effect, Layer.succeed(ClerkJwksStore, store)))
  })
})

describe("ClerkJwksStore.fromKeyValueStore", () => {
  it.effect("keeps each document with its expiry, reads it as absent past it, and ignores what it did not write", () =>
    Effect.gen(function*() {
      const store = yield* ClerkJwksStore
      const kvs = yield* KeyValueStore.KeyValueStore
      yield* store.set("jwks:a", "{\"keys\":[]}", Duration.seconds(30))
      expect(yield* store.get("jwks:a")).toEqual(Option.some("{\"keys\":[]}"))
      yield* TestClock.adjust("31 seconds")
      expect(yield* store.get("jwks:a")).toEqual(Option.none())
      yield* kvs.set("jwks:foreign", "plain text")
      expect(yield* store.get("jwks:foreign")).toEqual(Option.none())
      expect(yield* store.get("jwks:missing")).toEqual(Option.none())
    }).pipe(
      Effect.provide(
        Layer.effect(ClerkJwksStore, Effect.map(KeyValueStore.KeyValueStore, ClerkJwksStore.fromKeyValueStore)).pipe(
          Layer.provideMerge(KeyValueStore.layerMemory)
        )
      )
    ))
})
