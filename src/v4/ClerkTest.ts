/**
 * For Effect 4. An in-memory Clerk for tests: the Backend API answered in-process, behind the same
 * generated client, so code written against `ClerkBackend` runs unchanged. The fake itself (state,
 * routing, the resources' behaviour) is the one the Effect 3 line's `ClerkTest` runs; handlers are
 * Effect 4 effects.
 *
 * ```ts
 * import * as Effect from "effect/Effect"
 * import { ClerkBackend } from "effect-clerk/v4"
 * import { ClerkTest } from "effect-clerk/v4/testing"
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
 * @since 0.2.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { ErrorDetail, Reply } from "../internal/fake/core.js"
import {
  errorReply,
  isReply as isFakeReply,
  rateLimitedReply,
  reply as makeReply,
  serverErrorReply
} from "../internal/fake/core.js"
import type { FakeEvent, FakeEvent as RecordedWebhookEvent } from "../internal/fake/events.js"
import { fakeInstanceId } from "../internal/fake/events.js"
import * as FakeHttp from "../internal/fake/http.js"
import { sharedKeys } from "../internal/fake/instance.js"
import type * as Options from "../internal/fake/options.js"
import type { DeliveryRecord as RecordedDelivery, WebhookDeliveryOptions } from "../internal/fake/types.js"
import type { ScriptStep } from "../internal/fake/types.js"
import type { MintSessionTokenOptions, TestKeys } from "./ClerkAuthTesting.js"
import { mintSessionToken as signSessionToken } from "./ClerkAuthTesting.js"
import { ClerkBackend } from "./ClerkBackend.js"
import type { ClerkClient } from "./ClerkClient.js"
import { ClerkConfig } from "./ClerkConfig.js"
import { ClerkTestError, ClerkTestSeedError, ClerkTestServeError } from "./ClerkTestError.js"
import type { OperationName } from "./generated/Operations.js"
import type * as Organizations from "./generated/Organizations.js"
import type * as Users from "./generated/Users.js"
import { ClerkWebhookEvent, eventSchemas } from "./generated/WebhookEvents.js"
import type { FakeEngine } from "./internal/fake.js"
import { makeEngine, ops, run } from "./internal/fake.js"
import type { FakeRequest, Faults, Handler, ParamsOf, RecordedCall, SuccessOf } from "./internal/fakeTypes.js"

export {
  /**
   * Re-exported from `ClerkTestError`, where the errors live.
   *
   * @since 0.2.0
   * @category errors
   */
  ClerkTestError,
  /**
   * Re-exported from `ClerkTestError`.
   *
   * @since 0.2.0
   * @category errors
   */
  ClerkTestSeedError,
  /**
   * Re-exported from `ClerkTestError`.
   *
   * @since 0.2.0
   * @category errors
   */
  ClerkTestServeError
}

/**
 * A webhook event recorded by the fake, in the wire form a delivery carries (`object`, `type`, `timestamp`,
 * `instance_id`, `data`).
 *
 * @since 0.2.0
 * @category models
 */
export type { FakeEvent as RecordedWebhookEvent }

/**
 * One event's HTTP delivery as the fake made it: `id` (its `svix-id`), `type`, each attempt's time and status,
 * and `outcome` (`pending`, `delivered`, `failed`).
 *
 * @since 0.2.0
 * @category models
 */
export type { RecordedDelivery }

/**
 * Options of the fake's HTTP delivery of webhook events: `url`, `signingSecret`, `retryDelays`.
 *
 * @since 0.2.0
 * @category models
 */
export type { WebhookDeliveryOptions }

export type {
  /**
   * @since 0.2.0
   * @category models
   */
  ErrorDetail,
  /**
   * @since 0.2.0
   * @category models
   */
  FakeRequest,
  /**
   * @since 0.2.0
   * @category models
   */
  Faults,
  /**
   * @since 0.2.0
   * @category models
   */
  Handler,
  /**
   * @since 0.2.0
   * @category models
   */
  OperationName,
  /**
   * @since 0.2.0
   * @category models
   */
  ParamsOf,
  /**
   * @since 0.2.0
   * @category models
   */
  RecordedCall,
  /**
   * @since 0.2.0
   * @category models
   */
  Reply,
  /**
   * @since 0.2.0
   * @category models
   */
  ScriptStep,
  /**
   * @since 0.2.0
   * @category models
   */
  SuccessOf
}

