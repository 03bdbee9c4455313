/**
 * The clients compared in the call-overhead benchmark, each as "one call
 * returning a promise", built once against the replay server.
 */
import { createClerkClient } from "@clerk/backend"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { ClerkBackend, ClerkConfig, Schemas, Users } from "../../src/index.js"

export interface Client {
  readonly call: () => Promise<unknown>
  readonly dispose: () => Promise<void>
}

const secretKey = "sk_test_fake"

/** (a) What any client must do at least: fetch the body and parse it. */
export const rawFetch = (baseUrl: string): Client => {
  const url = `${baseUrl}/users?limit=100`
  const headers = { authorization: `Bearer ${secretKey}`, accept: "application/json" }
  return {
    call: async () => JSON.parse(await (await fetch(url, { headers })).text()),
    dispose: async () => {}
  }
}

/** The two transports compared: the platform's `fetch` client, and its Node client on undici's dispatcher. */
export type Transport = "fetch" | "undici"

const transportLayer = (transport: Transport): Layer.Layer<HttpClient.HttpClient> =>
  transport === "fetch" ? FetchHttpClient.layer : NodeHttpClient.layerUndici

/**
 * (b) `clerk.users.list` through `ClerkBackend` on `FetchHttpClient`, (b') on `NodeHttpClient.layerUndici`, layers
 * built once: the fast decode path included, as shipped.
 */
export const effectClerk = async (baseUrl: string, transport: Transport = "fetch"): Promise<Client> => {
  const runtime = ManagedRuntime.make(
    ClerkBackend.layer.pipe(
      Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make(secretKey), apiUrl: baseUrl })),
      Layer.provide(transportLayer(transport))
    )
  )
  const clerk = await runtime.runPromise(ClerkBackend.ClerkBackend)
  const list = clerk.users.list({ limit: 100 })
  return { call: () => runtime.runPromise(list), dispose: () => runtime.dispose() }
}

/** (c) The official SDK. It sends `GET /v1/users` and `GET /v1/users/count` in parallel for one `getUserList`. */
export const clerkSdk = (baseUrl: string): Client => {
  const clerk = createClerkClient({ secretKey, apiUrl: baseUrl, telemetry: { disabled: true } })
  return { call: () => clerk.users.getUserList({ limit: 100 }), dispose: async () => {} }
}

/**
 * (e) The same request through `@effect/platform`'s HttpClient, (e') on undici, parsed but not schema-decoded: the
 * transport's share.
 */
export const effectHttpOnly = async (baseUrl: string, transport: Transport = "fetch"): Promise<Client> => {
  const runtime = ManagedRuntime.make(transportLayer(transport))
  const request = HttpClientRequest.get(`${baseUrl}/users`, { urlParams: { limit: "100" } }).pipe(
    HttpClientRequest.bearerToken(secretKey),
    HttpClientRequest.acceptJson
  )
  const program = Effect.flatMap(
    HttpClient.HttpClient,
    (client) =>
      Effect.flatMap(
        client.execute(request),
        (response) => Effect.map(response.text, (text) => JSON.parse(text) as unknown)
      )
  )
  return { call: () => runtime.runPromise(program), dispose: () => runtime.dispose() }
}

/** (d) The general decoder `users.list` falls back to: same schema, same options as src/internal/response.ts. */
export const userListDecoder = Schema.decodeUnknownSync(Schemas.UserList, {
  errors: "first",
  onExcessProperty: "ignore"
})

/**
 * (f) The fast path `users.list` tries first: the decoder the generator wrote beside the operation's success
 * schema (its descriptor's `decode`), as src/internal/response.ts uses it.
 */
export const userListFastDecoder = Users.list.descriptor.decode
