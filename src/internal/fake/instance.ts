/**
 * One fake Clerk instance, for both Effect lines: routes a raw request to an operation, applies
 * the test's faults, scripts and handlers, runs the built-in route, encodes the answer the way
 * Clerk would, and records the call; seeds itself and creates the sessions behind minted tokens.
 *
 * Nothing here runs Effect. The few things only a line can do (read its `Clock`, sleep on it,
 * draw from its `Random`, run a test's handler, which is an effect of that line, and wait for a
 * promise in its fiber) are yielded as {@link Instruction}s by generator "programs"; each line
 * runs them through {@link interpreter} with its own Effect constructors and its own `perform` of
 * each instruction. The line's schemas (decoding params, encoding success values) come in as plain
 * synchronous functions (`Line`).
 *
 * @internal
 */
import type { DescriptorOf } from "../../ClerkDescriptorShape.js"
import * as WireShapes from "../../generated/WireShapes.js"
import { camelCase } from "../names.js"
import type { TestKeys } from "../testTokens.js"
import { generateKeys } from "../testTokens.js"
import { keyOfSecret } from "../webhookSignature.js"
import { signDelivery } from "../webhookTesting.js"
import * as Collections from "./collections.js"
import type { FakeRequest, Reply } from "./core.js"
import { errorReply, isReply, notImplemented, reply } from "./core.js"
import type { FakeEvent } from "./events.js"
import { eventFor, eventOfType, maxRecordedEvents } from "./events.js"
import { bodyShapeProblem, issueReply, wireParams } from "./params.js"
import { builtinRoutes } from "./routes.js"
import type { Match } from "./routing.js"
import { FakeStore, IdGenerator } from "./store.js"
import type {
  Checked,
  DeliveryRecord,
  EffectOps,
  FaultsOf,
  InstanceOptions,
  Instruction,
  Line,
  Program,
  RawRequest,
  RecordedCallOf,
  Refusal,
  ScriptStep,
  WebhookDeliveryOptions
} from "./types.js"
import { checkShape, sampleShape } from "./wireShape.js"

/**
 * A line's runner of programs: each instruction is performed by `perform` (with the line's own
 * `Clock`, `Random` and handlers), its result fed back; an error the program throws is a defect,
 * as `sync` makes it. A program is started anew on each run of the effect.
 */
export const interpreter =
  <F, H>(ops: EffectOps<F>, perform: (instruction: Instruction<H>) => F) => <A>(program: () => Program<H, A>): F =>
    ops.suspend(() => {
      const generator = program()
      const step = (input: unknown): F =>
        ops.flatMap(ops.sync(() => generator.next(input)), (next) => {
          const result = next as IteratorResult<Instruction<H>, A>
          return result.done ? ops.succeed(result.value) : ops.flatMap(perform(result.value), step)
        })
      return step(undefined)
    })

/** Memoizes a function of a descriptor (descriptors live as long as the generated modules). */
export const perDescriptor = <D extends object, A>(f: (descriptor: D) => A): (descriptor: D) => A => {
  const cache = new WeakMap<D, A>()
  return (descriptor) => {
    let value = cache.get(descriptor)
    if (value === undefined) {
      value = f(descriptor)
      cache.set(descriptor, value)
    }
    return value
  }
}

const derivedByLine = new WeakMap<object, ReadonlyMap<string, Collections.Derived>>()

/** The spec-driven operations of a line: every collection and singleton no hand-written route touches. */
export const derivedOf = (
  line: Pick<Line<string, DescriptorOf<unknown>>, "operations">
): ReadonlyMap<string, Collections.Derived> => {
  let derived = derivedByLine.get(line)
  if (derived === undefined) {
    derived = Collections.derive(line.operations, new Set(Object.keys(builtinRoutes)))
    derivedByLine.set(line, derived)
  }
  return derived
}

/** How many of the latest calls the fake remembers. */
export const maxRecordedCalls = 10_000

/** The API base path stripped from request paths, when present. */
const basePath = "/v1"

const defaultFailure = (): Reply =>
  errorReply(500, {
    code: "internal_clerk_error",
    message: "Oops, something went wrong",
    longMessage: "Injected failure (ClerkTest faults)."
  })

