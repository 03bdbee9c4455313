/**
 * The Effect 4 ClerkAuth: session tokens verified locally with the testing keys, the request's token found
 * in its header or cookies, and machine tokens verified through the Backend API of a local server.
 */
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Tracer from "effect/Tracer"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  ClerkAuth,
  ClerkMachineTokenStore,
  MachineAuth,
  SessionAuth,
  tokenOf,
  tokenTypeOf
} from "../../src/v4/ClerkAuth.js"
import type { AuthState, ClerkAuthOptions, SharedTextStore } from "../../src/v4/ClerkAuth.js"
import { authLayer, generateKeys, mintSessionToken } from "../../src/v4/ClerkAuthTesting.js"
import type { MintSessionTokenOptions, TestKeys } from "../../src/v4/ClerkAuthTesting.js"
import { ClerkClient } from "../../src/v4/ClerkClient.js"
import { ClerkConfig } from "../../src/v4/ClerkConfig.js"
import { ClerkRetryPolicy } from "../../src/v4/ClerkRetryPolicy.js"
import { type PlainAnswer, type PlainServer, startServer } from "../support/PlainServer.js"

let keys: TestKeys
let otherInstance: TestKeys
beforeAll(async () => {
  keys = await Effect.runPromise(generateKeys({ kid: "ins_v4_auth" }))
  // Another instance's keys under the same kid: a token it signs must not verify here.
  otherInstance = await Effect.runPromise(generateKeys({ kid: "ins_v4_auth" }))
})

const mint = (
  claims: Record<string, unknown> = {},
  options: MintSessionTokenOptions = {},
  signer: TestKeys = keys
) => Effect.runPromise(mintSessionToken(signer, claims, options))

const withAuth = <A, E>(
  use: (auth: ClerkAuth["Service"]) => Effect.Effect<A, E>,
  options: ClerkAuthOptions = {}
) => Effect.runPromise(Effect.flatMap(ClerkAuth, use).pipe(Effect.provide(authLayer(keys, options))))

const authenticate = (token: string | undefined, options: ClerkAuthOptions = {}) =>
  withAuth((auth) => auth.authenticateToken(token), options)

const signedOut = (state: AuthState) => {
  if (state._tag !== "SignedOut") throw new Error(`expected SignedOut, got ${state._tag}`)
  return state
}

const now = () => Math.floor(Date.now() / 1000)

