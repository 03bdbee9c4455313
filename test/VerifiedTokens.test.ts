import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { VerifiedTokens } from "../src/internal/verifiedTokens.js"

const entry = (generation = 0) => ({ generation })

describe("VerifiedTokens", () => {
  it.effect("never holds more than its capacity, whatever the traffic", () =>
    Effect.sync(() => {
      const cache = new VerifiedTokens(10)
      for (let i = 0; i < 500; i++) {
        cache.set(`t${i}`, entry())
        if (i % 3 === 0) cache.get(`t${i}`, 0)
        if (i % 7 === 0) cache.get(`t${i - 5}`, 0)
        expect(cache.size).toBeLessThanOrEqual(10)
      }
    }))

  it.effect("a token used again survives a flood of tokens used once; a token used once does not", () =>
    Effect.sync(() => {
      const cache = new VerifiedTokens(10)
      cache.set("hot", entry())
      expect(cache.get("hot", 0)).toEqual(entry())
      cache.set("once", entry())
      for (let i = 0; i < 1_000; i++) cache.set(`flood${i}`, entry())
      expect(cache.get("hot", 0)).toEqual(entry())
      expect(cache.has("once")).toBe(false)
      expect(cache.size).toBe(1 + 2)
    }))

  it.effect("tokens used again fill the protected part; its least recent goes back to probation", () =>
    Effect.sync(() => {
      const cache = new VerifiedTokens(10) // 2 in probation, 8 protected
      for (let i = 0; i < 9; i++) {
        cache.set(`hot${i}`, entry())
        cache.get(`hot${i}`, 0)
      }
      // hot0 was demoted by hot8, not dropped: still there, until newcomers push it out of probation.
      expect(cache.has("hot0")).toBe(true)
      cache.set("a", entry())
      cache.set("b", entry())
      expect(cache.has("hot0")).toBe(false)
      for (let i = 1; i < 9; i++) expect(cache.has(`hot${i}`)).toBe(true)
    }))

  it.effect("an entry from another key generation is dropped, not served", () =>
    Effect.sync(() => {
      const cache = new VerifiedTokens(10)
      cache.set("t", entry(1))
      expect(cache.get("t", 2)).toBeUndefined()
      expect(cache.has("t")).toBe(false)
      cache.set("p", entry(1))
      cache.get("p", 1)
      expect(cache.get("p", 2)).toBeUndefined()
      expect(cache.has("p")).toBe(false)
    }))

  it.effect("capacity 0 keeps nothing; capacity 1 keeps the latest token", () =>
    Effect.sync(() => {
      const off = new VerifiedTokens(0)
      off.set("t", entry())
      expect(off.enabled).toBe(false)
      expect(off.has("t")).toBe(false)
      const one = new VerifiedTokens(1)
      one.set("a", entry())
      expect(one.get("a", 0)).toEqual(entry())
      one.set("b", entry())
      expect([one.has("a"), one.has("b")]).toEqual([false, true])
    }))
})
