import * as Effect from "effect/Effect"
import type * as Tracer from "effect/Tracer"

let builtIn: Tracer.Tracer | undefined

/**
 * Effect's own tracer, the one in place when a program installs none. Read from the default runtime, which
 * always has it, the first time it is needed.
 */
const builtInTracer = (): Tracer.Tracer => builtIn ??= Effect.runSync(Effect.tracer)

/**
 * `Effect.withSpan` plus an annotation of the span from the result, when a tracer that exports spans is
 * installed; the effect as it is otherwise. Effect's built-in tracer sends spans nowhere, and on a hot path such
 * as a cached token check building the span and its attributes would cost more than the work it wraps.
 */
export const withSpanWhenTraced = <A>(
  name: string,
  options: () => Tracer.SpanOptions,
  annotate: (a: A) => Effect.Effect<void>
) =>
<E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Effect.tracer,
    (tracer) => tracer === builtInTracer() ? self : Effect.withSpan(Effect.tap(self, annotate), name, options())
  )
