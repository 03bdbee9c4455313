/**
 * The Effect 4 executor against the in-memory fake served on 127.0.0.1: the same requests, decoded
 * results and typed errors as the Effect 3 line, through the generated Effect 4 descriptors.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { ClerkClient, withSecretKey, withTimeout } from "../../src/v4/ClerkClient.js"
import { ClerkConfig } from "../../src/v4/ClerkConfig.js"
import { ClerkRetryPolicy } from "../../src/v4/ClerkRetryPolicy.js"
import * as Users4 from "../../src/v4/generated/Users.js"
import { type ServedFake, startFake } from "../support/FakeServer.js"
import { wireUser } from "../support/Fixtures.js"

const create = Users4.create.descriptor
const get = Users4.get.descriptor
const list = Users4.list.descriptor

let fake: ServedFake
beforeAll(async () => {
  fake = await startFake({ secretKey: "sk_test_v4_client" })
})
afterAll(() => fake.close())

const run = <A, E>(effect: Effect.Effect<A, E, ClerkClient>, apiUrl = fake.apiUrl) =>
  Effect.runPromise(
    Effect.provide(
      effect,
      ClerkClient.layer.pipe(
        Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_v4_client"), apiUrl })),
        Layer.provide(FetchHttpClient.layer)
      )
    ).pipe(Effect.provideService(ClerkRetryPolicy, ClerkRetryPolicy.none))
  )

describe("ClerkClient (Effect 4)", () => {
  it("creates, reads and lists users: a JSON body out, camelCase values back, user data untouched", async () => {
    const result = await run(Effect.gen(function*() {
      const client = yield* ClerkClient
      const created = yield* client.execute(create, {
        emailAddress: ["ada.v4@example.com"],
        firstName: "Ada",
        publicMetadata: { plan: "pro", nested: { seats: 3 } }
      })
      const fetched = yield* client.execute(get, { userId: created.id })
      const listed = yield* client.execute(list, { limit: 10, userId: [created.id] })
      return { created, fetched, listed }
    }))
    expect(result.created.publicMetadata).toEqual({ plan: "pro", nested: { seats: 3 } })
    expect(result.fetched.firstName).toBe("Ada")
    expect(result.fetched.emailAddresses[0].emailAddress).toBe("ada.v4@example.com")
    expect(result.listed.map((user: { id: string }) => user.id)).toEqual([result.created.id])
  })

  it("fails with the typed errors of the Effect 3 line", async () => {
    const errors = await run(Effect.gen(function*() {
      const client = yield* ClerkClient
      const missing = yield* Effect.flip(client.execute(get, { userId: "user_missing" }))
      const invalid = yield* Effect.flip(client.execute(list, { limit: 0 }))
      return { missing, invalid }
    }))
    expect(errors.missing._tag).toBe("ClerkNotFound")
    expect(errors.missing).toMatchObject({ operation: "users.get", status: 404 })
    expect(errors.invalid._tag).toBe("ClerkInvalidRequest")
    expect(errors.invalid).toMatchObject({ operation: "users.list", path: "limit" })
  })

  it("reports a closed port as a ClerkTransportError, and a wrong key as ClerkUnauthorized", async () => {
    const closed = await startFake()
    await closed.close()
    const refused = await run(
      Effect.flip(Effect.flatMap(ClerkClient, (c) => c.execute(get, { userId: "u" }))),
      closed.apiUrl
    )
    expect(refused._tag).toBe("ClerkTransportError")
    expect(refused).toMatchObject({ kind: "ConnectionRefused" })
    expect(refused.message).not.toContain("sk_test_v4_client")
    const unauthorized = await run(
      Effect.flip(Effect.flatMap(ClerkClient, (c) => c.execute(get, { userId: "u" }))).pipe(
        withSecretKey(Redacted.make("sk_test_wrong_key")),
        withTimeout(Duration.seconds(5))
      )
    )
    expect(unauthorized._tag).toBe("ClerkUnauthorized")
    expect(unauthorized.message).not.toContain("sk_test_wrong_key")
  })

  it("retries a 429 after Clerk's Retry-After under the default policy, then decodes the answer", async () => {
    const seen: Array<string | undefined> = []
    const server = http.createServer((request, response) => {
      seen.push(request.headers.authorization)
      if (seen.length === 1) {
        response.writeHead(429, { "content-type": "application/json", "retry-after": "0" })
        response.end(JSON.stringify({ errors: [{ code: "too_many_requests", message: "slow down" }] }))
      } else {
        response.writeHead(200, { "content-type": "application/json" })
        response.end(JSON.stringify(wireUser({ id: "user_retried" })))
      }
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    try {
      const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
      const user = await Effect.runPromise(
        Effect.flatMap(ClerkClient, (c) => c.execute(get, { userId: "user_retried" })).pipe(
          Effect.provide(
            ClerkClient.layer.pipe(
              Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_v4_client"), apiUrl })),
              Layer.provide(FetchHttpClient.layer)
            )
          )
        )
      )
      expect(user.id).toBe("user_retried")
      expect(seen).toEqual(["Bearer sk_test_v4_client", "Bearer sk_test_v4_client"])
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})
