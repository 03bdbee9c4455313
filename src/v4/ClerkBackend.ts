/**
 * For Effect 4. The whole Clerk Backend API as one service: `clerk.users.get(...)`,
 * `clerk.organizations.list(...)`, and a streaming variant of every list.
 *
 * @since 0.2.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import { ClerkClient } from "./ClerkClient.js"
import type { ClerkClientOptions } from "./ClerkClient.js"
import type { ClerkConfig } from "./ClerkConfig.js"
import type { ClerkBackendApi } from "./generated/Groups.js"
import { bindAll } from "./generated/Groups.js"

/**
 * The Backend API service: every operation group, bound to a client.
 *
 * @since 0.2.0
 * @category tags
 */
export class ClerkBackend extends Context.Service<ClerkBackend, ClerkBackendApi>()("effect-clerk/ClerkBackend") {
  /** Builds the service from a `ClerkClient`. */
  static readonly make: Effect.Effect<ClerkBackendApi, never, ClerkClient> = Effect.map(ClerkClient, bindAll)

  /**
   * The service (and the `ClerkClient` it runs on); needs `ClerkConfig` and an `HttpClient`,
   * and reads an optional `ClerkRetryPolicy`.
   */
  static readonly layer: Layer.Layer<ClerkBackend | ClerkClient, never, ClerkConfig | HttpClient.HttpClient> = Layer
    .effect(ClerkBackend, ClerkBackend.make).pipe(Layer.provideMerge(ClerkClient.layer))

  /** Like {@link ClerkBackend.layer}, with client options such as `transformClient`. */
  static readonly layerWith = (
    options: ClerkClientOptions
  ): Layer.Layer<ClerkBackend | ClerkClient, never, ClerkConfig | HttpClient.HttpClient> =>
    Layer.effect(ClerkBackend, ClerkBackend.make).pipe(Layer.provideMerge(ClerkClient.layerWith(options)))
}

/**
 * The service's shape: one member per operation group (`users`, `organizations`, ...).
 *
 * @since 0.2.0
 * @category models
 */
export type { ClerkBackendApi }

/**
 * Builds the service from the `ClerkClient` in context.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: typeof ClerkBackend.make = ClerkBackend.make

/**
 * The service and the `ClerkClient` it runs on; needs `ClerkConfig` and an `HttpClient`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: typeof ClerkBackend.layer = ClerkBackend.layer

/**
 * Like {@link layer}, with client options such as `transformClient`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerWith: typeof ClerkBackend.layerWith = ClerkBackend.layerWith
