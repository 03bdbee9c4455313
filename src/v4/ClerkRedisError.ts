/**
 * For Effect 4. The error of a Redis command run by `effect-clerk/v4/ClerkRedis` (in a module of its own, free
 * of `ioredis`, so code that only handles the error does not load the client): the same tag and fields as the
 * Effect 3 line.
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"

/**
 * A Redis command that did not succeed: `Timeout` (no answer within `commandTimeout`), `Unavailable`
 * (no connection: Redis down, unreachable, or reconnecting) or `Command` (Redis answered an error). The
 * message never carries the connection URL (it may hold a password).
 *
 * @since 0.2.0
 * @category errors
 */
export class ClerkRedisError extends Schema.TaggedError<ClerkRedisError>()("ClerkRedisError", {
  reason: Schema.Literals(["Timeout", "Unavailable", "Command"]),
  command: Schema.String,
  message: Schema.String
}) {}
