/**
 * For Effect 4: how the generated modules turn descriptors into functions and streams. The walk over
 * pages is shared with the Effect 3 line (`src/internal/pages.ts`); only the Effect calls differ.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { PageSpec } from "../../ClerkDescriptorShape.js"
import { bindMembers } from "../../internal/binding.js"
import * as PageWalk from "../../internal/pages.js"
import { ClerkClient } from "../ClerkClient.js"
import type { ClerkClientService } from "../ClerkClient.js"
import type { Descriptor } from "../ClerkDescriptor.js"
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

/** Builds the streaming variant of a list operation. */
export const paginate = <P, A, E>(
  call: { readonly descriptor: Descriptor },
  spec: PageSpec
): Pages<P, A, E> => {
  const run = (params?: P, options?: StreamOptions): Stream.Stream<A, E, ClerkClient> => {
    const pages = PageWalk.walk<A>(spec, params, options?.pageSize)
    return Stream.paginate(
      PageWalk.firstPage,
      (state: PageWalk.PageState) =>
        Effect.flatMap(ClerkClient, (client) => client.execute(call.descriptor, pages.params(state))).pipe(
          Effect.map((page): readonly [ReadonlyArray<A>, Option.Option<PageWalk.PageState>] => {
            const [items, next] = pages.next(page, state)
            return [items, Option.fromNullishOr(next)]
          })
        )
    ) as Stream.Stream<A, E, ClerkClient>
  }
  return Object.assign(run, { pages: call.descriptor })
}

/** Binds every operation and stream of a group to an executor, dropping the `ClerkClient` requirement. */
export const bind = <Api>(client: ClerkClientService, members: Record<string, Function>): Api =>
  bindMembers<Api>(
    members,
    (effect) => Effect.provideService(effect, ClerkClient, client),
    (stream) => Stream.provideService(stream, ClerkClient, client)
  )
