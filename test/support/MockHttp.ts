/**
 * An in-process `HttpClient` for unit tests: answers each request with a
 * function of it, records what was sent, opens no socket.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { ClerkBackend } from "../../src/ClerkBackend.js"
import { ClerkConfig } from "../../src/ClerkConfig.js"

/** An obviously fake secret key: tests look for it in places it must never appear. */
export const fakeSecret = "sk_test_FAKE_never_a_real_key_0123456789"

export interface Sent {
  readonly method: string
  readonly url: URL
  readonly headers: Record<string, string>
  readonly body: string | FormData | undefined
}

export type Reply =
  | Response
  | ((sent: Sent, index: number) => Response | Promise<Response> | Effect.Effect<Response, unknown>)

/** A JSON response. */
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

/** A Clerk error body. */
export const clerkErrors = (status: number, code = "some_error", headers: Record<string, string> = {}) =>
  json({ errors: [{ code, message: `message of ${code}`, long_message: `long message of ${code}` }] }, status, headers)

const bodyOf = (request: HttpClientRequest.HttpClientRequest): string | FormData | undefined => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return undefined
    case "Uint8Array":
      return new TextDecoder().decode(body.body)
    case "FormData":
      return body.formData
    default:
      return `<${body._tag}>`
  }
}

/** A mock HTTP client plus the list of what it was sent. */
export const mockHttp = (reply: Reply) => {
  const sent: Array<Sent> = []
  const client = HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const entry: Sent = { method: request.method, url, headers: { ...request.headers }, body: bodyOf(request) }
      sent.push(entry)
      const index = sent.length - 1
      // A reply that throws or rejects stands for a transport failure, as FetchHttpClient reports one.
      const transport = (cause: unknown) => new HttpClientError.RequestError({ request, reason: "Transport", cause })
      const produced = yield* Effect.try({
        try: () => typeof reply === "function" ? reply(entry, index) : reply.clone(),
        catch: transport
      })
      const response = Effect.isEffect(produced)
        ? yield* (produced as Effect.Effect<Response, any>)
        : yield* Effect.tryPromise({
          try: () => Promise.resolve(produced as Response | Promise<Response>),
          catch: transport
        })
      return HttpClientResponse.fromWeb(request, response)
    })
  )
  return { sent, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

/** `ClerkBackend` over a mock client, with a fake key and the given base URL. */
export const backendWith = (reply: Reply, options: { readonly apiUrl?: string; readonly timeout?: string } = {}) => {
  const http = mockHttp(reply)
  const layer = ClerkBackend.layer.pipe(
    Layer.provide(ClerkConfig.layer({
      secretKey: Redacted.make(fakeSecret),
      apiUrl: options.apiUrl ?? "https://api.test/v1",
      ...(options.timeout ? { timeout: options.timeout as any } : {})
    })),
    Layer.provide(http.layer)
  )
  return { sent: http.sent, layer }
}
