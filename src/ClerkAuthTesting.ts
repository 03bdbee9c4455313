/**
 * Helpers for testing code protected by {@link ClerkAuth} with no network and no Clerk
 * instance: a throwaway RSA key pair, session tokens signed with it (v1 or v2 claims, times
 * taken from Effect's `Clock` so `TestClock` controls them), and layers that trust the keys.
 *
 * @example
 * ```ts
 * import { ClerkAuth, ClerkAuthTesting } from "effect-clerk"
 *
 * const keys = yield* ClerkAuthTesting.generateKeys()
 * const token = yield* ClerkAuthTesting.mintSessionToken(keys, { sub: "user_1" }, {
 *   org: { id: "org_1", role: "admin", permissions: ["org:members:read"] }
 * })
 * const state = yield* Effect.flatMap(ClerkAuth.ClerkAuth, (auth) => auth.authenticateToken(token)).pipe(
 *   Effect.provide(ClerkAuthTesting.authLayer(keys))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { ClerkAuth } from "./ClerkAuth.js"
import type { ClerkAuthOptions } from "./ClerkAuth.js"
import type { ClerkAuthConfigError } from "./ClerkAuthError.js"
import { ClerkJwks } from "./ClerkJwks.js"
import * as TestTokens from "./internal/testTokens.js"

/**
 * The RSA algorithms Clerk signs session tokens with.
 *
 * @since 0.1.0
 * @category models
 */
export type TestKeyAlgorithm = TestTokens.TestKeyAlgorithm

/**
 * A throwaway key pair and the forms a verifier may want it in: `kid`, `alg`, `privateKey` (extractable),
 * `publicKey`, `jwk`, `jwks` (as `GET /jwks` would answer) and `pem` (as `jwtKey` / `CLERK_JWT_KEY` takes it).
 *
 * @since 0.1.0
 * @category models
 */
export type TestKeys = TestTokens.TestKeys

/**
 * Options of {@link generateKeys}: `kid` (default a random `ins_test_…` id) and `alg` (default `RS256`).
 *
 * @since 0.1.0
 * @category models
 */
export type GenerateKeysOptions = TestTokens.GenerateKeysOptions

/**
 * Generates a 2048-bit RSA key pair for signing test tokens.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateKeys = (options: GenerateKeysOptions = {}): Effect.Effect<TestKeys> =>
  Effect.promise(() => TestTokens.generateKeys(options))

/**
 * The organization a minted session token is active in: `id`, `slug`, `role` (with or without `org:`),
 * `permissions` (`org:<feature>:<permission>`) and `features` that have no permission.
 *
 * @since 0.1.0
 * @category models
 */
export type TestOrganization = TestTokens.TestOrganization

/**
 * Options of {@link mintSessionToken}.
 *
 * @since 0.1.0
 * @category models
 */
export interface MintSessionTokenOptions extends TestTokens.MintOptions {
  /** Time from `iat` to `exp`. Default 60 seconds. */
  readonly expiresIn?: Duration.DurationInput | undefined
}

/**
 * Signs a session token. Defaults: `sub: "user_test"`, `sid: "sess_test"`, `iat` and `nbf`
 * now, `exp` 60 seconds later, "now" being Effect's `Clock` (so `TestClock` sets it). Then
 * the organization and features of `options` in the layout of `options.version`, then
 * `claims`, which win; a claim given as `undefined` is left out (e.g. `{ exp: undefined }`).
 *
 * Dies when `options.org.permissions` holds a key v2 claims cannot express.
 *
 * @since 0.1.0
 * @category constructors
 */
export const mintSessionToken = (
  keys: TestKeys,
  claims: { readonly [key: string]: unknown } = {},
  options: MintSessionTokenOptions = {}
): Effect.Effect<string> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.promise(() =>
      TestTokens.mintSessionToken(
        keys,
        claims,
        options,
        Math.floor(now / 1000),
        options.expiresIn === undefined
          ? TestTokens.defaultLifetimeSeconds
          : Math.floor(Duration.toSeconds(options.expiresIn))
      )
    ))

/**
 * A `ClerkJwks` serving exactly `keys` (looked up by their `kid`), with no network.
 *
 * @since 0.1.0
 * @category layers
 */
export const jwksLayer = (keys: TestKeys): Layer.Layer<ClerkJwks> =>
  // The document is built by generateKeys and always well-formed: a failure here is a bug.
  Layer.orDie(ClerkJwks.fromJwks(keys.jwks))

/**
 * `ClerkAuth` trusting `keys`, with the given options. Accepting opaque machine tokens
 * still needs a `ClerkBackend` (provide one over a mock `HttpClient`), or the layer fails.
 *
 * @since 0.1.0
 * @category layers
 */
export const authLayer = (
  keys: TestKeys,
  options: ClerkAuthOptions = {}
): Layer.Layer<ClerkAuth, ClerkAuthConfigError> => ClerkAuth.layerWithJwks(options).pipe(Layer.provide(jwksLayer(keys)))