describe("ClerkAuth (Effect 4): session tokens", () => {
  it("accepts a valid token, reading v2 organization claims", async () => {
    const token = await mint({ sub: "user_42", sid: "sess_42" }, {
      org: { id: "org_1", role: "admin", slug: "acme", permissions: ["org:members:read"] }
    })
    const state = await authenticate(token)
    expect(state._tag).toBe("SignedIn")
    if (state._tag !== "SignedIn") return
    expect(state.tokenType).toBe("session_token")
    expect(state.auth).toBeInstanceOf(SessionAuth)
    const auth = state.auth as SessionAuth
    expect(auth).toMatchObject({ userId: "user_42", sessionId: "sess_42", orgId: "org_1", orgRole: "org:admin" })
    expect(auth.orgPermissions).toEqual(["org:members:read"])
    expect(auth.has({ role: "admin" })).toBe(true)
    expect(auth.has({ permission: "org:members:read" })).toBe(true)
    expect(auth.has({ permission: "org:members:write" })).toBe(false)
  })

  it("refuses expired, not-yet-valid and future-issued tokens with their reasons", async () => {
    const expired = signedOut(await authenticate(await mint({ exp: now() - 60 })))
    expect(expired).toMatchObject({ reason: "token-expired", detail: "token-expired", tokenType: "session_token" })
    const early = signedOut(await authenticate(await mint({ nbf: now() + 600 })))
    expect(early.reason).toBe("token-not-active-yet")
    const future = signedOut(await authenticate(await mint({ iat: now() + 600 })))
    expect(future.reason).toBe("token-iat-in-the-future")
    const noSubject = signedOut(await authenticate(await mint({ sub: undefined })))
    expect(noSubject).toMatchObject({ reason: "token-verification-failed", detail: "token-missing-subject" })
  })

  it("checks azp and aud only when configured", async () => {
    const token = await mint({ azp: "https://evil.example", aud: "api" })
    expect((await authenticate(token))._tag).toBe("SignedIn")
    const wrongAzp = signedOut(await authenticate(token, { authorizedParties: ["https://app.example"] }))
    expect(wrongAzp.reason).toBe("token-invalid-authorized-parties")
    expect(wrongAzp.message).toContain("https://evil.example")
    const listed = await authenticate(token, { authorizedParties: ["https://evil.example"], audiences: ["api"] })
    expect(listed._tag).toBe("SignedIn")
    const wrongAud = signedOut(await authenticate(token, { audiences: ["other"] }))
    expect(wrongAud).toMatchObject({ reason: "token-verification-failed", detail: "token-invalid-audience" })
  })

  it("refuses another instance's token, an unknown kid, a tampered payload, alg none and HS256", async () => {
    const foreign = signedOut(await authenticate(await mint({}, {}, otherInstance)))
    expect(foreign.reason).toBe("token-invalid-signature")
    const unknownKid = signedOut(await authenticate(await mint({}, { header: { kid: "ins_unknown" } })))
    expect(unknownKid).toMatchObject({ reason: "jwk-kid-mismatch", detail: "jwk-kid-mismatch" })
    const [head, , signature] = (await mint()).split(".")
    const forgedPayload = Buffer.from(JSON.stringify({ sub: "user_admin", exp: now() + 60 })).toString("base64url")
    const tampered = signedOut(await authenticate(`${head}.${forgedPayload}.${signature}`))
    expect(tampered.reason).toBe("token-invalid-signature")
    const none = signedOut(await authenticate(await mint({}, { header: { alg: "none" } })))
    expect(none.reason).toBe("token-invalid-algorithm")
    const hs256 = signedOut(await authenticate(await mint({}, { header: { alg: "HS256" } })))
    expect(hs256.reason).toBe("token-invalid-algorithm")
    const crit = signedOut(await authenticate(await mint({}, { header: { crit: ["exp"] } })))
    expect(crit.reason).toBe("token-invalid")
  })

  it("answers token missing for no token, and never quotes the token in a refusal", async () => {
    expect(signedOut(await authenticate(undefined))).toMatchObject({
      reason: "session-token-missing",
      tokenType: undefined
    })
    const token = await mint({ exp: now() - 60 })
    const state = signedOut(await authenticate(token))
    expect(state.message).not.toContain(token)
    expect(state.headers["x-clerk-auth-status"]).toBe("signed-out")
    expect(state.headers["x-clerk-auth-reason"]).toBe("token-expired")
  })

  it("verifyToken fails with a TokenVerificationError; a token verified twice is remembered", async () => {
    const error = await withAuth((auth) => Effect.flip(auth.verifyToken("not-a-token")))
    expect(error._tag).toBe("TokenVerificationError")
    expect(error.reason).toBe("token-invalid")
    const token = await mint({}, { expiresIn: 60 * 1000 })
    const twice = await withAuth((auth) => Effect.all([auth.verifyToken(token), auth.verifyToken(token)]))
    expect(twice[1]).toBe(twice[0])
  })
})

describe("ClerkAuth (Effect 4): spans", () => {
  it("gives authenticateToken a span with the token type and the outcome, never the token", async () => {
    const spans: Array<Tracer.NativeSpan> = []
    const tracer = Tracer.make({
      span: (options) => {
        const span = new Tracer.NativeSpan(options)
        spans.push(span)
        return span
      }
    })
    const token = await mint({ exp: now() - 60 })
    await withAuth((auth) =>
      Effect.withTracer(Effect.all([auth.authenticateToken(token), auth.authenticateToken(undefined)]), tracer)
    )
    const named = spans.filter((span) => span.name === "ClerkAuth.authenticateToken")
    expect(named.map((span) => Object.fromEntries(span.attributes))).toEqual([
      {
        "clerk.auth.token_type": "session_token",
        "clerk.auth.outcome": "signed_out",
        "clerk.auth.reason": "token-expired",
        "clerk.auth.detail": "token-expired"
      },
      {
        "clerk.auth.token_type": "none",
        "clerk.auth.outcome": "signed_out",
        "clerk.auth.reason": "session-token-missing",
        "clerk.auth.detail": "session-token-missing"
      }
    ])
    expect(JSON.stringify(named.map((span) => [...span.attributes.values()]))).not.toContain(token)
  })
})

