/**
 * Where and how to reach the Clerk Backend API, for Effect 4: the same options, defaults and settings as
 * the Effect 3 line.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import { apiVersion } from "../generated/Meta.js"
import { nonNegativeDuration, optional } from "./internal/config.js"

/**
 * The default base URL of the Backend API.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultApiUrl = "https://api.clerk.com/v1"

/**
 * The default time one HTTP attempt may take before it fails with a `Timeout` transport error.
 *
 * @since 0.1.0
 * @category defaults
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(30)

/**
 * Options accepted by {@link ClerkConfig.layer} and {@link ClerkConfig.make}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClerkConfigOptions {
  /** The instance's secret key (`sk_live_...` / `sk_test_...`). */
  readonly secretKey: Redacted.Redacted<string>
  /** Base URL, without a trailing slash. Default {@link defaultApiUrl}. */
  readonly apiUrl?: string | undefined
  /** Sent as `Clerk-API-Version`. Default: the version of the spec the client was generated from. */
  readonly apiVersion?: string | undefined
  /** Time one HTTP attempt may take. Default {@link defaultTimeout}. */
  readonly timeout?: Duration.Input | undefined
}

/**
 * The resolved configuration.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClerkConfigService {
  readonly secretKey: Redacted.Redacted<string>
  readonly apiUrl: string
  readonly apiVersion: string
  readonly timeout: Duration.Duration
}

/**
 * The configuration service: secret key, base URL, API version and timeout.
 *
 * @since 0.1.0
 * @category tags
 */
export class ClerkConfig extends Context.Service<ClerkConfig, ClerkConfigService>()("effect-clerk/ClerkConfig") {
  /** Resolves options into a configuration, filling defaults. */
  static readonly make = (options: ClerkConfigOptions): ClerkConfigService => ({
    secretKey: options.secretKey,
    apiUrl: (options.apiUrl ?? defaultApiUrl).replace(/\/+$/, ""),
    apiVersion: options.apiVersion ?? apiVersion,
    timeout: Duration.fromInputUnsafe(options.timeout ?? defaultTimeout)
  })

  /** A layer from explicit options. */
  static readonly layer = (options: ClerkConfigOptions): Layer.Layer<ClerkConfig> =>
    Layer.succeed(ClerkConfig, ClerkConfig.make(options))

  /**
   * The options read through `Config`: `CLERK_SECRET_KEY` (required, redacted),
   * `CLERK_API_URL`, `CLERK_API_VERSION` and `CLERK_TIMEOUT` (a duration such as `10 seconds`), all optional.
   */
  static readonly config: Config.Config<ClerkConfigOptions> = Config.all({
    secretKey: Config.Redacted("CLERK_SECRET_KEY"),
    apiUrl: optional(Config.String("CLERK_API_URL")),
    apiVersion: optional(Config.String("CLERK_API_VERSION")),
    timeout: optional(nonNegativeDuration("CLERK_TIMEOUT"))
  })

  /** A layer reading {@link ClerkConfig.config} from the current `ConfigProvider` (the environment by default). */
  static readonly layerConfig: Layer.Layer<ClerkConfig, Config.ConfigError> = Layer.effect(
    ClerkConfig,
    Effect.map(ClerkConfig.config, ClerkConfig.make)
  )
}

/**
 * Resolves options into a configuration, filling defaults.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make: typeof ClerkConfig.make = ClerkConfig.make

/**
 * A layer from explicit options.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer: typeof ClerkConfig.layer = ClerkConfig.layer

/**
 * The options read through `Config` (`CLERK_SECRET_KEY`, `CLERK_API_URL`, `CLERK_API_VERSION`, `CLERK_TIMEOUT`).
 *
 * @since 0.2.0
 * @category config
 */
export const config: typeof ClerkConfig.config = ClerkConfig.config

/**
 * A layer reading {@link config} from the current `ConfigProvider`.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig: typeof ClerkConfig.layerConfig = ClerkConfig.layerConfig
