/**
 * Bundle entry (b): the baseline plus one `Users.get` through the per-group
 * module, imported from the package entry as an app would. Only the Users
 * operations it calls (and the schemas they need) should end up in the bundle.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { ClerkClient, ClerkConfig, Users } from "../../src/index.js"
import { fetchUserByHand } from "./handWritten.js"

const program = Effect.all([
  fetchUserByHand,
  Users.get({ userId: "user_123" }).pipe(
    Effect.provide(ClerkClient.layer),
    Effect.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_fake") }))
  )
])

Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer))).then(console.log, console.error)
