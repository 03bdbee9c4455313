/**
 * An in-memory Clerk for tests: the Backend API answered in-process, behind the same
 * generated client, so code written against `ClerkBackend` runs unchanged.
 *
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { ClerkBackend } from "effect-clerk"
 * import { ClerkTest } from "effect-clerk/testing"
 *
 * const program = Effect.gen(function*() {
 *   const clerk = yield* ClerkBackend.ClerkBackend
 *   const user = yield* clerk.users.create({ emailAddress: ["ada@example.com"] })
 *   return yield* clerk.users.get({ userId: user.id })
 * })
 *
 * Effect.runPromise(Effect.provide(program, ClerkTest.layer))
 * ```
 *
 * It keeps state for the resources apps touch most (users, email addresses, phone numbers,
 * organizations, memberships, invitations, sessions, sign-in tokens, JWKS, JWT templates);
 * any other operation answers 501 naming itself until a test installs a handler for it.
 *
 * @since 0.1.0
 */
import * as PlatformHeaders from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import type { MintSessionTokenOptions, TestKeys } from "./ClerkAuthTesting.js"
import { generateKeys, mintSessionToken as signSessionToken } from "./ClerkAuthTesting.js"
import { ClerkBackend } from "./ClerkBackend.js"
import type { ClerkClient } from "./ClerkClient.js"
import { ClerkConfig } from "./ClerkConfig.js"
import type { Descriptor } from "./ClerkDescriptor.js"
import { ClerkTestError, ClerkTestSeedError, ClerkTestServeError } from "./ClerkTestError.js"
import type { OperationName } from "./generated/Operations.js"
import { operations } from "./generated/Operations.js"
import type * as Organizations from "./generated/Organizations.js"
import type * as Users from "./generated/Users.js"
import type { ErrorDetail, FakeRequest, ParamsOf, Reply, SuccessOf } from "./internal/fake/core.js"
import { errorReply, isReply as isFakeReply, reply as makeReply } from "./internal/fake/core.js"
import type { Faults, Handler, RecordedCall, ScriptStep } from "./internal/fake/engine.js"
import { FakeEngine, parseBody, toWebResponse } from "./internal/fake/engine.js"
import { builtinRoutes } from "./internal/fake/routes.js"
import { FakeStore, IdGenerator } from "./internal/fake/store.js"

export {
  /**
   * Re-exported from `ClerkTestError`, where the errors live.
   *
   * @since 0.1.0
   * @category errors
   */
  ClerkTestError,
  /**
   * Re-exported from `ClerkTestError`.
   *
   * @since 0.1.0
   * @category errors
   */
  ClerkTestSeedError,
  /**
   * Re-exported from `ClerkTestError`.
   *
   * @since 0.1.0
   * @category errors
   */
  ClerkTestServeError
}

export type {
  /**
   * @since 0.1.0
   * @category models
   */
  ErrorDetail,
  /**
   * @since 0.1.0
   * @category models
   */
  FakeRequest,
  /**
   * @since 0.1.0
   * @category models
   */
  Faults,
  /**
   * @since 0.1.0
   * @category models
   */
  Handler,
  /**
   * @since 0.1.0
   * @category models
   */
  OperationName,
  /**
   * @since 0.1.0
   * @category models
   */
  ParamsOf,
  /**
   * @since 0.1.0
   * @category models
   */
  RecordedCall,
  /**
   * @since 0.1.0
   * @category models
   */
  Reply,
  /**
   * @since 0.1.0
   * @category models
   */
  ScriptStep,
  /**
   * @since 0.1.0
   * @category models
   */
  SuccessOf
}

/**
 * A user to create when the fake starts: the params of `users.create`, plus an optional id
 * of the test's choosing.
 *
 * @since 0.1.0
 * @category models
 */
export interface UserSeed extends Users.CreateParams {
  readonly id?: string | undefined
}

/**
 * An organization to create when the fake starts: the params of `organizations.create`, an
 * optional id, and members (seeded users) with their roles (default `org:member`).
 *
 * @since 0.1.0
 * @category models
 */
