/**
 * For Effect 4. The public types of the Effect 4 fake over Effect 4's operation names: handlers,
 * faults, recorded calls. Apart from the adapter (fake.ts), so `ClerkTest`'s declarations name
 * only shapes (internal/fake/types.ts), never the shared store and the resource types it holds.
 *
 * @internal
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Core from "../../internal/fake/core.js"
import type { Reply } from "../../internal/fake/core.js"
import type { FaultsOf, ParamsIn, RecordedCallOf } from "../../internal/fake/types.js"
import type { OperationName, Operations } from "../generated/Operations.js"

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
export interface Faults extends FaultsOf<OperationName, Duration.Input> {}

/** What the fake saw and answered, in order. */
export interface RecordedCall extends RecordedCallOf<OperationName> {}
