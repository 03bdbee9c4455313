/**
 * From an HTTP request to the wire params an operation's schema decodes: path and query strings
 * are coerced to the types the schema expects on the wire (numbers, booleans, arrays) and the
 * body is merged in. Each line reads those types from its own schema AST (its `kinds`) and
 * decodes with its own schema; what a refused value answers is decided here.
 *
 * @internal
 */
import type { DescriptorOf } from "../../ClerkDescriptorShape.js"
import type { Reply } from "./core.js"
import { errorReply, invalidParam, missingParam } from "./core.js"

/** The wire type of a param, as far as coercing a string to it goes. */
export type Kind = "string" | "number" | "boolean" | { readonly array: Kind } | "unknown"

/** The one kind shared by all members of a union (`null` and `undefined` left out), or `unknown`. */
export const commonKind = (kinds: ReadonlyArray<Kind>): Kind => {
  const first = kinds[0]
  return first !== undefined && kinds.every((k) => JSON.stringify(k) === JSON.stringify(first)) ? first : "unknown"
}

/** The kind of a literal value. */
export const literalKind = (literal: unknown): Kind =>
  typeof literal === "number" ? "number" : typeof literal === "boolean" ? "boolean" : "string"

const coerce = (text: string, kind: Kind): unknown => {
  if (kind === "number") {
    const n = Number(text)
    return text.trim() === "" || Number.isNaN(n) ? text : n
  }
  if (kind === "boolean") return text === "true" ? true : text === "false" ? false : text
  return text
}

/** The wire params of a request, path and query coerced by `kinds`, body merged (path and query win). */
export const wireParams = (
  descriptor: DescriptorOf<unknown>,
  kinds: ReadonlyMap<string, Kind>,
  pathParams: Readonly<Record<string, string>>,
  query: URLSearchParams,
  body: unknown
): Record<string, unknown> => {
  const wire: Record<string, unknown> = {}
  if (descriptor.arrayBody !== undefined) {
    if (body !== undefined) wire[descriptor.arrayBody] = body
  } else if (body instanceof FormData) {
    for (const [key, value] of body.entries()) wire[key] = value
  } else if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    Object.assign(wire, body)
  }
  for (const name of descriptor.queryParams ?? []) {
    const values = query.getAll(name)
    if (values.length === 0) continue
    const kind = kinds.get(name) ?? "string"
    if (typeof kind === "object") {
      const items = descriptor.commaQueryParams?.includes(name) ? values.flatMap((v) => v.split(",")) : values
      wire[name] = items.map((item) => coerce(item, kind.array))
    } else {
      wire[name] = coerce(values[values.length - 1]!, kind)
    }
  }
  for (const name of descriptor.pathParams ?? []) {
    const value = pathParams[name]
    if (value !== undefined) wire[name] = coerce(value, kinds.get(name) ?? "string")
  }
  return wire
}

/** 422 for a body that is not an object where the operation expects one, else undefined. */
export const bodyShapeProblem = (descriptor: DescriptorOf<unknown>, body: unknown): Reply | undefined =>
  descriptor.arrayBody === undefined && body !== undefined && !(body instanceof FormData) &&
    (typeof body !== "object" || body === null || Array.isArray(body))
    ? errorReply(422, {
      code: "form_param_format_invalid",
      message: "is invalid",
      longMessage: "The request body must be a JSON object."
    })
    : undefined

/** The first problem a params schema found: the wire path of the param, and whether it was missing. */
export interface Issue {
  readonly path: string
  readonly message: string
  readonly missing: boolean
}

/** What Clerk answers for a refused param: 422 with its codes and the parameter's wire name. */
export const issueReply = ({ message, missing, path }: Issue): Reply => {
  if (path === "") {
    return errorReply(422, {
      code: "form_param_format_invalid",
      message: "is invalid",
      longMessage: `The request is invalid: ${message}`
    })
  }
  return missing ? missingParam(path) : invalidParam(path, `${path} is invalid: ${message}`)
}
