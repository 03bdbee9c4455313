import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Base64url from "../src/internal/base64url.js"

describe("base64url", () => {
  it.effect("round-trips every length of bytes, as Node's own encoder writes them", () =>
    Effect.sync(() => {
      for (let length = 0; length < 70; length++) {
        const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + length) % 256)
        const encoded = Base64url.encode(bytes)
        expect(encoded).toBe(Buffer.from(bytes).toString("base64url"))
        expect(Base64url.decode(encoded)).toEqual(bytes)
      }
    }))

  it.effect("encodes strings as UTF-8, and handles inputs past the chunk size", () =>
    Effect.sync(() => {
      expect(Base64url.encode("héllo ✓")).toBe(Buffer.from("héllo ✓").toString("base64url"))
      const big = Uint8Array.from({ length: 200_000 }, (_, i) => i % 251)
      expect(Base64url.decode(Base64url.encode(big))).toEqual(big)
    }))

  it.effect("refuses characters outside the alphabet and impossible lengths", () =>
    Effect.sync(() => {
      expect(() => Base64url.decode("ab$c")).toThrow()
      expect(() => Base64url.decode("abcde")).toThrow()
      expect(() => Base64url.decodeBase64("not base64!")).toThrow()
      expect(Base64url.decodeBase64("aGVs\nbG8=")).toEqual(new TextEncoder().encode("hello"))
    }))
})
