/**
 * Machine tokens (API keys, M2M tokens, OAuth access tokens) against a local server that
 * checks each verify call the way the Backend API would see it.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Jose from "jose"
import { ClerkAuth, ClerkMachineTokenStore, MachineAuth, SessionAuth, SignedIn, SignedOut } from "../src/ClerkAuth.js"
import type { AuthState, ClerkAuthOptions, SharedTextStore, TokenType } from "../src/ClerkAuth.js"
import { ClerkAuthConfigError } from "../src/ClerkAuthError.js"
import { ClerkBackend } from "../src/ClerkBackend.js"
import { ClerkConfig } from "../src/ClerkConfig.js"
import { ClerkJwks } from "../src/ClerkJwks.js"
import { ClerkRetryPolicy } from "../src/ClerkRetryPolicy.js"
import type * as ApiKeys from "../src/generated/ApiKeys.js"
import type * as M2m from "../src/generated/M2m.js"
import type * as OauthAccessTokens from "../src/generated/OauthAccessTokens.js"
import { makeKey, type TestKey } from "./support/Keys.js"
import { localServer } from "./support/LocalServer.js"

const instanceSecret = "sk_test_fake"
const machineSecret = "ak_machine_secret_fake"

// ---------------------------------------------------------------------------------------------
// Keys and JWTs, minted here with jose (keys from test/support/Keys.ts).

const key = await makeKey("ins_machine_key")
const outsider = await makeKey("ins_machine_key")

/** TestClock starts at the epoch; tokens issued then live a day of test time. */
const dayLater = 24 * 3600

const jwt = (claims: Record<string, unknown>, header: Record<string, unknown> = {}, signer: TestKey = key) =>
  Effect.promise(() =>
    new Jose.SignJWT({ iat: 0, exp: dayLater, ...claims })
      .setProtectedHeader({ alg: "RS256", kid: signer.kid, typ: "JWT", ...header })
      .sign(signer.privateKey)
  )

const sessionJwt = jwt({ sub: "user_session", sid: "sess_1" })
const m2mJwt = jwt({ sub: "mch_caller", jti: "mt_jwt_1", scp: ["mch_target"] })
const oauthJwt = jwt({ sub: "user_oauth", jti: "oat_jwt_1", client_id: "client_jwt", scope: "read write" }, {
  typ: "at+jwt"
})

const apiKeyToken = "ak_live_looking_fake_0001"
const m2mToken = "mt_fake_0002"
const legacyM2mToken = "m2m_fake_0003"
const oauthToken = "oat_fake_0004"

// ---------------------------------------------------------------------------------------------
// Verify-endpoint answers, typed with the wire (snake_case) forms.

const apiKeyBody = (overrides: Partial<ApiKeys.VerifyResponse.Encoded> = {}): ApiKeys.VerifyResponse.Encoded => ({
  object: "api_key",
  id: "ak_id_1",
  type: "api_key",
  subject: "user_owner",
  name: "CI deploy key",
  description: null,
  claims: { team: "platform" },
  scopes: ["deploy:write", "logs:read"],
  revoked: false,
  revocation_reason: null,
  expired: false,
  expiration: null,
  created_by: "user_owner",
  last_used_at: null,
  created_at: 1,
  updated_at: 1,
  ...overrides
})

const m2mBody = (overrides: Partial<M2m.VerifyTokenResponse.Encoded> = {}): M2m.VerifyTokenResponse.Encoded => ({
  object: "machine_to_machine_token",
  id: "mt_id_1",
  subject: "mch_caller",
  claims: { region: "eu" },
  scopes: ["mch_target"],
  revoked: false,
  revocation_reason: null,
  expired: false,
  expiration: null,
  last_used_at: null,
  created_at: 1,
  updated_at: 1,
  ...overrides
})

const oauthBody = (
  overrides: Partial<OauthAccessTokens.VerifyResponseVariant1.Encoded> = {}
): OauthAccessTokens.VerifyResponseVariant1.Encoded => ({
  object: "clerk_idp_oauth_access_token",
  id: "oat_id_1",
  client_id: "client_abc",
  subject: "user_granted",
  scopes: ["profile", "email"],
  revoked: false,
  revocation_reason: null,
  expired: false,
  expiration: null,
  created_at: 1,
  updated_at: 1,
  ...overrides
})

