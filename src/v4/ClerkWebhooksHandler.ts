/**
 * For Effect 4. A ready-made webhook endpoint for `effect/http` servers, as the Effect 3 line has
 * it: {@link handler} turns an effect per event into a route handler that verifies the delivery,
 * decodes its event, runs the effect and answers the status codes Clerk (Svix) acts on (2xx is
 * done, anything else is retried with back-off); {@link WebhookDeduplication} makes retries and
 * replays of one message run the effect once.
 *
 * @example
 * ```ts
 * const Webhooks = ClerkWebhooksHandler.route(
 *   "/webhooks/clerk",
 *   (event, delivery) => event.type === "user.created" ? createAccount(event.data) : Effect.void,
 *   { deduplicate: true }
 * )
 * // A layer on the HttpRouter, so beside HttpRouter.add routes and HttpApiBuilder.layer(api) alike:
 * // HttpRouter.serve(Layer.mergeAll(Webhooks, ...)).pipe(
 * //   Layer.provide([ClerkWebhooks.layerConfig, ClerkWebhooksHandler.memory()]))
 * ```
 *
 * @since 0.2.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HttpRouter from "effect/http/HttpRouter"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Layer from "effect/Layer"
import * as Dedup from "../internal/webhookDeduplication.js"
import type { HandlerOptions, WebhookDelivery } from "../internal/webhookDeduplication.js"
import { unreadableBody } from "../internal/webhookSignature.js"
import { ClerkWebhooks, type ClerkWebhooksService, type WebhookEvent } from "./ClerkWebhooks.js"
import { WebhookVerificationError } from "./ClerkWebhooksError.js"

/**
 * The store of message ids already processed: over a shared store (Redis, a table with a unique
 * key) when several instances receive webhooks, {@link WebhookDeduplication.memory} for one process.
 *
 * @since 0.2.0
 * @category models
 */
export interface WebhookDeduplicationService {
  /**
   * Remembers `id` and answers `true` when it was not remembered yet, `false` when it was (the
   * delivery is then answered 200 without running the handler). It must be atomic (Redis
   * `SET id 1 NX EX ttl`, an `INSERT` on a unique key); a store that cannot answer should die, so
   * the delivery is answered 500 and Clerk retries it later. A shared store may answer `"busy"` for an id
   * claimed by a run that has not finished: the delivery is then answered 409, so Svix tries again later.
   */
  readonly claim: (id: string) => Effect.Effect<boolean | "busy">
  /** Forgets `id` after a run that failed, died or was interrupted, so the next delivery runs it. */
  readonly release: (id: string) => Effect.Effect<void>
  /**
   * Called after a run succeeded, when present: a store that claims with a short lease marks the id processed
   * here, for the full de-duplication window. A failure of it is logged; the delivery is still answered 200.
   */
  readonly complete?: ((id: string) => Effect.Effect<void>) | undefined
}

/**
 * Options of {@link WebhookDeduplication.memory}: `capacity` (default 10 000 ids) and `ttl`
 * (default 24 hours, longer than the longest wait between two of Svix's attempts).
 *
 * @since 0.2.0
 * @category models
 */
export interface MemoryDeduplicationOptions extends Dedup.MemoryDeduplicationOptionsOf<Duration.Input> {}

const defaultTtl = Duration.hours(Dedup.defaultTtlHours)

/** The in-memory store: the shared claim table, read by Effect's `Clock`. */
const makeMemory = (options: MemoryDeduplicationOptions): WebhookDeduplicationService => {
  // A negative ttl stays negative in Effect 4, and the claim table refuses it like zero.
  const claims = Dedup.memoryClaims(
    options.capacity,
    Duration.toMillis(Duration.fromInputUnsafe(options.ttl ?? defaultTtl))
  )
  return Dedup.markMemoryStore<WebhookDeduplicationService>({
    // The Clock is read per call, from the calling fiber: TestClock drives expiry in tests.
    claim: (id) => Effect.map(Clock.currentTimeMillis, (now) => claims.claim(id, now)),
    release: (id) => Effect.sync(() => claims.release(id))
  })
}

/**
 * The de-duplication store used by {@link handler} with `deduplicate: true`.
 *
 * @since 0.2.0
 * @category tags
 */
export class WebhookDeduplication extends Context.Service<WebhookDeduplication, WebhookDeduplicationService>()(
  "effect-clerk/WebhookDeduplication"
) {
  /** A custom store from its two operations (a Redis `SET … NX` with an expiry, for example). */
  static readonly make = (store: WebhookDeduplicationService): WebhookDeduplicationService => store

  /**
   * A bounded store in this process's memory: at most `capacity` ids, each for `ttl` after its
   * claim, by Effect's `Clock`. One call is one store, given again by every build of the layer, so
   * providing it per request still shares one store. A capacity that is not a positive integer,
   * or a ttl of zero or less, is a defect when the layer is built.
   */
  static readonly memory = (options: MemoryDeduplicationOptions = {}): Layer.Layer<WebhookDeduplication> => {
    let store: WebhookDeduplicationService | undefined
    return Layer.sync(WebhookDeduplication, () => store ??= makeMemory(options))
  }
}

