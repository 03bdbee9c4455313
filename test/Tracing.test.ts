/**
 * Spans as an OpenTelemetry exporter sees them: token verification has a span of its own, and the key
 * fetch it causes sits under the request that needed the keys, in the same trace.
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { describe, expect, it } from "@effect/vitest"
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Tracer from "effect/Tracer"
import { readFileSync } from "node:fs"
import { ClerkAuth } from "../src/ClerkAuth.js"
import { mintSessionToken } from "../src/ClerkAuthTesting.js"
import { ClerkTest } from "../src/ClerkTest.js"

/** A fresh fake and a fresh key cache per test, so each test sees the first key fetch. */
const app = Layer.provideMerge(Layer.orDie(ClerkAuth.layer()), ClerkTest.layer)

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId

const requestWith = (token: string) =>
  new Request("http://app.test/", { headers: { authorization: `Bearer ${token}` } })

/**
 * Runs a test body under an OpenTelemetry tracer and answers the finished spans, read before the tracer
 * shuts down (shutting down empties an in-memory exporter).
 */
const traced = <A, E>(
  body: Effect.Effect<A, E, ClerkAuth | ClerkTest>,
  auth: Layer.Layer<ClerkAuth | ClerkTest> = app
) =>
  Effect.suspend(() => {
    const exporter = new InMemorySpanExporter()
    const tracing = NodeSdk.layer(() => ({
      resource: { serviceName: "effect-clerk-test" },
      spanProcessor: new SimpleSpanProcessor(exporter)
    }))
    return body.pipe(
      Effect.provide(auth),
      Effect.map(() => {
        const spans = exporter.getFinishedSpans()
        return Object.assign((name: string) => spans.filter((span) => span.name === name), { all: () => spans })
      }),
      Effect.provide(tracing)
    )
  })

const sessionToken = (sid: string) =>
  Effect.flatMap(ClerkTest, ({ keys }) => mintSessionToken(keys, { sub: "user_ada", sid }))

