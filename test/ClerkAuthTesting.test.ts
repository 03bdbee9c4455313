/**
 * The testing helpers themselves: keys usable by any verifier, tokens whose times follow
 * TestClock, a v2 encoding that the claims reader turns back into the same organization,
 * and layers that trust the keys.
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as TestClock from "effect/TestClock"
import * as Jose from "jose"
import type { SignedOut } from "../src/ClerkAuth.js"
import { ClerkAuth, SessionAuth, SignedIn } from "../src/ClerkAuth.js"
import { authLayer, generateKeys, jwksLayer, mintSessionToken } from "../src/ClerkAuthTesting.js"
import { ClerkJwks } from "../src/ClerkJwks.js"
import { sessionClaims } from "../src/internal/claims.js"

const T0 = Date.UTC(2031, 5, 15, 12)

const decodePart = (token: string, index: 0 | 1) =>
  JSON.parse(new TextDecoder().decode(Jose.base64url.decode(token.split(".")[index]!))) as Record<string, unknown>

describe("generateKeys", () => {
  it.effect("makes an RSA pair with a public JWK, a one-key JWKS and an SPKI PEM", () =>
    Effect.gen(function*() {
      const keys = yield* generateKeys({ kid: "ins_test_a" })
      expect(keys.kid).toBe("ins_test_a")
      expect(keys.alg).toBe("RS256")
      expect(keys.jwk).toMatchObject({ kty: "RSA", kid: "ins_test_a", alg: "RS256", use: "sig" })
      expect(typeof keys.jwk.n).toBe("string")
      expect(keys.jwk.e).toBe("AQAB")
      // Public only: no private member leaks into the documents meant for verifiers.
      for (const member of ["d", "p", "q", "dp", "dq", "qi"]) expect(keys.jwk).not.toHaveProperty(member)
      expect(keys.jwks).toEqual({ keys: [keys.jwk] })
      expect(keys.pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n?$/)
      // The PEM and the JWK are the same key.
      const fromPem = yield* Effect.promise(async () =>
        Jose.exportJWK(await Jose.importSPKI(keys.pem, "RS256", { extractable: true }))
      )
      expect(fromPem.n).toBe(keys.jwk.n)
    }))

  it.effect("defaults to a fresh random kid and honours alg", () =>
    Effect.gen(function*() {
      const [a, b] = yield* Effect.all([generateKeys(), generateKeys({ alg: "RS512" })], { concurrency: "unbounded" })
      expect(a.kid).toMatch(/^ins_test_[0-9a-f]{16}$/)
      expect(b.kid).not.toBe(a.kid)
      expect(b.alg).toBe("RS512")
      expect(b.jwk.alg).toBe("RS512")
    }))
})

describe("mintSessionToken", () => {
  it.effect("signs with defaults taken from the Clock, verifiable by an independent verifier", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0 + 750)
      const keys = yield* generateKeys()
      const token = yield* mintSessionToken(keys)
      expect(decodePart(token, 0)).toEqual({ alg: "RS256", kid: keys.kid, typ: "JWT" })
      const now = Math.floor(T0 / 1000)
      expect(decodePart(token, 1)).toEqual({
        sub: "user_test",
        sid: "sess_test",
        iat: now,
        nbf: now,
        exp: now + 60,
        v: 2
      })
      const { payload } = yield* Effect.promise(() =>
        Jose.jwtVerify(token, keys.publicKey, { algorithms: ["RS256"], currentDate: new Date(T0) })
      )
      expect(payload.sub).toBe("user_test")
    }))

  it.effect("claims win over defaults, undefined removes a claim, expiresIn sets exp", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const keys = yield* generateKeys()
      const token = yield* mintSessionToken(keys, {
        sub: "user_9",
        sid: undefined,
        nbf: undefined,
        azp: "https://app.test"
      }, {
        expiresIn: Duration.minutes(10),
        version: 1
      })
      const payload = decodePart(token, 1)
      expect(payload).toEqual({ sub: "user_9", iat: T0 / 1000, exp: T0 / 1000 + 600, azp: "https://app.test" })
    }))

  it.effect("writes header overrides; an RSA alg is also used to sign, another is only written", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const keys = yield* generateKeys()
      const rs512 = yield* mintSessionToken(keys, {}, {
        header: { alg: "RS512", kid: "other", typ: undefined, cty: "x" }
      })
      expect(decodePart(rs512, 0)).toEqual({ alg: "RS512", kid: "other", cty: "x" })
      const rs512Key = yield* Effect.promise(() =>
        Jose.importJWK({ kty: "RSA", n: keys.jwk.n!, e: keys.jwk.e! }, "RS512")
      )
      const verified = yield* Effect.promise(() =>
        Jose.compactVerify(rs512, rs512Key, { algorithms: ["RS512"] }).then(() => true, () => false)
      )
      expect(verified).toBe(true)
      // A header alg outside RSA is only written: the signature is the keys' RS256 one over the header as written.
      const none = yield* mintSessionToken(keys, {}, { header: { alg: "none" } })
      const [header, payload, signature] = none.split(".") as [string, string, string]
      expect(decodePart(none, 0).alg).toBe("none")
      const data = new TextEncoder().encode(`${header}.${payload}`)
      const ok = yield* Effect.promise(() =>
        globalThis.crypto.subtle.verify(
          "RSASSA-PKCS1-v1_5",
          keys.publicKey as CryptoKey,
          new Uint8Array(Jose.base64url.decode(signature)),
          data
        )
      )
      expect(ok).toBe(true)
    }))

  it.effect("v2 packing is the inverse of the claims reader, beyond 31 permission bits", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const keys = yield* generateKeys()
      const many = Array.from({ length: 40 }, (_, i) => `p${i}`)
      const permissions = [
        ...many.map((p) => `org:reports:${p}`),
        "org:members:p39",
        "org:members:p0",
        "org:members:read",
        "org:sys_memberships:manage"
      ]
      const org = { id: "org_7", slug: "seven", role: "org:owner", permissions, features: ["o:audit", "reports"] }
      const v2 = decodePart(
        yield* mintSessionToken(keys, {}, { version: 2, org, features: ["u:profile"], plans: ["u:free"] }),
        1
      )
      const v1 = decodePart(
        yield* mintSessionToken(keys, {}, { version: 1, org, features: ["u:profile"], plans: ["u:free"] }),
        1
      )
      expect(v2.fea).toBe("o:audit,o:reports,o:members,o:sys_memberships,u:profile")
      const o = v2.o as Record<string, string>
      expect(o.rol).toBe("owner")
      expect(o.fpm!.split(",")[0]).toBe("0") // audit: a feature with no permission
      expect(o.fpm!.split(",")[1]).toBe(String(2 ** 40 - 1))
      for (const payload of [v1, v2]) {
        const read = sessionClaims(payload)
        expect(read.orgId).toBe("org_7")
        expect(read.orgSlug).toBe("seven")
        expect(read.orgRole).toBe("org:owner")
        expect([...read.orgPermissions].sort()).toEqual([...permissions].sort())
        expect(read.features).toEqual(["o:audit", "o:reports", "o:members", "o:sys_memberships", "u:profile"])
        expect(read.plans).toEqual(["u:free"])
      }
    }))

  it.effect("dies on a permission v2 cannot express, which v1 carries as given", () =>
    Effect.gen(function*() {
      const keys = yield* generateKeys()
      const org = { id: "org_1", permissions: ["read"] }
      const exit = yield* Effect.exit(mintSessionToken(keys, {}, { org }))
      expect(Exit.isFailure(exit) && exit.cause._tag === "Die").toBe(true)
      const v1 = decodePart(yield* mintSessionToken(keys, {}, { org, version: 1 }), 1)
      expect(v1.org_permissions).toEqual(["read"])
    }))
})

describe("jwksLayer and authLayer", () => {
  it.effect("jwksLayer serves the keys by kid and nothing else", () =>
    Effect.gen(function*() {
      const keys = yield* generateKeys({ kid: "ins_test_jwks" })
      const jwks = yield* Effect.provide(ClerkJwks, jwksLayer(keys))
      expect((yield* jwks.getKey("ins_test_jwks", "RS256")).kid).toBe("ins_test_jwks")
      expect((yield* Effect.flip(jwks.getKey("ins_test_other", "RS256"))).reason).toBe("jwk-kid-mismatch")
    }))

  it.effect("authLayer passes its options on, as a protected handler would see them", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const keys = yield* generateKeys()
      // A handler as users write one: 200 with the user, 401 with the reason.
      const handler = (request: HttpServerRequest.HttpServerRequest) =>
        Effect.gen(function*() {
          const state = yield* (yield* ClerkAuth).authenticateRequest(request)
          return state instanceof SignedIn && state.auth instanceof SessionAuth
            ? { status: 200, body: state.auth.userId }
            : { status: 401, body: (state as SignedOut).reason }
        }).pipe(Effect.provide(authLayer(keys, { authorizedParties: ["https://app.test"] })))
      const call = (token: string) =>
        handler(
          HttpServerRequest.fromWeb(
            new Request("https://app.test/me", { headers: { authorization: `Bearer ${token}` } })
          )
        )
      expect(yield* call(yield* mintSessionToken(keys, { sub: "user_ok", azp: "https://app.test" }))).toEqual({
        status: 200,
        body: "user_ok"
      })
      expect(yield* call(yield* mintSessionToken(keys, { azp: "https://evil.test" }))).toEqual({
        status: 401,
        body: "token-invalid-authorized-parties"
      })
      yield* TestClock.adjust(Duration.minutes(2))
      expect(yield* call(yield* mintSessionToken(keys, { sub: "user_later", azp: "https://app.test" }))).toEqual({
        status: 200,
        body: "user_later"
      })
    }))
})
