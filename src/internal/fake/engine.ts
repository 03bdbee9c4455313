/**
 * The public types of the Effect 3 fake over Effect 3's operation names: handlers, faults, recorded
 * calls. Apart from the adapter (wire.ts), so `ClerkTest`'s declarations name only shapes
 * (types.ts), never the shared store and the resource types it holds.
 *
 * @internal
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { OperationName, Operations } from "../../generated/Operations.js"
import type * as Core from "./core.js"
import type { Reply } from "./core.js"
import type { FaultsOf, ParamsIn, RecordedCallOf } from "./types.js"

export type { RawRequest, ScriptStep } from "./types.js"

/** The decoded (camelCase) params of an operation; `{}` for one that takes none. */
export type ParamsOf<N extends OperationName> = ParamsIn<Operations, N>

/** The decoded success value of an operation. */
export type SuccessOf<N extends OperationName> = Operations[N] extends
  (...args: any) => Effect.Effect<infer A, any, any> ? A : never

/** One request as the fake sees it, after routing. */
export type FakeRequest = Core.FakeRequest<OperationName>

/** A handler a test installs for one operation; it may answer the success value or a reply. */
export type Handler<N extends OperationName> = (
  params: ParamsOf<N>,
  request: FakeRequest
) => Effect.Effect<SuccessOf<N> | Reply, Reply>

/** Faults applied to matching requests before they are answered (latency slept on Effect's `Clock`). */
export interface Faults extends FaultsOf<OperationName, Duration.DurationInput> {}

/** What the fake saw and answered, in order. */
export interface RecordedCall extends RecordedCallOf<OperationName> {}
