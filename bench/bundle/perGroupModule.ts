/**
 * Bundle entry (b'): the same app as (b), importing each piece from its own
 * module - what `effect-clerk/generated/Users`, `effect-clerk/ClerkClient`
 * and `effect-clerk/ClerkConfig` resolve to once published - instead of from
 * the package entry.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { ClerkClient } from "../../src/ClerkClient.js"
import { ClerkConfig } from "../../src/ClerkConfig.js"
import * as Users from "../../src/generated/Users.js"
import { fetchUserByHand } from "./handWritten.js"

const program = Effect.all([
  fetchUserByHand,
  Users.get({ userId: "user_123" }).pipe(
    Effect.provide(ClerkClient.layer),
    Effect.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_fake") }))
  )
])

Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer))).then(console.log, console.error)
