/**
 * The fake's sessions, session tokens, sign-in tokens, JWKS and JWT templates, driven through
 * the generated client; then `ClerkAuth` fetching its keys from the fake and accepting the
 * tokens the fake mints.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as Jose from "jose"
import * as Crypto from "node:crypto"
import { ClerkAuth } from "../../src/ClerkAuth.js"
import { generateKeys, mintSessionToken } from "../../src/ClerkAuthTesting.js"
import { ClerkBackend } from "../../src/ClerkBackend.js"
import { ClerkTest } from "../../src/ClerkTest.js"

const alice = {
  id: "user_alice",
  emailAddress: ["alice@example.com"],
  firstName: "Alice",
  publicMetadata: { plan: "pro" }
}
const bob = { id: "user_bob", emailAddress: ["bob@example.com"] }

const fake = ClerkTest.layerWith({
  users: [alice, bob],
  organizations: [{
    id: "org_acme",
    name: "Acme",
    slug: "acme",
    members: [{ userId: "user_alice", role: "org:admin" }]
  }]
})

const T0 = Date.UTC(2031, 5, 15, 12)
const day = 24 * 60 * 60 * 1000

const payloadOf = (jwt: string) => Jose.decodeJwt(jwt)
const headerOf = (jwt: string) => Jose.decodeProtectedHeader(jwt)

/** Verifies a token against the JWKS the fake serves, at the given time (seconds). */
const verifyWithFakeJwks = (jwt: string, nowSeconds: number) =>
  Effect.gen(function*() {
    const clerk = yield* ClerkBackend
    const jwks = yield* clerk.jwks.getJWKS()
    const keySet = Jose.createLocalJWKSet(jwks as unknown as Jose.JSONWebKeySet)
    return yield* Effect.promise(() => Jose.jwtVerify(jwt, keySet, { currentDate: new Date(nowSeconds * 1000) }))
  })

