/**
 * `npm run demo`: a short pipeline through effect-clerk, printed step by step.
 *
 * With no `CLERK_SECRET_KEY`, it starts the in-memory fake on 127.0.0.1 and talks to it over
 * a real socket: creates users and an organization, streams them, updates metadata, catches a
 * typed 404, rides out an injected 429, authenticates a request with a minted session token
 * and verifies a signed webhook. With `CLERK_SECRET_KEY` set, it runs the read-only steps
 * against the real Backend API instead. Any failed step makes the process exit with 1.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { ClerkAuth } from "../src/ClerkAuth.js"
import { ClerkBackend } from "../src/ClerkBackend.js"
import { ClerkConfig } from "../src/ClerkConfig.js"
import { ClerkTest } from "../src/ClerkTest.js"
import { ClerkWebhooks } from "../src/ClerkWebhooks.js"
import * as ClerkWebhooksTesting from "../src/ClerkWebhooksTesting.js"
import * as Schemas from "../src/generated/Schemas.js"

class StepFailed extends Data.TaggedError("StepFailed")<{ readonly title: string }> {}

let stepNumber = 0

/** Runs one step, printing its title, its outcome with the time it took, and its detail lines. */
const step = <E, R>(title: string, run: Effect.Effect<ReadonlyArray<string>, E, R>) =>
  Effect.gen(function*() {
    const number = String(++stepNumber).padStart(2, " ")
    const started = yield* Clock.currentTimeMillis
    const outcome = yield* Effect.either(run)
    const took = `${(yield* Clock.currentTimeMillis) - started} ms`
    if (outcome._tag === "Left") {
      const error = outcome.left as { readonly message?: unknown; readonly _tag?: unknown }
      yield* Console.log(`${number}. FAIL ${title} (${took})`)
      yield* Console.log(`      ${String(error._tag ?? "Error")}: ${String(error.message ?? error)}`)
      return yield* new StepFailed({ title })
    }
    yield* Console.log(`${number}. ok   ${title} (${took})`)
    for (const line of outcome.right) yield* Console.log(`      ${line}`)
  })

const fakeSecretKey = "sk_test_demo_not_a_real_key"

/** The whole pipeline against the fake, served on 127.0.0.1. */
const againstFake = Effect.gen(function*() {
  const server = yield* ClerkTest.serve()
  yield* Console.log(`effect-clerk demo: in-memory Clerk fake listening on ${server.apiUrl} (no key, no network)\n`)
  const backend = ClerkBackend.layer.pipe(
    Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make(fakeSecretKey), apiUrl: server.apiUrl })),
    Layer.provide(FetchHttpClient.layer)
  )
  const auth = ClerkAuth.layer().pipe(Layer.provideMerge(backend))

  const pipeline = Effect.gen(function*() {
    const clerk = yield* ClerkBackend
    const people = [
      { first: "Ada", last: "Lovelace", email: "ada@example.com" },
      { first: "Grace", last: "Hopper", email: "grace@example.com" },
      { first: "Alan", last: "Turing", email: "alan@example.com" }
    ]
    const users: Array<Schemas.User> = []
    yield* step(
      "create three users",
      Effect.forEach(
        people,
        (person) =>
          clerk.users.create({ firstName: person.first, lastName: person.last, emailAddress: [person.email] }).pipe(
            Effect.tap((user) => users.push(user)),
            Effect.map((user) =>
              `${user.id}  ${user.firstName} ${user.lastName} <${user.emailAddresses[0]?.emailAddress}>`
            )
          )
      )
    )
    const ada = users[0]!

    yield* step(
      "create an organization with Ada as admin and Grace as member",
      Effect.gen(function*() {
        const org = yield* clerk.organizations.create({ name: "Analytical Engines", createdBy: ada.id })
        yield* clerk.organizationMemberships.create({
          organizationId: org.id,
          userId: users[1]!.id,
          role: "org:member"
        })
        const members = yield* clerk.organizationMemberships.list({ organizationId: org.id })
        return [
          `${org.id}  ${org.name} (slug ${org.slug})`,
          ...members.data.map((m) => `member ${m.publicUserData?.identifier}  ${m.role}`)
        ]
      })
    )

    yield* step(
      "stream every user, two per request",
      Effect.gen(function*() {
        const all = yield* Stream.runCollect(clerk.users.listAll({ orderBy: "+created_at" }, { pageSize: 2 }))
        const requests = (yield* ClerkTest.calls).filter((call) => call.operation === "users.list").length
        return [
          ...Chunk.toReadonlyArray(all).map((user) => `${user.firstName} ${user.lastName}`),
          `${Chunk.size(all)} users in ${requests} requests`
        ]
      })
    )

    yield* step(
      "merge metadata into Ada's profile",
      Effect.gen(function*() {
        yield* clerk.users.updateMetadata({ userId: ada.id, publicMetadata: { plan: "pro", seats: { used: 1 } } })
        const updated = yield* clerk.users.updateMetadata({ userId: ada.id, publicMetadata: { seats: { limit: 5 } } })
        return [`publicMetadata = ${JSON.stringify(updated.publicMetadata)}`]
      })
    )

    yield* step(
      "catch a typed 404 with catchTag",
      clerk.users.get({ userId: "user_does_not_exist" }).pipe(
        Effect.map((user) => [`unexpected: found ${user.id}`]),
        Effect.catchTag(
          "ClerkNotFound",
          (error) => Effect.succeed([`ClerkNotFound: ${error.errors[0]?.code} (status ${error.status})`])
        )
      )
    )

    yield* step(
      "ride out an injected 429 that asks to retry after 1 second",
      Effect.gen(function*() {
        yield* ClerkTest.script("users.count", [ClerkTest.rateLimited("1 second")])
        const started = yield* Clock.currentTimeMillis
        const count = yield* clerk.users.count()
        const waited = (yield* Clock.currentTimeMillis) - started
        const statuses = (yield* ClerkTest.calls).filter((call) => call.operation === "users.count").map((c) =>
          c.status
        )
        if (waited < 1000) return yield* Effect.fail(new Error(`retried after ${waited} ms, before Retry-After`))
        return [`answers ${statuses.join(" then ")}; total ${count.totalCount} users after waiting ${waited} ms`]
      })
    )

    yield* step(
      "mint a session token for Ada and authenticate a request with it",
      Effect.gen(function*() {
        const { sessionId, token } = yield* ClerkTest.mintSessionToken(ada.id)
        const state = yield* (yield* ClerkAuth).authenticateRequest(
          new Request("https://app.example.com/dashboard", { headers: { authorization: `Bearer ${token}` } })
        )
        if (state._tag !== "SignedIn" || state.auth._tag !== "SessionAuth") {
          return yield* Effect.fail(new Error(`expected a signed-in session, got ${state._tag}`))
        }
        return [`SignedIn as ${state.auth.userId} (session ${sessionId}), keys fetched from the fake's JWKS`]
      })
    )

    yield* verifyWebhookStep("user.created", Schema.encode(Schemas.User)(ada))
  })

  yield* Effect.provide(pipeline, auth)
})