export interface OrganizationSeed extends Organizations.CreateParams {
  readonly id?: string | undefined
  readonly members?: ReadonlyArray<{ readonly userId: string; readonly role?: string | undefined }> | undefined
}

/**
 * Handlers installed from the start, typed by operation name.
 *
 * @since 0.1.0
 * @category models
 */
export type Handlers = { readonly [N in OperationName]?: Handler<N> }

/**
 * Options of {@link ClerkTest.layerWith}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClerkTestOptions {
  /** Users created first, in order. */
  readonly users?: ReadonlyArray<UserSeed> | undefined
  /** Organizations created after the users, in order, with their members. */
  readonly organizations?: ReadonlyArray<OrganizationSeed> | undefined
  /** Handlers that replace or add operations. */
  readonly handlers?: Handlers | undefined
  /** Faults applied from the start. */
  readonly faults?: Faults | undefined
  /** Seed of the id generator; the same seed gives the same ids. Default 1. */
  readonly seed?: number | undefined
  /** The only secret key the fake accepts. Default: any non-empty bearer token. */
  readonly secretKey?: string | undefined
  /**
   * Session-token signing keys (served at `GET /jwks`). Default: one RS256 pair shared by every fake
   * of the process (so a token minted by one fake verifies against another's JWKS; give each its
   * own `keys` from `ClerkAuthTesting.generateKeys` to keep them apart).
   */
  readonly keys?: TestKeys | undefined
}

/**
 * Options of {@link ClerkTest.serve}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServeOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number | undefined
}

/**
 * A fake listening on 127.0.0.1.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClerkTestServer {
  /** The API base URL to give any client, e.g. `http://127.0.0.1:50123/v1`. */
  readonly apiUrl: string
  readonly port: number
}

/**
 * A session token minted for a user of the fake, and the session it belongs to.
 *
 * @since 0.1.0
 * @category models
 */
export interface MintedSession {
  readonly token: string
  readonly sessionId: string
}

/**
 * The control surface of a running fake.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClerkTestService {
  /** The keys session tokens are signed with (the fake's JWKS). */
  readonly keys: TestKeys
  /** An `HttpClient` answering from this fake, in-process. */
  readonly httpClient: HttpClient.HttpClient
  /** Installs (or replaces) the handler of an operation. */
  readonly handle: <N extends OperationName>(name: N, handler: Handler<N>) => Effect.Effect<void>
  /** Removes an installed handler, restoring the built-in behaviour. */
  readonly unhandle: (name: OperationName) => Effect.Effect<void>
  /** Queues answers for the next requests to `name` (or to any operation with `"*"`). */
  readonly script: (name: OperationName | "*", steps: ReadonlyArray<ScriptStep>) => Effect.Effect<void>
  /** Replaces the faults applied to requests. */
  readonly setFaults: (faults: Faults) => Effect.Effect<void>
  /** Every request answered so far, in order (the latest 10,000). */
  readonly calls: Effect.Effect<ReadonlyArray<RecordedCall>>
  /**
   * Back to the state the layer started in: the seeds (with the same ids), the options' handlers
   * and faults, no scripts, no recorded calls. For suites sharing one instance (`it.layer`).
   */
  readonly reset: Effect.Effect<void>
  /** Creates a session for a user of the fake and signs a session token for it. */
  readonly mintSessionToken: (
    userId: string,
    options?: MintSessionOptions
  ) => Effect.Effect<MintedSession, ClerkTestError>
  /** Answers one web `Request`, as the HTTP server does. */
  readonly fetch: (request: Request) => Effect.Effect<Response>
}

/**
 * Options of {@link ClerkTestService.mintSessionToken}: those of the auth kit's minting, plus
 * extra claims (which win over the defaults).
 *
 * @since 0.1.0
 * @category models
 */
export interface MintSessionOptions extends MintSessionTokenOptions {
  readonly claims?: { readonly [key: string]: unknown } | undefined
}

