/**
 * Bundle entry (e'): entry (c) plus `ClerkAuth.authenticateRequest` with a PEM key (`jwtKey`, networkless): the
 * shape of a server that reads users and checks session tokens.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { ClerkBackend, ClerkConfig } from "../../src/index.js"
import { checkRequest } from "./authPart.js"
import { fetchUserByHand } from "./handWritten.js"

const program = Effect.all([
  fetchUserByHand,
  Effect.flatMap(ClerkBackend.ClerkBackend, (clerk) => clerk.users.get({ userId: "user_123" })).pipe(
    Effect.provide(ClerkBackend.layer),
    Effect.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_fake") }))
  ),
  checkRequest
])

Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer))).then(console.log, console.error)
