/**
 * Bundle entry (d): the baseline plus one call through a `ClerkGroups.Service` naming only the Users group:
 * the documented main path, paying for the groups it names.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { ClerkConfig, ClerkGroups, Users } from "../../src/index.js"
import { fetchUserByHand } from "./handWritten.js"

class Clerk extends ClerkGroups.Service<Clerk>()("bench/Clerk", { users: Users }) {}

const program = Effect.all([
  fetchUserByHand,
  Effect.flatMap(Clerk, (clerk) => clerk.users.get({ userId: "user_123" })).pipe(
    Effect.provide(Clerk.layer),
    Effect.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_fake") }))
  )
])

Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer))).then(console.log, console.error)
