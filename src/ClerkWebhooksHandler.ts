/**
 * A ready-made webhook endpoint for `@effect/platform` servers: {@link handler} turns an
 * effect per event into an `HttpApp` that verifies the delivery, decodes its event, runs the
 * effect and answers the status codes Clerk (Svix) acts on: 2xx is done, anything else is
 * retried with back-off. {@link WebhookDeduplication} makes retries and replays of one message
 * run the effect once.
 *
 * @example
 * ```ts
 * const webhooks = ClerkWebhooksHandler.handler(
 *   (event, delivery) => event.type === "user.created" ? createAccount(event.data) : Effect.void,
 *   { deduplicate: true }
 * )
 * const router = HttpRouter.empty.pipe(HttpRouter.post("/webhooks/clerk", webhooks))
 * // Provide ClerkWebhooks.layerConfig and ClerkWebhooksHandler.memory() once, around the server
 * // (HttpServer.serve(router).pipe(Layer.provide(...))), so every delivery shares one store.
 * // Beside an HttpApi: ClerkWebhooksHandler.route("/webhooks/clerk", onEvent, { deduplicate: true }).
 * ```
 *
 * @since 0.1.0
 */
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import type * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { ClerkWebhooks, type WebhookEvent } from "./ClerkWebhooks.js"
import { WebhookVerificationError } from "./ClerkWebhooksError.js"
import * as Dedup from "./internal/webhookDeduplication.js"
import type { HandlerOptions, WebhookDelivery } from "./internal/webhookDeduplication.js"
import { unreadableBody } from "./internal/webhookSignature.js"

/**
 * The store of message ids already processed. Implement it over a shared store (Redis, a
 * database table with a unique key) when several instances receive webhooks; use
 * {@link WebhookDeduplication.memory} for a single process.
 *
 * @since 0.1.0
 * @category models
 */
export interface WebhookDeduplicationService {
  /**
   * Remembers `id` and answers `true` when it was not remembered yet; `false` when it was (the
   * delivery is then answered 200 without running the handler). It must be atomic: of two
   * concurrent claims of one id only one may get `true` (Redis `SET id 1 NX EX ttl`, an
   * `INSERT` on a unique key). A store that cannot answer should die: the delivery is then
   * answered 500 and Clerk retries it later.
   *
   * A shared store may also answer `"busy"`: the id is claimed by a run that has not finished (on
   * another instance, or on one that crashed before finishing). The delivery is then answered 409, so
   * Svix tries it again later, rather than 200, which would lose it if that run never completes.
   */
  readonly claim: (id: string) => Effect.Effect<boolean | "busy">
  /**
   * Called after a run succeeded, when present: a store that claims with a short lease (so a crashed
   * run's claim lapses) marks the id processed here, for the full de-duplication window. A failure of
   * it is logged; the delivery is still answered 200.
   */
  readonly complete?: ((id: string) => Effect.Effect<void>) | undefined
  /**
   * Forgets `id`, so the next delivery of it runs the handler. Called when the handler failed,
   * died or was interrupted after its claim. Forgetting an unknown id does nothing.
   */
  readonly release: (id: string) => Effect.Effect<void>
}

/**
 * Options of {@link WebhookDeduplication.memory}: `capacity` (default 10 000 ids) and `ttl`
 * (default 24 hours, longer than the longest wait between two of Svix's attempts).
 *
 * @since 0.1.0
 * @category models
 */
export interface MemoryDeduplicationOptions extends Dedup.MemoryDeduplicationOptionsOf<Duration.DurationInput> {}

const defaultTtl = Duration.hours(Dedup.defaultTtlHours)

/** The in-memory store: the shared claim table, read by Effect's `Clock`. */
const makeMemory = (options: MemoryDeduplicationOptions): WebhookDeduplicationService => {
  const claims = Dedup.memoryClaims(options.capacity, Duration.toMillis(Duration.decode(options.ttl ?? defaultTtl)))
  return Dedup.markMemoryStore<WebhookDeduplicationService>({
    // The Clock is read per call, from the calling fiber: TestClock drives expiry in tests.
    claim: (id) => Effect.map(Clock.currentTimeMillis, (now) => claims.claim(id, now)),
    release: (id) => Effect.sync(() => claims.release(id))
  })
}

