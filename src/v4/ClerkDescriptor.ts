/**
 * For Effect 4. What a generated operation is made of: its method, path, parameter schemas and answer, as data
 * the executor ({@link ClerkClient}) reads. Tools that work on every operation at once (the
 * in-memory fake, conformance tests) read the same descriptors.
 *
 * @since 0.1.0
 */
import type * as HttpMethod from "effect/http/HttpMethod"
import type * as Schema from "effect/Schema"

/**
 * How an operation's request body is sent.
 *
 * @since 0.1.0
 * @category models
 */
export type BodyKind = "none" | "json" | "json-required" | "multipart"

/**
 * Everything the runtime needs to send one operation and read its answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface Descriptor {
  /** Public name, `group.method`. */
  readonly name: string
  readonly method: HttpMethod.HttpMethod
  /** Path template relative to the base URL, with `{wire_name}` placeholders. */
  readonly path: string
  /** camelCase parameters to wire names (path, query and body at once); absent when the operation takes none. */
  readonly params?: Schema.Codec<any, any> | undefined
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
  readonly success: Schema.Codec<any, any> | "void" | "text"
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