describe("sessions", () => {
  it.effect("create makes an active session with Clerk's lifetimes", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const clerk = yield* ClerkBackend
      const session = yield* clerk.sessions.create({ userId: "user_alice" })
      expect(session.id).toMatch(/^sess_[0-9A-Za-z]{27}$/)
      expect(session.clientId).toMatch(/^client_/)
      expect(session).toMatchObject({ object: "session", userId: "user_alice", status: "active" })
      expect(session.lastActiveAt).toBe(T0)
      expect(session.createdAt).toBe(T0)
      expect(session.expireAt).toBe(T0 + 7 * day)
      expect(session.abandonAt).toBe(T0 + 30 * day)
      expect(yield* clerk.sessions.get({ sessionId: session.id })).toEqual(session)
    }).pipe(Effect.provide(fake)))

  it.effect("create for an unknown user and get of an unknown session answer 404", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const noUser = yield* Effect.flip(clerk.sessions.create({ userId: "user_nobody" }))
      expect(noUser._tag).toBe("ClerkNotFound")
      const noSession = yield* Effect.flip(clerk.sessions.get({ sessionId: "sess_nothing" }))
      expect(noSession._tag).toBe("ClerkNotFound")
      if (noSession._tag === "ClerkNotFound") expect(noSession.errors[0]!.code).toBe("resource_not_found")
    }).pipe(Effect.provide(fake)))

  it.effect("create with an active organization needs a membership", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const session = yield* clerk.sessions.create({ userId: "user_alice", activeOrganizationId: "org_acme" })
      expect(session.lastActiveOrganizationId).toBe("org_acme")
      const notMember = yield* Effect.flip(
        clerk.sessions.create({ userId: "user_bob", activeOrganizationId: "org_acme" })
      )
      expect(notMember._tag).toBe("ClerkUnprocessable")
      const noOrg = yield* Effect.flip(
        clerk.sessions.create({ userId: "user_alice", activeOrganizationId: "org_none" })
      )
      expect(noOrg._tag).toBe("ClerkNotFound")
    }).pipe(Effect.provide(fake)))

  it.effect("list filters by user, client and status, newest first, with limit and offset", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const clerk = yield* ClerkBackend
      const first = yield* clerk.sessions.create({ userId: "user_alice" })
      yield* TestClock.adjust("1 second")
      const second = yield* clerk.sessions.create({ userId: "user_alice" })
      yield* TestClock.adjust("1 second")
      const third = yield* clerk.sessions.create({ userId: "user_alice" })
      const bobs = yield* clerk.sessions.create({ userId: "user_bob" })
      yield* clerk.sessions.revoke({ sessionId: second.id })

      const ids = (list: ReadonlyArray<{ readonly id: string }>) => list.map((session) => session.id)
      expect(ids(yield* clerk.sessions.list({ userId: "user_alice" }))).toEqual([third.id, second.id, first.id])
      expect(ids(yield* clerk.sessions.list({ userId: "user_alice", status: "active" }))).toEqual([third.id, first.id])
      expect(ids(yield* clerk.sessions.list({ userId: "user_alice", status: "revoked" }))).toEqual([second.id])
      expect(ids(yield* clerk.sessions.list({ clientId: bobs.clientId }))).toEqual([bobs.id])
      expect(ids(yield* clerk.sessions.list({ userId: "user_alice", limit: 1, offset: 1 }))).toEqual([second.id])
      expect(yield* clerk.sessions.list({ userId: "user_nobody" })).toEqual([])
    }).pipe(Effect.provide(fake)))

  it.effect("list without user_id or client_id is refused with 422", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const error = yield* Effect.flip(clerk.sessions.list())
      expect(error._tag).toBe("ClerkUnprocessable")
      if (error._tag === "ClerkUnprocessable") expect(error.errors[0]!.code).toBe("form_param_missing")
    }).pipe(Effect.provide(fake)))

  it.effect("revoke ends an active session; revoking it again answers 400", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const clerk = yield* ClerkBackend
      const session = yield* clerk.sessions.create({ userId: "user_alice" })
      yield* TestClock.adjust("1 minute")
      const revoked = yield* clerk.sessions.revoke({ sessionId: session.id })
      expect(revoked.status).toBe("revoked")
      expect(revoked.updatedAt).toBe(T0 + 60_000)
      expect((yield* clerk.sessions.get({ sessionId: session.id })).status).toBe("revoked")
      const again = yield* Effect.flip(clerk.sessions.revoke({ sessionId: session.id }))
      expect(again._tag).toBe("ClerkBadRequest")
      if (again._tag === "ClerkBadRequest") expect(again.errors[0]!.code).toBe("session_not_active")
      expect((yield* Effect.flip(clerk.sessions.revoke({ sessionId: "sess_nothing" })))._tag).toBe("ClerkNotFound")
    }).pipe(Effect.provide(fake)))

  it.effect("a session left past its expiry reads as expired", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const clerk = yield* ClerkBackend
      const session = yield* clerk.sessions.create({ userId: "user_alice" })
      yield* TestClock.adjust("8 days")
      expect((yield* clerk.sessions.get({ sessionId: session.id })).status).toBe("expired")
      expect(yield* clerk.sessions.list({ userId: "user_alice", status: "active" })).toEqual([])
      expect((yield* Effect.flip(clerk.sessions.createToken({ sessionId: session.id })))._tag).toBe("ClerkNotFound")
    }).pipe(Effect.provide(fake)))
})

