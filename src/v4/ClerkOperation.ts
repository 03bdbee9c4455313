/**
 * For Effect 4. The types of the generated operations: functions of their params that run through the
 * {@link ClerkClient} executor and carry their {@link Descriptor}, and the streaming variants of
 * list operations.
 *
 * @since 0.2.0
 */
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type { StreamOptions } from "../ClerkDescriptorShape.js"
import type { ClerkClient } from "./ClerkClient.js"
import type { Descriptor } from "./ClerkDescriptor.js"

/**
 * A generated operation: a function of its params, carrying its descriptor.
 *
 * @since 0.2.0
 * @category models
 */
export interface Call<P, A, E> {
  (params: P): Effect.Effect<A, E, ClerkClient>
  readonly descriptor: Descriptor
}

/**
 * A generated operation whose params are all optional.
 *
 * @since 0.2.0
 * @category models
 */
export interface CallOptional<P, A, E> {
  (params?: P): Effect.Effect<A, E, ClerkClient>
  readonly descriptor: Descriptor
}

/**
 * A generated operation that takes no params.
 *
 * @since 0.2.0
 * @category models
 */
export interface CallNone<A, E> {
  (): Effect.Effect<A, E, ClerkClient>
  readonly descriptor: Descriptor
}

/**
 * Options of a streaming list variant.
 *
 * @since 0.1.0
 * @category models
 */
export type { StreamOptions }

/**
 * A generated streaming list variant: every item of a list operation, fetching pages on demand.
 *
 * @since 0.2.0
 * @category models
 */
export interface Pages<P, A, E> {
  (params?: P, options?: StreamOptions): Stream.Stream<A, E, ClerkClient>
  readonly pages: Descriptor
}
