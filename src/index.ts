/**
 * effect-clerk: the Clerk Backend API as typed Effects.
 *
 * Every public module is exported here as a namespace, under its own name: `ClerkBackend.layer`,
 * `ClerkBackend.ClerkBackend` (the service tag), `ClerkError.ClerkNotFound`. The same modules are
 * entry points of their own (`effect-clerk/ClerkBackend`), and `test/Modules.test.ts` keeps this list,
 * the package's `exports` and the API reference's entry points equal.
 *
 * @since 0.1.0
 */

/**
 * The whole API as one service.
 *
 * @since 0.1.0
 */
export * as ClerkBackend from "./ClerkBackend.js"

/**
 * The API as a service of the program's own, holding only the operation groups it names.
 *
 * @since 0.2.0
 */
export * as ClerkGroups from "./ClerkGroups.js"

/**
 * The executor every operation runs through, and per-call timeouts and keys.
 *
 * @since 0.1.0
 */
export * as ClerkClient from "./ClerkClient.js"

/**
 * Secret key, base URL, API version and timeout.
 *
 * @since 0.1.0
 */
export * as ClerkConfig from "./ClerkConfig.js"

/**
 * The typed failures of Backend API calls.
 *
 * @since 0.1.0
 */
export * as ClerkError from "./ClerkError.js"

/**
 * Which failures are retried, and when.
 *
 * @since 0.1.0
 */
export * as ClerkRetryPolicy from "./ClerkRetryPolicy.js"

/**
 * What an operation is: method, path, parameters and schemas.
 *
 * @since 0.2.0
 */
export * as ClerkDescriptor from "./ClerkDescriptor.js"

/**
 * The descriptor's shape shared by the Effect 3 and Effect 4 lines, and the options of streams.
 *
 * @since 0.2.0
 */
export * as ClerkDescriptorShape from "./ClerkDescriptorShape.js"

/**
 * The shapes of generated operations: calls, paginated lists and streams.
 *
 * @since 0.2.0
 */
export * as ClerkOperation from "./ClerkOperation.js"

/**
 * Request authentication: session tokens, API keys, M2M and OAuth tokens.
 *
 * @since 0.1.0
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
 * @since 0.1.0
 */
export * as ClerkJwks from "./ClerkJwks.js"

/**
 * Middleware for `@effect/platform` servers and the `HttpApi` security definition.
 *
 * @since 0.1.0
 */
export * as ClerkAuthMiddleware from "./ClerkAuthMiddleware.js"

/**
 * Keys, tokens and layers for testing protected code with no network.
 *
 * @since 0.1.0
 */
export * as ClerkAuthTesting from "./ClerkAuthTesting.js"

/**
 * Webhook verification (Svix / Standard Webhooks signatures) and decoded events.
 *
 * @since 0.1.0
 */
export * as ClerkWebhooks from "./ClerkWebhooks.js"

/**
 * Why a webhook was refused, and webhook setup errors.
 *
 * @since 0.2.0
 */
export * as ClerkWebhooksError from "./ClerkWebhooksError.js"

/**
 * A webhook endpoint for `@effect/platform` servers, and message de-duplication.
 *
 * @since 0.1.0
 */
export * as ClerkWebhooksHandler from "./ClerkWebhooksHandler.js"

/**
 * Signed deliveries and signing secrets for testing webhook handlers.
 *
 * @since 0.1.0
 */
export * as ClerkWebhooksTesting from "./ClerkWebhooksTesting.js"

/**
 * The in-memory Clerk: a stateful fake of the Backend API for tests.
 *
 * @since 0.1.0
 */
export * as ClerkTest from "./ClerkTest.js"

/**
 * The failures of the in-memory Clerk itself.
 *
 * @since 0.2.0
 */
export * as ClerkTestError from "./ClerkTestError.js"

/**
 * A request budget for the Backend API, per secret key, consulted by `ClerkClient` when provided.
 *
 * @since 0.2.0
 */
export * as ClerkRateLimiter from "./ClerkRateLimiter.js"

/**
 * The failure of a Redis command run by `effect-clerk/redis` (whose own module, `ClerkRedis`, stays out of
 * this entry: it loads the optional `ioredis`).
 *
 * @since 0.2.0
 */
export * as ClerkRedisError from "./ClerkRedisError.js"

/**
 * The generated modules: one namespace per operation group (`Users`, `Organizations`, ...),
 * `Schemas`, `WebhookEvents` and `Meta`.
 *
 * @since 0.1.0
 */
export * from "./generated/index.js"
