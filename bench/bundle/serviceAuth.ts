/**
 * Bundle entry (e): entry (d) plus `ClerkAuth.authenticateRequest` with a PEM key (`jwtKey`, networkless): the
 * shape of a server that reads users and checks session tokens.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { ClerkAuth, ClerkConfig, ClerkGroups, Users } from "../../src/index.js"
import { fetchUserByHand } from "./handWritten.js"

class Clerk extends ClerkGroups.Service<Clerk>()("bench/Clerk", { users: Users }) {}

const request = new Request("https://app.example.com/", { headers: { authorization: "Bearer not-a-token" } })

const program = Effect.all([
  fetchUserByHand,
  Effect.flatMap(Clerk, (clerk) => clerk.users.get({ userId: "user_123" })).pipe(
    Effect.provide(Clerk.layer),
    Effect.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_fake") }))
  ),
  Effect.flatMap(ClerkAuth.ClerkAuth, (auth) => auth.authenticateRequest(request)).pipe(
    Effect.provide(ClerkAuth.layer({ jwtKey: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----" })),
    Effect.orDie
  )
])

Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer))).then(console.log, console.error)