const bodyOf = (request: HttpClientRequest.HttpClientRequest): unknown => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return undefined
    case "Uint8Array":
      return parseBody(body.contentType, new TextDecoder().decode(body.body))
    case "Raw":
      return typeof body.body === "string" ? parseBody(body.contentType ?? "", body.body) : body.body
    case "FormData":
      return body.formData
    case "Stream":
      return errorReply(400, {
        code: "malformed_request",
        message: "malformed request",
        longMessage: "The in-process fake does not read streamed request bodies."
      })
  }
}

const webBody = async (request: Request): Promise<unknown> => {
  const contentType = request.headers.get("content-type") ?? ""
  if (contentType.startsWith("multipart/form-data") || contentType.startsWith("application/x-www-form-urlencoded")) {
    try {
      return await request.formData()
    } catch {
      return errorReply(400, {
        code: "malformed_request",
        message: "malformed request",
        longMessage: "The form body could not be read."
      })
    }
  }
  return parseBody(contentType, await request.text())
}

/** Answers an operation of the fake without HTTP, for seeding and minting. */
const invoke = <N extends OperationName>(
  engine: FakeEngine,
  name: N,
  params: ParamsOf<N>
): Effect.Effect<Reply> =>
  Effect.flatMap(Effect.clockWith((clock) => clock.currentTimeMillis), (now) => {
    const descriptor = (operations[name] as { readonly descriptor: Descriptor }).descriptor
    const request: FakeRequest = {
      operation: name,
      method: descriptor.method,
      path: descriptor.path,
      headers: {},
      pathParams: {},
      query: new URLSearchParams(),
      body: undefined
    }
    return engine.run(name, descriptor, params, request, now)
  })

const describeReply = (answer: Reply): string => {
  const body = answer.body as {
    readonly errors?: ReadonlyArray<{ readonly long_message?: string; readonly code?: string }>
  }
  const first = Array.isArray(body?.errors) ? body.errors[0] : undefined
  return first === undefined ? `status ${answer.status}` : `${first.code}: ${first.long_message}`
}

let sharedKeysOnce: Effect.Effect<TestKeys> | undefined

/**
 * One RS256 pair for every fake of the process that is not given `keys`: generating one costs
 * most of a fake's start-up, and tests build many fakes. Generated on first use.
 */
const sharedKeys = (): Effect.Effect<TestKeys> =>
  sharedKeysOnce ??= Effect.runSync(Effect.cached(generateKeys({ kid: "ins_fake_signing_key" })))

