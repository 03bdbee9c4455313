import { describe, expect, it } from "@effect/vitest"
import * as Wire from "../../src/internal/wireResponse.js"

describe("wireResponse", () => {
  it("reads Retry-After as seconds or as an HTTP date, and nothing else", () => {
    const now = Date.parse("2026-12-07T10:00:00Z")
    expect(Wire.retryAfterMillis(" 3 ", now)).toBe(3000)
    expect(Wire.retryAfterMillis("Mon, 07 Dec 2026 10:00:05 GMT", now)).toBe(5000)
    expect(Wire.retryAfterMillis("Mon, 07 Dec 2026 09:00:00 GMT", now)).toBe(0)
    expect(Wire.retryAfterMillis("soon", now)).toBeUndefined()
    expect(Wire.retryAfterMillis("-1", now)).toBeUndefined()
    expect(Wire.retryAfterMillis(undefined, now)).toBeUndefined()
  })

  it("reads error entries leniently, and summarises a body by its size only", () => {
    const body = { errors: [{ code: "c", message: "m", long_message: "lm", meta: { k: 1 } }, "junk", { code: 7 }] }
    expect(Wire.errorEntries(body)).toEqual([
      { code: "c", message: "m", longMessage: "lm", meta: { k: 1 } },
      { code: "", message: "" }
    ])
    expect(Wire.errorEntries({ errors: "no" })).toEqual([])
    expect(Wire.errorSummary([], "text/html", "<secret sk_test_fake>")).toBe(
      "no Clerk error body (text/html, 21 characters)"
    )
    expect(Wire.traceIdOf({ clerk_trace_id: "t" })).toBe("t")
  })

  it("finds a Node or undici code anywhere in the cause chain", () => {
    const refused = Object.assign(new Error("connect"), { code: "ECONNREFUSED" })
    expect(Wire.transportKindOf(new Error("fetch failed", { cause: refused }))).toBe("ConnectionRefused")
    expect(Wire.transportKindOf({ errors: [{ code: "UND_ERR_SOCKET" }] })).toBe("ConnectionReset")
    expect(Wire.transportKindOf(new Error("plain"))).toBe("Other")
    expect(Wire.causeMessage(new Error("fetch failed", { cause: refused }))).toBe("fetch failed: connect")
  })
})