/** The first error of a reply, for messages: `code: long message`, or its status. */
export const describeReply = (answer: Reply): string => {
  const body = answer.body as {
    readonly errors?: ReadonlyArray<{ readonly long_message?: string; readonly code?: string }>
  }
  const first = Array.isArray(body?.errors) ? body.errors[0] : undefined
  return first === undefined ? `status ${answer.status}` : `${first.code}: ${first.long_message}`
}

let sharedKeysOnce: Promise<TestKeys> | undefined

/**
 * One RS256 pair for every fake of the process (of either line) not given `keys`: generating one
 * costs most of a fake's start-up, and tests build many fakes. Generated on first use.
 */
export const sharedKeys = (): Promise<TestKeys> => sharedKeysOnce ??= generateKeys({ kid: "ins_fake_signing_key" })

const isOk = (answer: Reply): boolean => answer.status >= 200 && answer.status < 300

const isPromise = (value: unknown): value is Promise<unknown> =>
  typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"

const maxSampleAttempts = 20

/** The start of Svix's retry schedule. */
const defaultRetryDelays: ReadonlyArray<unknown> = ["5 seconds", "5 minutes", "30 minutes"]

/** POSTs a signed event; the status it got, or 0 when the endpoint did not answer within 10 s. */
const postEvent = async (
  webhooks: WebhookDeliveryOptions,
  id: string,
  event: FakeEvent,
  at: number
): Promise<number> => {
  const signed = await signDelivery({
    secret: webhooks.signingSecret,
    id,
    timestamp: Math.floor(at / 1000),
    body: event
  })
  // `start` refused a secret that cannot sign.
  if (signed === undefined) return 0
  try {
    const response = await fetch(webhooks.url, {
      method: "POST",
      headers: { ...signed.headers, "content-type": "application/json" },
      body: signed.body,
      signal: AbortSignal.timeout(10_000)
    })
    await response.arrayBuffer().catch(() => undefined)
    return response.status
  } catch {
    return 0
  }
}

/** The value with every number JSON cannot write (NaN, ±Infinity, -0) replaced by 0. */
const jsonSafe = (value: unknown): unknown => {
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0) ? value : 0
  if (Array.isArray(value)) return value.map(jsonSafe)
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      Object.defineProperty(out, key, { value: jsonSafe(item), enumerable: true, writable: true, configurable: true })
    }
    return out
  }
  return value
}

/** A 32-bit FNV-1a hash of an operation name: its generated answers differ from other operations'. */
const hashName = (name: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193)
  return hash >>> 0
}

function* now<H>(): Program<H, number> {
  return (yield { _tag: "Now" }) as number
}

/** The state and behaviour of one fake instance, typed by a line's names (`N`), descriptors and handlers (`H`). */
export class FakeInstance<N extends string, D extends DescriptorOf<unknown>, H> {
  readonly handlers = new Map<string, H>()
  readonly scripts = new Map<string, Array<ScriptStep>>()
  faults: FaultsOf<string, unknown> = {}
  readonly calls: Array<RecordedCallOf<N>> = []
  /** Replaced as a whole by {@link FakeInstance.start}. */
  store: FakeStore
  /** The operations the spec-driven tier answers (collections and singletons), derived once per line. */
  readonly derived: ReadonlyMap<string, Collections.Derived>

  constructor(
    readonly line: Line<N, D>,
    readonly keys: TestKeys,
    readonly options: InstanceOptions<H>
  ) {
    this.store = this.freshStore()
    this.derived = derivedOf(line)
  }

  private freshStore(): FakeStore {
    // The same id seed gives the same ids, so a reset brings the seeds back under their ids.
    return new FakeStore(this.keys, new IdGenerator(this.options.seed ?? 1))
  }

  /** Who is told of each recorded webhook event as it happens (the lines' event streams); kept across resets. */
  private readonly eventListeners = new Set<(event: FakeEvent) => void>()

  /** Tells `listener` of every event recorded from now on, until the returned function is called. */
  onEvent(listener: (event: FakeEvent) => void): () => void {
    this.eventListeners.add(listener)
    return () => this.eventListeners.delete(listener)
  }