describe("session tokens", () => {
  it.effect("createToken signs a session JWT that verifies against the fake's JWKS", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const clerk = yield* ClerkBackend
      const { keys } = yield* ClerkTest
      const session = yield* clerk.sessions.create({ userId: "user_alice" })
      const token = yield* clerk.sessions.createToken({ sessionId: session.id })
      expect(token.object).toBe("token")
      const jwt = token.jwt!
      expect(headerOf(jwt)).toEqual({ alg: "RS256", kid: keys.kid, typ: "JWT" })
      const now = T0 / 1000
      const { payload } = yield* verifyWithFakeJwks(jwt, now)
      expect(payload).toMatchObject({ sub: "user_alice", sid: session.id, iat: now, nbf: now, exp: now + 60, v: 2 })
      expect(payload.iss).toMatch(/^https:\/\//)
    }).pipe(Effect.provide(fake)))

  it.effect("createToken honours expires_in_seconds within Clerk's bounds", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const session = yield* clerk.sessions.create({ userId: "user_alice" })
      const token = yield* clerk.sessions.createToken({ sessionId: session.id, expiresInSeconds: 3600 })
      expect(payloadOf(token.jwt!).exp).toBe(3600)
      // Below the spec's minimum of 30: the client refuses before sending.
      const tooShort = yield* Effect.flip(clerk.sessions.createToken({ sessionId: session.id, expiresInSeconds: 5 }))
      expect(tooShort._tag).toBe("ClerkInvalidRequest")
      expect(tooShort.message).toContain("expiresInSeconds")
    }).pipe(Effect.provide(fake)))

  it.effect("createToken answers 404 for an unknown or revoked session", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      expect((yield* Effect.flip(clerk.sessions.createToken({ sessionId: "sess_nothing" })))._tag).toBe("ClerkNotFound")
      const session = yield* clerk.sessions.create({ userId: "user_alice" })
      yield* clerk.sessions.revoke({ sessionId: session.id })
      expect((yield* Effect.flip(clerk.sessions.createToken({ sessionId: session.id })))._tag).toBe("ClerkNotFound")
    }).pipe(Effect.provide(fake)))

  it.effect("a session in an organization carries the v2 organization claim", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const session = yield* clerk.sessions.create({ userId: "user_alice", activeOrganizationId: "org_acme" })
      const token = yield* clerk.sessions.createToken({ sessionId: session.id })
      const claim = payloadOf(token.jwt!).o as Record<string, unknown>
      expect(claim).toMatchObject({ id: "org_acme", rol: "admin", slg: "acme" })
    }).pipe(Effect.provide(fake)))

  it.effect("jwks.getJWKS serves the fake's public key and nothing private", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const { keys } = yield* ClerkTest
      const jwks = yield* clerk.jwks.getJWKS()
      expect(jwks.keys).toEqual([{ kid: keys.kid, alg: "RS256", use: "sig", kty: "RSA", n: keys.jwk.n, e: keys.jwk.e }])
    }).pipe(Effect.provide(fake)))
})