const makeService = (options: ClerkTestOptions): Effect.Effect<ClerkTestService, ClerkTestSeedError> =>
  Effect.gen(function*() {
    const keys = options.keys ?? (yield* sharedKeys())
    const engine = new FakeEngine(
      new FakeStore(keys, new IdGenerator(options.seed ?? 1)),
      builtinRoutes,
      options.secretKey
    )

    const seed = <N extends OperationName>(name: N, params: ParamsOf<N>) =>
      Effect.flatMap(invoke(engine, name, params), (answer) =>
        answer.status >= 200 && answer.status < 300
          ? Effect.succeed(answer.body as Record<string, unknown>)
          : Effect.fail(
            new ClerkTestSeedError({
              operation: name,
              status: answer.status,
              message: `Seeding ${name} was refused: ${describeReply(answer)}`
            })
          ))
    // A fresh store (same id seed, so the same ids), the seeds, and the options' handlers and faults.
    const start = Effect.gen(function*() {
      engine.store = new FakeStore(keys, new IdGenerator(options.seed ?? 1))
      engine.handlers.clear()
      engine.scripts.clear()
      engine.calls.length = 0
      for (const { id, ...params } of options.users ?? []) {
        if (id !== undefined) engine.store.ids.reserve("user", id)
        yield* seed("users.create", params)
      }
      for (const { id, members, ...params } of options.organizations ?? []) {
        if (id !== undefined) engine.store.ids.reserve("org", id)
        const organization = yield* seed("organizations.create", params)
        for (const member of members ?? []) {
          yield* seed("organizationMemberships.create", {
            organizationId: String(organization.id),
            userId: member.userId,
            role: member.role ?? "org:member"
          })
        }
      }
      for (const [name, handler] of Object.entries(options.handlers ?? {})) {
        engine.handlers.set(name as OperationName, handler as Handler<any>)
      }
      engine.faults = options.faults ?? {}
    })
    yield* start

    const httpClient = HttpClient.make((request, url) =>
      engine.answer({
        method: request.method,
        url,
        headers: request.headers,
        body: bodyOf(request)
      }).pipe(Effect.map((answer) => HttpClientResponse.fromWeb(request, toWebResponse(answer))))
    )

    const answerWeb = (request: Request): Effect.Effect<Response> =>
      Effect.promise(() => webBody(request)).pipe(
        Effect.flatMap((body) =>
          engine.answer({
            method: request.method,
            url: new URL(request.url),
            headers: PlatformHeaders.fromInput(request.headers),
            body
          })
        ),
        Effect.map(toWebResponse),
        Effect.catchAllDefect((defect) =>
          Effect.succeed(toWebResponse(errorReply(500, {
            code: "fake_defect",
            message: "fake defect",
            longMessage: defect instanceof Error ? defect.message : "The fake failed while answering."
          })))
        )
      )

    const service: ClerkTestService = {
      keys,
      httpClient,
      handle: (name, handler) => Effect.sync(() => void engine.handlers.set(name, handler as Handler<any>)),
      unhandle: (name) => Effect.sync(() => void engine.handlers.delete(name)),
      script: (name, steps) =>
        Effect.sync(() => {
          engine.scripts.set(name, [...(engine.scripts.get(name) ?? []), ...steps])
        }),
      setFaults: (faults) => Effect.sync(() => void (engine.faults = faults)),
      calls: Effect.sync(() => engine.calls.slice()),
      // The seeds were accepted once; accepted again on the same empty store, they cannot fail.
      reset: Effect.orDie(start),
      mintSessionToken: (userId, mintOptions = {}) =>
        Effect.gen(function*() {
          const answer = yield* invoke(engine, "sessions.create", { userId })
          if (answer.status < 200 || answer.status >= 300) {
            return yield* new ClerkTestError({
              operation: "sessions.create",
              status: answer.status,
              message: `No session could be created for ${userId}: ${describeReply(answer)}`
            })
          }
          const sessionId = String((answer.body as { readonly id: unknown }).id)
          const { claims, ...signing } = mintOptions
          const token = yield* signSessionToken(keys, { sub: userId, sid: sessionId, ...claims }, signing)
          return { token, sessionId }
        }),
      fetch: answerWeb
    }
    return service
  })

const testSecretKey = "sk_test_effect_clerk_fake"

/**
 * The control service of the in-memory fake, and the layers that start one.
 *
 * @since 0.1.0
 * @category tags
 */
export class ClerkTest extends Context.Tag("effect-clerk/ClerkTest")<ClerkTest, ClerkTestService>() {
  /**
   * A fresh, empty fake behind `ClerkBackend` (and `ClerkClient`), with its control service.
   * Each build of the layer is a new instance with its own state.
   */
  static readonly layer: Layer.Layer<ClerkTest | ClerkBackend | ClerkClient> = Layer.orDie(
    Layer.suspend(() => ClerkTest.layerWith({}))
  )

  /** A fake seeded with users and organizations, with handlers and faults installed from the start. */
  static readonly layerWith = (
    options: ClerkTestOptions
  ): Layer.Layer<ClerkTest | ClerkBackend | ClerkClient, ClerkTestSeedError> => {
    const control = Layer.effect(ClerkTest, makeService(options))
    const config = ClerkConfig.layer({
      secretKey: Redacted.make(options.secretKey ?? testSecretKey),
      apiUrl: "https://api.clerk.test/v1"
    })
    return ClerkBackend.layer.pipe(
      Layer.provide(Layer.merge(fakeHttpClient, config)),
      Layer.provideMerge(control)
    )
  }

