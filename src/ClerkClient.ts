/**
 * The low-level executor every operation runs through: builds the request,
 * authenticates it, applies timeout and retry policy, maps failures to typed
 * errors and decodes the answer.
 *
 * Most programs use {@link ClerkBackend} instead; this service is what the
 * per-group modules (`Users.get(...)`) require, so a bundle can include only
 * the groups it calls.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { ClerkConfig } from "./ClerkConfig.js"
import type { Descriptor } from "./ClerkDescriptor.js"
import type { ClerkError } from "./ClerkError.js"
import { ClerkRateLimiter } from "./ClerkRateLimiter.js"
import { ClerkRetryPolicy } from "./ClerkRetryPolicy.js"
import * as RateLimiter from "./internal/rateLimiter.js"
import * as Request from "./internal/request.js"
import * as Response from "./internal/response.js"
import * as Retry from "./internal/retry.js"
import { version } from "./internal/version.js"

/**
 * The executor service.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClerkClientService {
  /** Sends one operation with camelCase params and returns its decoded result. */
  readonly execute: (descriptor: Descriptor, params: unknown) => Effect.Effect<any, ClerkError>
}

/**
 * Options of {@link ClerkClient.make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClerkClientOptions {
  /** Adjusts the HTTP client used for every request (extra headers, tracing, a proxy...). */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * @internal
 *
 * @since 0.1.0
 * @category references
 */
export const currentTimeout: FiberRef.FiberRef<Option.Option<Duration.Duration>> = FiberRef.unsafeMake(
  Option.none()
)

/**
 * @internal
 *
 * @since 0.1.0
 * @category references
 */
export const currentSecretKey: FiberRef.FiberRef<Option.Option<Redacted.Redacted<string>>> = FiberRef.unsafeMake(
  Option.none()
)

/**
 * The executor service tag.
 *
 * @since 0.1.0
 * @category tags
 */
export class ClerkClient extends Context.Tag("effect-clerk/ClerkClient")<ClerkClient, ClerkClientService>() {
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
      ) =>
        client.execute(request).pipe(
          Effect.flatMap((response) => Response.read(descriptor, response)),
          Effect.timeoutFail({ duration: timeout, onTimeout: () => Response.timeoutError(descriptor, timeout) }),
          Effect.catchTags({
            RequestError: (error: HttpClientError.RequestError) =>
              Effect.fail(Response.transportError(descriptor, error)),
            ResponseError: (error: HttpClientError.ResponseError) =>
              Effect.fail(Response.transportError(descriptor, error))
          })
        )

      const execute = (descriptor: Descriptor, params: unknown): Effect.Effect<any, ClerkError> =>
        Effect.gen(function*() {
          const wire = yield* Request.encodeParams(descriptor, params)
          const secretKey = Option.getOrElse(yield* FiberRef.get(currentSecretKey), () => config.secretKey)
          const request = HttpClientRequest.bearerToken(Request.build(descriptor, config.apiUrl, wire), secretKey)
          const policy = Option.getOrElse(yield* Effect.serviceOption(ClerkRetryPolicy), () => basePolicy)
          const timeout = Option.getOrElse(yield* FiberRef.get(currentTimeout), () => config.timeout)
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

  /**
   * The executor as a layer; needs `ClerkConfig` and an `HttpClient` (and reads an optional `ClerkRetryPolicy`
   * and `ClerkRateLimiter`).
   */
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
 * @since 0.1.0
 * @category combinators
 */
export const withTimeout: {
  (timeout: Duration.DurationInput): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, timeout: Duration.DurationInput): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, timeout: Duration.DurationInput): Effect.Effect<A, E, R> =>
    Effect.locally(self, currentTimeout, Option.some(Duration.decode(timeout)))
)

/**
 * Runs an effect with another secret key for the Clerk calls inside it (e.g. a machine's
 * secret key for the M2M operations that accept one).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withSecretKey: {
  (secretKey: Redacted.Redacted<string>): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, secretKey: Redacted.Redacted<string>): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, secretKey: Redacted.Redacted<string>): Effect.Effect<A, E, R> =>
    Effect.locally(self, currentSecretKey, Option.some(secretKey))
)

/**
 * Builds the executor from `ClerkConfig`, an `HttpClient` and an optional `ClerkRetryPolicy`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: typeof ClerkClient.make = ClerkClient.make

/**
 * The executor as a layer; needs `ClerkConfig` and an `HttpClient`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: typeof ClerkClient.layer = ClerkClient.layer

/**
 * Like {@link layer}, with options.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerWith: typeof ClerkClient.layerWith = ClerkClient.layerWith
