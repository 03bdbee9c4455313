/**
 * The typing of the built-in routes by operation name. Both lines' generated operations have the
 * same names, params and success types, so the routes are typed once, against the Effect 4 line's
 * (types only: nothing of either Effect is loaded at run time, and the Effect 4 line, which reads
 * these modules, sees only its own types).
 *
 * @internal
 */
import type { OperationName } from "../../v4/generated/Operations.js"
import type { ParamsOf, SuccessOf } from "../../v4/internal/fakeTypes.js"
import type { FakeRequest, Reply } from "./core.js"
import type { FakeStore } from "./store.js"

export type { ParamsOf, SuccessOf }

/** What a built-in route sees besides its params. */
export interface RouteContext {
  readonly store: FakeStore
  /** Now, in milliseconds since the epoch, read from the line's `Clock` once per request. */
  readonly now: number
  readonly request: FakeRequest
}

/**
 * A built-in route. It runs synchronously up to its return, so reading and writing the store is
 * atomic; it returns the operation's success value (encoded to the wire by the operation's own
 * schema) or a reply, or, for work that cannot be synchronous everywhere (WebCrypto signing),
 * a promise of one, started after the store has been read and written.
 */
export type Route<N extends OperationName> = (
  params: ParamsOf<N>,
  context: RouteContext
) => SuccessOf<N> | Reply | Promise<SuccessOf<N> | Reply>

/** A table of built-in routes, keyed by operation name. */
export type Routes = { readonly [N in OperationName]?: Route<N> }

/** Types a table of routes (each route's params and result by its key). */
export const routes = <R extends Routes>(table: R): R => table