/**
 * A user to create when the fake starts: the params of `users.create`, plus an optional id
 * of the test's choosing.
 *
 * @since 0.2.0
 * @category models
 */
export interface UserSeed extends Users.CreateParams {
  readonly id?: string | undefined
}

/**
 * An organization to create when the fake starts: the params of `organizations.create`, an
 * optional id, and members (seeded users) with their roles (default `org:member`).
 *
 * @since 0.2.0
 * @category models
 */
export interface OrganizationSeed extends Organizations.CreateParams, Options.SeedMembers {}

/**
 * A webhook event for {@link ClerkTest.emitWebhookEvent}: a known event as `ClerkWebhooks` decodes it, without
 * the envelope fields the fake fills in (`object`, `instanceId`, and `timestamp` unless given).
 *
 * @since 0.2.0
 * @category models
 */
export type WebhookEventInput = ClerkWebhookEvent extends infer E
  ? E extends ClerkWebhookEvent ? Omit<E, "object" | "instanceId" | "timestamp"> & { readonly timestamp?: number }
  : never
  : never

/**
 * Resources to create when the fake starts, after the users and organizations: for each operation named, the
 * params of each call, in order, plus an optional id of the test's choosing (for the collections the fake
 * derives from the spec).
 *
 * @since 0.2.0
 * @category models
 */
export type ResourceSeeds = {
  readonly [N in OperationName]?: ReadonlyArray<ParamsOf<N> & { readonly id?: string | undefined }>
}

/**
 * Handlers installed from the start, typed by operation name.
 *
 * @since 0.2.0
 * @category models
 */
export type Handlers = { readonly [N in OperationName]?: Handler<N> }

/**
 * Options of {@link ClerkTest.layerWith}.
 *
 * @since 0.2.0
 * @category models
 */
export interface ClerkTestOptions
  extends Options.TestOptionsOf<UserSeed, OrganizationSeed, Handlers, Faults, ResourceSeeds>
{}

/**
 * Options of {@link ClerkTest.serve}.
 *
 * @since 0.2.0
 * @category models
 */
export interface ServeOptions extends Options.ServeOptions {}

/**
 * A fake listening on 127.0.0.1.
 *
 * @since 0.2.0
 * @category models
 */
export interface ClerkTestServer extends Options.Server {}

/**
 * A session token minted for a user of the fake, and the session it belongs to.
 *
 * @since 0.2.0
 * @category models
 */
export interface MintedSession extends Options.MintedSession {}

/**
 * The control surface of a running fake.
 *
 * @since 0.2.0
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
   * The webhook events the fake's state changes caused, oldest first (the latest 10,000), in the wire form a
   * delivery carries: `user.created` after `users.create`, `organizationMembership.deleted` after a membership's
   * delete, ... Answers of handlers and generated answers cause none.
   */
  readonly webhookEvents: Effect.Effect<ReadonlyArray<RecordedWebhookEvent>>
  /** Every webhook event recorded from the moment the stream is run, as it happens; it never ends by itself. */
  readonly webhookEventStream: Stream.Stream<RecordedWebhookEvent>
  /** The HTTP deliveries of those events (with `webhooks` among the options): attempts and outcome of each. */
  readonly webhookDeliveries: Effect.Effect<ReadonlyArray<RecordedDelivery>>
  /**
   * Records a webhook event the test gives, and delivers it like the fake's own (to the stream, and over HTTP
   * with `webhooks`): for the events no Backend API operation causes (`session.ended` and `session.removed`
   * come from sign-outs on the Frontend API, `subscription.*` from billing). The event is typed as
   * `ClerkWebhooks` decodes it and encoded with the same schema; the fake fills in `object`, `instanceId` and,
   * unless given, `timestamp` (the `Clock`). Answers the recorded event in its wire form.
   */
  readonly emitWebhookEvent: (event: WebhookEventInput) => Effect.Effect<RecordedWebhookEvent, ClerkTestError>
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
 * @since 0.2.0
 * @category models
 */