describe("ClerkAuth (Effect 4): the request's token", () => {
  it("takes the Bearer header first, then __session_<suffix>, __session and other __session_ cookies", () => {
    const request = (headers: Record<string, string>) => new Request("http://app.example/", { headers })
    expect(tokenOf(request({ authorization: "Bearer abc", cookie: "__session=def" }))).toBe("abc")
    expect(tokenOf(request({ cookie: "__session=def; __session_app=ghi" }), "app")).toBe("ghi")
    expect(tokenOf(request({ cookie: "__session=def; __session_app=ghi" }))).toBe("def")
    expect(tokenOf(request({ cookie: "__session_other=xyz" }))).toBe("xyz")
    expect(tokenOf(request({ authorization: "Basic abc" }))).toBeUndefined()
    const server = HttpServerRequest.fromWeb(request({ cookie: "__session=srv" }))
    expect(tokenOf(server)).toBe("srv")
    expect(tokenTypeOf("ak_x")).toBe("api_key")
    expect(tokenTypeOf("mt_x")).toBe("m2m_token")
    expect(tokenTypeOf("oat_x")).toBe("oauth_token")
    expect(tokenTypeOf("garbage")).toBeUndefined()
  })

  it("authenticateRequest signs in a request carrying the token in its cookie or its header", async () => {
    const token = await mint({ sub: "user_cookie" })
    const [fromCookie, fromHeader, fromServerRequest, none] = await withAuth((auth) =>
      Effect.all([
        auth.authenticateRequest(new Request("http://app.example/", { headers: { cookie: `__session=${token}` } })),
        auth.authenticateRequest(
          new Request("http://app.example/", { headers: { authorization: `Bearer ${token}` } })
        ),
        auth.authenticateRequest(
          HttpServerRequest.fromWeb(
            new Request("http://app.example/", { headers: { authorization: `Bearer ${token}` } })
          )
        ),
        auth.authenticateRequest(new Request("http://app.example/"))
      ])
    )
    for (const state of [fromCookie, fromHeader, fromServerRequest]) {
      expect(state._tag).toBe("SignedIn")
      expect(state._tag === "SignedIn" && (state.auth as SessionAuth).userId).toBe("user_cookie")
    }
    expect(signedOut(none).reason).toBe("session-token-missing")
  })
})

describe("ClerkAuth (Effect 4): configuration", () => {
  it("layerConfig reads CLERK_JWT_KEY and the comma lists", async () => {
    const env = { CLERK_JWT_KEY: keys.pem, CLERK_AUTHORIZED_PARTIES: "https://a.example, https://b.example" }
    const run = (token: string) =>
      Effect.runPromise(
        Effect.flatMap(ClerkAuth, (auth) => auth.authenticateToken(token)).pipe(
          Effect.provide(ClerkAuth.layerConfig),
          Effect.provide(Layer.succeed(ClerkClient, { execute: () => Effect.die("no call expected") })),
          Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))
        )
      )
    expect((await run(await mint({ azp: "https://b.example" })))._tag).toBe("SignedIn")
    expect(signedOut(await run(await mint({ azp: "https://c.example" }))).reason).toBe(
      "token-invalid-authorized-parties"
    )
  })

  it("refuses a negative clock skew, an unknown token type, and machine tokens with no Backend API", async () => {
    const fail = (options: ClerkAuthOptions) =>
      Effect.runPromise(Effect.flip(
        Effect.flatMap(ClerkAuth, () => Effect.void).pipe(
          Effect.provide(authLayer(keys, options))
        )
      ))
    expect((await fail({ clockSkew: -5000 }))._tag).toBe("ClerkAuthConfigError")
    expect((await fail({ acceptsToken: ["bogus" as never] })).message).toContain("bogus")
    expect((await fail({ acceptsToken: "any" })).message).toContain("Backend API")
  })
})

// ---------------------------------------------------------------------------------------------
// Machine tokens against a local Backend API.

const instanceSecret = "sk_test_v4_auth"
const machineSecret = "ak_machine_secret_v4"

