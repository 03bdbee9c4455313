/**
 * The hand-written request every bundle entry contains, so that the entries
 * differ only by what effect-clerk adds.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"

export const fetchUserByHand = Effect.gen(function*() {
  const client = yield* HttpClient.HttpClient
  const response = yield* client.execute(
    HttpClientRequest.get("https://api.clerk.com/v1/users/user_123").pipe(
      HttpClientRequest.bearerToken("sk_test_fake"),
      HttpClientRequest.acceptJson
    )
  )
  return yield* response.json
})
