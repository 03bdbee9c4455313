/**
 * Spans only when they go somewhere, for Effect 4: the built-in tracer exports nothing, and on a hot path
 * such as a cached token check building a span and its attributes would cost more than the work it wraps.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Tracer from "effect/Tracer"

let builtIn: Tracer.Tracer | undefined

/** The tracer in place when a program installs none, read once from the default runtime. */
const builtInTracer = (): Tracer.Tracer => builtIn ??= Effect.runSync(Effect.tracer)

/** `Effect.withSpan` plus an annotation of the span from the result, when a tracer that exports spans is installed. */
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
