/**
 * What both Effect lines' Redis stores share, free of Effect and of `ioredis` itself: the connection's
 * options, how a failed command is classified, and the Lua scripts that make each store's step atomic.
 *
 * @internal
 */

/** The key prefix when none is configured. */
export const defaultKeyPrefix = "effect-clerk:"
/** Default bound on one command. */
export const defaultCommandTimeoutMillis = 250
/** Default wait for the first connection when a layer is built. */
export const defaultConnectTimeoutMillis = 2_000
/** Default lease of a claimed webhook id. */
export const defaultLeaseMillis = 60_000

/** The `ioredis` options every connection is opened with. */
export const connectionOptions = (commandTimeoutMillis: number, connectTimeoutMillis: number) => ({
  // Fail fast while disconnected instead of queueing: a queued command would hold its request.
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  commandTimeout: commandTimeoutMillis,
  connectTimeout: connectTimeoutMillis,
  // Reconnect forever, backing off up to 2 s: a Redis that comes back is used again.
  retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2_000),
  lazyConnect: false
})

/** Why a command failed. */
export type FailureReason = "Timeout" | "Unavailable" | "Command"

const notConnected = /Stream isn't writeable|Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE|ENOTCONN|ETIMEDOUT/

/** A command's failure, by what ioredis reported; the message names the command, never the URL. */
export const failureOf = (
  command: string,
  cause: unknown
): { readonly reason: FailureReason; readonly command: string; readonly message: string } => {
  const text = cause instanceof Error ? cause.message : String(cause)
  if (/Command timed out/.test(text)) return timedOut(command)
  if (notConnected.test(text)) return { reason: "Unavailable", command, message: `${command}: Redis is not connected` }
  return { reason: "Command", command, message: `${command}: ${text}` }
}

/** The failure of a command that got no answer within its bound. */
export const timedOut = (command: string) => ({
  reason: "Timeout" as const,
  command,
  message: `${command}: no answer in time`
})

/** One round trip, atomic: claim with a lease (1), or tell a processed id (0) from one still being processed (2). */
export const claimScript = `if redis.call("SET", KEYS[1], "pending", "NX", "PX", ARGV[1]) then return 1 end
if redis.call("GET", KEYS[1]) == "done" then return 0 end
return 2`

/** Releases only a claim still pending: a processed id stays processed. */
export const releaseScript = `if redis.call("GET", KEYS[1]) == "pending" then return redis.call("DEL", KEYS[1]) end
return 0`

/** A claim's answer as the handlers take it. */
export const claimAnswer = (answer: unknown): boolean | "busy" => answer === 1 ? true : answer === 0 ? false : "busy"

/**
 * One round trip, atomic, on Redis's clock: a hold (after a 429) first, then a sliding window log.
 * Answers { wait in ms (0: admitted), Redis's time in ms }.
 */
export const acquireScript = `local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local held = redis.call("PTTL", KEYS[2])
if held > 0 then return {held, now} end
local window = tonumber(ARGV[2])
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now - window)
if redis.call("ZCARD", KEYS[1]) < tonumber(ARGV[1]) then
  redis.call("ZADD", KEYS[1], now, now .. ":" .. ARGV[3])
  redis.call("PEXPIRE", KEYS[1], window)
  return {0, now}
end
local oldest = redis.call("ZRANGE", KEYS[1], 0, 0, "WITHSCORES")
local wait = tonumber(oldest[2]) + window - now
if wait < 1 then wait = 1 end
return {wait, now}`

/** A hold only ever lengthens. */
export const holdScript = `if redis.call("PTTL", KEYS[1]) < tonumber(ARGV[1]) then
  redis.call("SET", KEYS[1], "1", "PX", ARGV[1])
end
return 0`

/** The keys a store writes, under the connection's prefix. */
export const keys = (prefix: string) => ({
  webhook: (id: string) => `${prefix}webhook:${id}`,
  budget: (key: string) => `${prefix}budget:${key}`,
  hold: (key: string) => `${prefix}budget:${key}:hold`,
  text: (key: string) => `${prefix}${key}`
})

/** A TTL in whole milliseconds, at least one (Redis refuses `PX 0`). */
export const pxOf = (millis: number): number => Math.max(1, Math.ceil(millis))
