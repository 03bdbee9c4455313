/**
 * effect-clerk for Effect 4: the Clerk Backend API as typed Effects, with the same modules, names and
 * behaviour as the Effect 3 entry (`effect-clerk`). Import from `effect-clerk/v4` in an Effect 4 program.
 *
 * @since 0.2.0
 */

/**
 * The whole API as one service.
 *
 * @since 0.2.0
 */
export * as ClerkBackend from "./ClerkBackend.js"

/**
 * The API as a service of the program's own, holding only the operation groups it names.
 *
 * @since 0.2.0
 */
export * as ClerkGroups from "./ClerkGroups.js"

/**
 * The executor every operation runs through: requests, retries, timeouts, spans.
 *
 * @since 0.2.0
 */
export * as ClerkClient from "./ClerkClient.js"

/**
 * The client's configuration: secret key, base URL, API version, timeout.
 *
 * @since 0.2.0
 */
export * as ClerkConfig from "./ClerkConfig.js"

/**
 * The typed failures of a Backend API call.
 *
 * @since 0.2.0
 */
export * as ClerkError from "./ClerkError.js"

/**
 * When and how failed calls are retried.
 *
 * @since 0.2.0
 */
export * as ClerkRetryPolicy from "./ClerkRetryPolicy.js"

/**
 * A request budget for the Backend API, per secret key, consulted by `ClerkClient` when provided.
 *
 * @since 0.2.0
 */
export * as ClerkRateLimiter from "./ClerkRateLimiter.js"

/**
 * The failure of a Redis command run by `effect-clerk/v4/redis` (whose own module, `ClerkRedis`, stays out of
 * this entry: it loads the optional `ioredis`).
 *
 * @since 0.2.0
 */
export * as ClerkRedisError from "./ClerkRedisError.js"

/**
 * What an operation is: method, path, parameters and schemas.
 *
 * @since 0.2.0
 */
export * as ClerkDescriptor from "./ClerkDescriptor.js"

/**
 * The shapes of generated operations: calls, paginated lists and streams.
 *
 * @since 0.2.0
 */
export * as ClerkOperation from "./ClerkOperation.js"

/**
 * Request authentication: session tokens, API keys, M2M and OAuth tokens.
 *
 * @since 0.2.0
 */
export * as ClerkAuth from "./ClerkAuth.js"

/**
 * Why a token was refused, and authentication setup errors.
 *
 * @since 0.2.0
 */
export * as ClerkAuthError from "./ClerkAuthError.js"

/**
 * The instance's signing keys.
 *
 * @since 0.2.0
 */
export * as ClerkJwks from "./ClerkJwks.js"

/**
 * Middleware for Effect 4's HTTP servers and the `HttpApi` security definition.
 *
 * @since 0.2.0
 */
export * as ClerkAuthMiddleware from "./ClerkAuthMiddleware.js"

/**
 * Keys, tokens and layers for testing protected code with no network.
 *
 * @since 0.2.0
 */
export * as ClerkAuthTesting from "./ClerkAuthTesting.js"

/**
 * Verifying Clerk's webhooks: signatures, timestamps and typed events.
 *
 * @since 0.2.0
 */
export * as ClerkWebhooks from "./ClerkWebhooks.js"

/**
 * The typed failures of webhook verification.
 *
 * @since 0.2.0
 */
export * as ClerkWebhooksError from "./ClerkWebhooksError.js"

/**
 * A webhook endpoint for an HTTP server: verification, de-duplication and answers.
 *
 * @since 0.2.0
 */
export * as ClerkWebhooksHandler from "./ClerkWebhooksHandler.js"

/**
 * Signed deliveries for tests of webhook handlers.
 *
 * @since 0.2.0
 */
export * as ClerkWebhooksTesting from "./ClerkWebhooksTesting.js"

/**
 * The in-memory Clerk for tests: the same client, state kept in-process, faults and recorded calls.
 *
 * @since 0.2.0
 */
export * as ClerkTest from "./ClerkTest.js"

/**
 * The typed failures of the test kit.
 *
 * @since 0.2.0
 */
export * as ClerkTestError from "./ClerkTestError.js"

/**
 * Per-group modules, schemas and facts about the spec.
 *
 * @since 0.2.0
 */
export * from "./generated/index.js"
