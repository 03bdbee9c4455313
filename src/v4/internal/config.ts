/**
 * The shapes of environment settings the Effect 4 services read: optional values and durations that
 * must not be negative.
 *
 * @internal
 */
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/** A setting that may be absent: `undefined` then, as the services' options expect. */
export const optional = <A>(config: Config.Config<A>): Config.Config<A | undefined> =>
  Config.map(Config.option(config), Option.getOrUndefined)

const NonNegativeDuration = Schema.DurationFromString.check(
  Schema.makeFilter((duration: Duration.Duration) =>
    !Duration.isNegative(duration) || "Expected a non-negative duration such as \"5 seconds\""
  )
)

/**
 * A duration such as `10 seconds`. Not `Config.Duration`: Effect 4 reads `-5 seconds` as a negative
 * duration, which would silently change a tolerance or a timeout; a negative value is refused instead.
 */
export const nonNegativeDuration = (name: string): Config.Config<Duration.Duration> =>
  Config.schema(NonNegativeDuration, name)
