/**
 * The portable check run by `test/Runtimes.test.ts` on each runtime: web APIs only (fetch,
 * `crypto.subtle`, `TextEncoder`), no Node module, so the same bundle runs on Node, Bun, Deno,
 * the edge runtime and workerd. Against the served fake it reads the seeded user through
 * `ClerkBackend` over `FetchHttpClient`, catches the typed `ClerkNotFound` of a missing id and
 * authenticates a session token the harness minted (keys fetched from the fake's JWKS, and from
 * the PEM alone); in-process it verifies a signed webhook and decodes it to its event.
 *
 * Every check reports a value or `error: ...`, never throws, so one line tells what failed where.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { ClerkAuth, ClerkBackend, ClerkConfig, ClerkWebhooks, ClerkWebhooksTesting, Schemas } from "../../src/index.js"

/** What the harness hands the script. */
export interface PortableInput {
  /** The served fake's API base URL (`http://127.0.0.1:PORT/v1`). */
  readonly apiUrl: string
  readonly secretKey: string
  /** The seeded user. */
  readonly userId: string
  /** A session token minted by the fake for the seeded user, and its session id. */
  readonly token: string
  readonly sessionId: string
  /** The fake's signing key, as PEM. */
  readonly pem: string
}

/** The one line the script prints. */
export interface PortableResult {
  readonly runtime: string
  readonly user: string
  readonly missing: string
  readonly authViaJwks: string
  readonly authViaPem: string
  readonly webhook: string
}

/** Which runtime this is, by the globals each one defines (Bun and Deno also define `process`). */
export const runtimeName = (): string => {
  const global = globalThis as any
  if (typeof global.EdgeRuntime === "string") return "edge-runtime"
  if (typeof global.Bun === "object") return "bun"
  if (typeof global.Deno === "object") return "deno"
  if (global.navigator?.userAgent === "Cloudflare-Workers") return "workerd"
  if (typeof global.process?.versions?.node === "string") return "node"
  return "unknown"
}

const report = <A, E>(check: Effect.Effect<string, E, A>): Effect.Effect<string, never, A> =>
  check.pipe(
    Effect.catchAllCause((cause) => Effect.succeed(`error: ${Cause.pretty(cause).split("\n")[0]}`)),
    Effect.timeoutTo({ duration: "20 seconds", onTimeout: () => "error: timed out", onSuccess: (value) => value })
  )

const authenticate = (token: string) =>
  Effect.gen(function*() {
    const auth = yield* ClerkAuth.ClerkAuth
    const state = yield* auth.authenticateRequest(
      new Request("http://127.0.0.1/protected", { headers: { authorization: `Bearer ${token}` } })
    )
    if (state._tag === "SignedOut") return `SignedOut ${state.reason}`
    return state.auth._tag === "SessionAuth"
      ? `SignedIn ${state.auth.userId} ${state.auth.sessionId}`
      : `SignedIn ${state.auth._tag}`
  })

/** Runs every check and answers the result line (JSON). */
export const main = (input: PortableInput): Promise<string> => {
  const backend = ClerkBackend.layer.pipe(
    Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make(input.secretKey), apiUrl: input.apiUrl })),
    Layer.provide(FetchHttpClient.layer)
  )

  const program = Effect.gen(function*() {
    const clerk = yield* ClerkBackend.ClerkBackend
    const fetched = yield* Effect.either(clerk.users.get({ userId: input.userId }))
    const user = fetched._tag === "Right"
      ? `${fetched.right.id} ${fetched.right.emailAddresses[0]?.emailAddress}`
      : `error: ${fetched.left._tag}`

    const missing = yield* report(
      clerk.users.get({ userId: "user_missing_in_runtime" }).pipe(
        Effect.as("found"),
        Effect.catchTag(
          "ClerkNotFound",
          (error) => Effect.succeed(`ClerkNotFound ${error.status} ${error.errors[0]?.code}`)
        )
      )
    )

    const authViaJwks = yield* report(
      Effect.provide(authenticate(input.token), ClerkAuth.layer().pipe(Layer.provide(backend)))
    )
    const authViaPem = yield* report(
      Effect.provide(authenticate(input.token), ClerkAuth.layer({ jwtKey: input.pem }))
    )

    // In-process: a user.created delivery, its data the user just read, signed and verified here.
    const secret = ClerkWebhooksTesting.generateSigningSecret()
    const webhook = yield* report(
      Effect.gen(function*() {
        if (fetched._tag === "Left") return "error: no user to send"
        const webhooks = yield* ClerkWebhooks.ClerkWebhooks
        const data = yield* Schema.encode(Schemas.User)(fetched.right)
        const delivery = yield* ClerkWebhooksTesting.signWebhook({
          secret,
          id: "msg_runtime_check",
          body: { object: "event", type: "user.created", timestamp: Date.now(), instance_id: "ins_runtime", data }
        })
        const event = yield* webhooks.verify(delivery)
        if (event.type !== "user.created") return `unexpected ${event.type}`
        const tampered = yield* Effect.flip(
          webhooks.verify({ ...delivery, body: delivery.body.replace(fetched.right.id, "user_tampered") })
        )
        // camelCase fields exist only on the decoded event: the wire body is snake_case.
        const email = event.data.emailAddresses[0]?.emailAddress
        const decoded = typeof event.data.createdAt === "number" && email !== undefined ? `decoded ${email}` : "raw"
        return `${event.type} ${event.data.id} ${decoded}; tampered: ${tampered._tag} ${tampered.reason}`
      }).pipe(Effect.provide(ClerkWebhooks.layer({ signingSecret: Redacted.make(secret) })))
    )

    const result: PortableResult = { runtime: runtimeName(), user, missing, authViaJwks, authViaPem, webhook }
    return JSON.stringify(result)
  })

  return Effect.runPromise(Effect.provide(program, backend))
}
