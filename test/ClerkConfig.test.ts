import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as util from "node:util"
import { ClerkConfig, defaultApiUrl, defaultTimeout } from "../src/ClerkConfig.js"
import { fakeSecret } from "./support/MockHttp.js"

const fromEnv = (env: Record<string, string>) =>
  Effect.provide(
    ClerkConfig,
    ClerkConfig.layerConfig.pipe(
      Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
    )
  )

describe("ClerkConfig", () => {
  it.effect("reads CLERK_SECRET_KEY and fills defaults", () =>
    Effect.gen(function*() {
      const config = yield* fromEnv({ CLERK_SECRET_KEY: fakeSecret })
      expect(Redacted.value(config.secretKey)).toBe(fakeSecret)
      expect(config.apiUrl).toBe(defaultApiUrl)
      expect(config.apiVersion).toBe("2026-05-12")
      expect(config.timeout).toEqual(defaultTimeout)
    }))

  it.effect("reads the optional CLERK_API_URL, CLERK_API_VERSION and CLERK_TIMEOUT", () =>
    Effect.gen(function*() {
      const config = yield* fromEnv({
        CLERK_SECRET_KEY: fakeSecret,
        CLERK_API_URL: "http://127.0.0.1:9999/",
        CLERK_API_VERSION: "2025-11-10",
        CLERK_TIMEOUT: "5 seconds"
      })
      expect(config.apiUrl).toBe("http://127.0.0.1:9999")
      expect(config.apiVersion).toBe("2025-11-10")
      expect(config.timeout).toEqual(Duration.seconds(5))
    }))

  it.effect("fails with a ConfigError naming the missing key, without a defect", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(fromEnv({}))
      expect(String(error)).toContain("CLERK_SECRET_KEY")
    }))

  it.effect("refuses a negative or unreadable CLERK_TIMEOUT instead of reading it as zero", () =>
    Effect.gen(function*() {
      for (const timeout of ["-5 seconds", "soon"]) {
        const error = yield* Effect.flip(fromEnv({ CLERK_SECRET_KEY: fakeSecret, CLERK_TIMEOUT: timeout }))
        expect(String(error)).toContain("CLERK_TIMEOUT")
      }
    }))

  it.effect("keeps the secret out of every rendering of the configuration", () =>
    Effect.gen(function*() {
      const config = yield* fromEnv({ CLERK_SECRET_KEY: fakeSecret })
      for (const text of [String(config.secretKey), JSON.stringify(config), util.inspect(config, { depth: 5 })]) {
        expect(text).not.toContain(fakeSecret)
      }
    }))

  it("strips trailing slashes from apiUrl given to layer/make", () => {
    expect(ClerkConfig.make({ secretKey: Redacted.make(fakeSecret), apiUrl: "https://proxy.test/clerk//" }).apiUrl)
      .toBe(
        "https://proxy.test/clerk"
      )
  })
})
