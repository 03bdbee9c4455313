/**
 * The request check shared by bundle entries (e) and (e'): `ClerkAuth.authenticateRequest` on
 * `ClerkAuth.layer({ jwtKey })`, networkless.
 */
import * as Effect from "effect/Effect"
import { ClerkAuth } from "../../src/index.js"

const request = new Request("https://app.example.com/", { headers: { authorization: "Bearer not-a-token" } })

export const checkRequest = Effect.flatMap(ClerkAuth.ClerkAuth, (auth) => auth.authenticateRequest(request)).pipe(
  Effect.provide(ClerkAuth.layer({ jwtKey: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----" })),
  Effect.orDie
)
