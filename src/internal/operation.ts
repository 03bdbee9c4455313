/**
 * What a generated operation is made of, and how the generated modules turn
 * descriptors into functions and streams. The types (`Call`, `Pages`, `StreamOptions`...)
 * appear in the signatures of the generated operations.
 *
 * @since 0.1.0
 */
import type * as HttpMethod from "@effect/platform/HttpMethod"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { ClerkClient } from "../ClerkClient.js"

/** How an operation's request body is sent. */
export type BodyKind = "none" | "json" | "json-required" | "multipart"

/** Everything the runtime needs to send one operation and read its answer. */
export interface Descriptor {
  /** Public name, `group.method`. */
  readonly name: string
  readonly method: HttpMethod.HttpMethod
  /** Path template relative to the base URL, with `{wire_name}` placeholders. */
  readonly path: string
  /** camelCase parameters to wire names (path, query and body at once); absent when the operation takes none. */
  readonly params?: Schema.Schema<any, any> | undefined
  /** Wire names of the path parameters. */
  readonly pathParams?: ReadonlyArray<string> | undefined
  /** Wire names of the query parameters. */
  readonly queryParams?: ReadonlyArray<string> | undefined
  /** Query arrays sent comma-joined (`explode: false`) instead of as repeated keys. */
  readonly commaQueryParams?: ReadonlyArray<string> | undefined
  readonly body?: BodyKind | undefined
  /** For an array body: the wire key of the parameter holding it. */
  readonly arrayBody?: string | undefined
  /** The 2xx body: a schema, nothing (`void`) or the raw text (`text`). */
  readonly success: Schema.Schema<any, any> | "void" | "text"
  /** Error statuses the operation declares. */
  readonly errors: ReadonlyArray<number>
}

/** A generated operation: a function of its params, carrying its descriptor. */
export interface Call<P, A, E> {
  (params: P): Effect.Effect<A, E, ClerkClient>
  readonly descriptor: Descriptor
}

/** A generated operation whose params are all optional. */
export interface CallOptional<P, A, E> {
  (params?: P): Effect.Effect<A, E, ClerkClient>
  readonly descriptor: Descriptor
}

/** A generated operation that takes no params. */
export interface CallNone<A, E> {
  (): Effect.Effect<A, E, ClerkClient>
  readonly descriptor: Descriptor
}

/** How a list operation's pages look. */
export interface PageSpec {
  /** camelCase key of the items array in the page, or `undefined` when the page is the array. */
  readonly items?: string | undefined
  /** Whether the page carries `totalCount`. */
  readonly total?: boolean | undefined
  /** Whether `startingAfter` cursors may be used (with the default ordering only). */
  readonly cursor?: boolean | undefined
  /** The largest `limit` the operation accepts, when below {@link defaultPageSize}. */
  readonly maxPageSize?: number | undefined
}

/** Options of a streaming list variant. */
export interface StreamOptions {
  /** Items per request, 1 to the operation's maximum `limit`. Default: that maximum, at most 500. */
  readonly pageSize?: number | undefined
}

/** A generated streaming list variant. */
export interface Pages<P, A, E> {
  (params?: P, options?: StreamOptions): Stream.Stream<A, E, ClerkClient>
  readonly pages: Descriptor
}

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