const inactive: OauthAccessTokens.VerifyResponseVariant2.Encoded = { active: false }

const clerkError = (code: string) => ({ errors: [{ code, message: code, long_message: code }] })

// ---------------------------------------------------------------------------------------------
// The local Backend API.

interface Seen {
  readonly method: string
  readonly path: string
  readonly authorization: string | undefined
  readonly contentType: string | undefined
  readonly body: unknown
}

interface Answer {
  readonly status?: number
  readonly body?: unknown
}

type Reply = (path: string, body: unknown) => Answer

const verifyPaths = {
  api_key: "/api_keys/verify",
  m2m_token: "/m2m_tokens/verify",
  oauth_token: "/oauth_applications/access_tokens/verify"
} as const

/** The field each verify endpoint reads the token from. */
const bodyField = { api_key: "secret", m2m_token: "token", oauth_token: "access_token" } as const

const validReply: Reply = (path) => {
  switch (path) {
    case verifyPaths.api_key:
      return { body: apiKeyBody() }
    case verifyPaths.m2m_token:
      return { body: m2mBody() }
    case verifyPaths.oauth_token:
      return { body: oauthBody() }
    default:
      return { status: 404, body: clerkError("resource_not_found") }
  }
}

/** More than any test makes; past it the server answers 503, which the assertions would show. */
const requestLimit = 40

const backendServer = (initial: Reply = validReply) =>
  Effect.gen(function*() {
    const seen: Array<Seen> = []
    let reply = initial
    const { url } = yield* localServer((request, url, text) => {
      let body: unknown = text
      try {
        body = text === "" ? undefined : JSON.parse(text)
      } catch {
        // kept as text; the assertions on the body would fail
      }
      seen.push({
        method: request.method ?? "",
        path: url.pathname,
        authorization: request.headers.authorization,
        contentType: request.headers["content-type"],
        body
      })
      if (seen.length > requestLimit) return { status: 503, body: clerkError("too_many") }
      if (url.pathname === "/jwks" && request.method === "GET") return { body: { keys: [key.jwk] } }
      return reply(url.pathname, body)
    })
    return {
      url,
      seen,
      verifyCalls: () => seen.filter((s) => s.path !== "/jwks").length,
      jwksCalls: () => seen.filter((s) => s.path === "/jwks").length,
      setReply: (next: Reply) => {
        reply = next
      }
    }
  })

/** The Backend API on a local server, with retries off (a backoff would sleep on the TestClock). */
const backendLayer = (url: string) =>
  ClerkBackend.layer.pipe(
    Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make(instanceSecret), apiUrl: url })),
    Layer.provide(FetchHttpClient.layer),
    Layer.provide(ClerkRetryPolicy.layer(ClerkRetryPolicy.none))
  )

const authOn = (url: string, options: ClerkAuthOptions) =>
  Effect.map(Layer.build(ClerkAuth.layer(options).pipe(Layer.provide(backendLayer(url)))), Context.get(ClerkAuth))

const setup = (options: ClerkAuthOptions, reply?: Reply) =>
  Effect.gen(function*() {
    const server = yield* backendServer(reply)
    const auth = yield* authOn(server.url, options)
    return { server, auth }
  })

const requestWith = (token: string) =>
  new Request("http://app.test/protected", { headers: { authorization: `Bearer ${token}` } })

const machineOf = (state: AuthState): MachineAuth => {
  expect(state).toBeInstanceOf(SignedIn)
  const auth = (state as SignedIn).auth
  expect(auth).toBeInstanceOf(MachineAuth)
  return auth as MachineAuth
}

const signedOut = (state: AuthState): SignedOut => {
  expect(state).toBeInstanceOf(SignedOut)
  return state as SignedOut
}

const opaqueKinds = [
  ["api_key", apiKeyToken],
  ["m2m_token", m2mToken],
  ["oauth_token", oauthToken]
] as const

