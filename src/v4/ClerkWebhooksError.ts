/**
 * For Effect 4. Why a webhook was refused, and why the verification service could not be built: the
 * same tags, reasons and fields as the Effect 3 line.
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"
import { configReasons, verificationReasons } from "../internal/webhookSignature.js"

/**
 * Why a webhook was refused.
 *
 * - `missing-header`: `svix-id`, `svix-timestamp` or `svix-signature` (or their `webhook-*`
 *   twins) is absent or empty, or the timestamp is not a whole number of seconds.
 * - `timestamp-too-old` / `timestamp-too-new`: the timestamp is outside the tolerance.
 * - `no-matching-signature`: no `v1` signature of the header matches the body.
 * - `body-not-json`: the signature is good but the body is not JSON.
 * - `invalid-payload`: the request body could not be read at all, or the JSON does not match
 *   its event's schema and the service was built with `onInvalidPayload: "reject"` (by default
 *   such a payload is delivered as a `MalformedWebhookEvent` instead).
 *
 * A bad signing secret is not among them: it is refused when the service is built, with
 * {@link WebhookConfigError}.
 *
 * @since 0.2.0
 * @category models
 */
export const WebhookVerificationReason = Schema.Literals(verificationReasons)

/**
 * @since 0.2.0
 * @category models
 */
export type WebhookVerificationReason = typeof WebhookVerificationReason.Type

/**
 * A webhook that was not accepted: `reason` says why, `message` says it for people. The
 * message never carries the signing secret or a signature.
 *
 * @since 0.2.0
 * @category errors
 */
export class WebhookVerificationError
  extends Schema.TaggedError<WebhookVerificationError>()("WebhookVerificationError", {
    reason: WebhookVerificationReason,
    message: Schema.String
  })
{}

/**
 * A signing secret or tolerance that cannot work. Fails building the service (the layer),
 * never a request: a wrong secret is a deployment problem, not something a sender did.
 *
 * @since 0.2.0
 * @category errors
 */
export class WebhookConfigError extends Schema.TaggedError<WebhookConfigError>()("WebhookConfigError", {
  /**
   * `invalid-secret`: not `whsec_` + base64, or not usable as an HMAC key; `invalid-tolerance`:
   * negative or not a duration; `invalid-option`: an `onInvalidPayload` other than `deliver` or `reject`.
   */
  reason: Schema.Literals(configReasons),
  message: Schema.String
}) {}