describe("JWT templates", () => {
  it.effect("create fills Clerk's defaults; get and list return it", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const clerk = yield* ClerkBackend
      const template = yield* clerk.jwtTemplates.create({ name: "hasura", claims: { role: "user" } })
      expect(template.id).toMatch(/^jtmp_/)
      expect(template).toMatchObject({
        object: "jwt_template",
        name: "hasura",
        claims: { role: "user" },
        lifetime: 60,
        allowedClockSkew: 5,
        customSigningKey: false,
        signingAlgorithm: "RS256",
        createdAt: T0,
        updatedAt: T0
      })
      expect(yield* clerk.jwtTemplates.get({ templateId: template.id })).toEqual(template)
      expect(yield* clerk.jwtTemplates.list()).toEqual([template])
    }).pipe(Effect.provide(fake)))

  it.effect("names are unique, on create and on update", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      yield* clerk.jwtTemplates.create({ name: "one", claims: {} })
      const two = yield* clerk.jwtTemplates.create({ name: "two", claims: {} })
      const taken = yield* Effect.flip(clerk.jwtTemplates.create({ name: "one", claims: {} }))
      expect(taken._tag).toBe("ClerkUnprocessable")
      if (taken._tag === "ClerkUnprocessable") {
        expect(taken.errors[0]!.code).toBe("form_identifier_exists")
        expect(taken.errors[0]!.meta).toEqual({ param_name: "name" })
      }
      const renamed = yield* Effect.flip(clerk.jwtTemplates.update({ templateId: two.id, name: "one", claims: {} }))
      expect(renamed._tag).toBe("ClerkUnprocessable")
      // Keeping its own name is not a clash.
      expect((yield* clerk.jwtTemplates.update({ templateId: two.id, name: "two", claims: { a: 1 } })).claims).toEqual({
        a: 1
      })
    }).pipe(Effect.provide(fake)))

  it.effect("lifetime and clock skew outside Clerk's bounds are refused", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      // Outside the spec's bounds: the client refuses before sending.
      const shortLife = yield* Effect.flip(clerk.jwtTemplates.create({ name: "a", claims: {}, lifetime: 10 }))
      expect(shortLife._tag).toBe("ClerkInvalidRequest")
      const bigSkew = yield* Effect.flip(clerk.jwtTemplates.create({ name: "a", claims: {}, allowedClockSkew: 301 }))
      expect(bigSkew._tag).toBe("ClerkInvalidRequest")
      const customWithoutKey = yield* Effect.flip(
        clerk.jwtTemplates.create({ name: "a", claims: {}, customSigningKey: true, signingAlgorithm: "HS256" })
      )
      expect(customWithoutKey._tag).toBe("ClerkUnprocessable")
    }).pipe(Effect.provide(fake)))

  it.effect("update replaces name and claims, keeps unset settings; delete removes it", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const clerk = yield* ClerkBackend
      const template = yield* clerk.jwtTemplates.create({ name: "old", claims: { a: 1 }, lifetime: 120 })
      yield* TestClock.adjust("1 minute")
      const updated = yield* clerk.jwtTemplates.update({ templateId: template.id, name: "new", claims: { b: 2 } })
      expect(updated).toMatchObject({ id: template.id, name: "new", claims: { b: 2 }, lifetime: 120, createdAt: T0 })
      expect(updated.updatedAt).toBe(T0 + 60_000)
      const deleted = yield* clerk.jwtTemplates.delete({ templateId: template.id })
      expect(deleted).toEqual({ object: "jwt_template", id: template.id, deleted: true })
      expect((yield* Effect.flip(clerk.jwtTemplates.get({ templateId: template.id })))._tag).toBe("ClerkNotFound")
      expect((yield* Effect.flip(clerk.jwtTemplates.delete({ templateId: template.id })))._tag).toBe("ClerkNotFound")
      expect(yield* clerk.jwtTemplates.list()).toEqual([])
    }).pipe(Effect.provide(fake)))

  it.effect("list pages with limit and offset in creation order", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      for (const name of ["a", "b", "c"]) yield* clerk.jwtTemplates.create({ name, claims: {} })
      const names = (yield* clerk.jwtTemplates.list({ limit: 2, offset: 1 })).map((template) => template.name)
      expect(names).toEqual(["b", "c"])
    }).pipe(Effect.provide(fake)))

  it.effect("a template token carries the template's claims, shortcodes filled, and its lifetime", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const clerk = yield* ClerkBackend
      yield* clerk.jwtTemplates.create({
        name: "backend",
        lifetime: 300,
        allowedClockSkew: 10,
        claims: {
          aud: "my-api",
          email: "{{user.primary_email_address}}",
          plan: "{{user.public_metadata.plan}}",
          greeting: "Hello {{user.first_name}}!",
          nickname: "{{user.username || 'anonymous'}}",
          // Reserved claims stay Clerk's.
          sub: "someone_else"
        }
      })
      const session = yield* clerk.sessions.create({ userId: "user_alice" })
      const token = yield* clerk.sessions.createTokenFromTemplate({ sessionId: session.id, templateName: "backend" })
      const now = T0 / 1000
      const { payload } = yield* verifyWithFakeJwks(token.jwt!, now)
      expect(payload).toMatchObject({
        aud: "my-api",
        email: "alice@example.com",
        plan: "pro",
        greeting: "Hello Alice!",
        nickname: "anonymous",
        sub: "user_alice",
        iat: now,
        nbf: now - 10,
        exp: now + 300
      })
      const override = yield* clerk.sessions.createTokenFromTemplate({
        sessionId: session.id,
        templateName: "backend",
        expiresInSeconds: 45
      })
      expect(payloadOf(override.jwt!).exp).toBe(now + 45)
    }).pipe(Effect.provide(fake)))

  it.effect("an unknown template name answers 404", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const session = yield* clerk.sessions.create({ userId: "user_alice" })
      const error = yield* Effect.flip(
        clerk.sessions.createTokenFromTemplate({ sessionId: session.id, templateName: "nope" })
      )
      expect(error._tag).toBe("ClerkNotFound")
    }).pipe(Effect.provide(fake)))

  it.effect("a template with its own HS256 key signs with it", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const secret = "a-shared-secret-of-enough-length-for-hs256"
      const template = yield* clerk.jwtTemplates.create({
        name: "shared",
        claims: {},
        customSigningKey: true,
        signingAlgorithm: "HS256",
        signingKey: secret
      })
      expect(template).toMatchObject({ customSigningKey: true, signingAlgorithm: "HS256" })
      const session = yield* clerk.sessions.create({ userId: "user_alice" })
      const token = yield* clerk.sessions.createTokenFromTemplate({ sessionId: session.id, templateName: "shared" })
      expect(headerOf(token.jwt!).alg).toBe("HS256")
      const { payload } = yield* Effect.promise(() =>
        Jose.jwtVerify(token.jwt!, new TextEncoder().encode(secret), { currentDate: new Date(0) })
      )
      expect(payload.sub).toBe("user_alice")
    }).pipe(Effect.provide(fake)))

  it.effect("a template with its own ES256 key signs with it; a key of the wrong kind is refused", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const { privateKey, publicKey } = Crypto.generateKeyPairSync("ec", { namedCurve: "P-256" })
      const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString()
      yield* clerk.jwtTemplates.create({
        name: "ec",
        claims: {},
        customSigningKey: true,
        signingAlgorithm: "ES256",
        signingKey: pem
      })
      const session = yield* clerk.sessions.create({ userId: "user_alice" })
      const token = yield* clerk.sessions.createTokenFromTemplate({ sessionId: session.id, templateName: "ec" })
      const { payload } = yield* Effect.promise(() =>
        Jose.jwtVerify(token.jwt!, publicKey, { currentDate: new Date(0) })
      )
      expect(payload.sub).toBe("user_alice")
      const wrongKind = yield* Effect.flip(
        clerk.jwtTemplates.create({
          name: "rsa",
          claims: {},
          customSigningKey: true,
          signingAlgorithm: "RS256",
          signingKey: pem
        })
      )
      expect(wrongKind._tag).toBe("ClerkUnprocessable")
      if (wrongKind._tag === "ClerkUnprocessable") {
        expect(wrongKind.errors[0]!.meta).toEqual({ param_name: "signing_key" })
      }
    }).pipe(Effect.provide(fake)))
})

