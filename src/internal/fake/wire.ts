/**
 * From an HTTP request to an operation's decoded params: path and query strings are coerced
 * to the types the operation's params schema expects on the wire (numbers, booleans, arrays),
 * the body is merged in, and the whole is decoded by that schema, so a route sees exactly
 * what the client was asked to send.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import type { Descriptor } from "../../ClerkDescriptor.js"
import { firstIssue } from "../parseIssue.js"
import type { Reply } from "./core.js"
import { errorReply, invalidParam, missingParam } from "./core.js"

type Kind = "string" | "number" | "boolean" | { readonly array: Kind } | "unknown"

const kindOf = (ast: AST.AST): Kind => {
  switch (ast._tag) {
    case "NumberKeyword":
      return "number"
    case "BooleanKeyword":
      return "boolean"
    case "StringKeyword":
    case "TemplateLiteral":
      return "string"
    case "Literal":
      return typeof ast.literal === "number" ? "number" : typeof ast.literal === "boolean" ? "boolean" : "string"
    case "Refinement":
      return kindOf(ast.from)
    case "Transformation":
      return kindOf(ast.from)
    case "Suspend":
      return kindOf(ast.f())
    case "TupleType": {
      const element = ast.rest[0]?.type ?? ast.elements[0]?.type
      return { array: element === undefined ? "string" : kindOf(element) }
    }
    case "Union": {
      const kinds = ast.types.filter((t) =>
        t._tag !== "UndefinedKeyword" && !(t._tag === "Literal" && t.literal === null)
      )
        .map(kindOf)
      const first = kinds[0]
      return first !== undefined && kinds.every((k) => JSON.stringify(k) === JSON.stringify(first)) ? first : "unknown"
    }
    default:
      return "unknown"
  }
}

interface Plan {
  readonly kinds: ReadonlyMap<string, Kind>
  readonly decode: (u: unknown) => Effect.Effect<unknown, ParseResult.ParseError>
}

const plans = new WeakMap<Descriptor, Plan>()

const planOf = (descriptor: Descriptor): Plan => {
  let plan = plans.get(descriptor)
  if (plan !== undefined) return plan
  const kinds = new Map<string, Kind>()
  if (descriptor.params !== undefined) {
    let encoded = AST.encodedAST(descriptor.params.ast)
    while (encoded._tag === "Suspend") encoded = encoded.f()
    if (encoded._tag === "TypeLiteral") {
      for (const property of encoded.propertySignatures) kinds.set(String(property.name), kindOf(property.type))
    }
  }
  plan = {
    kinds,
    decode: descriptor.params === undefined
      ? () => Effect.succeed({})
      : Schema.decodeUnknown(descriptor.params, { errors: "first", onExcessProperty: "ignore" })
  }
  plans.set(descriptor, plan)
  return plan
}

const coerce = (text: string, kind: Kind): unknown => {
  if (kind === "number") {
    const n = Number(text)
    return text.trim() === "" || Number.isNaN(n) ? text : n
  }
  if (kind === "boolean") return text === "true" ? true : text === "false" ? false : text
  return text
}

/** The wire params of a request, path and query coerced, body merged (path and query win). */
export const wireParams = (
  descriptor: Descriptor,
  pathParams: Readonly<Record<string, string>>,
  query: URLSearchParams,
  body: unknown
): Record<string, unknown> => {
  const plan = planOf(descriptor)
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
    const kind = plan.kinds.get(name) ?? "string"
    if (typeof kind === "object") {
      const items = descriptor.commaQueryParams?.includes(name) ? values.flatMap((v) => v.split(",")) : values
      wire[name] = items.map((item) => coerce(item, kind.array))
    } else {
      wire[name] = coerce(values[values.length - 1]!, kind)
    }
  }
  for (const name of descriptor.pathParams ?? []) {
    const value = pathParams[name]
    if (value !== undefined) wire[name] = coerce(value, plan.kinds.get(name) ?? "string")
  }
  return wire
}

/**
 * Decodes a request's params with the operation's schema. A body that is not an object where
 * one is expected, or a value the schema refuses, answers 422 with Clerk's codes and the
 * parameter's wire name.
 */
export const decodeParams = (
  descriptor: Descriptor,
  pathParams: Readonly<Record<string, string>>,
  query: URLSearchParams,
  body: unknown
): Effect.Effect<unknown, Reply> => {
  if (
    descriptor.arrayBody === undefined && body !== undefined && !(body instanceof FormData) &&
    (typeof body !== "object" || body === null || Array.isArray(body))
  ) {
    return Effect.fail(errorReply(422, {
      code: "form_param_format_invalid",
      message: "is invalid",
      longMessage: "The request body must be a JSON object."
    }))
  }
  return planOf(descriptor).decode(wireParams(descriptor, pathParams, query, body)).pipe(
    Effect.mapError((error) => {
      const { message, missing, path } = firstIssue(error)
      if (path === "") {
        return errorReply(422, {
          code: "form_param_format_invalid",
          message: "is invalid",
          longMessage: `The request is invalid: ${message}`
        })
      }
      return missing ? missingParam(path) : invalidParam(path, `${path} is invalid: ${message}`)
    })
  )
}
