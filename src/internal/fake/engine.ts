/**
 * One fake Clerk instance: routes a raw request to an operation, applies the test's faults,
 * scripts and handlers, runs the built-in route, and encodes the answer the way Clerk would.
 * Both the in-process `HttpClient` and the 127.0.0.1 server go through `answer`.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import type { Descriptor } from "../../ClerkDescriptor.js"
import type { OperationName } from "../../generated/Operations.js"
import { successStatus } from "../../generated/Operations.js"
import type { FakeRequest, ParamsOf, Reply, Routes, SuccessOf } from "./core.js"
import { errorReply, isReply, reply } from "./core.js"
import * as Router from "./router.js"
import type { FakeStore } from "./store.js"
import { decodeParams } from "./wire.js"

/** A request as it arrives, before routing. */
export interface RawRequest {
  readonly method: string
  readonly url: URL
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>
  /** Parsed JSON, a `FormData`, `undefined`, or a {@link Reply} when the body could not be read. */
  readonly body: unknown
}

/** A handler a test installs for one operation; it may answer the success value or a reply. */
export type Handler<N extends OperationName> = (
  params: ParamsOf<N>,
  request: FakeRequest
) => Effect.Effect<SuccessOf<N> | Reply, Reply>

/** One step of a scripted sequence: a reply, or `"pass"` to let the request through. */
export type ScriptStep = Reply | "pass"

/** Faults applied to matching requests before they are answered. */
export interface Faults {
  /** Added before every answer (slept on Effect's `Clock`). */
  readonly latency?: Duration.DurationInput | undefined
  /** Chance, 0 to 1, that a request is answered with `failure` instead (drawn from Effect's `Random`). */
  readonly failureRate?: number | undefined
  /** The answer of a failed request. Default: 500 `internal_clerk_error`. */
  readonly failure?: Reply | undefined
  /** Restricts the faults to these operations. Default: every operation. */
  readonly operations?: ReadonlyArray<OperationName> | undefined
}

/** What the fake saw and answered, in order. */
export interface RecordedCall {
  readonly operation: OperationName | undefined
  readonly method: string
  readonly path: string
  readonly status: number
  /** When the request arrived, in milliseconds (Effect's `Clock`). */
  readonly at: number
  /**
   * The params as the operation decoded them (camelCase, the object the caller passed), when
   * the request was routed and its params were valid.
   */
  readonly params?: unknown
}

const defaultFailure = (): Reply =>
  errorReply(500, {
    code: "internal_clerk_error",
    message: "Oops, something went wrong",
    longMessage: "Injected failure (ClerkTest faults)."
  })

/** How many of the latest calls the fake remembers. */
export const maxRecordedCalls = 10_000

/** The API base path stripped from request paths, when present. */
const basePath = "/v1"

const encoders = new WeakMap<Descriptor, (value: unknown) => Effect.Effect<unknown, ParseResult.ParseError>>()
const encoderOf = (descriptor: Descriptor, schema: Schema.Schema<any, any>) => {
  let encoder = encoders.get(descriptor)
  if (encoder === undefined) {
    encoder = Schema.encodeUnknown(schema, { errors: "first" })
    encoders.set(descriptor, encoder)
  }
  return encoder
}

/** The state and behaviour of one fake instance. */
export class FakeEngine {
  readonly handlers = new Map<OperationName, Handler<any>>()
  readonly scripts = new Map<OperationName | "*", Array<ScriptStep>>()
  faults: Faults = {}
  readonly calls: Array<RecordedCall> = []

  constructor(
    /** Replaced as a whole by a reset. */
    public store: FakeStore,
    readonly routes: Routes,
    /** When set, only this bearer token is accepted; otherwise any non-empty one is. */
    readonly secretKey: string | undefined
  ) {}