describe("sign-in tokens", () => {
  it.effect("create makes a pending token with a ticket URL", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const clerk = yield* ClerkBackend
      const signInToken = yield* clerk.signInTokens.create({ userId: "user_alice", expiresInSeconds: 600 })
      expect(signInToken.id).toMatch(/^sit_/)
      expect(signInToken).toMatchObject({
        object: "sign_in_token",
        status: "pending",
        userId: "user_alice",
        createdAt: T0
      })
      expect(signInToken.token!.length).toBeGreaterThan(20)
      expect(signInToken.url).toContain(signInToken.token!)
    }).pipe(Effect.provide(fake)))

  it.effect("create refuses an unknown user (404) and a non-positive lifetime (422)", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      expect((yield* Effect.flip(clerk.signInTokens.create({ userId: "user_nobody" })))._tag).toBe("ClerkNotFound")
      // Below the spec's minimum of 1: the client refuses before sending.
      const zero = yield* Effect.flip(clerk.signInTokens.create({ userId: "user_alice", expiresInSeconds: 0 }))
      expect(zero._tag).toBe("ClerkInvalidRequest")
    }).pipe(Effect.provide(fake)))

  it.effect("revoke revokes a pending token once; again answers 400; unknown answers 404", () =>
    Effect.gen(function*() {
      const clerk = yield* ClerkBackend
      const signInToken = yield* clerk.signInTokens.create({ userId: "user_alice" })
      const revoked = yield* clerk.signInTokens.revoke({ signInTokenId: signInToken.id })
      expect(revoked).toMatchObject({ id: signInToken.id, status: "revoked" })
      const again = yield* Effect.flip(clerk.signInTokens.revoke({ signInTokenId: signInToken.id }))
      expect(again._tag).toBe("ClerkBadRequest")
      const unknown = yield* Effect.flip(clerk.signInTokens.revoke({ signInTokenId: "sit_nothing" }))
      expect(unknown._tag).toBe("ClerkNotFound")
    }).pipe(Effect.provide(fake)))
})

