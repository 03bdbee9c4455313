/**
 * How the generated modules turn descriptors into functions and streams. The types they
 * return are public: {@link ClerkOperation} and {@link ClerkDescriptor}.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { ClerkClient } from "../ClerkClient.js"
import type { Descriptor, PageSpec } from "../ClerkDescriptor.js"
import type { Call, CallNone, CallOptional, Pages, StreamOptions } from "../ClerkOperation.js"

/** Builds the function of an operation from its descriptor. */
export const make = <P, A, E>(descriptor: Descriptor): Call<P, A, E> & CallOptional<P, A, E> & CallNone<A, E> =>
  Object.assign(
    (params?: P) =>
      Effect.flatMap(ClerkClient, (client) => client.execute(descriptor, params ?? {})) as Effect.Effect<
        A,
        E,
        ClerkClient
      >,
    { descriptor }
  )

/** The page size a stream asks for by default, unless the operation accepts fewer per page. */
export const defaultPageSize = 500

const cursorOrderings: ReadonlySet<unknown> = new Set([undefined, "created_at", "+created_at", "-created_at"])

interface PageState {
  readonly offset: number
  readonly cursor: string | undefined
}

/** Builds the streaming variant of a list operation. */
export const paginate = <P, A, E>(
  call: { readonly descriptor: Descriptor },
  spec: PageSpec
): Pages<P, A, E> => {
  const run = (params?: P, options?: StreamOptions): Stream.Stream<A, E, ClerkClient> => {
    const limit = options?.pageSize ?? Math.min(defaultPageSize, spec.maxPageSize ?? defaultPageSize)
    const base = (params ?? {}) as Record<string, unknown>
    const useCursor = spec.cursor === true && cursorOrderings.has(base.orderBy)
    const fetchPage = (state: PageState) =>
      Effect.flatMap(ClerkClient, (client) =>
        client.execute(call.descriptor, {
          ...base,
          limit,
          ...(useCursor
            ? (state.cursor === undefined ? {} : { startingAfter: state.cursor })
            : { offset: state.offset })
        })).pipe(
          Effect.map((page: any): readonly [ReadonlyArray<A>, Option.Option<PageState>] => {
            const items: ReadonlyArray<A> = spec.items === undefined ? page : page[spec.items]
            const offset = state.offset + items.length
            // A known total is the most exact end; otherwise a short page is the last one.
            const last = items.length === 0 ||
              (spec.total === true && typeof page.totalCount === "number"
                ? offset >= page.totalCount
                : items.length < limit)
            if (last) return [items, Option.none()]
            const cursor = useCursor ? (items[items.length - 1] as { readonly id?: string }).id : undefined
            if (useCursor && typeof cursor !== "string") return [items, Option.none()]
            return [items, Option.some({ offset, cursor })]
          })
        )
    return Stream.paginateEffect({ offset: 0, cursor: undefined } as PageState, fetchPage).pipe(
      Stream.flattenIterables
    ) as Stream.Stream<A, E, ClerkClient>
  }
  return Object.assign(run, { pages: call.descriptor })
}

/** Binds every operation and stream of a group to an executor, dropping the `ClerkClient` requirement. */
export const bind = <Api>(client: ClerkClient["Type"], members: Record<string, Function>): Api => {
  const bound: Record<string, unknown> = {}
  for (const [key, member] of Object.entries(members)) {
    bound[key] = "pages" in member
      ? (...args: Array<any>) => Stream.provideService(member(...args), ClerkClient, client)
      : (...args: Array<any>) => Effect.provideService(member(...args), ClerkClient, client)
  }
  return bound as Api
}