  /** Installs (or replaces) the handler of an operation. */
  handle(name: string, handler: H): void {
    this.handlers.set(name, handler)
  }

  /** Removes an installed handler. */
  unhandle(name: string): void {
    this.handlers.delete(name)
  }

  /** Queues answers for the next requests to `name` (or to any operation with `"*"`). */
  script(name: string, steps: ReadonlyArray<ScriptStep>): void {
    this.scripts.set(name, [...(this.scripts.get(name) ?? []), ...steps])
  }

  /** Replaces the faults applied to requests. */
  setFaults(faults: FaultsOf<string, unknown>): void {
    this.faults = faults
  }

  /** Every request answered so far, in order. */
  recordedCalls(): ReadonlyArray<RecordedCallOf<N>> {
    return this.calls.slice()
  }

  /** The control operations of a `ClerkTestService` over this instance, as effects of the line of `ops`. */
  controls<F>(ops: EffectOps<F>) {
    return {
      handle: (name: string, handler: H) => ops.sync(() => this.handle(name, handler)),
      unhandle: (name: string) => ops.sync(() => this.unhandle(name)),
      script: (name: string, steps: ReadonlyArray<ScriptStep>) => ops.sync(() => this.script(name, steps)),
      setFaults: (faults: FaultsOf<string, unknown>) => ops.sync(() => this.setFaults(faults)),
      calls: ops.sync(() => this.recordedCalls()),
      webhookEvents: ops.sync(() => this.store.events.slice()),
      webhookDeliveries: ops.sync(() =>
        this.store.deliveries.map((record) => ({ ...record, attempts: record.attempts.slice() }))
      )
    }
  }

  /**
   * A fresh store, the seeds, then the options' handlers and faults; no scripts, no calls.
   * Answers the first seed the fake refused, if any.
   */
  *start(): Program<H, Refusal | undefined> {
    // Refused here, as a layer failure: in a delivery it could only fail a background fiber, unseen.
    const webhooks = this.options.webhooks
    if (webhooks !== undefined && !(keyOfSecret(webhooks.signingSecret) instanceof Uint8Array)) {
      return {
        operation: "webhooks",
        status: 0,
        message: "ClerkTest webhooks.signingSecret is not a signing secret (whsec_ and base64)"
      }
    }
    this.store = this.freshStore()
    this.handlers.clear()
    this.scripts.clear()
    this.calls.length = 0
    const refused = (name: string, answer: Reply): Refusal => ({
      operation: name,
      status: answer.status,
      message: `Seeding ${name} was refused: ${describeReply(answer)}`
    })
    for (const { id, ...params } of this.options.users ?? []) {
      if (id !== undefined) this.store.ids.reserve("user", id)
      const answer = yield* this.invoke("users.create" as N, params)
      if (!isOk(answer)) return refused("users.create", answer)
    }
    for (const { id, members, ...params } of this.options.organizations ?? []) {
      if (id !== undefined) this.store.ids.reserve("org", id)
      const organization = yield* this.invoke("organizations.create" as N, params)
      if (!isOk(organization)) return refused("organizations.create", organization)
      for (const member of members ?? []) {
        const answer = yield* this.invoke("organizationMemberships.create" as N, {
          organizationId: String((organization.body as { readonly id: unknown }).id),
          userId: member.userId,
          role: member.role ?? "org:member"
        })
        if (!isOk(answer)) return refused("organizationMemberships.create", answer)
      }
    }
    for (const [name, entries] of Object.entries(this.options.resources ?? {})) {
      if (!Object.hasOwn(this.line.operations, name)) {
        return { operation: name, status: 0, message: `ClerkTest resources: no operation is named ${name}` }
      }
      const derived = this.derived.get(name as N)
      for (const { id, ...params } of entries ?? []) {
        if (id !== undefined) {
          if (derived?.role !== "create") {
            return {
              operation: name,
              status: 0,
              message: `ClerkTest resources: ${name} does not take an id (only the creates of derived collections do)`
            }
          }
          this.store.ids.reserve(derived.prefix, id)
        }
        const answer = yield* this.invoke(name as N, params)
        if (!isOk(answer)) return refused(name, answer)
      }
    }
    for (const [name, handler] of Object.entries(this.options.handlers ?? {})) {
      if (handler !== undefined) this.handlers.set(name, handler)
    }
    this.faults = this.options.faults ?? {}
    return undefined
  }

