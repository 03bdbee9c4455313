import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import packageJson from "../package.json" with { type: "json" }
import { ClerkBackend } from "../src/ClerkBackend.js"
import { ClerkInvalidRequest } from "../src/ClerkError.js"
import { ClerkRetryPolicy } from "../src/ClerkRetryPolicy.js"
import { apiVersion } from "../src/generated/Meta.js"
import { version } from "../src/internal/version.js"
import { wireUser } from "./support/Fixtures.js"
import { backendWith, fakeSecret, json } from "./support/MockHttp.js"
import { recordingTracer } from "./support/RecordingTracer.js"

const userBody = wireUser({
  public_metadata: { "Some Key": { nested_key: 1 } },
  a_field_clerk_added_later: { anything: true }
})

describe("ClerkClient", () => {
  it.effect("sends the secret, API version, user agent and accept headers to the base URL", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(json(userBody))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const user = yield* clerk.users.get({ userId: "user_1" })
      expect(user.firstName).toBe("Ada")
      expect(sent).toHaveLength(1)
      expect(sent[0]!.method).toBe("GET")
      expect(sent[0]!.url.toString()).toBe("https://api.test/v1/users/user_1")
      expect(sent[0]!.headers["authorization"]).toBe(`Bearer ${fakeSecret}`)
      expect(sent[0]!.headers["clerk-api-version"]).toBe("2026-05-12")
      expect(sent[0]!.headers["user-agent"]).toBe(`effect-clerk/${packageJson.version}`)
      expect(sent[0]!.headers["accept"]).toBe("application/json")
    }))

  it("keeps the user agent version equal to package.json and the API version to the spec's", () => {
    expect(version).toBe(packageJson.version)
    expect(apiVersion).toBe("2026-05-12")
  })

  it.effect("decodes to camelCase, ignores unknown fields and keeps metadata keys untouched", () =>
    Effect.gen(function*() {
      const { layer } = backendWith(json(userBody))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const user = yield* clerk.users.get({ userId: "user_1" })
      expect(user.publicMetadata).toEqual({ "Some Key": { nested_key: 1 } })
      expect(user.createdAt).toBe(1)
      expect(user).not.toHaveProperty("aFieldClerkAddedLater")
      expect(user).not.toHaveProperty("a_field_clerk_added_later")
    }))

  it.effect("escapes path values", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(json(userBody))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      yield* clerk.users.get({ userId: "a/b?c#d e%" })
      expect(sent[0]!.url.pathname).toBe("/v1/users/a%2Fb%3Fc%23d%20e%25")
    }))

  it.effect("repeats query arrays, sends false and 0, omits absent values", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(json([]))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      yield* clerk.users.list({ userId: ["user_1", "user_2"], banned: false, offset: 0, limit: 10 })
      const params = sent[0]!.url.searchParams
      expect(params.getAll("user_id")).toEqual(["user_1", "user_2"])
      expect(params.get("banned")).toBe("false")
      expect(params.get("offset")).toBe("0")
      expect(params.get("limit")).toBe("10")
      expect(params.has("query")).toBe(false)
    }))

  it.effect("joins explode:false query arrays with commas", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(json({ data: [], total_count: 0 }))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      yield* clerk.organizationDomains.listAll({
        enrollmentMode: ["manual_invitation", "automatic_invitation"],
        domains: ["a.test", "b.test"]
      })
      const params = sent[0]!.url.searchParams
      expect(params.getAll("enrollment_mode")).toEqual(["manual_invitation,automatic_invitation"])
      expect(params.getAll("domains")).toEqual(["a.test", "b.test"])
    }))

  it.effect("encodes JSON bodies in snake_case, leaving metadata keys alone", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(json(userBody))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      yield* clerk.users.update({ userId: "user_1", firstName: "Ada", skipPasswordChecks: false })
      expect(sent[0]!.method).toBe("PATCH")
      expect(sent[0]!.headers["content-type"]).toBe("application/json")
      expect(JSON.parse(sent[0]!.body as string)).toEqual({ first_name: "Ada", skip_password_checks: false })
      yield* clerk.users.updateMetadata({
        userId: "user_1",
        publicMetadata: { camelKey: 1, snake_key: { deepKey: [1] } }
      })
      expect(sent[1]!.url.pathname).toBe("/v1/users/user_1/metadata")
      expect(JSON.parse(sent[1]!.body as string)).toEqual({
        public_metadata: { camelKey: 1, snake_key: { deepKey: [1] } }
      })
    }))

  it.effect("sends array bodies from their named key", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(json([]))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      yield* clerk.invitations.bulkCreate({ invitations: [{ emailAddress: "a@b.test", notify: false }] })
      expect(JSON.parse(sent[0]!.body as string)).toEqual([{ email_address: "a@b.test", notify: false }])
    }))

  it.effect("sends multipart uploads with the Blob as a file part", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(json(userBody))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const file = new File([new Uint8Array([137, 80, 78, 71])], "logo.png", { type: "image/png" })
      yield* clerk.users.setProfileImage({ userId: "user_1", file })
      const form = sent[0]!.body as FormData
      expect(form).toBeInstanceOf(FormData)
      const part = form.get("file") as File
      expect(part.name).toBe("logo.png")
      expect(new Uint8Array(yield* Effect.promise(() => part.arrayBuffer()))).toEqual(new Uint8Array([137, 80, 78, 71]))
      expect(sent[0]!.url.pathname).toBe("/v1/users/user_1/profile_image")
    }))

  it.effect("returns void for 204 and text for a non-JSON 200", () =>
    Effect.gen(function*() {
      const { layer } = backendWith((sent) =>
        sent.url.pathname.endsWith("/interstitial")
          ? new Response("<html>interstitial</html>", { headers: { "content-type": "text/html" } })
          : new Response(null, { status: 204 })
      )
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      expect(yield* clerk.webhooks.deleteSvixApp()).toBeUndefined()
      expect(yield* clerk.miscellaneous.getPublicInterstitial({ frontendApi: "x" })).toBe("<html>interstitial</html>")
    }))

  it.effect("refuses params that break the spec, typed and without sending", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(json(userBody))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const error = yield* Effect.flip(clerk.users.list({ limit: "ten" as unknown as number }))
      expect(error._tag).toBe("ClerkInvalidRequest")
      if (error._tag === "ClerkInvalidRequest") {
        expect(error.path).toBe("limit")
        expect(error.message).toContain("users.list")
        expect(error.message).not.toContain("ten")
      }
      expect(sent).toHaveLength(0)
    }))

  it.effect("refuses an empty path id (it would address the list) and ill-formed text, without sending", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(json(userBody))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const empty = yield* Effect.flip(clerk.users.get({ userId: "" }))
      expect(empty).toMatchObject({ _tag: "ClerkInvalidRequest", operation: "users.get", path: "user_id" })
      const broken = yield* Effect.flip(clerk.users.get({ userId: "user_\uD800" }))
      expect(broken).toMatchObject({ _tag: "ClerkInvalidRequest", path: "user_id" })
      expect(sent).toHaveLength(0)
    }))

  it.effect("refuses params outside the spec's value constraints, without sending", () =>
    Effect.gen(function*() {
      const { layer, sent } = backendWith(json([]))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const refused = (effect: Effect.Effect<unknown, { readonly _tag: string }>) =>
        Effect.map(Effect.flip(effect), (error) =>
          error instanceof ClerkInvalidRequest ? { path: error.path, message: error.message } : error._tag)
      // minItems: 1, maxItems: 50
      expect(yield* refused(clerk.users.bulkBan({ userIds: [] }))).toEqual({
        path: "userIds",
        message: "users.bulkBan: invalid parameter at userIds: Expected an array of at least 1 item(s)"
      })
      expect(
        yield* refused(clerk.users.bulkBan({
          userIds: Array.from({ length: 51 }, (_, i) =>
            `user_${i}`)
        }))
      ).toMatchObject({
        path: "userIds"
      })
      // limit: integer, 1 to 500; offset: integer, at least 0
      expect(yield* refused(clerk.users.list({ limit: 501 }))).toEqual({
        path: "limit",
        message: "users.list: invalid parameter at limit: Expected a number less than or equal to 500"
      })
      expect(yield* refused(clerk.users.list({ limit: 0 }))).toEqual({
        path: "limit",
        message: "users.list: invalid parameter at limit: Expected a number greater than or equal to 1"
      })
      expect(yield* refused(clerk.users.list({ limit: 2.5 }))).toEqual({
        path: "limit",
        message: "users.list: invalid parameter at limit: Expected an integer"
      })
      expect(yield* refused(clerk.users.list({ offset: -1 }))).toMatchObject({ path: "offset" })
      // minLength: 3 on a body field; exclusiveMinimum (the OpenAPI 3.0 boolean form) on another
      expect(yield* refused(clerk.apiKeys.create({ name: "ab", subject: "user_1" }))).toEqual({
        path: "name",
        message: "apiKeys.create: invalid parameter at name: Expected a string at least 3 character(s) long"
      })
      expect(yield* refused(clerk.apiKeys.create({ name: "key", subject: "user_1", secondsUntilExpiration: 0 })))
        .toMatchObject({
          path: "secondsUntilExpiration"
        })
      expect(sent).toHaveLength(0)
      // The bounds themselves are allowed.
      yield* clerk.users.list({ limit: 500, offset: 0 })
      yield* clerk.users.list({ limit: 1 })
      expect(sent.map((request) => request.url.searchParams.get("limit"))).toEqual(["500", "1"])
    }))

  it.effect("decodes responses whose values break the request-side constraints", () =>
    Effect.gen(function*() {
      const apiKey = {
        object: "api_key",
        id: "not-an-ak-id",
        // The request asks for 3 to 25 characters, at least 3 and at most 255.
        type: "k",
        subject: "user_1",
        name: "x",
        description: "d".repeat(300),
        claims: null,
        scopes: [],
        revoked: false,
        revocation_reason: null,
        expired: false,
        expiration: 0.5,
        created_by: null,
        last_used_at: null,
        created_at: 1.5,
        updated_at: -1
      }
      const { layer } = backendWith((request) =>
        request.url.pathname.startsWith("/v1/api_keys") ? json(apiKey) : json(wireUser({ created_at: 1.5 }))
      )
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const key = yield* clerk.apiKeys.get({ apiKeyID: "ak_1" })
      expect(key).toMatchObject({ type: "k", name: "x", description: "d".repeat(300), createdAt: 1.5, scopes: [] })
      // An integer in the spec, decoded as any number.
      expect((yield* clerk.users.get({ userId: "user_1" })).createdAt).toBe(1.5)
    }))
})