/** Signs a delivery the way Clerk does and verifies it into a typed event; a tampered copy is refused. */
const verifyWebhookStep = <E>(type: "user.created" | "user.deleted", payload: Effect.Effect<unknown, E>) =>
  step(
    `verify a signed ${type} webhook`,
    Effect.gen(function*() {
      const secret = ClerkWebhooksTesting.generateSigningSecret()
      const webhooks = yield* ClerkWebhooks.make({ signingSecret: Redacted.make(secret) })
      const data = yield* payload
      const delivery = yield* ClerkWebhooksTesting.signWebhook({
        secret,
        body: { object: "event", type, timestamp: Date.now(), instance_id: "ins_demo", data }
      })
      const event = yield* webhooks.verify(delivery)
      const tampered = yield* Effect.flip(webhooks.verify({ ...delivery, body: delivery.body.replace("user", "usr") }))
      const subject = event.type === "user.created" || event.type === "user.deleted" ? event.data.id : "?"
      return [
        `${event.type} for ${subject} (svix-id ${delivery.headers["svix-id"]})`,
        `a tampered body is refused: ${tampered.reason}`
      ]
    })
  )

/** The read-only steps against the real Backend API. */
const againstClerk = Effect.gen(function*() {
  yield* Console.log("effect-clerk demo: CLERK_SECRET_KEY is set, running the read-only steps against Clerk's API\n")
  const pipeline = Effect.gen(function*() {
    const clerk = yield* ClerkBackend
    yield* step("count users", Effect.map(clerk.users.count(), (count) => [`${count.totalCount} users`]))
    yield* step(
      "stream the five newest users",
      Effect.map(
        Stream.runCollect(Stream.take(clerk.users.listAll({ orderBy: "-created_at" }, { pageSize: 5 }), 5)),
        (users) =>
          Chunk.toReadonlyArray(users).map((user) => `${user.id}  created ${new Date(user.createdAt).toISOString()}`)
      )
    )
    yield* step(
      "list organizations",
      Effect.map(clerk.organizations.list({ limit: 5 }), (page) => [
        `${page.totalCount} organizations`,
        ...page.data.map((org) => `${org.id}  ${org.name}`)
      ])
    )
    yield* step(
      "catch a typed 404 with catchTag",
      clerk.users.get({ userId: "user_does_not_exist" }).pipe(
        Effect.map((user) => [`unexpected: found ${user.id}`]),
        Effect.catchTag("ClerkNotFound", (error) => Effect.succeed([`ClerkNotFound: ${error.errors[0]?.code}`]))
      )
    )
    yield* step(
      "refuse a request with a forged token (keys from your instance's JWKS)",
      Effect.gen(function*() {
        const state = yield* (yield* ClerkAuth).authenticateRequest(
          new Request("https://app.example.com/", { headers: { authorization: "Bearer not.a.token" } })
        )
        return [state._tag === "SignedOut" ? `SignedOut: ${state.reason}` : `unexpected: ${state._tag}`]
      })
    )
    yield* verifyWebhookStep("user.deleted", Effect.succeed({ object: "user", id: "user_demo", deleted: true }))
    yield* Console.log("\n(write steps, the injected 429 and token minting run against the fake only)")
  })
  const backend = ClerkBackend.layer.pipe(Layer.provide(ClerkConfig.layerConfig), Layer.provide(FetchHttpClient.layer))
  yield* Effect.provide(pipeline, ClerkAuth.layer().pipe(Layer.provideMerge(backend)))
})

const main: Effect.Effect<void, unknown> = (process.env.CLERK_SECRET_KEY ?? "") === ""
  ? Effect.scoped(againstFake).pipe(Effect.provide(ClerkTest.layerHttpClient()))
  : againstClerk

Effect.runPromiseExit(main).then((exit) => {
  if (exit._tag === "Success") {
    console.log(`\nAll ${stepNumber} steps passed.`)
  } else {
    const failure = Cause.failureOption(exit.cause)
    if (failure._tag === "Some" && failure.value instanceof StepFailed) {
      console.log(`\nThe demo failed at step ${stepNumber}.`)
    } else {
      console.log(`\nThe demo could not run:\n${Cause.pretty(exit.cause)}`)
    }
    process.exitCode = 1
  }
})