  /** Creates a session for a user (through the installed handler, if any), for a minted token. */
  *createSession(userId: string): Program<H, Checked<string, Refusal>> {
    const answer = yield* this.invoke("sessions.create" as N, { userId })
    if (!isOk(answer)) {
      return {
        ok: false,
        error: {
          operation: "sessions.create",
          status: answer.status,
          message: `No session could be created for ${userId}: ${describeReply(answer)}`
        }
      }
    }
    return { ok: true, value: String((answer.body as { readonly id: unknown }).id) }
  }

  /** Answers an operation without HTTP (no auth, faults or scripts), for seeding and minting. */
  *invoke(name: N, params: unknown): Program<H, Reply> {
    const at = yield* now<H>()
    const descriptor = this.line.operations[name].descriptor
    // The path params a request would carry, read from the params by their keys.
    const given = (typeof params === "object" && params !== null ? params : {}) as Record<string, unknown>
    const pathParams = Object.fromEntries(
      (descriptor.pathParams ?? []).flatMap((wire) => {
        const value = given[camelCase(wire)]
        return typeof value === "string" ? [[wire, value]] : []
      })
    )
    const request: FakeRequest = {
      operation: name,
      method: descriptor.method,
      path: descriptor.path,
      headers: {},
      pathParams,
      query: new URLSearchParams(),
      body: undefined
    }
    return yield* this.run(name, descriptor, params, request, at)
  }

  /** Answers a raw request. Every problem is an HTTP answer; a thrown error is a bug of the fake. */
  *answer(raw: RawRequest): Program<H, Reply> {
    const at = yield* now<H>()
    const path = raw.url.pathname.startsWith(basePath + "/")
      ? raw.url.pathname.slice(basePath.length)
      : raw.url.pathname
    const matched = this.line.router.match(raw.method, path)
    const seen: { params?: unknown } = {}
    const answer = yield* this.route(raw, path, matched, at, seen)
    this.calls.push({
      operation: matched?.name,
      method: raw.method.toUpperCase(),
      path,
      status: answer.status,
      at,
      ...seen
    })
    // A fake serving for hours must not grow without bound; tests look at far fewer calls.
    if (this.calls.length > maxRecordedCalls) this.calls.splice(0, this.calls.length - maxRecordedCalls)
    return answer
  }

  private *route(
    raw: RawRequest,
    path: string,
    matched: Match<N, D> | undefined,
    at: number,
    seen: { params?: unknown }
  ): Program<H, Reply> {
    const authorization = raw.headers["authorization"] ?? ""
    const bearer = /^Bearer (.+)$/i.exec(authorization)?.[1]?.trim()
    const secretKey = this.options.secretKey
    if (bearer === undefined || bearer === "" || (secretKey !== undefined && bearer !== secretKey)) {
      return errorReply(401, {
        code: "authentication_invalid",
        message: "Unauthorized request",
        longMessage: "The request's secret key is missing or not the one this fake instance accepts."
      })
    }
    if (matched === undefined) {
      return errorReply(404, {
        code: "resource_not_found",
        message: "not found",
        longMessage: this.line.router.pathExists(path)
          ? `${raw.method.toUpperCase()} is not an operation of ${path}.`
          : `No Backend API operation answers ${path}.`
      })
    }
    if (isReply(raw.body)) return raw.body
    const request: FakeRequest = {
      operation: matched.name,
      method: raw.method.toUpperCase(),
      path,
      headers: raw.headers,
      pathParams: matched.pathParams,
      query: raw.url.searchParams,
      body: raw.body
    }
    // Decoded first, so the record shows what was asked even when a fault or a script answers.
    const decoded = this.decode(matched, request)
    if (decoded.ok) seen.params = decoded.value
    const faults = this.faults
    const applies = faults.operations === undefined || faults.operations.includes(matched.name)
    if (applies && faults.latency !== undefined) yield { _tag: "Sleep", duration: faults.latency }
    const step = this.nextStep(matched.name)
    if (step !== undefined && step !== "pass") return step
    if (applies && faults.failureRate !== undefined && faults.failureRate > 0) {
      if (((yield { _tag: "Random" }) as number) < faults.failureRate) return faults.failure ?? defaultFailure()
    }
    if (!decoded.ok) return decoded.error
    return yield* this.run(matched.name, matched.descriptor, decoded.value, request, at)
  }

