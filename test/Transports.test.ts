/**
 * The client on each HTTP transport a Node program would pick, against the fake served on 127.0.0.1: the
 * platform's `fetch` client and `@effect/platform-node`'s clients (undici's dispatcher, and `node:http`).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { ClerkBackend } from "../src/ClerkBackend.js"
import { ClerkConfig } from "../src/ClerkConfig.js"
import { ClerkRetryPolicy } from "../src/ClerkRetryPolicy.js"
import { ClerkTest } from "../src/ClerkTest.js"

const transports: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["FetchHttpClient.layer", FetchHttpClient.layer],
  ["NodeHttpClient.layerUndici", NodeHttpClient.layerUndici],
  ["NodeHttpClient.layer", NodeHttpClient.layer]
]

const clientAt = (apiUrl: string, transport: Layer.Layer<HttpClient.HttpClient>) =>
  ClerkBackend.layer.pipe(
    Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_transports"), apiUrl })),
    Layer.provide(transport)
  )

describe("transports", () => {
  for (const [name, transport] of transports) {
    it.live(`${name}: a JSON body out, decoded bodies back, typed API errors`, () =>
      Effect.gen(function*() {
        const server = yield* ClerkTest.serve()
        yield* Effect.gen(function*() {
          const clerk = yield* ClerkBackend
          const created = yield* clerk.users.create({
            emailAddress: [`${name.toLowerCase().replace(/\W/g, "")}@example.com`],
            firstName: "Ada",
            publicMetadata: { plan: "pro", nested: { seats: 3 } }
          })
          expect(created.publicMetadata).toEqual({ plan: "pro", nested: { seats: 3 } })
          const fetched = yield* clerk.users.get({ userId: created.id })
          expect(fetched.firstName).toBe("Ada")
          const listed = yield* clerk.users.list({ limit: 10, userId: [created.id] })
          expect(listed.map((user) => user.id)).toEqual([created.id])
          const missing = yield* Effect.flip(clerk.users.get({ userId: "user_missing" }))
          expect(missing._tag).toBe("ClerkNotFound")
        }).pipe(Effect.provide(clientAt(server.apiUrl, transport)))
      }).pipe(Effect.scoped, Effect.provide(ClerkTest.layer), Effect.timeout(Duration.seconds(10))))

    it.live(`${name}: a closed port is a ClerkTransportError`, () =>
      Effect.gen(function*() {
        // A port that was just listening and is now closed: nothing answers it.
        const apiUrl = yield* Effect.scoped(Effect.map(ClerkTest.serve(), (server) => server.apiUrl))
        const error = yield* Effect.flatMap(ClerkBackend, (clerk) => clerk.users.get({ userId: "user_1" })).pipe(
          Effect.provide(clientAt(apiUrl, transport)),
          // The default policy retries a refused connection with backoff; the error itself is what is tested.
          Effect.provideService(ClerkRetryPolicy, ClerkRetryPolicy.none),
          Effect.flip
        )
        expect(error._tag).toBe("ClerkTransportError")
      }).pipe(Effect.provide(ClerkTest.layer), Effect.timeout(Duration.seconds(20))))
  }
})
