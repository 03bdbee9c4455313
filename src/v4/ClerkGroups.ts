/**
 * For Effect 4. The Backend API as a service of the program's own, made of the operation groups it names:
 * `clerk.users.get(...)` as with `ClerkBackend`, with only the named groups in a bundle.
 *
 * @since 0.2.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import { bindGroups } from "../internal/binding.js"
import { ClerkClient } from "./ClerkClient.js"
import type { ClerkClientOptions, ClerkClientService } from "./ClerkClient.js"
import type { ClerkConfig } from "./ClerkConfig.js"

/**
 * An operation group as its module exports it (`Users`, `Organizations`, ...): `bind` gives the group's API on a
 * client.
 *
 * @since 0.2.0
 * @category models
 */
export interface GroupModule<Api> {
  readonly bind: (client: ClerkClientService) => Api
}

/**
 * The API of a service made by {@link Service}: one member per chosen group, named as in the map.
 *
 * @since 0.2.0
 * @category models
 */
export type GroupsApi<Groups extends Record<string, GroupModule<any>>> = {
  readonly [K in keyof Groups]: Groups[K] extends GroupModule<infer Api> ? Api : never
}

/**
 * The static side of a class made by {@link Service}: its key, `make`, `layer` and `layerWith`.
 *
 * @since 0.2.0
 * @category models
 */
export interface ServiceClass<Self, Id extends string, Api> extends Context.ServiceClass<Self, Id, Api> {
  /** Builds the service from a `ClerkClient`. */
  readonly make: Effect.Effect<Api, never, ClerkClient>
  /** The service (and the `ClerkClient` it runs on); needs `ClerkConfig` and an `HttpClient`. */
  readonly layer: Layer.Layer<Self | ClerkClient, never, ClerkConfig | HttpClient.HttpClient>
  /** Like `layer`, with client options such as `transformClient`. */
  readonly layerWith: (
    options: ClerkClientOptions
  ) => Layer.Layer<Self | ClerkClient, never, ClerkConfig | HttpClient.HttpClient>
}

/**
 * A Backend API service holding only the groups a program names, so that a bundle keeps those groups and no
 * others. Used like `ClerkBackend` (same members, same layers), from a class of the program's own:
 *
 * ```ts
 * import { ClerkGroups, Users } from "effect-clerk/v4"
 *
 * class Clerk extends ClerkGroups.Service<Clerk>()("app/Clerk", { users: Users }) {}
 *
 * const program = Effect.flatMap(Clerk, (clerk) => clerk.users.get({ userId: "user_123" }))
 * program.pipe(Effect.provide(Clerk.layer))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const Service = <Self>() =>
<const Id extends string, const Groups extends Record<string, GroupModule<any>>>(
  id: Id,
  groups: Groups
): ServiceClass<Self, Id, GroupsApi<Groups>> => {
  const bindAll = (client: ClerkClientService) => bindGroups<ClerkClientService, GroupsApi<Groups>>(groups, client)
  const key = Context.Service<Self, GroupsApi<Groups>>()(id)
  const make = Effect.map(ClerkClient, bindAll)
  return Object.assign(key, {
    make,
    layer: Layer.effect(key, make).pipe(Layer.provideMerge(ClerkClient.layer)),
    layerWith: (options: ClerkClientOptions) =>
      Layer.effect(key, make).pipe(Layer.provideMerge(ClerkClient.layerWith(options)))
  }) as unknown as ServiceClass<Self, Id, GroupsApi<Groups>>
}