  private decode(matched: Match<N, D>, request: FakeRequest): Checked<unknown, Reply> {
    const descriptor = matched.descriptor
    const problem = bodyShapeProblem(descriptor, request.body)
    if (problem !== undefined) return { ok: false, error: problem }
    if (descriptor.params === undefined) return { ok: true, value: {} }
    const wire = wireParams(descriptor, this.line.kinds(descriptor), matched.pathParams, request.query, request.body)
    const decoded = this.line.decodeParams(descriptor, wire)
    return decoded.ok ? decoded : { ok: false, error: issueReply(decoded.error) }
  }

  private nextStep(name: string): ScriptStep | undefined {
    for (const key of [name, "*"]) {
      const queue = this.scripts.get(key)
      if (queue !== undefined && queue.length > 0) return queue.shift()
    }
    return undefined
  }

  /** Runs the installed handler or the built-in route of an operation and encodes its answer. */
  private *run(name: N, descriptor: D, params: unknown, request: FakeRequest, at: number): Program<H, Reply> {
    const handler = this.handlers.get(name)
    let value: unknown
    let keepsState = false
    if (handler !== undefined) {
      value = yield { _tag: "Handle", handler, params, request }
    } else {
      const route = (builtinRoutes as Record<string, ((params: unknown, context: unknown) => unknown) | undefined>)[
        name
      ]
      const derived = route === undefined ? this.derived.get(name) : undefined
      keepsState = derived !== undefined || route !== undefined
      if (derived !== undefined) {
        value = yield* Collections.answer(name, derived, this.derived, {
          store: this.store,
          now: at,
          request,
          params,
          descriptor: (other) => this.line.operations[other as N].descriptor,
          sample: (other) => this.sampled(other as N, this.line.operations[other as N].descriptor),
          accepts: (other, candidate) =>
            this.line.encodeSuccess(this.line.operations[other as N].descriptor, candidate).ok,
          conforms: (other, candidate) => this.conforms(other as N, candidate)
        })
      } else if (route === undefined) {
        value = yield* this.generated(name, descriptor)
      } else {
        const answer = route(params, { store: this.store, now: at, request })
        value = isPromise(answer) ? yield { _tag: "Await", promise: answer } : answer
      }
    }
    const answer = this.encode(name, descriptor, value)
    // A state change by the fake's own behaviour is reported as Clerk would; a test's handler owns its answers.
    const sideEvents = this.store.sideEvents.splice(0)
    if (keepsState && isOk(answer)) {
      const event = this.withUser(eventFor(name, answer.body, at))
      if (event !== undefined) yield* this.record(event)
      for (const side of sideEvents) {
        let data: unknown
        if ("wire" in side) data = side.wire
        else {
          const encoded = this.line.encodeSuccess(this.line.operations[side.encodeAs as N].descriptor, side.value)
          if (!encoded.ok) throw new Error(`ClerkTest: the ${side.type} event does not encode: ${encoded.error}`)
          data = encoded.value
        }
        const sideEvent = this.withUser(eventOfType(side.type, data, at))
        if (sideEvent !== undefined) yield* this.record(sideEvent)
      }
    }
    return answer
  }

  /** Records an event: kept (the latest 10,000), told to the listeners, and delivered over HTTP when configured. */
  *record(event: FakeEvent): Program<H, void> {
    this.store.events.push(event)
    if (this.store.events.length > maxRecordedEvents) this.store.events.shift()
    for (const listener of this.eventListeners) listener(event)
    const webhooks = this.options.webhooks
    if (webhooks !== undefined) yield { _tag: "Fork", program: () => this.deliver(webhooks, event) }
  }

