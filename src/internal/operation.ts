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
import { bindMembers } from "./binding.js"
import * as PageWalk from "./pages.js"

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

/** Builds the streaming variant of a list operation. */
export const paginate = <P, A, E>(
  call: { readonly descriptor: Descriptor },
  spec: PageSpec
): Pages<P, A, E> => {
  const run = (params?: P, options?: StreamOptions): Stream.Stream<A, E, ClerkClient> => {
    const pages = PageWalk.walk<A>(spec, params, options?.pageSize)
    const fetchPage = (state: PageWalk.PageState) =>
      Effect.flatMap(ClerkClient, (client) => client.execute(call.descriptor, pages.params(state))).pipe(
        Effect.map((page): readonly [ReadonlyArray<A>, Option.Option<PageWalk.PageState>] => {
          const [items, next] = pages.next(page, state)
          return [items, Option.fromNullable(next)]
        })
      )
    return Stream.paginateEffect(PageWalk.firstPage, fetchPage).pipe(Stream.flattenIterables) as Stream.Stream<
      A,
      E,
      ClerkClient
    >
  }
  return Object.assign(run, { pages: call.descriptor })
}

/** Binds every operation and stream of a group to an executor, dropping the `ClerkClient` requirement. */
export const bind = <Api>(client: ClerkClient["Type"], members: Record<string, Function>): Api =>
  bindMembers<Api>(
    members,
    (effect) => Effect.provideService(effect, ClerkClient, client),
    (stream) => Stream.provideService(stream, ClerkClient, client)
  )