describe("spans", () => {
  it.effect("authenticateRequest has a span with the token type and the outcome, under the caller's span", () =>
    Effect.gen(function*() {
      const named = yield* traced(Effect.gen(function*() {
        const auth = yield* ClerkAuth
        const token = yield* sessionToken("sess_1")
        const state = yield* auth.authenticateRequest(requestWith(token)).pipe(Effect.withSpan("GET /me"))
        expect(state._tag).toBe("SignedIn")
      }))
      const [request] = named("GET /me")
      const [authSpan] = named("ClerkAuth.authenticateRequest")
      expect(request).toBeDefined()
      expect(authSpan).toBeDefined()
      expect(parentOf(authSpan!)).toBe(request!.spanContext().spanId)
      expect(authSpan!.attributes).toEqual({
        "clerk.auth.token_type": "session_token",
        "clerk.auth.outcome": "signed_in"
      })
    }))

  it.effect("the key fetch is a child of the first request that needed the keys, in its trace", () =>
    Effect.gen(function*() {
      const named = yield* traced(Effect.gen(function*() {
        const auth = yield* ClerkAuth
        const tokens = yield* Effect.all([sessionToken("sess_a"), sessionToken("sess_b"), sessionToken("sess_c")])
        // Concurrent requests on a cold cache: one fetch, shared.
        const states = yield* Effect.forEach(
          tokens,
          (token, i) => auth.authenticateRequest(requestWith(token)).pipe(Effect.withSpan(`request ${i}`)),
          { concurrency: "unbounded" }
        )
        expect(states.map((state) => state._tag)).toEqual(["SignedIn", "SignedIn", "SignedIn"])
        // A later request finds the keys cached: no second fetch span.
        yield* auth.authenticateRequest(requestWith(yield* sessionToken("sess_d")))
      }))
      const fetches = named("ClerkBackend.jwks.getJWKS")
      expect(fetches).toHaveLength(1)
      const fetch = fetches[0]!
      const authSpans = named("ClerkAuth.authenticateRequest")
      expect(authSpans).toHaveLength(4)
      const parent = authSpans.find((span) => span.spanContext().spanId === parentOf(fetch))
      expect(parent, "the fetch's parent is one of the verifications").toBeDefined()
      expect(fetch.spanContext().traceId).toBe(parent!.spanContext().traceId)
      expect(fetch.attributes["http.response.status_code"]).toBe(200)
    }))

  it.effect("a refused token: outcome, reason and detail, and the token appears nowhere", () =>
    Effect.gen(function*() {
      let token = ""
      const named = yield* traced(Effect.gen(function*() {
        const auth = yield* ClerkAuth
        const good = yield* sessionToken("sess_tampered")
        // The signature no longer matches the payload.
        token = `${good.slice(0, -6)}AAAAAA`
        const state = yield* auth.authenticateRequest(requestWith(token))
        expect(state._tag).toBe("SignedOut")
      }))
      const [authSpan] = named("ClerkAuth.authenticateRequest")
      expect(authSpan!.attributes).toEqual({
        "clerk.auth.token_type": "session_token",
        "clerk.auth.outcome": "signed_out",
        "clerk.auth.reason": "token-invalid-signature",
        "clerk.auth.detail": "token-invalid-signature"
      })
      const everything = JSON.stringify(named.all().map((span) => [span.name, span.attributes, span.events]))
      expect(everything).not.toContain(token)
      expect(everything).not.toContain(token.split(".")[2]!)
    }))

  it.effect("no token and an unknown token kind are told apart", () =>
    Effect.gen(function*() {
      const named = yield* traced(Effect.gen(function*() {
        const auth = yield* ClerkAuth
        yield* auth.authenticateRequest(new Request("http://app.test/"))
        yield* auth.authenticateToken("not-a-token")
      }))
      const [missing] = named("ClerkAuth.authenticateRequest")
      expect(missing!.attributes).toEqual({
        "clerk.auth.token_type": "none",
        "clerk.auth.outcome": "signed_out",
        "clerk.auth.reason": "session-token-missing",
        "clerk.auth.detail": "session-token-missing"
      })
      const [unknown] = named("ClerkAuth.authenticateToken")
      expect(unknown!.attributes["clerk.auth.token_type"]).toBe("unknown")
      expect(unknown!.attributes["clerk.auth.outcome"]).toBe("signed_out")
      expect(unknown!.attributes["clerk.auth.reason"]).toBe("token-invalid")
      expect(JSON.stringify(unknown!.attributes)).not.toContain("not-a-token")
    }))

  it.effect("an API key checked through a result cache: the Backend API call sits under the verification", () =>
    Effect.gen(function*() {
      const secret = "ak_fake_secret_for_tracing_only"
      const body = JSON.parse(
        readFileSync(new URL("./fixtures/wire/api/ApiKeys.VerifyResponse/valid.json", import.meta.url), "utf8")
      )
      const cachedAuth = Layer.provideMerge(
        Layer.orDie(ClerkAuth.layer({ acceptsToken: "any", machineTokenCacheTtl: Duration.minutes(1) })),
        ClerkTest.layer
      )
      const named = yield* traced(
        Effect.gen(function*() {
          yield* ClerkTest.handle("apiKeys.verify", () => Effect.succeed(ClerkTest.reply(200, body)))
          const auth = yield* ClerkAuth
          const first = yield* auth.authenticateRequest(requestWith(secret)).pipe(Effect.withSpan("first"))
          const second = yield* auth.authenticateRequest(requestWith(secret)).pipe(Effect.withSpan("second"))
          expect([first._tag, second._tag]).toEqual(["SignedIn", "SignedIn"])
        }),
        cachedAuth
      )
      // The second verification is answered from the cache: one call, under the first.
      const calls = named("ClerkBackend.apiKeys.verify")
      expect(calls).toHaveLength(1)
      const [first] = named("first")
      const authSpans = named("ClerkAuth.authenticateRequest")
      const firstAuth = authSpans.find((span) => parentOf(span) === first!.spanContext().spanId)
      expect(firstAuth!.attributes["clerk.auth.token_type"]).toBe("api_key")
      expect(parentOf(calls[0]!)).toBe(firstAuth!.spanContext().spanId)
      expect(JSON.stringify(named.all().map((span) => span.attributes))).not.toContain(secret)
    }))

  it.effect("a tracer other than OpenTelemetry's gets the span too (only Effect's built-in one is skipped)", () =>
    Effect.gen(function*() {
      const opened: Array<string> = []
      const builtIn = yield* Effect.tracer
      const recording = Tracer.make({
        span: (name, parent, context, links, startTime, kind, options) => {
          opened.push(name)
          return builtIn.span(name, parent, context, links, startTime, kind, options)
        },
        context: (f) => f()
      })
      const run = Effect.gen(function*() {
        const auth = yield* ClerkAuth
        const token = yield* sessionToken("sess_tracer")
        return yield* auth.authenticateRequest(requestWith(token))
      }).pipe(Effect.provide(app))
      const plain = yield* run
      expect(plain._tag).toBe("SignedIn")
      const withTracer = yield* run.pipe(Effect.withTracer(recording))
      expect(withTracer._tag).toBe("SignedIn")
      expect(opened).toContain("ClerkAuth.authenticateRequest")
    }))
})