/**
 * The delivery an event came in: its Svix message id, the same across retries, and its signing
 * time in unix seconds.
 *
 * @since 0.2.0
 * @category models
 */
export type { WebhookDelivery }

/**
 * Options of {@link handler}: `deduplicate` runs the effect at most once per message id.
 *
 * @since 0.2.0
 * @category models
 */
export type { HandlerOptions }

/**
 * What {@link handler} gives a server: a response for the current request, never an error.
 *
 * @since 0.2.0
 * @category models
 */
export type WebhookHandler<R> = Effect.Effect<HttpServerResponse.HttpServerResponse, never, R>

const json = (body: unknown, status: number) => HttpServerResponse.jsonUnsafe(body, { status })

const accepted = json(Dedup.answers.accepted, 200)
const duplicate = json(Dedup.answers.duplicate, 200)
const busy = json(Dedup.answers.busy, 409)
const failed = json(Dedup.answers.failed, 500)

/** Marks a processed id in a store that asks for it; its failure is logged, the run succeeded all the same. */
const completed = (store: WebhookDeduplicationService, id: string): Effect.Effect<void> =>
  store.complete === undefined ? Effect.void : Effect.catchCause(
    store.complete(id),
    (cause) => Effect.logWarning("effect-clerk: webhook processed, but its id could not be marked done", cause)
  )

/** Reads the body once, as bytes (the signature is over the bytes as sent), verifies it, then decodes the event. */
const verifyRequest = (webhooks: ClerkWebhooksService, request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    const buffer = yield* Effect.mapError(
      request.arrayBuffer,
      () => new WebhookVerificationError(unreadableBody("the request body could not be read"))
    )
    const verified = yield* webhooks.verifySignature({ headers: request.headers, body: new Uint8Array(buffer) })
    const event = yield* Effect.annotateLogs(webhooks.decode(verified.body), "webhookId", verified.id)
    const delivery: WebhookDelivery = { id: verified.id, timestamp: verified.timestamp }
    return { event, delivery }
  })

/**
 * Serves Clerk webhooks, as the Effect 3 line's `handler` does: verifies each delivery with the
 * {@link ClerkWebhooks} in context, decodes its event and runs `onEvent` with it. It answers 200
 * `{ ok: true }` when `onEvent` succeeded (200 `{ ok: true, duplicate: true }`, without running
 * it, for an id already claimed with `deduplicate: true`); 400 `{ reason, message }` for a refused
 * delivery (a payload that does not match its schema reaches `onEvent` as a `MalformedWebhookEvent`
 * unless the service rejects it); 500 when `onEvent` fails or dies (the cause is logged, not sent).
 *
 * Give it to `HttpRouter.add("POST", path, ...)`, or use {@link route}. The request body is read
 * here. It runs uninterruptibly, so `onEvent` finishes even when Clerk stops waiting (after 15 s);
 * wrap `onEvent` in `Effect.interruptible` to stop instead (the id is then released).
 *
 * @since 0.2.0
 * @category constructors
 */
