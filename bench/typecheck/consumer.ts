/**
 * A small app for the type-check benchmark: five operations through
 * `ClerkBackend`, their results and typed errors used, the layers provided.
 * The benchmark checks it against src/ as written here and against the
 * built declarations in dist/ (a copy importing "effect-clerk").
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { ClerkBackend, ClerkConfig } from "../../src/index.js"

export const program = Effect.gen(function*() {
  const clerk = yield* ClerkBackend.ClerkBackend
  const users = yield* clerk.users.list({ limit: 100, orderBy: "-created_at" })
  const first = users[0]
  const user = first === undefined
    ? undefined
    : yield* clerk.users.get({ userId: first.id }).pipe(
      Effect.catchTag("ClerkNotFound", () => Effect.succeed(undefined))
    )
  const organization = yield* clerk.organizations.create({ name: "Acme", createdBy: user?.id ?? null })
  const invitation = yield* clerk.invitations.create({
    emailAddress: user?.emailAddresses[0]?.emailAddress ?? "someone@example.com",
    publicMetadata: { organizationId: organization.id }
  })
  const sessions = yield* clerk.sessions.list({ userId: user?.id ?? "user_123", limit: 10 })
  return { users: users.length, invitation: invitation.id, sessions: sessions.map((session) => session.status) }
}).pipe(
  Effect.catchTags({
    ClerkRateLimited: (error) => Effect.fail(`rate limited, retry after ${String(error.retryAfter)}`),
    ClerkTransportError: (error) => Effect.fail(`transport: ${error.kind}`)
  })
)

export const main = program.pipe(
  Effect.provide(ClerkBackend.layer),
  Effect.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_fake") })),
  Effect.provide(FetchHttpClient.layer)
)