describe("ClerkAuth against the fake", () => {
  const authenticated = Layer.provideMerge(Layer.orDie(ClerkAuth.layer()), Layer.orDie(fake))
  const requestWith = (token: string) =>
    new Request("http://app.test/", { headers: { authorization: `Bearer ${token}` } })

  it.effect("a minted session token signs the user in", () =>
    Effect.gen(function*() {
      const auth = yield* ClerkAuth
      const { sessionId, token } = yield* ClerkTest.mintSessionToken("user_alice")
      const state = yield* auth.authenticateRequest(requestWith(token))
      expect(state._tag).toBe("SignedIn")
      if (state._tag === "SignedIn" && state.auth._tag === "SessionAuth") {
        expect(state.auth.userId).toBe("user_alice")
        expect(state.auth.sessionId).toBe(sessionId)
      } else {
        expect.unreachable("expected a session")
      }
      // The session behind the token is a real session of the fake.
      const clerk = yield* ClerkBackend
      expect((yield* clerk.sessions.get({ sessionId })).userId).toBe("user_alice")
    }).pipe(Effect.provide(authenticated)))

  it.effect("a token from sessions.createToken signs the user in, with its organization", () =>
    Effect.gen(function*() {
      const auth = yield* ClerkAuth
      const clerk = yield* ClerkBackend
      const session = yield* clerk.sessions.create({ userId: "user_alice", activeOrganizationId: "org_acme" })
      const { jwt } = yield* clerk.sessions.createToken({ sessionId: session.id })
      const state = yield* auth.authenticateRequest(requestWith(jwt!))
      expect(state._tag).toBe("SignedIn")
      if (state._tag === "SignedIn" && state.auth._tag === "SessionAuth") {
        expect(state.auth.userId).toBe("user_alice")
        expect(state.auth.sessionId).toBe(session.id)
        expect(state.auth.orgId).toBe("org_acme")
        expect(state.auth.orgRole).toBe("org:admin")
      } else {
        expect.unreachable("expected a session")
      }
    }).pipe(Effect.provide(authenticated)))

  it.effect("a token signed by other keys is refused", () =>
    Effect.gen(function*() {
      const auth = yield* ClerkAuth
      const strangers = yield* generateKeys({ kid: "ins_someone_else" })
      const forged = yield* mintSessionToken(strangers, { sub: "user_alice", sid: "sess_forged" })
      expect((yield* auth.authenticateRequest(requestWith(forged)))._tag).toBe("SignedOut")
      // Same kid as the fake's, wrong key: the signature check still refuses it.
      const { keys } = yield* ClerkTest
      const lookalike = yield* mintSessionToken(strangers, { sub: "user_alice" }, { header: { kid: keys.kid } })
      expect((yield* auth.authenticateRequest(requestWith(lookalike)))._tag).toBe("SignedOut")
    }).pipe(Effect.provide(authenticated)))

  it.effect("an expired token is refused once the clock passes its expiry", () =>
    Effect.gen(function*() {
      const auth = yield* ClerkAuth
      const { token } = yield* ClerkTest.mintSessionToken("user_alice")
      yield* TestClock.adjust("2 minutes")
      const state = yield* auth.authenticateRequest(requestWith(token))
      expect(state._tag).toBe("SignedOut")
      if (state._tag === "SignedOut") expect(state.reason).toBe("token-expired")
    }).pipe(Effect.provide(authenticated)))

  it.effect("minting for an unknown user fails with ClerkTestError", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ClerkTest.mintSessionToken("user_nobody"))
      expect(error._tag).toBe("ClerkTestError")
      expect(error.status).toBe(404)
    }).pipe(Effect.provide(authenticated)))
})