export function handler<E, R>(
  onEvent: (event: WebhookEvent, delivery: WebhookDelivery) => Effect.Effect<void, E, R>,
  options: { readonly deduplicate: true }
): WebhookHandler<HttpServerRequest.HttpServerRequest | ClerkWebhooks | WebhookDeduplication | R>
export function handler<E, R>(
  onEvent: (event: WebhookEvent, delivery: WebhookDelivery) => Effect.Effect<void, E, R>,
  options?: { readonly deduplicate?: false | undefined }
): WebhookHandler<HttpServerRequest.HttpServerRequest | ClerkWebhooks | R>
// A `boolean` known only at run time may turn de-duplication on, so it requires the store.
export function handler<E, R>(
  onEvent: (event: WebhookEvent, delivery: WebhookDelivery) => Effect.Effect<void, E, R>,
  options?: HandlerOptions
): WebhookHandler<HttpServerRequest.HttpServerRequest | ClerkWebhooks | WebhookDeduplication | R>
export function handler<E, R>(
  onEvent: (event: WebhookEvent, delivery: WebhookDelivery) => Effect.Effect<void, E, R>,
  options: HandlerOptions = {}
): WebhookHandler<HttpServerRequest.HttpServerRequest | ClerkWebhooks | WebhookDeduplication | R> {
  const deduplicate = options.deduplicate === true
  const isFreshStore = Dedup.freshStoreWatch()

  /** A failure or defect is a 500 logged as an error; an interruption a 500 logged as a warning (the retry runs it). */
  const settle = (run: Effect.Effect<void, E, R>) =>
    run.pipe(
      Effect.as(accepted),
      Effect.catchCause((cause) =>
        Effect.as(
          Cause.hasInterruptsOnly(cause)
            ? Effect.logWarning("effect-clerk: webhook handler interrupted")
            : Effect.logError("effect-clerk: webhook handler failed", cause),
          failed
        )
      )
    )

  return Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const webhooks = yield* ClerkWebhooks
    const verified = yield* Effect.result(verifyRequest(webhooks, request))
    if (verified._tag === "Failure") {
      const { message, reason } = verified.failure
      // Usually a wrong signing secret or a forged request: worth seeing, but not an error of this service.
      yield* Effect.annotateLogs(Effect.logWarning("effect-clerk: webhook refused"), { reason, message })
      return json({ reason, message }, 400)
    }
    const { delivery, event } = verified.success
    const annotations = { webhookId: delivery.id, webhookType: Dedup.loggedType(event) }
    if (!deduplicate) return yield* Effect.annotateLogs(settle(onEvent(event, delivery)), annotations)

    const store = yield* WebhookDeduplication
    if (isFreshStore(store)) yield* Effect.logWarning(Dedup.freshStoreWarning)
    // Claimed only once verified and decoded: a forged or malformed request must not burn a real id.
    const claimed = yield* store.claim(delivery.id)
    if (claimed === "busy") {
      yield* Effect.annotateLogs(
        Effect.logInfo("effect-clerk: webhook being processed elsewhere, answered 409"),
        annotations
      )
      return busy
    }
    if (!claimed) {
      yield* Effect.annotateLogs(Effect.logDebug("effect-clerk: duplicate webhook skipped"), annotations)
      return duplicate
    }
    // Released on any end but success, interruption included (a client gone mid-run), so the retry runs.
    const run = Effect.onExit(
      onEvent(event, delivery),
      (exit) => Exit.isSuccess(exit) ? completed(store, delivery.id) : store.release(delivery.id)
    )
    return yield* Effect.annotateLogs(settle(run), annotations)
  }).pipe(
    // A store or service that died is this endpoint's failure: answered 500 so Clerk retries, never a bare crash.
    Effect.catchCause((cause) => Effect.as(Effect.logError("effect-clerk: webhook endpoint failed", cause), failed)),
    // Effect 4's router makes handlers interruptible; Effect 3's platform ran them uninterruptibly, as this keeps doing.
    Effect.uninterruptible
  )
}

/**
 * Mounts {@link handler} at `path` (a `POST` route) on the `HttpRouter`: beside `HttpRouter.add`
 * routes and an `HttpApiBuilder.layer(api)` alike, since both register on it. The services the
 * handler needs (`ClerkWebhooks`, the `WebhookDeduplication` store with `deduplicate: true`, and
 * those of `onEvent`) are read once, when the layer is built, so every delivery shares one store.
 *
 * @since 0.2.0
 * @category constructors
 */
export function route<E, R>(
  path: HttpRouter.PathInput,
  onEvent: (event: WebhookEvent, delivery: WebhookDelivery) => Effect.Effect<void, E, R>,
  options: { readonly deduplicate: true }
): Layer.Layer<
  never,
  never,
  HttpRouter.HttpRouter | ClerkWebhooks | WebhookDeduplication | Exclude<R, HttpServerRequest.HttpServerRequest>
>
export function route<E, R>(
  path: HttpRouter.PathInput,
  onEvent: (event: WebhookEvent, delivery: WebhookDelivery) => Effect.Effect<void, E, R>,
  options?: { readonly deduplicate?: false | undefined }
): Layer.Layer<never, never, HttpRouter.HttpRouter | ClerkWebhooks | Exclude<R, HttpServerRequest.HttpServerRequest>>
export function route<E, R>(
  path: HttpRouter.PathInput,
  onEvent: (event: WebhookEvent, delivery: WebhookDelivery) => Effect.Effect<void, E, R>,
  options?: HandlerOptions
): Layer.Layer<
  never,
  never,
  HttpRouter.HttpRouter | ClerkWebhooks | WebhookDeduplication | Exclude<R, HttpServerRequest.HttpServerRequest>
>
export function route<E, R>(
  path: HttpRouter.PathInput,
  onEvent: (event: WebhookEvent, delivery: WebhookDelivery) => Effect.Effect<void, E, R>,
  options: HandlerOptions = {}
): Layer.Layer<
  never,
  never,
  HttpRouter.HttpRouter | ClerkWebhooks | WebhookDeduplication | Exclude<R, HttpServerRequest.HttpServerRequest>
> {
  type Built = ClerkWebhooks | WebhookDeduplication | Exclude<R, HttpServerRequest.HttpServerRequest>
  const app = handler(onEvent, options)
  return HttpRouter.use((router) =>
    Effect.flatMap(Effect.context<Built>(), (built) =>
      router.add(
        "POST",
        path,
        Effect.updateContext(app, (request: Context.Context<HttpServerRequest.HttpServerRequest>) =>
          Context.merge(built, request) as Context.Context<
            ClerkWebhooks | WebhookDeduplication | R | HttpServerRequest.HttpServerRequest
          >)
      ))
  )
}

/**
 * An in-memory de-duplication store: one per call, shared by every build of the layer.
 *
 * @since 0.2.0
 * @category layers
 */
export const memory: typeof WebhookDeduplication.memory = WebhookDeduplication.memory
