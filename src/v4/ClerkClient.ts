/**
 * The low-level executor every operation runs through, for Effect 4: builds the request, authenticates
 * it, applies timeout and retry policy, maps failures to the typed errors and decodes the answer, as the
 * Effect 3 line does.
 *
 * @since 0.2.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { version } from "../internal/version.js"
import { ClerkConfig } from "./ClerkConfig.js"
import type { Descriptor } from "./ClerkDescriptor.js"
import type { ClerkError } from "./ClerkError.js"
import { ClerkRateLimiter } from "./ClerkRateLimiter.js"
import { ClerkRetryPolicy } from "./ClerkRetryPolicy.js"
import * as RateLimiter from "./internal/rateLimiter.js"
import * as Request from "./internal/request.js"
import * as Response from "./internal/response.js"
import * as Retry from "./internal/retry.js"

/**
 * The executor service.
 *
 * @since 0.2.0
 * @category models
 */
export interface ClerkClientService {
  /** Sends one operation with camelCase params and returns its decoded result. */
  readonly execute: (descriptor: Descriptor, params: unknown) => Effect.Effect<any, ClerkError>
}

/**
 * Options of {@link ClerkClient.make}.
 *
 * @since 0.2.0
 * @category models
 */
export interface ClerkClientOptions {
  /** Adjusts the HTTP client used for every request (extra headers, tracing, a proxy...). */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * The per-attempt timeout set by {@link withTimeout}, if any.
 *
 * @since 0.2.0
 * @category references
 */
export const CurrentTimeout: Context.Reference<Option.Option<Duration.Duration>> = Context.Reference(
  "effect-clerk/ClerkClient/CurrentTimeout",
  { defaultValue: () => Option.none() }
)

/**
 * The secret key set by {@link withSecretKey}, if any.
 *
 * @since 0.2.0
 * @category references
 */
export const CurrentSecretKey: Context.Reference<Option.Option<Redacted.Redacted<string>>> = Context.Reference(
  "effect-clerk/ClerkClient/CurrentSecretKey",
  { defaultValue: () => Option.none() }
)

/**
 * The executor service key.
 *
 * @since 0.2.0
 * @category tags
 */
export class ClerkClient extends Context.Service<ClerkClient, ClerkClientService>()("effect-clerk/ClerkClient") {
  /** Builds the executor from the configuration and an `HttpClient`. */
  static readonly make = (
    options: ClerkClientOptions = {}
  ): Effect.Effect<ClerkClientService, never, ClerkConfig | HttpClient.HttpClient> =>
    Effect.gen(function*() {
      const config = yield* ClerkConfig
      const basePolicy = Option.getOrElse(yield* Effect.serviceOption(ClerkRetryPolicy), () => ClerkRetryPolicy.default)
      const baseLimiter = yield* Effect.serviceOption(ClerkRateLimiter)
      const httpClient = yield* HttpClient.HttpClient
      const client = (options.transformClient ?? identityClient)(httpClient.pipe(
        HttpClient.mapRequest(HttpClientRequest.setHeaders({
          "Clerk-API-Version": config.apiVersion,
          "User-Agent": `effect-clerk/${version}`,
          Accept: "application/json"
        }))
      ))

      const attempt = (
        descriptor: Descriptor,
        request: HttpClientRequest.HttpClientRequest,
        timeout: Duration.Duration
      ): Effect.Effect<Response.Answer, ClerkError> =>
        client.execute(request).pipe(
          Effect.flatMap((response) => Response.read(descriptor, response)),
          Effect.catchTag(
            "HttpClientError",
            (error: HttpClientError.HttpClientError) => Effect.fail(Response.transportError(descriptor, error))
          ),
          Effect.timeoutOrElse({
            duration: timeout,
            orElse: () => Effect.fail(Response.timeoutError(descriptor, timeout))
          })
        )

      const execute = (descriptor: Descriptor, params: unknown): Effect.Effect<any, ClerkError> =>
        Effect.gen(function*() {
          const wire = yield* Request.encodeParams(descriptor, params)
          const secretKey = Option.getOrElse(yield* CurrentSecretKey, () => config.secretKey)
          const request = HttpClientRequest.bearerToken(Request.build(descriptor, config.apiUrl, wire), secretKey)
          const policy = Option.getOrElse(yield* Effect.serviceOption(ClerkRetryPolicy), () => basePolicy)
          const timeout = Option.getOrElse(yield* CurrentTimeout, () => config.timeout)
          const limiter = Option.orElse(yield* Effect.serviceOption(ClerkRateLimiter), () => baseLimiter)
          const budgeted = RateLimiter.limited(
            limiter,
            Redacted.value(secretKey),
            descriptor,
            attempt(descriptor, request, timeout)
          )
          const answer = yield* Retry.apply(budgeted, policy, descriptor).pipe(
            Effect.tapError((error) =>
              "status" in error
                ? annotateOutcome(error.status, "clerkTraceId" in error ? error.clerkTraceId : undefined)
                : Effect.void
            )
          )
          yield* annotateOutcome(answer.status, answer.clerkTraceId)
          return yield* Response.decode(descriptor, answer)
        }).pipe(
          Effect.withSpan(`ClerkBackend.${descriptor.name}`, {
            kind: "client",
            attributes: {
              "clerk.operation": descriptor.name,
              "http.request.method": descriptor.method,
              "url.template": descriptor.path
            }
          })
        )

      return { execute }
    })

  /** The executor as a layer; needs `ClerkConfig` and an `HttpClient` (and reads an optional `ClerkRetryPolicy`). */
  static readonly layer: Layer.Layer<ClerkClient, never, ClerkConfig | HttpClient.HttpClient> = Layer.effect(
    ClerkClient,
    ClerkClient.make()
  )

  /** Like {@link ClerkClient.layer}, with options. */
  static readonly layerWith = (
    options: ClerkClientOptions
  ): Layer.Layer<ClerkClient, never, ClerkConfig | HttpClient.HttpClient> =>
    Layer.effect(ClerkClient, ClerkClient.make(options))
}

const identityClient = (client: HttpClient.HttpClient) => client

const annotateOutcome = (status: number, clerkTraceId: string | undefined) =>
  Effect.annotateCurrentSpan(
    clerkTraceId === undefined
      ? { "http.response.status_code": status }
      : { "http.response.status_code": status, "clerk.trace_id": clerkTraceId }
  )

/**
 * Runs an effect with a different per-attempt timeout for the Clerk calls inside it.
 *
 * @since 0.2.0
 * @category combinators
 */
export const withTimeout: {
  (timeout: Duration.Input): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, timeout: Duration.Input): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, timeout: Duration.Input): Effect.Effect<A, E, R> =>
    Effect.provideService(self, CurrentTimeout, Option.some(Duration.fromInputUnsafe(timeout)))
)

/**
 * Runs an effect with another secret key for the Clerk calls inside it.
 *
 * @since 0.2.0
 * @category combinators
 */
export const withSecretKey: {
  (secretKey: Redacted.Redacted<string>): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, secretKey: Redacted.Redacted<string>): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, secretKey: Redacted.Redacted<string>): Effect.Effect<A, E, R> =>
    Effect.provideService(self, CurrentSecretKey, Option.some(secretKey))
)