describe("ClerkClient tracing and transport", () => {
  it.effect("runs each operation in a span named after it, with method, path template, status and trace id", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recordingTracer()
      const { layer } = backendWith(json(userBody, 200, { "clerk-trace-id": "trace_ok" }))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      yield* clerk.users.get({ userId: "user_1" }).pipe(Effect.withTracer(tracer))
      const span = spans.find((s) => s.name === "ClerkBackend.users.get")
      expect(span?.name).toBe("ClerkBackend.users.get")
      expect(span!.attributes.get("http.request.method")).toBe("GET")
      expect(span!.attributes.get("url.template")).toBe("/users/{user_id}")
      expect(span!.attributes.get("http.response.status_code")).toBe(200)
      expect(span!.attributes.get("clerk.trace_id")).toBe("trace_ok")
      for (const s of spans) {
        for (const value of s.attributes.values()) expect(String(value)).not.toContain(fakeSecret)
      }
    }))

  it.effect.each(
    [
      ["ECONNREFUSED", "ConnectionRefused", true],
      ["ENOTFOUND", "DnsFailure", true],
      ["ECONNRESET", "ConnectionReset", false],
      ["EPROTO", "Other", false]
    ] as const
  )("classifies a %s transport failure as %s", ([code, kind, neverReached]) =>
    Effect.gen(function*() {
      const { layer } = backendWith(() => {
        throw new TypeError("fetch failed", { cause: Object.assign(new Error(`failure ${code}`), { code }) })
      })
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const error = yield* Effect.flip(
        clerk.users.get({ userId: "user_1" }).pipe(Effect.provideService(ClerkRetryPolicy, ClerkRetryPolicy.none))
      )
      expect(error._tag).toBe("ClerkTransportError")
      if (error._tag === "ClerkTransportError") {
        expect(error.kind).toBe(kind)
        expect(error.neverReachedServer).toBe(neverReached)
        expect(error.message).toContain("users.get")
        expect(error.message).toContain(`failure ${code}`)
      }
    }))

  it.effect("reports a body that cannot be read as a BodyRead transport error", () =>
    Effect.gen(function*() {
      const broken = new ReadableStream({
        pull(controller) {
          controller.error(new Error("stream broke"))
        }
      })
      const { layer } = backendWith(() => new Response(broken, { status: 200 }))
      const clerk = yield* Effect.provide(ClerkBackend, layer)
      const error = yield* Effect.flip(
        clerk.users.get({ userId: "user_1" }).pipe(Effect.provideService(ClerkRetryPolicy, ClerkRetryPolicy.none))
      )
      expect(error._tag === "ClerkTransportError" && error.kind).toBe("BodyRead")
    }))
})
