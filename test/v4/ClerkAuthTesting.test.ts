/**
 * The Effect 4 testing kit: keys in every form a verifier takes, tokens with times from Effect's Clock,
 * both claim layouts read back by the shared claims reader, and layers that trust the keys.
 */
import * as Effect from "effect/Effect"
import * as TestClock from "effect/testing/TestClock"
import * as Jose from "jose"
import { describe, expect, it } from "vitest"
import { sessionClaims } from "../../src/internal/claims.js"
import { ClerkAuth } from "../../src/v4/ClerkAuth.js"
import type { SessionAuth } from "../../src/v4/ClerkAuth.js"
import { authLayer, generateKeys, jwksLayer, mintSessionToken } from "../../src/v4/ClerkAuthTesting.js"
import { ClerkJwks } from "../../src/v4/ClerkJwks.js"

const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"))
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString("utf8"))

describe("ClerkAuthTesting (Effect 4)", () => {
  it("makes an RSA pair with a public JWK, a one-key JWKS and an SPKI PEM; kids are fresh", async () => {
    const keys = await Effect.runPromise(generateKeys({ alg: "RS384" }))
    const other = await Effect.runPromise(generateKeys())
    expect(keys.kid).toMatch(/^ins_test_/)
    expect(keys.kid).not.toBe(other.kid)
    expect(keys.jwk).toMatchObject({ kty: "RSA", kid: keys.kid, alg: "RS384", use: "sig" })
    expect(keys.jwk).not.toHaveProperty("d")
    expect(keys.jwks).toEqual({ keys: [keys.jwk] })
    expect(keys.pem).toMatch(/^-----BEGIN PUBLIC KEY-----/)
  })

  it("signs with times from the Clock (TestClock sets them), verifiable by an independent verifier", async () => {
    const keys = await Effect.runPromise(generateKeys({ kid: "ins_v4_testing" }))
    const token = await Effect.runPromise(
      Effect.gen(function*() {
        yield* TestClock.setTime(1_000_000_000_000)
        return yield* mintSessionToken(keys, { sub: "user_clock" }, { expiresIn: "2 minutes" })
      }).pipe(Effect.provide(TestClock.layer()))
    )
    expect(payloadOf(token)).toMatchObject({
      sub: "user_clock",
      sid: "sess_test",
      iat: 1_000_000_000,
      nbf: 1_000_000_000,
      exp: 1_000_000_120
    })
    const { payload } = await Jose.jwtVerify(token, keys.publicKey, { currentDate: new Date(1_000_000_010_000) })
    expect(payload.sub).toBe("user_clock")
  })

  it("writes header overrides, removes claims given as undefined, and packs v1 and v2 layouts", async () => {
    const keys = await Effect.runPromise(generateKeys())
    const forged = await Effect.runPromise(mintSessionToken(keys, { sid: undefined }, { header: { alg: "none" } }))
    expect(headerOf(forged).alg).toBe("none")
    expect(payloadOf(forged)).not.toHaveProperty("sid")
    const org = { id: "org_1", role: "admin", slug: "acme", permissions: ["org:members:read", "org:billing:manage"] }
    for (const version of [1, 2] as const) {
      const token = await Effect.runPromise(mintSessionToken(keys, {}, { version, org, plans: ["o:pro"] }))
      const claims = sessionClaims(payloadOf(token))
      expect(claims).toMatchObject({ orgId: "org_1", orgRole: "org:admin", orgSlug: "acme", plans: ["o:pro"] })
      expect([...claims.orgPermissions].sort()).toEqual([...org.permissions].sort())
    }
  })

  it("dies on a permission v2 cannot express", async () => {
    const keys = await Effect.runPromise(generateKeys())
    const exit = await Effect.runPromiseExit(
      mintSessionToken(keys, {}, { org: { id: "org_1", permissions: ["not-a-key"] } })
    )
    expect(exit._tag).toBe("Failure")
  })

  it("jwksLayer serves the keys by kid and nothing else; authLayer passes its options on", async () => {
    const keys = await Effect.runPromise(generateKeys())
    const found = await Effect.runPromise(
      Effect.flatMap(ClerkJwks, (jwks) => jwks.getKey(keys.kid, "RS256")).pipe(Effect.provide(jwksLayer(keys)))
    )
    expect(found.kid).toBe(keys.kid)
    const missing = await Effect.runPromise(
      Effect.flip(Effect.flatMap(ClerkJwks, (jwks) => jwks.getKey("ins_other", "RS256"))).pipe(
        Effect.provide(jwksLayer(keys))
      )
    )
    expect(missing.reason).toBe("jwk-kid-mismatch")
    const token = await Effect.runPromise(mintSessionToken(keys, { azp: "https://app.example", sub: "user_layer" }))
    const [accepted, refused] = await Effect.runPromise(Effect.all([
      Effect.flatMap(ClerkAuth, (auth) => auth.authenticateToken(token)).pipe(
        Effect.provide(authLayer(keys, { authorizedParties: ["https://app.example"] }))
      ),
      Effect.flatMap(ClerkAuth, (auth) => auth.authenticateToken(token)).pipe(
        Effect.provide(authLayer(keys, { authorizedParties: ["https://other.example"] }))
      )
    ]))
    expect(accepted._tag === "SignedIn" && (accepted.auth as SessionAuth).userId).toBe("user_layer")
    expect(refused).toMatchObject({ _tag: "SignedOut", reason: "token-invalid-authorized-parties" })
  })
})
