/** Signing keys for tests that serve their own `/jwks`, built on the package's testing helpers. */
import * as Effect from "effect/Effect"
import type * as Jose from "jose"
import { generateKeys } from "../../src/ClerkAuthTesting.js"
import type * as Schemas from "../../src/generated/Schemas.js"

export interface TestKey {
  readonly kid: string
  readonly privateKey: Jose.CryptoKey
  /** The public key as the Backend API's `GET /jwks` sends it. */
  readonly jwk: Schemas.JWKSRsaPublicKey.Encoded
  readonly pem: string
}

/** A fresh RS256 key pair under `kid`. */
export const makeKey = async (kid: string): Promise<TestKey> => {
  const keys = await Effect.runPromise(generateKeys({ kid }))
  return {
    kid,
    privateKey: keys.privateKey,
    jwk: { kid, alg: "RS256", use: "sig", kty: "RSA", n: keys.jwk.n!, e: keys.jwk.e! },
    pem: keys.pem
  }
}