// ---------------------------------------------------------------------------------------------

describe("opaque machine tokens", () => {
  it.scoped("ak_: POST /api_keys/verify {secret} with the instance key; a user-owned key", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup({ acceptsToken: "api_key" })
      const state = yield* auth.authenticateRequest(requestWith(apiKeyToken))
      expect((state as SignedIn).tokenType).toBe("api_key")
      const machine = machineOf(state)
      expect(machine).toEqual(
        new MachineAuth({
          tokenType: "api_key",
          id: "ak_id_1",
          subject: "user_owner",
          scopes: ["deploy:write", "logs:read"],
          name: "CI deploy key",
          claims: { team: "platform" },
          userId: "user_owner",
          orgId: undefined,
          machineId: undefined,
          clientId: undefined
        })
      )
      expect(server.seen).toEqual([{
        method: "POST",
        path: "/api_keys/verify",
        authorization: `Bearer ${instanceSecret}`,
        contentType: expect.stringMatching(/^application\/json/),
        body: { secret: apiKeyToken }
      }])
    }))

  it.scoped("ak_: an organization-owned key gives orgId and no userId", () =>
    Effect.gen(function*() {
      const { auth } = yield* setup(
        { acceptsToken: "api_key" },
        () => ({ body: apiKeyBody({ subject: "org_acme", claims: null }) })
      )
      const machine = machineOf(yield* auth.authenticateToken(apiKeyToken))
      expect(machine.orgId).toBe("org_acme")
      expect(machine.userId).toBeUndefined()
      expect(machine.subject).toBe("org_acme")
      expect(machine.claims).toBeUndefined()
    }))

  for (const token of [m2mToken, legacyM2mToken]) {
    it.scoped(`${token.slice(0, token.indexOf("_") + 1)}: POST /m2m_tokens/verify {token}; the machine is the subject`, () =>
      Effect.gen(function*() {
        const { auth, server } = yield* setup({ acceptsToken: "m2m_token" })
        const state = yield* auth.authenticateRequest(requestWith(token))
        expect((state as SignedIn).tokenType).toBe("m2m_token")
        const machine = machineOf(state)
        expect(machine.tokenType).toBe("m2m_token")
        expect(machine.id).toBe("mt_id_1")
        expect(machine.machineId).toBe("mch_caller")
        expect(machine.subject).toBe("mch_caller")
        expect(machine.scopes).toEqual(["mch_target"])
        expect(machine.claims).toEqual({ region: "eu" })
        expect(machine.userId).toBeUndefined()
        expect(machine.clientId).toBeUndefined()
        expect(server.seen).toHaveLength(1)
        expect(server.seen[0]).toMatchObject({
          method: "POST",
          path: "/m2m_tokens/verify",
          authorization: `Bearer ${instanceSecret}`
        })
        expect(server.seen[0]!.body).toEqual({ token })
      }))
  }

  it.scoped("machineSecretKey is the bearer of M2M verify calls only", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup({
        acceptsToken: ["api_key", "m2m_token", "oauth_token"],
        machineSecretKey: Redacted.make(machineSecret)
      })
      machineOf(yield* auth.authenticateToken(m2mToken))
      machineOf(yield* auth.authenticateToken(apiKeyToken))
      machineOf(yield* auth.authenticateToken(oauthToken))
      machineOf(yield* auth.authenticateToken(legacyM2mToken))
      expect(server.seen.map((s) => [s.path, s.authorization])).toEqual([
        ["/m2m_tokens/verify", `Bearer ${machineSecret}`],
        ["/api_keys/verify", `Bearer ${instanceSecret}`],
        ["/oauth_applications/access_tokens/verify", `Bearer ${instanceSecret}`],
        ["/m2m_tokens/verify", `Bearer ${machineSecret}`]
      ])
    }))

  it.scoped("oat_: POST /oauth_applications/access_tokens/verify {access_token}; the client is known", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup({ acceptsToken: "oauth_token" })
      const machine = machineOf(yield* auth.authenticateRequest(requestWith(oauthToken)))
      expect(machine).toEqual(
        new MachineAuth({
          tokenType: "oauth_token",
          id: "oat_id_1",
          subject: "user_granted",
          scopes: ["profile", "email"],
          name: undefined,
          claims: undefined,
          userId: "user_granted",
          orgId: undefined,
          machineId: undefined,
          clientId: "client_abc"
        })
      )
      expect(server.seen).toHaveLength(1)
      expect(server.seen[0]).toMatchObject({
        method: "POST",
        path: "/oauth_applications/access_tokens/verify",
        authorization: `Bearer ${instanceSecret}`
      })
      expect(server.seen[0]!.body).toEqual({ access_token: oauthToken })
    }))

  it.scoped("oat_: an { active: false } answer signs out with machine-token-invalid", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup({ acceptsToken: "oauth_token" }, () => ({ body: inactive }))
      const out = signedOut(yield* auth.authenticateRequest(requestWith(oauthToken)))
      expect(out.detail).toBe("machine-token-invalid")
      expect(out.tokenType).toBe("oauth_token")
      expect(server.verifyCalls()).toBe(1)
    }))

  for (const [kind, token] of opaqueKinds) {
    const field = bodyField[kind]
    it.scoped(`${kind}: revoked or expired in the answer is machine-token-invalid`, () =>
      Effect.gen(function*() {
        for (const flags of [{ revoked: true, revocation_reason: "leaked" }, { expired: true, expiration: 10 }]) {
          const { auth, server } = yield* setup({ acceptsToken: kind }, (path) =>
            path === verifyPaths[kind]
              ? {
                body: kind === "api_key" ? apiKeyBody(flags) : kind === "m2m_token" ? m2mBody(flags) : oauthBody(flags)
              }
              : { status: 404, body: clerkError("resource_not_found") })
          const out = signedOut(yield* auth.authenticateRequest(requestWith(token)))
          expect(out.detail).toBe("machine-token-invalid")
          expect(out.tokenType).toBe(kind)
          expect(server.seen.map((s) => s.path)).toEqual([verifyPaths[kind]])
          expect(server.seen[0]!.body).toEqual({ [field]: token })
        }
      }))

    it.scoped(`${kind}: a 404 or 401 answer is machine-token-invalid`, () =>
      Effect.gen(function*() {
        for (const [status, code] of [[404, "resource_not_found"], [401, "authentication_invalid"]] as const) {
          const { auth } = yield* setup({ acceptsToken: kind }, () => ({ status, body: clerkError(code) }))
          const out = signedOut(yield* auth.authenticateRequest(requestWith(token)))
          expect(out.detail).toBe("machine-token-invalid")
          expect(out.message).not.toContain(token)
        }
      }))

    it.scoped(`${kind}: a 500, a 429, a malformed answer or a refused connection is unexpected-error, never a failure`, () =>
      Effect.gen(function*() {
        const answers: ReadonlyArray<Answer> = [
          { status: 500, body: clerkError("internal_error") },
          { status: 429, body: clerkError("too_many_requests") },
          { status: 200, body: { id: 42 } }
        ]
        for (const answer of answers) {
          const { auth, server } = yield* setup({ acceptsToken: kind }, () => answer)
          const out = signedOut(yield* auth.authenticateRequest(requestWith(token)))
          expect(out.reason).toBe("unexpected-error")
          expect(out.tokenType).toBe(kind)
          expect(server.verifyCalls()).toBe(1)
        }
        const closed = yield* Effect.scoped(localServer(() => ({})))
        const refusedAuth = yield* authOn(closed.url, { acceptsToken: kind })
        const refused = signedOut(yield* refusedAuth.authenticateRequest(requestWith(token)))
        expect(refused.reason).toBe("unexpected-error")
        expect(refused.message).not.toContain(instanceSecret)
        const failed = yield* Effect.flip(refusedAuth.verifyToken(token))
        expect(failed.reason).toBe("unexpected-error")
      }))
  }
})