  /** Just the control service and an in-process `HttpClient`, for wiring your own `ClerkBackend`. */
  static readonly layerHttpClient = (
    options: ClerkTestOptions = {}
  ): Layer.Layer<ClerkTest | HttpClient.HttpClient, ClerkTestSeedError> => {
    return fakeHttpClient.pipe(Layer.provideMerge(Layer.effect(ClerkTest, makeService(options))))
  }

  /** Installs (or replaces) the handler of an operation, typed by its name. */
  static readonly handle = <N extends OperationName>(
    name: N,
    handler: Handler<N>
  ): Effect.Effect<void, never, ClerkTest> => Effect.flatMap(ClerkTest, (fake) => fake.handle(name, handler))

  /** Removes an installed handler, restoring the built-in behaviour (or the 501). */
  static readonly unhandle = (name: OperationName): Effect.Effect<void, never, ClerkTest> =>
    Effect.flatMap(ClerkTest, (fake) => fake.unhandle(name))

  /**
   * Queues answers for the next requests to an operation (`"*"`: to any operation, after the
   * operation's own queue). `"pass"` lets one request through.
   */
  static readonly script = (
    name: OperationName | "*",
    steps: ReadonlyArray<ScriptStep>
  ): Effect.Effect<void, never, ClerkTest> => Effect.flatMap(ClerkTest, (fake) => fake.script(name, steps))

  /** Replaces the faults applied to requests (latency, failure rate). `{}` removes them. */
  static readonly faults = (faults: Faults): Effect.Effect<void, never, ClerkTest> =>
    Effect.flatMap(ClerkTest, (fake) => fake.setFaults(faults))

  /** Every request answered so far, in order (the latest 10,000). */
  static readonly calls: Effect.Effect<ReadonlyArray<RecordedCall>, never, ClerkTest> = Effect.flatMap(
    ClerkTest,
    (fake) => fake.calls
  )

  /** Back to the state the layer started in (seeds, handlers and faults of its options). */
  static readonly reset: Effect.Effect<void, never, ClerkTest> = Effect.flatMap(ClerkTest, (fake) => fake.reset)

  /** Creates a session for a user of the fake and signs a session token for it with the fake's keys. */
  static readonly mintSessionToken = (
    userId: string,
    options?: MintSessionOptions
  ): Effect.Effect<MintedSession, ClerkTestError, ClerkTest> =>
    Effect.flatMap(ClerkTest, (fake) => fake.mintSessionToken(userId, options))

  /** A raw answer: status, JSON (or text) body, headers. */
  static readonly reply = (status: number, body?: unknown, headers?: Readonly<Record<string, string>>): Reply =>
    makeReply(status, body, headers)

  /** A Clerk error answer (`{ errors: [...], clerk_trace_id }`). */
  static readonly error = (
    status: number,
    details: ErrorDetail | ReadonlyArray<ErrorDetail>,
    headers?: Readonly<Record<string, string>>
  ): Reply => errorReply(status, details, headers)

  /** 429 `too_many_requests` with `Retry-After` (whole seconds). */
  static readonly rateLimited = (retryAfter: Duration.DurationInput = Duration.seconds(1)): Reply =>
    errorReply(429, {
      code: "too_many_requests",
      message: "Too many requests",
      longMessage: "Rate limit exceeded (ClerkTest)."
    }, {
      "retry-after": String(Math.ceil(Duration.toSeconds(Duration.decode(retryAfter))))
    })

  /** 500 `internal_clerk_error`. */
  static readonly serverError = (status = 500): Reply =>
    errorReply(status, {
      code: "internal_clerk_error",
      message: "Oops, something went wrong",
      longMessage: "Injected failure (ClerkTest)."
    })

  /** Whether a handler's result is a raw answer rather than a success value. */
  static readonly isReply = isFakeReply