export interface MintSessionOptions extends MintSessionTokenOptions {
  readonly claims?: { readonly [key: string]: unknown } | undefined
}

const makeService = (options: ClerkTestOptions): Effect.Effect<ClerkTestService, ClerkTestSeedError> =>
  Effect.gen(function*() {
    const keys = options.keys ?? (yield* Effect.promise(sharedKeys))
    const engine: FakeEngine = makeEngine(keys, options)
    const start = Effect.flatMap(
      run(() => engine.start()),
      (refused) => refused === undefined ? Effect.void : Effect.fail(new ClerkTestSeedError(refused))
    )
    yield* start

    const httpClient = HttpClient.make((request, url) =>
      Effect.map(
        run(() => engine.answer(FakeHttp.fromClientRequest(request, url))),
        (answer) => HttpClientResponse.fromWeb(request, FakeHttp.toWebResponse(answer))
      )
    )

    const answerWeb = (request: Request): Effect.Effect<Response> =>
      Effect.promise(() => FakeHttp.fromWebRequest(request)).pipe(
        Effect.flatMap((raw) => run(() => engine.answer(raw))),
        Effect.map(FakeHttp.toWebResponse),
        Effect.catchDefect((defect) => Effect.succeed(FakeHttp.defectResponse(defect)))
      )

    const service: ClerkTestService = {
      webhookEventStream: Stream.callback<RecordedWebhookEvent>((queue) =>
        Effect.acquireRelease(
          Effect.sync(() => engine.onEvent((event) => void Queue.offerUnsafe(queue, event))),
          (off) => Effect.sync(off)
        )
      ),
      keys,
      httpClient,
      ...(engine.controls(ops) as Pick<
        ClerkTestService,
        "handle" | "unhandle" | "script" | "setFaults" | "calls" | "webhookEvents" | "webhookDeliveries"
      >),
      emitWebhookEvent: (event) =>
        Effect.gen(function*() {
          const timestamp = event.timestamp ?? (yield* Clock.currentTimeMillis)
          const full = { ...event, object: "event", instanceId: fakeInstanceId, timestamp } as ClerkWebhookEvent
          // The event's own schema, so a refusal names its field rather than every member of the union.
          const schema: Schema.Codec<ClerkWebhookEvent, unknown> =
            (eventSchemas as Record<string, unknown>)[event.type] as never ?? ClerkWebhookEvent
          const wire = yield* Effect.mapError(
            Schema.encodeEffect(schema)(full),
            (error) => new ClerkTestError({ operation: "emitWebhookEvent", status: 0, message: error.message })
          )
          const recorded = wire as unknown as RecordedWebhookEvent
          yield* run(() => engine.record(recorded))
          return recorded
        }),
      // The seeds were accepted once; accepted again on the same empty store, they cannot fail.
      reset: Effect.orDie(start),
      mintSessionToken: (userId, mintOptions = {}) =>
        Effect.gen(function*() {
          const session = yield* run(() => engine.createSession(userId))
          if (!session.ok) return yield* new ClerkTestError(session.error)
          const { claims, ...signing } = mintOptions
          const token = yield* signSessionToken(keys, { sub: userId, sid: session.value, ...claims }, signing)
          return { token, sessionId: session.value }
        }),
      fetch: answerWeb
    }
    return service
  })

const testSecretKey = "sk_test_effect_clerk_fake"

/**
 * The control service of the in-memory fake, and the layers that start one.
 *
 * @since 0.2.0
 * @category tags
 */
