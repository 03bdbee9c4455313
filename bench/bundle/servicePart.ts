/**
 * The call shared by bundle entries (d) and (e): `clerk.users.get` through a `ClerkGroups.Service` naming the
 * Users group only.
 */
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { ClerkConfig, ClerkGroups, Users } from "../../src/index.js"

class Clerk extends ClerkGroups.Service<Clerk>()("bench/Clerk", { users: Users }) {}

export const getUserThroughService = Effect.flatMap(Clerk, (clerk) => clerk.users.get({ userId: "user_123" })).pipe(
  Effect.provide(Clerk.layer),
  Effect.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_fake") }))
)