  /**
   * The fake as an `HttpApp`, for any `HttpServer` (Node, Bun, a router mount): each request is
   * answered by the `ClerkTest` instance in context.
   */
  static readonly httpApp: Effect.Effect<
    HttpServerResponse.HttpServerResponse,
    never,
    ClerkTest | HttpServerRequest.HttpServerRequest
  > = Effect.gen(function*() {
    const fake = yield* ClerkTest
    const request = yield* HttpServerRequest.HttpServerRequest
    const web = yield* Effect.either(HttpServerRequest.toWeb(request))
    if (web._tag === "Left") {
      return HttpServerResponse.fromWeb(toWebResponse(errorReply(400, {
        code: "malformed_request",
        message: "malformed request",
        longMessage: "The request could not be read."
      })))
    }
    return HttpServerResponse.fromWeb(yield* fake.fetch(web.right))
  })

  /**
   * Serves the fake over HTTP on 127.0.0.1 until the scope closes (Node's `node:http`, loaded
   * on first use; elsewhere serve {@link ClerkTest.httpApp} with the platform's `HttpServer`).
   * Point any client (ours with `ClerkConfig.apiUrl`, another SDK, `curl`) at the returned `apiUrl`.
   */
  static readonly serve = (
    options: ServeOptions = {}
  ): Effect.Effect<ClerkTestServer, ClerkTestServeError, ClerkTest | Scope.Scope> =>
    Effect.gen(function*() {
      const fake = yield* ClerkTest
      const runtime = yield* Effect.runtime<never>()
      const http = yield* Effect.tryPromise({
        try: () => import(nodeHttpModule) as Promise<NodeHttp>,
        catch: () =>
          new ClerkTestServeError({ message: "node:http is not available here; serve ClerkTest.httpApp instead" })
      })
      const server = http.createServer((incoming, outgoing) => {
        const chunks: Array<Uint8Array> = []
        incoming.on("data", (chunk) => chunks.push(chunk))
        incoming.on("end", () => {
          const headers = new Headers()
          for (const [key, value] of Object.entries(incoming.headers)) {
            if (typeof value === "string") headers.set(key, value)
            else if (Array.isArray(value)) { for (const item of value) headers.append(key, item) }
          }
          const method = incoming.method ?? "GET"
          const body = chunks.length === 0 || method === "GET" || method === "HEAD" ? null : concat(chunks)
          const request = new Request(`http://127.0.0.1${incoming.url ?? "/"}`, { method, headers, body })
          Runtime.runPromise(runtime, fake.fetch(request)).then(async (response) => {
            const responseHeaders: Record<string, string> = {}
            response.headers.forEach((value, key) => {
              responseHeaders[key] = value
            })
            outgoing.writeHead(response.status, responseHeaders)
            outgoing.end(new Uint8Array(await response.arrayBuffer()))
          }, () => {
            outgoing.writeHead(500)
            outgoing.end()
          })
        })
      })
      const port = yield* Effect.acquireRelease(
        Effect.async<number, ClerkTestServeError>((resume) => {
          server.once("error", (error) =>
            resume(Effect.fail(new ClerkTestServeError({ message: `Cannot listen: ${error.message}` }))))
          server.listen(options.port ?? 0, "127.0.0.1", () => {
            const address = server.address()
            resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 0))
          })
        }),
        () =>
          Effect.async<void>((resume) => {
            server.closeAllConnections()
            server.close(() =>
              resume(Effect.void)
            )
          })
      )
      return { apiUrl: `http://127.0.0.1:${port}/v1`, port }
    })
}

/** The in-process `HttpClient` of the `ClerkTest` in context. */
const fakeHttpClient: Layer.Layer<HttpClient.HttpClient, never, ClerkTest> = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(ClerkTest, (fake) => fake.httpClient)
)

// The parts of `node:http` that `serve` uses, declared here so the library builds (and loads)
// without Node: the module is imported only when `serve` runs.
const nodeHttpModule = "node:http"

