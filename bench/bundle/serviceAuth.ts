/**
 * Bundle entry (e): entry (d) plus `ClerkAuth.authenticateRequest` with a PEM key (`jwtKey`, networkless): the
 * shape of a server that reads users and checks session tokens.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { ClerkConfig, ClerkGroups, Users } from "../../src/index.js"
import { checkRequest } from "./authPart.js"
import { fetchUserByHand } from "./handWritten.js"

class Clerk extends ClerkGroups.Service<Clerk>()("bench/Clerk", { users: Users }) {}

const program = Effect.all([
  fetchUserByHand,
  Effect.flatMap(Clerk, (clerk) => clerk.users.get({ userId: "user_123" })).pipe(
    Effect.provide(Clerk.layer),
    Effect.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_fake") }))
  ),
  checkRequest
])

Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer))).then(console.log, console.error)