describe("machine JWTs are verified locally", () => {
  it.scoped("an M2M JWT (sub mch_…) against the JWKS, with no verify call", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup({ acceptsToken: "m2m_token" })
      const state = yield* auth.authenticateRequest(requestWith(yield* m2mJwt))
      expect((state as SignedIn).tokenType).toBe("m2m_token")
      const machine = machineOf(state)
      expect(machine.tokenType).toBe("m2m_token")
      expect(machine.id).toBe("mt_jwt_1")
      expect(machine.machineId).toBe("mch_caller")
      expect(machine.scopes).toEqual(["mch_target"])
      expect(machine.claims).toMatchObject({ sub: "mch_caller" })
      expect(server.verifyCalls()).toBe(0)
      expect(server.jwksCalls()).toBe(1)
    }))

  for (const typ of ["at+jwt", "application/at+jwt"]) {
    it.scoped(`an OAuth JWT (typ ${typ}) against the JWKS, with no verify call`, () =>
      Effect.gen(function*() {
        const { auth, server } = yield* setup({ acceptsToken: "oauth_token" })
        const token = yield* jwt(
          { sub: "user_oauth", jti: "oat_jwt_1", client_id: "client_jwt", scope: "read write" },
          { typ }
        )
        const machine = machineOf(yield* auth.authenticateRequest(requestWith(token)))
        expect(machine.tokenType).toBe("oauth_token")
        expect(machine.id).toBe("oat_jwt_1")
        expect(machine.clientId).toBe("client_jwt")
        expect(machine.userId).toBe("user_oauth")
        expect(machine.scopes).toEqual(["read", "write"])
        expect(server.verifyCalls()).toBe(0)
        expect(server.jwksCalls()).toBe(1)
      }))
  }

  it.scoped("an expired machine JWT or one signed by another key is refused locally", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup({ acceptsToken: ["m2m_token", "oauth_token"] })
      yield* TestClock.adjust(Duration.hours(25))
      const expired = signedOut(yield* auth.authenticateToken(yield* m2mJwt))
      expect(expired.reason).toBe("token-expired")
      expect(expired.tokenType).toBe("m2m_token")
      const forged = yield* jwt({ sub: "mch_caller", iat: 90_000, exp: 200_000 }, {}, outsider)
      expect(signedOut(yield* auth.authenticateToken(forged)).reason).toBe("token-invalid-signature")
      const forgedOauth = yield* jwt(
        { sub: "user_x", client_id: "c", iat: 90_000, exp: 200_000 },
        { typ: "at+jwt" },
        outsider
      )
      expect(signedOut(yield* auth.authenticateToken(forgedOauth)).reason).toBe("token-invalid-signature")
      expect(server.verifyCalls()).toBe(0)
    }))
})

