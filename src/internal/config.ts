/**
 * The shapes of environment settings the services read: optional values, comma lists and
 * durations that must not be negative.
 *
 * @internal
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { splitList } from "./splitList.js"

/** A setting that may be absent: `undefined` then, as the services' options expect. */
export const optional = <A>(config: Config.Config<A>): Config.Config<A | undefined> =>
  Config.map(Config.option(config), Option.getOrUndefined)

export { splitList } from "./splitList.js"

/** A comma-separated list. */
export const commaList = (name: string): Config.Config<Array<string>> => Config.map(Config.string(name), splitList)

/**
 * A duration such as `10 seconds`. Not `Config.duration`: it reads `-5 seconds` as zero, which
 * would silently change a tolerance or a timeout; a negative value is refused instead.
 */
export const nonNegativeDuration = (name: string): Config.Config<Duration.Duration> =>
  Config.mapOrFail(Config.string(name), (text) => {
    const duration = text.trim().startsWith("-") ? Option.none() : Duration.decodeUnknown(text)
    return Option.match(duration, {
      onNone: () => Either.left(ConfigError.InvalidData([], "Expected a non-negative duration such as \"5 seconds\"")),
      onSome: Either.right
    })
  })