interface NodeHttp {
  readonly createServer: (listener: (incoming: NodeIncoming, outgoing: NodeOutgoing) => void) => NodeServer
}

interface NodeIncoming {
  readonly method?: string | undefined
  readonly url?: string | undefined
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  on(event: "data", listener: (chunk: Uint8Array) => void): void
  on(event: "end", listener: () => void): void
}

interface NodeOutgoing {
  writeHead(status: number, headers?: Record<string, string>): void
  end(body?: Uint8Array): void
}

interface NodeServer {
  listen(port: number, host: string, listener: () => void): void
  once(event: "error", listener: (error: Error) => void): void
  address(): { readonly port: number } | string | null
  close(listener: () => void): void
  closeAllConnections(): void
}

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}

/**
 * An empty fake with the `ClerkBackend` and `ClerkClient` that talk to it.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: typeof ClerkTest.layer = ClerkTest.layer

/**
 * A fake seeded with users and organizations, with handlers and faults installed.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerWith: typeof ClerkTest.layerWith = ClerkTest.layerWith

/**
 * Just the control service and an in-process `HttpClient`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerHttpClient: typeof ClerkTest.layerHttpClient = ClerkTest.layerHttpClient

/**
 * Installs (or replaces) the handler of an operation, typed by its name.
 *
 * @since 0.2.0
 * @category handlers
 */
export const handle: typeof ClerkTest.handle = ClerkTest.handle

/**
 * Removes an installed handler.
 *
 * @since 0.2.0
 * @category handlers
 */
export const unhandle: typeof ClerkTest.unhandle = ClerkTest.unhandle

/**
 * Queues answers for the next requests to an operation (`"*"`: to any operation).
 *
 * @since 0.2.0
 * @category handlers
 */
export const script: typeof ClerkTest.script = ClerkTest.script

/**
 * Replaces the faults applied to requests.
 *
 * @since 0.2.0
 * @category handlers
 */
export const faults: typeof ClerkTest.faults = ClerkTest.faults

/**
 * Every request answered so far, in order.
 *
 * @since 0.2.0
 * @category inspection
 */
export const calls: typeof ClerkTest.calls = ClerkTest.calls

/**
 * Back to the state the layer started in.
 *
 * @since 0.2.0
 * @category handlers
 */
export const reset: typeof ClerkTest.reset = ClerkTest.reset

/**
 * Creates a session for a user of the fake and signs a session token for it.
 *
 * @since 0.2.0
 * @category tokens
 */
export const mintSessionToken: typeof ClerkTest.mintSessionToken = ClerkTest.mintSessionToken

/**
 * A raw answer: status, body, headers.
 *
 * @since 0.2.0
 * @category replies
 */
export const reply: typeof ClerkTest.reply = ClerkTest.reply

/**
 * A Clerk error answer.
 *
 * @since 0.2.0
 * @category replies
 */
export const error: typeof ClerkTest.error = ClerkTest.error

/**
 * 429 `too_many_requests` with `Retry-After`.
 *
 * @since 0.2.0
 * @category replies
 */
export const rateLimited: typeof ClerkTest.rateLimited = ClerkTest.rateLimited

/**
 * 500 `internal_clerk_error`.
 *
 * @since 0.2.0
 * @category replies
 */
export const serverError: typeof ClerkTest.serverError = ClerkTest.serverError

/**
 * Whether a handler's result is a raw answer rather than a success value.
 *
 * @since 0.2.0
 * @category guards
 */
export const isReply: typeof ClerkTest.isReply = ClerkTest.isReply

/**
 * The fake as an `HttpApp`.
 *
 * @since 0.2.0
 * @category servers
 */
export const httpApp: typeof ClerkTest.httpApp = ClerkTest.httpApp

/**
 * Serves the fake over HTTP on 127.0.0.1.
 *
 * @since 0.2.0
 * @category servers
 */
export const serve: typeof ClerkTest.serve = ClerkTest.serve