describe("acceptsToken", () => {
  it.scoped("a session token where only api_key is accepted is token-type-mismatch, with no call at all", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup({ acceptsToken: "api_key" })
      const out = signedOut(yield* auth.authenticateRequest(requestWith(yield* sessionJwt)))
      expect(out.reason).toBe("token-type-mismatch")
      expect(out.tokenType).toBe("session_token")
      expect(server.seen).toHaveLength(0)
    }))

  it.scoped("by default only session tokens are accepted", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup({})
      for (const token of [apiKeyToken, m2mToken, legacyM2mToken, oauthToken, yield* m2mJwt, yield* oauthJwt]) {
        expect(signedOut(yield* auth.authenticateToken(token)).reason).toBe("token-type-mismatch")
      }
      expect(server.seen).toHaveLength(0)
      const session = yield* auth.authenticateToken(yield* sessionJwt)
      expect((session as SignedIn).auth).toBeInstanceOf(SessionAuth)
    }))

  it.scoped("a list accepts exactly its kinds", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup({ acceptsToken: ["api_key", "oauth_token"] })
      expect(signedOut(yield* auth.authenticateToken(m2mToken)).reason).toBe("token-type-mismatch")
      expect(signedOut(yield* auth.authenticateToken(yield* sessionJwt)).reason).toBe("token-type-mismatch")
      expect(server.seen).toHaveLength(0)
      expect(machineOf(yield* auth.authenticateToken(apiKeyToken)).tokenType).toBe("api_key")
      expect(machineOf(yield* auth.authenticateToken(oauthToken)).tokenType).toBe("oauth_token")
    }))

  it.scoped(`"any" accepts every kind`, () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup({ acceptsToken: "any" })
      const cases: ReadonlyArray<readonly [string, TokenType]> = [
        [yield* sessionJwt, "session_token"],
        [apiKeyToken, "api_key"],
        [m2mToken, "m2m_token"],
        [legacyM2mToken, "m2m_token"],
        [oauthToken, "oauth_token"],
        [yield* m2mJwt, "m2m_token"],
        [yield* oauthJwt, "oauth_token"]
      ]
      for (const [token, type] of cases) {
        const state = yield* auth.authenticateRequest(requestWith(token))
        expect(state).toBeInstanceOf(SignedIn)
        expect((state as SignedIn).tokenType).toBe(type)
        expect((state as SignedIn).auth.tokenType).toBe(type)
      }
      expect(server.verifyCalls()).toBe(4)
      expect(server.jwksCalls()).toBe(1)
      expect(signedOut(yield* auth.authenticateToken("not-a-token")).reason).toBe("token-invalid")
    }))
})

