/**
 * How a list operation is walked page by page, without Effect: both lines' streams ask this module for
 * each page's params and for what follows a page.
 *
 * @internal
 */
import type { PageSpec } from "../ClerkDescriptorShape.js"

/** The page size a stream asks for by default, unless the operation accepts fewer per page. */
export const defaultPageSize = 500

const cursorOrderings: ReadonlySet<unknown> = new Set([undefined, "created_at", "+created_at", "-created_at"])

/** Where the walk stands: items seen so far, and the last item's id when paging by cursor. */
export interface PageState {
  readonly offset: number
  readonly cursor: string | undefined
}

/** The state before the first page. */
export const firstPage: PageState = { offset: 0, cursor: undefined }

/** One walk over a list operation: the params of each page, and the step from a page to the next. */
export interface PageWalk<A> {
  readonly params: (state: PageState) => Record<string, unknown>
  /** The page's items, and the state to fetch next, or `undefined` when this page was the last. */
  readonly next: (page: unknown, state: PageState) => readonly [ReadonlyArray<A>, PageState | undefined]
}

/**
 * Plans a walk: the page size from `pageSize` or the operation's maximum, a cursor only where the
 * operation takes one and the ordering is by creation, offsets otherwise.
 */
export const walk = <A>(spec: PageSpec, params: unknown, pageSize: number | undefined): PageWalk<A> => {
  const limit = pageSize ?? Math.min(defaultPageSize, spec.maxPageSize ?? defaultPageSize)
  const base = (params ?? {}) as Record<string, unknown>
  const useCursor = spec.cursor === true && cursorOrderings.has(base.orderBy)
  return {
    params: (state) => ({
      ...base,
      limit,
      ...(useCursor
        ? (state.cursor === undefined ? {} : { startingAfter: state.cursor })
        : { offset: state.offset })
    }),
    next: (page, state) => {
      const items = (spec.items === undefined ? page : (page as Record<string, unknown>)[spec.items]) as ReadonlyArray<
        A
      >
      const offset = state.offset + items.length
      const totalCount = (page as { readonly totalCount?: unknown }).totalCount
      // A known total is the most exact end; otherwise a short page is the last one.
      const last = items.length === 0 ||
        (spec.total === true && typeof totalCount === "number" ? offset >= totalCount : items.length < limit)
      if (last) return [items, undefined]
      const cursor = useCursor ? (items[items.length - 1] as { readonly id?: unknown }).id : undefined
      if (useCursor && typeof cursor !== "string") return [items, undefined]
      return [items, { offset, cursor: cursor as string | undefined }]
    }
  }
}
