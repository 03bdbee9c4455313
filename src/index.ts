/**
 * effect-clerk: the Clerk Backend API as typed Effects.
 *
 * @since 0.1.0
 */

/** The whole API as one service. */
export { ClerkBackend, type ClerkBackendApi } from "./ClerkBackend.js"

/** The executor every operation runs through, and per-call timeouts. */
export {
  ClerkClient,
  type ClerkClientOptions,
  type ClerkClientService,
  withSecretKey,
  withTimeout
} from "./ClerkClient.js"

/** Secret key, base URL, API version and timeout. */
export { ClerkConfig, type ClerkConfigOptions, type ClerkConfigService } from "./ClerkConfig.js"

/** Typed failures. */
export * from "./ClerkError.js"

/** Retry policy. */
export {
  ClerkRetryPolicy,
  type ClerkRetryPolicyOptions,
  type ClerkRetryPolicyService,
  defaultIsRetryable,
  defaultSchedule
} from "./ClerkRetryPolicy.js"

/** Streaming options of the list variants. */
export type { StreamOptions } from "./ClerkOperation.js"

/** Per-group modules and schemas. */
export * from "./generated/index.js"

/** Facts about the spec the client was generated from. */
export { apiVersion, operationCount } from "./generated/Meta.js"

/** Request authentication: session tokens, API keys, M2M and OAuth tokens. */
export {
  type AuthorizationCheck,
  type AuthState,
  ClerkAuth,
  type ClerkAuthOptions,
  type ClerkAuthService,
  MachineAuth,
  SessionAuth,
  SignedIn,
  SignedOut,
  type TokenType
} from "./ClerkAuth.js"

/** Why a token was refused, and authentication setup errors. */
export {
  ClerkAuthConfigError,
  ClerkUnauthorized as ClerkAuthUnauthorized,
  reasonOfDetail,
  TokenVerificationDetail,
  TokenVerificationError,
  TokenVerificationReason
} from "./ClerkAuthError.js"

/** The instance's signing keys. */
export { allowedAlgorithms, ClerkJwks, type ClerkJwksOptions, type ClerkJwksService } from "./ClerkJwks.js"

/** Keys, tokens and layers for testing protected code with no network. */
export * as ClerkAuthTesting from "./ClerkAuthTesting.js"

/** Middleware for `@effect/platform` servers and the `HttpApi` security definition. */
export * as ClerkAuthMiddleware from "./ClerkAuthMiddleware.js"

/** Webhook verification (Svix / Standard Webhooks signatures) and decoded events. */
export {
  ClerkWebhooks,
  type ClerkWebhooksOptions,
  type ClerkWebhooksService,
  type InvalidPayloadPolicy,
  type MalformedWebhookEvent,
  type VerifiedWebhook,
  type WebhookEvent,
  type WebhookInput
} from "./ClerkWebhooks.js"

/** Why a webhook was refused, and webhook setup errors. */
export { WebhookConfigError, WebhookVerificationError, WebhookVerificationReason } from "./ClerkWebhooksError.js"

/** Signed deliveries and signing secrets for testing webhook handlers. */
export * as ClerkWebhooksTesting from "./ClerkWebhooksTesting.js"

/** A webhook endpoint for `@effect/platform` servers, and message de-duplication. */
export * as ClerkWebhooksHandler from "./ClerkWebhooksHandler.js"