export class ClerkTest extends Context.Service<ClerkTest, ClerkTestService>()("effect-clerk/ClerkTest") {
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
    // New layer values, not the shared `ClerkBackend.layer`: Effect 4 reuses a layer an enclosing `provide` has
    // built, which would hand the program the enclosing (real) client instead of the fake's.
    return ClerkBackend.layerWith({}).pipe(
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

  /** The webhook events the fake's state changes caused so far, oldest first. */
  static readonly webhookEvents: Effect.Effect<ReadonlyArray<RecordedWebhookEvent>, never, ClerkTest> = Effect
    .flatMap(ClerkTest, (fake) => fake.webhookEvents)

  /** Every webhook event recorded from the moment the stream is run, as it happens. */
  static readonly webhookEventStream: Stream.Stream<RecordedWebhookEvent, never, ClerkTest> = Stream.unwrap(
    Effect.map(ClerkTest, (fake) => fake.webhookEventStream)
  )

  /** The HTTP deliveries of the recorded events so far, with their attempts and outcomes. */
  static readonly webhookDeliveries: Effect.Effect<ReadonlyArray<RecordedDelivery>, never, ClerkTest> = Effect
    .flatMap(ClerkTest, (fake) => fake.webhookDeliveries)

  /**
   * Records and delivers a webhook event of the test's own, like the fake's (for events no Backend API operation
   * causes, such as `session.ended`); answers it in wire form.
   */
  static readonly emitWebhookEvent = (
    event: WebhookEventInput
  ): Effect.Effect<RecordedWebhookEvent, ClerkTestError, ClerkTest> =>
    Effect.flatMap(ClerkTest, (fake) => fake.emitWebhookEvent(event))

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
  static readonly rateLimited = (retryAfter: Duration.Input = Duration.seconds(1)): Reply =>
    rateLimitedReply(Duration.toSeconds(retryAfter))

  /** 500 `internal_clerk_error`. */
  static readonly serverError = (status = 500): Reply => serverErrorReply(status)

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
    const web = yield* Effect.result(HttpServerRequest.toWeb(request))
    if (Result.isFailure(web)) return HttpServerResponse.fromWeb(FakeHttp.unreadableResponse())
    return HttpServerResponse.fromWeb(yield* fake.fetch(web.success))
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
      const context = yield* Effect.context<never>()
      const { port } = yield* Effect.acquireRelease(
        Effect.tryPromise({
          try: () =>
            FakeHttp.listen(options.port ?? 0, (request) => Effect.runPromiseWith(context)(fake.fetch(request))),
          catch: (error) => new ClerkTestServeError({ message: error instanceof Error ? error.message : String(error) })
        }),
        (listening) => Effect.promise(listening.close)
      )
      return { apiUrl: `http://127.0.0.1:${port}/v1`, port }
    })
}

/** The in-process `HttpClient` of the `ClerkTest` in context. */
const fakeHttpClient: Layer.Layer<HttpClient.HttpClient, never, ClerkTest> = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(ClerkTest, (fake) => fake.httpClient)
)

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
 * The webhook events the fake's state changes caused so far, oldest first.
 *
 * @since 0.2.0
 * @category inspection
 */
export const webhookEvents: typeof ClerkTest.webhookEvents = ClerkTest.webhookEvents

/**
 * The HTTP deliveries of the recorded events so far, with their attempts and outcomes.
 *
 * @since 0.2.0
 * @category inspection
 */
export const webhookDeliveries: typeof ClerkTest.webhookDeliveries = ClerkTest.webhookDeliveries

/**
 * Records and delivers a webhook event of the test's own: {@link ClerkTest.emitWebhookEvent}.
 *
 * @since 0.2.0
 * @category controls
 */
export const emitWebhookEvent: typeof ClerkTest.emitWebhookEvent = ClerkTest.emitWebhookEvent

/**
 * Every webhook event recorded from the moment the stream is run, as it happens.
 *
 * @since 0.2.0
 * @category inspection
 */
export const webhookEventStream: typeof ClerkTest.webhookEventStream = ClerkTest.webhookEventStream

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