const apiKeyBody = (overrides: Record<string, unknown> = {}) => ({
  object: "api_key",
  id: "ak_id_1",
  type: "api_key",
  subject: "user_owner",
  name: "CI deploy key",
  description: null,
  claims: { team: "platform" },
  scopes: ["deploy:write"],
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

const m2mBody = {
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
  updated_at: 1
}

const oauthBody = {
  object: "clerk_idp_oauth_access_token",
  id: "oat_id_1",
  client_id: "client_abc",
  subject: "user_granted",
  scopes: ["profile"],
  revoked: false,
  revocation_reason: null,
  expired: false,
  expiration: null,
  created_at: 1,
  updated_at: 1
}

let answers: Record<string, PlainAnswer> = {}
let backend: PlainServer
beforeAll(async () => {
  backend = await startServer((request) => answers[request.path] ?? { status: 404, body: { errors: [] } })
})
afterAll(() => backend.close())

const machine = <A, E>(use: (auth: ClerkAuth["Service"]) => Effect.Effect<A, E>, options: ClerkAuthOptions = {}) =>
  Effect.runPromise(
    Effect.flatMap(ClerkAuth, use).pipe(
      Effect.provide(
        ClerkAuth.layer({ jwtKey: keys.pem, acceptsToken: "any", ...options }).pipe(
          Layer.provideMerge(ClerkClient.layer),
          Layer.provide(
            ClerkConfig.layer({ secretKey: Redacted.make(instanceSecret), apiUrl: `${backend.url}/v1` })
          ),
          Layer.provide(FetchHttpClient.layer)
        )
      ),
      Effect.provideService(ClerkRetryPolicy, ClerkRetryPolicy.none)
    )
  )

describe("ClerkAuth (Effect 4): machine tokens through the Backend API", () => {
  it("verifies an API key, an M2M token (with the machine secret) and an OAuth token", async () => {
    answers = {
      "/v1/api_keys/verify": { body: apiKeyBody() },
      "/v1/m2m_tokens/verify": { body: m2mBody },
      "/v1/oauth_applications/access_tokens/verify": { body: oauthBody }
    }
    backend.requests.length = 0
    const [apiKey, m2m, oauth] = await machine(
      (auth) => Effect.all([auth.verifyToken("ak_v4_1"), auth.verifyToken("mt_v4_2"), auth.verifyToken("oat_v4_3")]),
      { machineSecretKey: Redacted.make(machineSecret) }
    )
    expect(apiKey).toBeInstanceOf(MachineAuth)
    expect(apiKey).toMatchObject({
      tokenType: "api_key",
      id: "ak_id_1",
      subject: "user_owner",
      userId: "user_owner",
      name: "CI deploy key",
      claims: { team: "platform" }
    })
    expect(m2m).toMatchObject({ tokenType: "m2m_token", machineId: "mch_caller", scopes: ["mch_target"] })
    expect(oauth).toMatchObject({ tokenType: "oauth_token", clientId: "client_abc", userId: "user_granted" })
    const seen = Object.fromEntries(backend.requests.map((r) => [r.path, r]))
    expect(seen["/v1/api_keys/verify"]).toMatchObject({
      authorization: `Bearer ${instanceSecret}`,
      body: { secret: "ak_v4_1" }
    })
    expect(seen["/v1/m2m_tokens/verify"]).toMatchObject({
      authorization: `Bearer ${machineSecret}`,
      body: { token: "mt_v4_2" }
    })
    expect(seen["/v1/oauth_applications/access_tokens/verify"]).toMatchObject({ body: { access_token: "oat_v4_3" } })
  })

  it("refuses revoked keys, refusals by Clerk, inactive OAuth tokens, and reports Clerk outages apart", async () => {
    answers = {
      "/v1/api_keys/verify": { body: apiKeyBody({ revoked: true }) },
      "/v1/m2m_tokens/verify": { status: 404, body: { errors: [{ code: "not_found", message: "not found" }] } },
      "/v1/oauth_applications/access_tokens/verify": { body: { active: false } }
    }
    const states = await machine((auth) =>
      Effect.all([
        auth.authenticateToken("ak_revoked"),
        auth.authenticateToken("mt_unknown"),
        auth.authenticateToken("oat_inactive")
      ])
    )
    for (const state of states) {
      expect(signedOut(state)).toMatchObject({ reason: "token-invalid", detail: "machine-token-invalid" })
    }
    expect(signedOut(states[0]).message).toContain("revoked")
    answers = { "/v1/api_keys/verify": { status: 503, body: { errors: [] } } }
    const outage = signedOut(await machine((auth) => auth.authenticateToken("ak_outage")))
    expect(outage).toMatchObject({ reason: "unexpected-error", tokenType: "api_key" })
    expect(outage.message).not.toContain("ak_outage")
    expect(outage.message).not.toContain(instanceSecret)
  })

  it("remembers accepted machine tokens for machineTokenCacheTtl, and not refusals", async () => {
    answers = { "/v1/api_keys/verify": { body: apiKeyBody() } }
    backend.requests.length = 0
    await machine(
      (auth) =>
        Effect.all([auth.verifyToken("ak_cached"), auth.verifyToken("ak_cached"), auth.verifyToken("ak_cached")]),
      { machineTokenCacheTtl: "1 hour" }
    )
    expect(backend.requests.length).toBe(1)
    answers = { "/v1/api_keys/verify": { status: 401, body: { errors: [] } } }
    backend.requests.length = 0
    await machine(
      (auth) => Effect.all([auth.authenticateToken("ak_refused"), auth.authenticateToken("ak_refused")]),
      { machineTokenCacheTtl: "1 hour" }
    )
    expect(backend.requests.length).toBe(2)
  })

  it("shares accepted machine tokens through a ClerkMachineTokenStore, sealed: an altered entry is not trusted", async () => {
    answers = { "/v1/api_keys/verify": { body: apiKeyBody() } }
    backend.requests.length = 0
    // A plain map stands for the shared store; these tests keep well inside the entries' minute.
    const entries = new Map<string, string>()
    const store: SharedTextStore = {
      get: (key) => Effect.sync(() => Option.fromNullishOr(entries.get(key))),
      set: (key, value) => Effect.sync(() => void entries.set(key, value))
    }
    const replica = <A, E>(use: (auth: ClerkAuth["Service"]) => Effect.Effect<A, E>, options: ClerkAuthOptions) =>
      Effect.runPromise(
        Effect.flatMap(ClerkAuth, use).pipe(
          Effect.provide(
            ClerkAuth.layer({ jwtKey: keys.pem, acceptsToken: "any", ...options }).pipe(
              Layer.provide(
                Layer.effect(ClerkMachineTokenStore, ClerkMachineTokenStore.make(store, Redacted.make(instanceSecret)))
              ),
              Layer.provideMerge(ClerkClient.layer),
              Layer.provide(
                ClerkConfig.layer({ secretKey: Redacted.make(instanceSecret), apiUrl: `${backend.url}/v1` })
              ),
              Layer.provide(FetchHttpClient.layer)
            )
          ),
          Effect.provideService(ClerkRetryPolicy, ClerkRetryPolicy.none)
        )
      )
    const verify = (auth: ClerkAuth["Service"]) => auth.verifyToken("ak_shared_v4")
    const first = await replica(verify, { machineTokenCacheTtl: "1 minute" })
    const second = await replica(verify, { machineTokenCacheTtl: "1 minute" })
    expect(second).toEqual(first)
    expect(backend.requests.length).toBe(1)
    expect([...entries.keys()]).toEqual([expect.stringMatching(/^machine-token:[0-9a-f]{64}$/)])
    expect([...entries.values()][0]).not.toContain("ak_shared_v4")

    const [key, sealed] = [...entries][0]!
    entries.set(key, sealed.replace("\"scopes\":[", "\"scopes\":[\"admin:all\","))
    const third = await replica(verify, { machineTokenCacheTtl: "1 minute" })
    expect((third as MachineAuth).scopes).not.toContain("admin:all")
    expect(backend.requests.length).toBe(2)

    // Without a TTL the store is refused: how long to trust a token is the application's choice.
    await expect(replica(verify, {})).rejects.toThrow(/machineTokenCacheTtl/)
  })

  it("refuses a session token where only API keys are accepted", async () => {
    const state = signedOut(
      await machine((auth) =>
        Effect.promise(() => mint()).pipe(
          Effect.flatMap((token) => auth.authenticateToken(token))
        ), { acceptsToken: ["api_key"] })
    )
    expect(state).toMatchObject({ reason: "token-type-mismatch", tokenType: "session_token" })
  })

  it("verifies machine JWTs locally: an M2M JWT and an at+jwt OAuth token make no Backend API call", async () => {
    backend.requests.length = 0
    const m2mJwt = await mint({ sub: "mch_jwt", jti: "mt_jwt_1", scp: ["mch_target"] })
    const oauthJwt = await mint({ sub: "user_oauth", client_id: "client_jwt", scope: "read write" }, {
      header: { typ: "at+jwt" }
    })
    const [m2m, oauth] = await machine((auth) => Effect.all([auth.verifyToken(m2mJwt), auth.verifyToken(oauthJwt)]))
    expect(m2m).toMatchObject({ tokenType: "m2m_token", id: "mt_jwt_1", machineId: "mch_jwt" })
    expect(oauth).toMatchObject({ tokenType: "oauth_token", clientId: "client_jwt", scopes: ["read", "write"] })
    expect(backend.requests).toEqual([])
  })
})
