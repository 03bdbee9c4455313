/**
 * One line about a parse error, for error messages: where the first problem is and what was
 * expected, never the offending value.
 *
 * @internal
 */
import * as ParseResult from "effect/ParseResult"

/** A `ParseResult` issue path as `a.b[0].c`. */
export const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, key) => typeof key === "number" ? `${acc}[${key}]` : acc === "" ? String(key) : `${acc}.${String(key)}`,
    ""
  )

/**
 * The first issue of a parse error: where, what, and whether a value was missing. The offending value is left
 * out, since params may hold passwords and bodies may hold personal data.
 */
export const firstIssue = (
  error: ParseResult.ParseError
): { readonly path: string; readonly message: string; readonly missing: boolean } => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  return issue === undefined
    ? { path: "", message: error.message, missing: false }
    : { path: formatPath(issue.path), message: withoutActual(issue.message), missing: issue._tag === "Missing" }
}

const withoutActual = (message: string): string => {
  const cut = message.indexOf(", actual ")
  return (cut === -1 ? message : message.slice(0, cut)).split("\n")[0]!
}
