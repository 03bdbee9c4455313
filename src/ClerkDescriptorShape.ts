/**
 * The shape of an operation's descriptor that does not depend on an Effect major: both lines'
 * `ClerkDescriptor` modules give it their own schema type. Tools that read descriptors of either
 * line (the in-memory fake, conformance tests, the pagination of streams) read this shape.
 *
 * @since 0.2.0
 */

/**
 * How an operation's request body is sent.
 *
 * @since 0.1.0
 * @category models
 */
export type BodyKind = "none" | "json" | "json-required" | "multipart"

/**
 * The HTTP methods the Backend API uses.
 *
 * @since 0.2.0
 * @category models
 */
export type Method = "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS"

/**
 * Everything the runtime needs to send one operation and read its answer, for a schema type `S`.
 *
 * @since 0.2.0
 * @category models
 */
export interface DescriptorOf<S> {
  /** Public name, `group.method`. */
  readonly name: string
  readonly method: Method
  /** Path template relative to the base URL, with `{wire_name}` placeholders. */
  readonly path: string
  /** camelCase parameters to wire names (path, query and body at once); absent when the operation takes none. */
  readonly params?: S | undefined
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
  readonly success: S | "void" | "text"
  /**
   * A decoder generated with the success schema: it checks and renames the parsed body in one pass,
   * and answers a marker of its own for a body it does not accept, which the schema then decides.
   * Without one, the schema alone decodes.
   */
  readonly decode?: ((wire: unknown) => unknown) | undefined
  /** Error statuses the operation declares. */
  readonly errors: ReadonlyArray<number>
}

/**
 * How a list operation's pages look.
 *
 * @since 0.1.0
 * @category models
 */
export interface PageSpec {
  /** camelCase key of the items array in the page, or `undefined` when the page is the array. */
  readonly items?: string | undefined
  /** Whether the page carries `totalCount`. */
  readonly total?: boolean | undefined
  /** Whether `startingAfter` cursors may be used (with the default ordering only). */
  readonly cursor?: boolean | undefined
  /** The largest `limit` the operation accepts, when below the default page size of 500. */
  readonly maxPageSize?: number | undefined
}

/**
 * Options of a streaming list variant.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamOptions {
  /** Items per request, 1 to the operation's maximum `limit`. Default: that maximum, at most 500. */
  readonly pageSize?: number | undefined
}