  /** Answers a raw request. Never fails: every problem is an HTTP answer, every bug a defect. */
  answer(raw: RawRequest): Effect.Effect<Reply> {
    return Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const path = raw.url.pathname.startsWith(basePath + "/")
        ? raw.url.pathname.slice(basePath.length)
        : raw.url.pathname
      const matched = Router.match(raw.method, path)
      const seen: { params?: unknown } = {}
      return this.route(raw, path, matched, now, seen).pipe(
        Effect.tap((answer) =>
          Effect.sync(() => {
            this.calls.push({
              operation: matched?.name,
              method: raw.method.toUpperCase(),
              path,
              status: answer.status,
              at: now,
              ...seen
            })
            // A fake serving for hours must not grow without bound; tests look at far fewer calls.
            if (this.calls.length > maxRecordedCalls) this.calls.splice(0, this.calls.length - maxRecordedCalls)
          })
        )
      )
    })
  }

  private route(
    raw: RawRequest,
    path: string,
    matched: Router.Match | undefined,
    now: number,
    seen: { params?: unknown }
  ): Effect.Effect<Reply> {
    const authorization = raw.headers["authorization"] ?? ""
    const bearer = /^Bearer (.+)$/i.exec(authorization)?.[1]?.trim()
    if (bearer === undefined || bearer === "" || (this.secretKey !== undefined && bearer !== this.secretKey)) {
      return Effect.succeed(errorReply(401, {
        code: "authentication_invalid",
        message: "Unauthorized request",
        longMessage: "The request's secret key is missing or not the one this fake instance accepts."
      }))
    }
    if (matched === undefined) {
      return Effect.succeed(errorReply(404, {
        code: "resource_not_found",
        message: "not found",
        longMessage: Router.pathExists(path)
          ? `${raw.method.toUpperCase()} is not an operation of ${path}.`
          : `No Backend API operation answers ${path}.`
      }))
    }
    if (isReply(raw.body)) return Effect.succeed(raw.body)
    const request: FakeRequest = {
      operation: matched.name,
      method: raw.method.toUpperCase(),
      path,
      headers: raw.headers,
      pathParams: matched.pathParams,
      query: raw.url.searchParams,
      body: raw.body
    }
    return Effect.gen(this, function*() {
      // Decoded first, so the record shows what was asked even when a fault or a script answers.
      const decoded = yield* Effect.either(
        decodeParams(matched.descriptor, matched.pathParams, request.query, request.body)
      )
      if (decoded._tag === "Right") seen.params = decoded.right
      const applies = this.faults.operations === undefined || this.faults.operations.includes(matched.name)
      if (applies && this.faults.latency !== undefined) yield* Effect.sleep(this.faults.latency)
      const step = this.nextStep(matched.name)
      if (step !== undefined && step !== "pass") return step
      if (applies && this.faults.failureRate !== undefined && this.faults.failureRate > 0) {
        if ((yield* Random.next) < this.faults.failureRate) return this.faults.failure ?? defaultFailure()
      }
      if (decoded._tag === "Left") return decoded.left
      return yield* this.run(matched.name, matched.descriptor, decoded.right, request, now)
    })
  }

  private nextStep(name: OperationName): ScriptStep | undefined {
    for (const key of [name, "*"] as const) {
      const queue = this.scripts.get(key)
      if (queue !== undefined && queue.length > 0) return queue.shift()
    }
    return undefined
  }

  /** Runs the installed handler or the built-in route of an operation and encodes its answer. */
  run(
    name: OperationName,
    descriptor: Descriptor,
    params: unknown,
    request: FakeRequest,
    now: number
  ): Effect.Effect<Reply> {
    const handler = this.handlers.get(name)
    const result: Effect.Effect<unknown> = handler !== undefined
      ? Effect.merge(handler(params as never, request))
      : Effect.suspend(() => {
        const route = this.routes[name] as ((params: unknown, context: unknown) => unknown) | undefined
        if (route === undefined) return Effect.succeed(notImplemented(name))
        const answer = route(params, { store: this.store, now, request })
        return Effect.isEffect(answer) ? answer as Effect.Effect<unknown> : Effect.succeed(answer)
      })
    return Effect.flatMap(result, (value) => this.encode(name, descriptor, value))
  }

  private encode(name: OperationName, descriptor: Descriptor, value: unknown): Effect.Effect<Reply> {
    if (isReply(value)) return Effect.succeed(value)
    const status = successStatus[name] ?? 200
    if (descriptor.success === "void") return Effect.succeed(reply(status === 200 ? 204 : status))
    if (descriptor.success === "text") return Effect.succeed(reply(status, String(value)))
    return encoderOf(descriptor, descriptor.success)(value).pipe(
      Effect.map((wire) => reply(status, wire)),
      Effect.orDieWith((error) =>
        new Error(
          `ClerkTest: the answer of ${name} does not match its schema: ${
            ParseResult.TreeFormatter.formatErrorSync(error)
          }`
        )
      )
    )
  }
}

/** 501 for an operation the fake does not implement, naming it and saying how to add it. */
export const notImplemented = (name: OperationName): Reply =>
  errorReply(501, {
    code: "operation_not_implemented",
    message: "not implemented in the fake",
    longMessage:
      `${name} is not implemented by the ClerkTest fake; install a handler with ClerkTest.handle("${name}", ...).`,
    meta: { operation: name }
  })

/** Reads a request body: JSON by content type or by sniffing, form data as is, empty as undefined. */
export const parseBody = (contentType: string, text: string): unknown => {
  if (text.length === 0) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return errorReply(400, {
      code: "malformed_request",
      message: "malformed request",
      longMessage: `The request body could not be read as JSON (content type ${
        contentType === "" ? "none" : contentType
      }).`
    })
  }
}

/** A reply as a web `Response`. */
export const toWebResponse = (answer: Reply): Response => {
  const headers = new Headers(answer.headers)
  if (answer.body === undefined || answer.status === 204) return new Response(null, { status: answer.status, headers })
  if (typeof answer.body === "string") {
    if (!headers.has("content-type")) headers.set("content-type", "text/plain; charset=utf-8")
    return new Response(answer.body, { status: answer.status, headers })
  }
  if (!headers.has("content-type")) headers.set("content-type", "application/json")
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers })
}
