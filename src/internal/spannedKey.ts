import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Hash from "effect/Hash"
import * as Option from "effect/Option"
import type * as Tracer from "effect/Tracer"

/**
 * A cache key that carries its caller's span. `Cache` runs a lookup in the context the cache was built in,
 * so without this a lookup's spans would start traces of their own instead of sitting under the request
 * that needed them. Equality and hash are the inner key's: the span plays no part in finding an entry.
 */
export class SpannedKey<K> implements Equal.Equal {
  constructor(readonly key: K, readonly parent: Option.Option<Tracer.AnySpan>) {}
  [Equal.symbol](that: Equal.Equal): boolean {
    return that instanceof SpannedKey && Equal.equals(this.key, that.key)
  }
  [Hash.symbol](): number {
    return Hash.hash(this.key)
  }
}

/** The key with the current span, if any. */
export const spanned = <K>(key: K): Effect.Effect<SpannedKey<K>> =>
  Effect.map(Effect.option(Effect.currentSpan), (parent) => new SpannedKey(key, parent))

/** The key alone, for `invalidate`. */
export const bare = <K>(key: K): SpannedKey<K> => new SpannedKey(key, Option.none())

/** A lookup that runs under the span its key carries. */
export const underCaller = <K, A, E, R>(
  lookup: (key: K) => Effect.Effect<A, E, R>
): (key: SpannedKey<K>) => Effect.Effect<A, E, R> =>
(key) =>
  Option.match(key.parent, {
    onNone: () => lookup(key.key),
    onSome: (span) => Effect.withParentSpan(lookup(key.key), span)
  })