describe("machineTokenCacheTtl", () => {
  it.scoped("remembers an accepted opaque token for the TTL", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup({ acceptsToken: "any", machineTokenCacheTtl: Duration.minutes(1) })
      for (const [, token] of opaqueKinds) {
        const first = machineOf(yield* auth.authenticateToken(token))
        const second = machineOf(yield* auth.authenticateToken(token))
        expect(second).toEqual(first)
      }
      expect(server.verifyCalls()).toBe(3)

      yield* TestClock.adjust(Duration.seconds(59))
      for (const [, token] of opaqueKinds) machineOf(yield* auth.authenticateToken(token))
      expect(server.verifyCalls()).toBe(3)

      yield* TestClock.adjust(Duration.seconds(2))
      machineOf(yield* auth.authenticateToken(apiKeyToken))
      expect(server.verifyCalls()).toBe(4)
      machineOf(yield* auth.authenticateToken(apiKeyToken))
      expect(server.verifyCalls()).toBe(4)
    }))

  it.scoped("concurrent checks of one token share one call", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup({ acceptsToken: "api_key", machineTokenCacheTtl: Duration.minutes(1) })
      const states = yield* Effect.all(Array.from({ length: 20 }, () => auth.authenticateToken(apiKeyToken)), {
        concurrency: "unbounded"
      })
      expect(states.every((state) => state instanceof SignedIn)).toBe(true)
      expect(server.verifyCalls()).toBe(1)
    }))

  it.scoped("keeps distinct tokens apart", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup(
        { acceptsToken: "api_key", machineTokenCacheTtl: Duration.minutes(1) },
        (_, body) => ({ body: apiKeyBody({ id: `id_for_${(body as { secret: string }).secret}` }) })
      )
      expect(machineOf(yield* auth.authenticateToken("ak_one")).id).toBe("id_for_ak_one")
      expect(machineOf(yield* auth.authenticateToken("ak_two")).id).toBe("id_for_ak_two")
      expect(machineOf(yield* auth.authenticateToken("ak_one")).id).toBe("id_for_ak_one")
      expect(server.verifyCalls()).toBe(2)
    }))

  it.scoped("without it, every check calls Clerk", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup({ acceptsToken: "api_key" })
      machineOf(yield* auth.authenticateToken(apiKeyToken))
      machineOf(yield* auth.authenticateToken(apiKeyToken))
      machineOf(yield* auth.authenticateToken(apiKeyToken))
      expect(server.verifyCalls()).toBe(3)
    }))

  it.scoped("a refused token is not remembered", () =>
    Effect.gen(function*() {
      const { auth, server } = yield* setup(
        { acceptsToken: "api_key", machineTokenCacheTtl: Duration.minutes(1) },
        () => ({ status: 401, body: clerkError("authentication_invalid") })
      )
      expect(signedOut(yield* auth.authenticateToken(apiKeyToken)).detail).toBe("machine-token-invalid")
      expect(signedOut(yield* auth.authenticateToken(apiKeyToken)).detail).toBe("machine-token-invalid")
      expect(server.verifyCalls()).toBe(2)
      server.setReply(validReply)
      machineOf(yield* auth.authenticateToken(apiKeyToken))
      expect(server.verifyCalls()).toBe(3)
    }))
})

