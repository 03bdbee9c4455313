/**
 * The option and result shapes of both lines' `ClerkTest`, typed by what differs per line (seeds,
 * handlers, faults); each line exports them under its own names.
 *
 * @internal
 */
import type { TestKeys } from "../testTokens.js"
import type { WebhookDeliveryOptions } from "./types.js"

/** Options of `ClerkTest.layerWith`. */
export interface TestOptionsOf<UserSeed, OrganizationSeed, Handlers, Faults, Resources> {
  /** Users created first, in order. */
  readonly users?: ReadonlyArray<UserSeed> | undefined
  /** Organizations created after the users, in order, with their members. */
  readonly organizations?: ReadonlyArray<OrganizationSeed> | undefined
  /**
   * Anything else, created after the organizations through the operations named (in the order given, each
   * list in order), as a test would call them: `{ "redirectUrls.create": [{ url }] }`. An entry's `id`, where
   * given, is the created item's (for the collections the fake derives from the spec).
   */
  readonly resources?: Resources | undefined
  /** Handlers that replace or add operations. */
  readonly handlers?: Handlers | undefined
  /** Faults applied from the start. */
  readonly faults?: Faults | undefined
  /** Seed of the id generator; the same seed gives the same ids. Default 1. */
  readonly seed?: number | undefined
  /** The only secret key the fake accepts. Default: any non-empty bearer token. */
  readonly secretKey?: string | undefined
  /**
   * `true`: operations the fake keeps no state for answer 501 `operation_not_implemented`, so a test learns
   * which calls it relies on. Default `false`: they answer a valid value of their success schema, generated
   * from the operation's name and the instance's seed (the same calls give the same answers).
   */
  readonly strict?: boolean | undefined
  /**
   * POSTs every recorded webhook event to `url`, signed with `signingSecret` as Svix signs Clerk's deliveries,
   * retrying a delivery not answered with a 2xx after each of `retryDelays` on the `Clock` (so `TestClock`
   * drives the retries), then giving up. See `webhookDeliveries`.
   */
  readonly webhooks?: WebhookDeliveryOptions | undefined
  /**
   * Session-token signing keys (served at `GET /jwks`). Default: one RS256 pair shared by every fake
   * of the process (so a token minted by one fake verifies against another's JWKS; give each its
   * own `keys` from `ClerkAuthTesting.generateKeys` to keep them apart).
   */
  readonly keys?: TestKeys | undefined
}

/** The members of a seeded organization, with their roles (default `org:member`). */
export interface SeedMembers {
  readonly id?: string | undefined
  readonly members?: ReadonlyArray<{ readonly userId: string; readonly role?: string | undefined }> | undefined
}

/** Options of `ClerkTest.serve`. */
export interface ServeOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number | undefined
}

/** A fake listening on 127.0.0.1. */
export interface Server {
  /** The API base URL to give any client, e.g. `http://127.0.0.1:50123/v1`. */
  readonly apiUrl: string
  readonly port: number
}

/** A session token minted for a user of the fake, and the session it belongs to. */
export interface MintedSession {
  readonly token: string
  readonly sessionId: string
}