  /** Delivers an event over HTTP, retrying on the line's clock until a 2xx or the last retry. */
  private *deliver(webhooks: WebhookDeliveryOptions, event: FakeEvent): Program<H, void> {
    const record: DeliveryRecord = {
      id: `msg_${this.store.ids.token(27)}`,
      type: event.type,
      attempts: [],
      outcome: "pending"
    }
    const store = this.store
    store.deliveries.push(record)
    if (store.deliveries.length > maxRecordedEvents) store.deliveries.shift()
    const delays = webhooks.retryDelays ?? defaultRetryDelays
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) yield { _tag: "Sleep", duration: delays[attempt - 1] }
      const at = yield* now<H>()
      const status = (yield { _tag: "Await", promise: postEvent(webhooks, record.id, event, at) }) as number
      record.attempts.push({ at, status })
      if (status >= 200 && status < 300) {
        record.outcome = "delivered"
        return
      }
    }
    record.outcome = "failed"
  }

  /** Session events carry the session's user, in its wire form, as Clerk's do. */
  private withUser(event: FakeEvent | undefined): FakeEvent | undefined {
    if (event === undefined || !event.type.startsWith("session.")) return event
    const userId = (event.data as { readonly user_id?: unknown }).user_id
    const user = typeof userId === "string" ? this.store.users.get(userId) : undefined
    if (user === undefined) return event
    const encoded = this.line.encodeSuccess(this.line.operations["users.get" as N].descriptor, user)
    return encoded.ok ? { ...event, data: { ...(event.data as object), user: encoded.value } } : event
  }

  /** Where a success value, encoded, leaves the spec's wire shape of the operation's body; `undefined` when it fits. */
  private conforms(name: N, value: unknown): string | undefined {
    const shape = WireShapes.responses[name]
    if (shape === undefined) return undefined
    const encoded = this.line.encodeSuccess(this.line.operations[name].descriptor, value)
    return encoded.ok ? checkShape(shape, WireShapes.components, encoded.value) : encoded.error
  }

  /** The answer of an operation without behaviour of its own: 501 when strict, else a generated valid value. */
  private *generated(name: N, descriptor: D): Program<H, unknown> {
    if (this.options.strict === true) return notImplemented(name)
    return yield* this.sampled(name, descriptor)
  }

  /** A valid value of an operation's success schema, from the instance's seeded generator. */
  private *sampled(name: N, descriptor: D): Program<H, unknown> {
    if (typeof descriptor.success === "string") return descriptor.success === "text" ? "" : undefined
    const base = (hashName(name) + Math.imul(++this.store.samples, 0x9e3779b1) + (this.options.seed ?? 1)) >>> 0
    // Drawn from the spec's wire shape, so the answer is what Clerk could send (the client's schema is lenient).
    const shape = WireShapes.responses[name]
    if (shape !== undefined) {
      const wire = sampleShape(shape, WireShapes.components, base)
      const decoded = wire === undefined ? undefined : this.line.decodeSuccess(descriptor, wire)
      if (decoded?.ok === true && this.line.encodeSuccess(descriptor, decoded.value).ok) return decoded.value
    }
    // A generated value may hold what JSON cannot carry (NaN, -0): those become 0, and a value its schema then
    // refuses is drawn again from the next seed.
    for (let attempt = 0; attempt < maxSampleAttempts; attempt++) {
      const value = jsonSafe(yield { _tag: "Sample", descriptor, seed: (base + attempt) >>> 0 })
      if (this.line.encodeSuccess(descriptor, value).ok) return value
    }
    throw new Error(`ClerkTest: no valid answer could be generated for ${name}`)
  }

  private encode(name: N, descriptor: D, value: unknown): Reply {
    if (isReply(value)) return value
    const status = this.line.successStatus[name] ?? 200
    if (descriptor.success === "void") return reply(status === 200 ? 204 : status)
    if (descriptor.success === "text") return reply(status, String(value))
    const encoded = this.line.encodeSuccess(descriptor, value)
    if (!encoded.ok) throw new Error(`ClerkTest: the answer of ${name} does not match its schema: ${encoded.error}`)
    return reply(status, encoded.value)
  }
}
