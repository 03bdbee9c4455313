/**
 * The type-check floor, for comparison with consumer.ts: a similar app that
 * talks to Clerk with `@effect/platform` alone, so the difference between the
 * two is what effect-clerk's types cost the compiler.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const User = Schema.Struct({ id: Schema.String, first_name: Schema.NullOr(Schema.String) })

export const program = Effect.gen(function*() {
  const client = (yield* HttpClient.HttpClient).pipe(
    HttpClient.mapRequest(HttpClientRequest.bearerToken("sk_test_fake")),
    HttpClient.filterStatusOk
  )
  const response = yield* client.get("https://api.clerk.com/v1/users", { urlParams: { limit: "100" } })
  const users = yield* Schema.decodeUnknown(Schema.Array(User))(yield* response.json)
  return users.map((user) => user.first_name)
}).pipe(Effect.catchTags({ ResponseError: (error) => Effect.fail(`status ${error.response.status}`) }))

export const main = program.pipe(Effect.provide(FetchHttpClient.layer))