/**
 * The de-duplication store used by {@link handler} with `deduplicate: true`.
 *
 * @since 0.1.0
 * @category tags
 */
export class WebhookDeduplication extends Context.Tag("effect-clerk/WebhookDeduplication")<
  WebhookDeduplication,
  WebhookDeduplicationService
>() {
  /**
   * A custom store from its two operations, for example over Redis (`Redis` standing for your
   * own client service; `SET … NX` makes the claim atomic, its expiry plays the TTL):
   *
   * ```ts
   * Layer.effect(WebhookDeduplication, Effect.map(Redis, (redis) => WebhookDeduplication.make({
   *   claim: (id) => redis.setNx(`clerk-webhook:${id}`, "1", { ttlSeconds: 86_400 }).pipe(Effect.orDie),
   *   release: (id) => redis.del(`clerk-webhook:${id}`).pipe(Effect.orDie)
   * })))
   * ```
   */
  static readonly make = (store: WebhookDeduplicationService): WebhookDeduplicationService => store

  /**
   * A bounded store in this process's memory: at most `capacity` ids (oldest claim forgotten
   * first), each for `ttl` after its claim, by Effect's `Clock`. Enough for one instance; several
   * instances need a shared store ({@link make}).
   *
   * One call is one store: the layer makes it on its first build and every later build of the same
   * layer value gives it again, so providing the layer per request (`Effect.provide(app, layer)`)
   * still shares one store. A capacity that is not a positive integer, or a ttl of zero, is a
   * defect when the layer is built.
   */
  static readonly memory = (options: MemoryDeduplicationOptions = {}): Layer.Layer<WebhookDeduplication> => {
    let store: WebhookDeduplicationService | undefined
    return Layer.sync(WebhookDeduplication, () => store ??= makeMemory(options))
  }
}

/**
 * The delivery an event came in: its Svix message id, the same across retries, and its
 * signing time in unix seconds.
 *
 * @since 0.1.0
 * @category models
 */
export type { WebhookDelivery }

/**
 * Options of {@link handler}: `deduplicate` runs the effect at most once per message id.
 *
 * @since 0.1.0
 * @category models
 */
export type { HandlerOptions }

const json = (body: unknown, status: number) => HttpServerResponse.unsafeJson(body, { status })

const accepted = json(Dedup.answers.accepted, 200)
const duplicate = json(Dedup.answers.duplicate, 200)
const busy = json(Dedup.answers.busy, 409)
const failed = json(Dedup.answers.failed, 500)

/**
 * Reads the body once, as bytes (the signature is over the bytes as sent), verifies it, then
 * decodes the event. A body that cannot be read is refused like `ClerkWebhooks.verify` does.
 */
const verifyRequest = (
  webhooks: typeof ClerkWebhooks.Service,
  request: HttpServerRequest.HttpServerRequest
): Effect.Effect<{ readonly event: WebhookEvent; readonly delivery: WebhookDelivery }, WebhookVerificationError> =>
  request.arrayBuffer.pipe(
    Effect.mapError(() => new WebhookVerificationError(unreadableBody("the request body could not be read"))),
    Effect.flatMap((buffer) => webhooks.verifySignature({ headers: request.headers, body: new Uint8Array(buffer) })),
    Effect.flatMap((verified) =>
      Effect.map(Effect.annotateLogs(webhooks.decode(verified.body), "webhookId", verified.id), (event) => ({
        event,
        delivery: { id: verified.id, timestamp: verified.timestamp }
      }))
    )
  )

/** Marks a processed id in a store that asks for it; its failure is logged, the run succeeded all the same. */
const completed = (store: WebhookDeduplicationService, id: string): Effect.Effect<void> =>
  store.complete === undefined ? Effect.void : Effect.catchAllCause(
    store.complete(id),
    (cause) => Effect.logWarning("effect-clerk: webhook processed, but its id could not be marked done", cause)
  )