/** A text store in memory on the Clock, standing for a shared one; it shows what a store gets to see. */
const memoryTextStore = () => {
  const entries = new Map<string, { readonly value: string; readonly until: number }>()
  const store: SharedTextStore = {
    get: (key) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        const entry = entries.get(key)
        return entry !== undefined && entry.until > now ? Option.some(entry.value) : Option.none()
      }),
    set: (key, value, ttl) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        entries.set(key, { value, until: now + Duration.toMillis(ttl) })
      })
  }
  return { store, entries }
}

/** One instance of an application: its own ClerkAuth (and local cache) on the shared store. */
const replicaOn = (url: string, store: SharedTextStore, options: ClerkAuthOptions, secretKey = instanceSecret) =>
  Effect.map(
    Layer.build(
      ClerkAuth.layer(options).pipe(
        Layer.provide(backendLayer(url)),
        Layer.provide(
          Layer.effect(ClerkMachineTokenStore, ClerkMachineTokenStore.make(store, Redacted.make(secretKey)))
        )
      )
    ),
    Context.get(ClerkAuth)
  )

/** A realistic time: Clerk's expiry is in milliseconds, and the TestClock starts at the epoch. */
const now2024 = 1_716_883_200_000

describe("shared machine-token store", () => {
  const shared = { acceptsToken: "any", machineTokenCacheTtl: Duration.minutes(1) } as const

  it.scoped("a token one replica verified is accepted by the others without asking Clerk", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now2024)
      const server = yield* backendServer()
      const { store } = memoryTextStore()
      const replicas = yield* Effect.all(Array.from({ length: 3 }, () => replicaOn(server.url, store, shared)))
      for (const [, token] of opaqueKinds) {
        const first = machineOf(yield* replicas[0]!.authenticateToken(token))
        for (const replica of replicas.slice(1)) {
          expect(machineOf(yield* replica.authenticateToken(token))).toEqual(first)
        }
      }
      expect(server.verifyCalls()).toBe(3)
      // Past the TTL the shared entries are gone too: one replica asks again, and shares the answer again.
      yield* TestClock.adjust(Duration.seconds(61))
      for (const replica of replicas.slice(1)) machineOf(yield* replica.authenticateToken(apiKeyToken))
      expect(server.verifyCalls()).toBe(4)
    }))

  it.scoped("the store holds neither the token nor the secret key", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now2024)
      const server = yield* backendServer()
      const { entries, store } = memoryTextStore()
      const replica = yield* replicaOn(server.url, store, shared)
      for (const [, token] of opaqueKinds) machineOf(yield* replica.authenticateToken(token))
      expect(entries.size).toBe(3)
      for (const [key, { value }] of entries) {
        expect(key).toMatch(/^machine-token:[0-9a-f]{64}$/)
        for (const text of [key, value]) {
          for (const [, token] of opaqueKinds) expect(text).not.toContain(token)
          expect(text).not.toContain(instanceSecret)
        }
      }
    }))

  it.scoped("an entry altered in the store, or sealed with another secret key, is not trusted", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now2024)
      const server = yield* backendServer()
      const { entries, store } = memoryTextStore()
      const first = yield* replicaOn(server.url, store, shared)
      machineOf(yield* first.authenticateToken(apiKeyToken))
      const [key, stored] = [...entries][0]!
      // Someone with write access to the store grants the key more scopes.
      entries.set(key, { ...stored, value: stored.value.replace("logs:read", "admin:all") })
      const second = yield* replicaOn(server.url, store, shared)
      expect(machineOf(yield* second.authenticateToken(apiKeyToken)).scopes).toEqual(["deploy:write", "logs:read"])
      expect(server.verifyCalls()).toBe(2)
      // An instance with another secret key shares the store: it finds nothing it can use, and asks Clerk.
      const other = yield* replicaOn(server.url, store, shared, "sk_test_other_fake")
      machineOf(yield* other.authenticateToken(apiKeyToken))
      expect(server.verifyCalls()).toBe(3)
    }))

  it.scoped("an entry never outlives its token (expiry in milliseconds, or in seconds)", () =>
    Effect.gen(function*() {
      for (const seconds of [false, true]) {
        yield* TestClock.setTime(now2024)
        const expiration = seconds ? now2024 / 1000 + 30 : now2024 + 30_000
        const server = yield* backendServer(() => ({ body: apiKeyBody({ expiration }) }))
        const { entries, store } = memoryTextStore()
        const [one, two] = yield* Effect.all([
          replicaOn(server.url, store, shared),
          replicaOn(server.url, store, shared)
        ])
        machineOf(yield* one.authenticateToken(apiKeyToken))
        machineOf(yield* two.authenticateToken(apiKeyToken))
        expect(server.verifyCalls()).toBe(1)
        expect([...entries.values()][0]?.until).toBe(now2024 + 30_000)
        yield* TestClock.adjust(Duration.seconds(31))
        machineOf(yield* one.authenticateToken(apiKeyToken))
        machineOf(yield* two.authenticateToken(apiKeyToken))
        // The local caches let it go as well: both asked (the second after the first stored a token already expired).
        expect(server.verifyCalls()).toBe(3)
      }
    }))

  it.scoped("a refused token is not shared", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(now2024)
      const server = yield* backendServer(() => ({ status: 401, body: clerkError("authentication_invalid") }))
      const { entries, store } = memoryTextStore()
      const replica = yield* replicaOn(server.url, store, shared)
      expect(signedOut(yield* replica.authenticateToken(apiKeyToken)).detail).toBe("machine-token-invalid")
      expect(entries.size).toBe(0)
    }))

  it.scoped("a store without machineTokenCacheTtl fails the layer", () =>
    Effect.gen(function*() {
      const server = yield* backendServer()
      const result = yield* Effect.either(replicaOn(server.url, memoryTextStore().store, { acceptsToken: "api_key" }))
      expect(Either.isLeft(result) && result.left).toBeInstanceOf(ClerkAuthConfigError)
      expect(Either.isLeft(result) && result.left.message).toContain("machineTokenCacheTtl")
    }))
})

