/**
 * One line about a schema error, for error messages: where the first problem is and what was expected,
 * never the offending value.
 *
 * @internal
 */
import type * as Schema from "effect/Schema"
import * as SchemaIssue from "effect/SchemaIssue"

const formatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** An issue path as `a.b[0].c`. */
export const formatPath = (path: ReadonlyArray<unknown>): string =>
  path.reduce<string>((acc, segment) => {
    const key = typeof segment === "object" && segment !== null && "key" in segment ? segment.key : segment
    return typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`
  }, "")

/** The first issue of a schema error: where and what (Effect 4's messages leave the value out). */
export const firstIssue = (error: Schema.SchemaError): { readonly path: string; readonly message: string } => {
  const issue = formatter(error.issue).issues[0]
  return issue === undefined
    ? { path: "", message: error.message.split("\n")[0]! }
    : { path: formatPath(issue.path ?? []), message: issue.message.split("\n")[0]! }
}