/**
 * Serves Clerk webhooks: verifies each delivery with the {@link ClerkWebhooks} in context,
 * decodes its event and runs `onEvent` with it. The answer:
 *
 * - 200 `{ ok: true }` when `onEvent` succeeded (and 200 `{ ok: true, duplicate: true }`, without
 *   running it, for a message id already claimed, with `deduplicate: true`);
 * - 400 `{ reason, message }` when the delivery is refused (see `WebhookVerificationReason`;
 *   logged at warning level). Clerk retries it, but it will fail the same way. A verified
 *   payload that does not match its schema is not refused unless the {@link ClerkWebhooks}
 *   service was built with `onInvalidPayload: "reject"`: by default `onEvent` gets it as a
 *   `MalformedWebhookEvent` (`type: "malformed"`), so the event is never lost;
 * - 500 when `onEvent` fails or dies: the cause is logged at error level, annotated with the
 *   message id and event type, and the response does not carry it. Clerk retries later.
 *
 * The request body is read here; `onEvent` must not read it again. `@effect/platform` runs apps
 * uninterruptibly, so `onEvent` finishes even when Clerk stops waiting (after 15 s); wrap it in
 * `Effect.interruptible` to stop instead (the id is then released, as after a failure).
 *
 * @since 0.1.0
 * @category constructors
 */
export function handler<E, R>(
  onEvent: (event: WebhookEvent, delivery: WebhookDelivery) => Effect.Effect<void, E, R>,
  options: { readonly deduplicate: true }
): HttpApp.Default<never, ClerkWebhooks | WebhookDeduplication | R>
export function handler<E, R>(
  onEvent: (event: WebhookEvent, delivery: WebhookDelivery) => Effect.Effect<void, E, R>,
  options?: { readonly deduplicate?: false | undefined }
): HttpApp.Default<never, ClerkWebhooks | R>
// A `boolean` known only at run time may turn de-duplication on, so it requires the store.
export function handler<E, R>(
  onEvent: (event: WebhookEvent, delivery: WebhookDelivery) => Effect.Effect<void, E, R>,
  options?: HandlerOptions
): HttpApp.Default<never, ClerkWebhooks | WebhookDeduplication | R>
export function handler<E, R>(
  onEvent: (event: WebhookEvent, delivery: WebhookDelivery) => Effect.Effect<void, E, R>,
  options: HandlerOptions = {}
): HttpApp.Default<never, ClerkWebhooks | WebhookDeduplication | R> {
  const deduplicate = options.deduplicate === true
  const isFreshStore = Dedup.freshStoreWatch()
  const checkStore = (store: WebhookDeduplicationService): Effect.Effect<void> =>
    isFreshStore(store) ? Effect.logWarning(Dedup.freshStoreWarning) : Effect.void

  /**
   * Answers the run: a failure or defect becomes a 500 logged as an error. An interruption (the
   * client gone, when the effect opted into being interruptible) is a 500 logged as a warning:
   * nothing is broken, and the retry will run it.
   */
  const settle = (run: Effect.Effect<void, E, R>) =>
    run.pipe(
      Effect.as(accepted),
      Effect.catchAllCause((cause) =>
        Effect.as(
          Cause.isInterruptedOnly(cause)
            ? Effect.logWarning("effect-clerk: webhook handler interrupted")
            : Effect.logError("effect-clerk: webhook handler failed", cause),
          failed
        )
      )
    )

  return Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const webhooks = yield* ClerkWebhooks
    const verified = yield* Effect.either(verifyRequest(webhooks, request))
    if (verified._tag === "Left") {
      const { reason, message } = verified.left
      // Usually a wrong signing secret or a forged request: worth seeing, but not an error of this service.
      yield* Effect.logWarning("effect-clerk: webhook refused").pipe(Effect.annotateLogs({ reason, message }))
      return json({ reason, message }, 400)
    }
    const { delivery, event } = verified.right
    const annotations = { webhookId: delivery.id, webhookType: Dedup.loggedType(event) }
    if (!deduplicate) return yield* settle(onEvent(event, delivery)).pipe(Effect.annotateLogs(annotations))

    const store = yield* WebhookDeduplication
    yield* checkStore(store)
    // Claimed only once verified and decoded: a forged or malformed request must not burn a real id.
    const claimed = yield* store.claim(delivery.id)
    if (claimed === "busy") {
      yield* Effect.logInfo("effect-clerk: webhook being processed elsewhere, answered 409").pipe(
        Effect.annotateLogs(annotations)
      )
      return busy
    }
    if (!claimed) {
      yield* Effect.logDebug("effect-clerk: duplicate webhook skipped").pipe(Effect.annotateLogs(annotations))
      return duplicate
    }
    return yield* onEvent(event, delivery).pipe(
      // Released on any end but success, interruption included (a client gone mid-run), so the retry runs.
      Effect.onExit((exit) => Exit.isSuccess(exit) ? completed(store, delivery.id) : store.release(delivery.id)),
      settle,
      Effect.annotateLogs(annotations)
    )
  }).pipe(
    // A store or service that died is this endpoint's failure: answered 500 so Clerk retries, never a bare crash.
    Effect.catchAllCause((cause) => Effect.as(Effect.logError("effect-clerk: webhook endpoint failed", cause), failed))
  )
}

