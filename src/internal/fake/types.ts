/**
 * The shapes the fake's instance and the lines' adapters share: requests, faults, recorded calls,
 * the instructions of programs, and what a line gives the instance. Types only, so a line's
 * public types can name them without reaching the store (and the resource types it holds).
 *
 * @internal
 */
import type { DescriptorOf } from "../../ClerkDescriptorShape.js"
import type { FakeRequest, Reply } from "./core.js"
import type { Issue, Kind } from "./params.js"
import type { Router } from "./routing.js"

/** A request as it arrives, before routing. */
export interface RawRequest {
  readonly method: string
  readonly url: URL
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>
  /** Parsed JSON, a `FormData`, `undefined`, or a {@link Reply} when the body could not be read. */
  readonly body: unknown
}

/** One step of a scripted sequence: a reply, or `"pass"` to let the request through. */
export type ScriptStep = Reply | "pass"

/** Faults applied to matching requests before they are answered; `Duration` is the line's duration input. */
export interface FaultsOf<Name extends string, Duration> {
  /** Added before every answer (slept on the line's `Clock`). */
  readonly latency?: Duration | undefined
  /** Chance, 0 to 1, that a request is answered with `failure` instead (drawn from the line's `Random`). */
  readonly failureRate?: number | undefined
  /** The answer of a failed request. Default: 500 `internal_clerk_error`. */
  readonly failure?: Reply | undefined
  /** Restricts the faults to these operations. Default: every operation. */
  readonly operations?: ReadonlyArray<Name> | undefined
}

/** What the fake saw and answered, in order. */
export interface RecordedCallOf<Name extends string> {
  readonly operation: Name | undefined
  readonly method: string
  readonly path: string
  readonly status: number
  /** When the request arrived, in milliseconds (the line's `Clock`). */
  readonly at: number
  /**
   * The params as the operation decoded them (camelCase, the object the caller passed), when
   * the request was routed and its params were valid.
   */
  readonly params?: unknown
}

/** What a program asks of the line running it. */
export type Instruction<H> =
  | { readonly _tag: "Now" }
  | { readonly _tag: "Sleep"; readonly duration: unknown }
  | { readonly _tag: "Random" }
  | { readonly _tag: "Handle"; readonly handler: H; readonly params: unknown; readonly request: FakeRequest }
  | { readonly _tag: "Await"; readonly promise: Promise<unknown> }
  /** A value of the operation's success schema, drawn deterministically from `seed` by the line's generator. */
  | { readonly _tag: "Sample"; readonly descriptor: DescriptorOf<unknown>; readonly seed: number }
  /** Runs a program in the background (a webhook delivery and its retries), not awaited. */
  | { readonly _tag: "Fork"; readonly program: () => Program<H, unknown> }

/**
 * A computation of the fake: it yields instructions, is resumed with their results (now in
 * milliseconds, nothing, a number in [0, 1), the handler's success value or reply, the promise's
 * value), and returns `A`. A thrown error is a defect of the fake.
 */
export type Program<H, A> = Generator<Instruction<H>, A, unknown>

/**
 * The Effect constructors the fake's wiring needs, which both lines have under the same names and
 * meanings; `F` stands for the line's `Effect<unknown>`.
 */
export interface EffectOps<F> {
  readonly suspend: (evaluate: () => F) => F
  readonly sync: (evaluate: () => unknown) => F
  readonly succeed: (value: unknown) => F
  readonly flatMap: (self: F, f: (value: unknown) => F) => F
}

/** The state a fake starts (and is reset) in; each line's options are a typed form of this. */
export interface InstanceOptions<H> {
  readonly users?: ReadonlyArray<{ readonly id?: string | undefined }> | undefined
  readonly organizations?:
    | ReadonlyArray<{
      readonly id?: string | undefined
      readonly members?: ReadonlyArray<{ readonly userId: string; readonly role?: string | undefined }> | undefined
    }>
    | undefined
  readonly resources?:
    | { readonly [name: string]: ReadonlyArray<{ readonly id?: string | undefined }> | undefined }
    | undefined
  readonly handlers?: { readonly [name: string]: H | undefined } | undefined
  readonly faults?: FaultsOf<string, unknown> | undefined
  readonly seed?: number | undefined
  /** When set, only this bearer token is accepted; otherwise any non-empty one is. */
  readonly secretKey?: string | undefined
  /** Answer 501 for operations without behaviour of their own instead of a generated valid answer. */
  readonly strict?: boolean | undefined
  /** Where and how recorded events are delivered over HTTP. */
  readonly webhooks?: WebhookDeliveryOptions | undefined
}

/** HTTP delivery of a fake's webhook events, signed as Svix signs Clerk's. */
export interface WebhookDeliveryOptions {
  /** The endpoint events are POSTed to (a server of the test's own, e.g. on 127.0.0.1). */
  readonly url: string
  /** The endpoint's signing secret (`whsec_…`, as `ClerkWebhooksTesting.generateSigningSecret` makes one). */
  readonly signingSecret: string
  /**
   * Waits before each retry of a delivery the endpoint did not answer with a 2xx, on the line's `Clock`
   * (durations as the line's `Duration` takes them). Default `["5 seconds", "5 minutes", "30 minutes"]`, the
   * start of Svix's schedule; `[]` tries once.
   */
  readonly retryDelays?: ReadonlyArray<unknown> | undefined
}

/** One event's delivery: its attempts so far and how it ended. */
export interface DeliveryRecord {
  /** The `svix-id` of every attempt. */
  readonly id: string
  readonly type: string
  /** When each attempt was made (the line's `Clock`, ms) and the status it got (0: no answer). */
  readonly attempts: Array<{ readonly at: number; readonly status: number }>
  outcome: "pending" | "delivered" | "failed"
}

/** An operation the test kit ran itself and the fake refused, for the line's error classes. */
export interface Refusal {
  readonly operation: string
  readonly status: number
  readonly message: string
}

/** The result of a line's synchronous schema work. */
export type Checked<A, E> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: E }

/** What an Effect line gives the fake: its operations and how its schemas decode and encode. */
export interface Line<N extends string, D extends DescriptorOf<unknown>> {
  readonly operations: { readonly [K in N]: { readonly descriptor: D } }
  readonly router: Router<N, D>
  readonly successStatus: Partial<Record<N, number>>
  /** The wire kind of each param of an operation, for coercing path and query strings. */
  readonly kinds: (descriptor: D) => ReadonlyMap<string, Kind>
  /** Decodes wire params with the operation's params schema (excess keys ignored). */
  readonly decodeParams: (descriptor: D, wire: Record<string, unknown>) => Checked<unknown, Issue>
  /** Decodes a wire success body with the operation's success schema; the error says why it does not match. */
  readonly decodeSuccess: (descriptor: D, wire: unknown) => Checked<unknown, string>
  /** Encodes a success value with the operation's success schema; the error says why it does not match. */
  readonly encodeSuccess: (descriptor: D, value: unknown) => Checked<unknown, string>
}

/** The arguments of an operation's generated function, in a line's operations table. */
type ArgsIn<Ops, N extends keyof Ops> = Ops[N] extends (...args: infer Args) => any ? Args : never

/** The decoded (camelCase) params of an operation of a line's table; `{}` for one that takes none. */
export type ParamsIn<Ops, N extends keyof Ops> = ArgsIn<Ops, N> extends [] ? {} : NonNullable<ArgsIn<Ops, N>[0]>