describe("configuration", () => {
  const fixedKeys = ClerkJwks.fromJwks({ keys: [key.jwk] })

  const build = (options: ClerkAuthOptions) =>
    Effect.either(Layer.build(ClerkAuth.layerWithJwks(options).pipe(Layer.provide(fixedKeys))))

  it.scoped("accepting opaque machine tokens with layerWithJwks and no ClerkBackend fails the layer", () =>
    Effect.gen(function*() {
      const options: ReadonlyArray<ClerkAuthOptions["acceptsToken"]> = [
        "api_key",
        "m2m_token",
        "oauth_token",
        ["session_token", "api_key"],
        "any"
      ]
      for (const acceptsToken of options) {
        const result = yield* build({ acceptsToken })
        expect(Either.isLeft(result)).toBe(true)
        expect(Either.isLeft(result) && result.left).toBeInstanceOf(ClerkAuthConfigError)
      }
    }))

  it.scoped("session tokens alone need no ClerkBackend", () =>
    Effect.gen(function*() {
      const result = yield* build({ acceptsToken: "session_token" })
      expect(Either.isRight(result)).toBe(true)
      const auth = Context.get(Either.getOrThrow(result), ClerkAuth)
      expect((yield* auth.authenticateToken(yield* sessionJwt))._tag).toBe("SignedIn")
    }))

  it.scoped("an empty or unknown acceptsToken fails the layer", () =>
    Effect.gen(function*() {
      for (const acceptsToken of [[], ["session_token", "cookie"]] as ReadonlyArray<ReadonlyArray<TokenType>>) {
        const result = yield* build({ acceptsToken })
        expect(Either.isLeft(result) && result.left).toBeInstanceOf(ClerkAuthConfigError)
      }
    }))
})