/**
 * Mounts {@link handler} at `path` (a `POST` route) on the router of an `HttpApi` app
 * (`HttpApiBuilder.Router`), beside the API's own endpoints: add the layer to
 * `HttpApiBuilder.serve(...)` with `Layer.provide`. The services the handler needs
 * (`ClerkWebhooks`, the `WebhookDeduplication` store with `deduplicate: true`, and those of
 * `onEvent`) are read once, when the layer is built, so every delivery shares one store.
 *
 * @since 0.2.0
 * @category constructors
 */
export function route<E, R>(
  path: HttpRouter.PathInput,
  onEvent: (event: WebhookEvent, delivery: WebhookDelivery) => Effect.Effect<void, E, R>,
  options: { readonly deduplicate: true }
): Layer.Layer<never, never, ClerkWebhooks | WebhookDeduplication | Exclude<R, HttpServerRequest.HttpServerRequest>>
export function route<E, R>(
  path: HttpRouter.PathInput,
  onEvent: (event: WebhookEvent, delivery: WebhookDelivery) => Effect.Effect<void, E, R>,
  options?: { readonly deduplicate?: false | undefined }
): Layer.Layer<never, never, ClerkWebhooks | Exclude<R, HttpServerRequest.HttpServerRequest>>
export function route<E, R>(
  path: HttpRouter.PathInput,
  onEvent: (event: WebhookEvent, delivery: WebhookDelivery) => Effect.Effect<void, E, R>,
  options?: HandlerOptions
): Layer.Layer<never, never, ClerkWebhooks | WebhookDeduplication | Exclude<R, HttpServerRequest.HttpServerRequest>>
export function route<E, R>(
  path: HttpRouter.PathInput,
  onEvent: (event: WebhookEvent, delivery: WebhookDelivery) => Effect.Effect<void, E, R>,
  options: HandlerOptions = {}
): Layer.Layer<never, never, ClerkWebhooks | WebhookDeduplication | Exclude<R, HttpServerRequest.HttpServerRequest>> {
  const app = handler(onEvent, options)
  return HttpApiBuilder.Router.use((router) =>
    Effect.flatMap(
      Effect.context<ClerkWebhooks | WebhookDeduplication | Exclude<R, HttpServerRequest.HttpServerRequest>>(),
      (context) =>
        router.post(
          path,
          Effect.mapInputContext(app, (requestContext: Context.Context<HttpServerRequest.HttpServerRequest>) =>
            Context.merge(context, requestContext) as Context.Context<
              ClerkWebhooks | WebhookDeduplication | R | HttpServerRequest.HttpServerRequest
            >)
        )
    )
  )
}

/**
 * An in-memory de-duplication store: one per call, shared by every build of the layer.
 *
 * @since 0.2.0
 * @category layers
 */
export const memory: typeof WebhookDeduplication.memory = WebhookDeduplication.memory
