/** The Effect 4 configuration: the same settings, defaults and refusals as the Effect 3 line. */
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as util from "node:util"
import { describe, expect, it } from "vitest"
import * as ClerkConfig3 from "../../src/ClerkConfig.js"
import { ClerkConfig, defaultApiUrl, defaultTimeout } from "../../src/v4/ClerkConfig.js"

const fakeSecret = "sk_test_fake_v4_config"

const fromEnv = (env: Record<string, string>) =>
  Effect.runPromiseExit(
    Effect.provide(
      ClerkConfig,
      ClerkConfig.layerConfig.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env }))))
    )
  )

const value = async (env: Record<string, string>) => {
  const exit = await fromEnv(env)
  if (exit._tag === "Failure") expect.fail(String(exit.cause))
  return exit.value
}

describe("ClerkConfig (Effect 4)", () => {
  it("reads CLERK_SECRET_KEY and fills the Effect 3 line's defaults", async () => {
    const config = await value({ CLERK_SECRET_KEY: fakeSecret })
    expect(Redacted.value(config.secretKey)).toBe(fakeSecret)
    expect(config.apiUrl).toBe(defaultApiUrl)
    expect(defaultApiUrl).toBe(ClerkConfig3.defaultApiUrl)
    expect(config.apiVersion).toBe("2026-05-12")
    expect(Duration.toMillis(config.timeout)).toBe(Duration.toMillis(defaultTimeout))
    expect(Duration.toMillis(defaultTimeout)).toBe(30_000)
  })

  it("reads the optional CLERK_API_URL, CLERK_API_VERSION and CLERK_TIMEOUT", async () => {
    const config = await value({
      CLERK_SECRET_KEY: fakeSecret,
      CLERK_API_URL: "http://127.0.0.1:9999/",
      CLERK_API_VERSION: "2025-11-10",
      CLERK_TIMEOUT: "5 seconds"
    })
    expect(config.apiUrl).toBe("http://127.0.0.1:9999")
    expect(config.apiVersion).toBe("2025-11-10")
    expect(Duration.toMillis(config.timeout)).toBe(5000)
  })

  it("fails naming the missing key, and refuses a negative or unreadable CLERK_TIMEOUT", async () => {
    const missing = await fromEnv({})
    expect(missing._tag).toBe("Failure")
    expect(String(missing._tag === "Failure" ? missing.cause : "")).toContain("CLERK_SECRET_KEY")
    for (const timeout of ["-5 seconds", "soon"]) {
      const exit = await fromEnv({ CLERK_SECRET_KEY: fakeSecret, CLERK_TIMEOUT: timeout })
      expect(exit._tag, timeout).toBe("Failure")
      expect(String(exit._tag === "Failure" ? exit.cause : "")).toContain("CLERK_TIMEOUT")
    }
  })

  it("keeps the secret out of every rendering, and strips trailing slashes from apiUrl", async () => {
    const config = await value({ CLERK_SECRET_KEY: fakeSecret })
    for (const text of [String(config.secretKey), JSON.stringify(config), util.inspect(config, { depth: 5 })]) {
      expect(text).not.toContain(fakeSecret)
    }
    expect(ClerkConfig.make({ secretKey: Redacted.make(fakeSecret), apiUrl: "https://proxy.test/clerk//" }).apiUrl)
      .toBe("https://proxy.test/clerk")
  })
})
