/**
 * A decoder compiled once from a generated schema's AST that checks a wire value
 * and renames its keys in one pass, without the per-field `Either`/`ParseResult`
 * values of the general parser.
 *
 * It knows only the AST shapes the generator emits (key-renaming struct
 * transformations, structs, records, arrays, unions, literals, the string,
 * number, boolean and unknown keywords, and declarations and refinements, which it
 * hands to their own parser). It never decides a failure: whatever it does not accept
 * it reports as {@link rejected}, and the caller runs the regular decoder,
 * which returns the exact value or `ParseError` it always would.
 *
 * @internal
 */
import * as Either from "effect/Either"
import { identity } from "effect/Function"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"

/** What a compiled decoder returns for a value it does not accept. */
export const rejected: unique symbol = Symbol.for("effect-clerk/fastDecode/rejected")

type Step = (input: unknown) => unknown

class Unsupported extends Error {}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const hasOwn = Object.prototype.hasOwnProperty

/** Sets a key as data even when it is `__proto__`. */
const put = (target: Record<string, unknown>, key: string, value: unknown) => {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  } else target[key] = value
}

interface Field {
  readonly wire: string
  readonly name: string
  readonly optional: boolean
  readonly step: Step
  /** The value to supply when the wire leaves the key out (a union member's tag). */
  readonly fallback?: { readonly value: unknown }
  /** A wire `null` is read as an absent key (an optional response field the spec does not let be null). */
  readonly nullAsAbsent?: boolean
}

const struct = (fields: ReadonlyArray<Field>): Step => (input) => {
  if (!isObject(input)) return rejected
  const out: Record<string, unknown> = {}
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!
    if (!hasOwn.call(input, field.wire)) {
      if (field.fallback !== undefined) put(out, field.name, field.fallback.value)
      else if (!field.optional) return rejected
      continue
    }
    const raw = input[field.wire]
    if (raw === null && field.nullAsAbsent === true) continue
    const value = field.step(raw)
    if (value === rejected) return rejected
    put(out, field.name, value)
  }
  return out
}

const fieldsOf = (
  literal: AST.TypeLiteral,
  rename: ReadonlyMap<PropertyKey, PropertyKey>,
  memo: Map<AST.AST, Step>
): Array<Field> =>
  literal.propertySignatures.map((signature) => {
    const name = rename.get(signature.name) ?? signature.name
    if (typeof signature.name !== "string" || typeof name !== "string") throw new Unsupported("symbol key")
    return { wire: signature.name, name, optional: signature.isOptional, step: compileAst(signature.type, memo) }
  })

const compileAst = (ast: AST.AST, memo: Map<AST.AST, Step>): Step => {
  const known = memo.get(ast)
  if (known !== undefined) return known
  // A forwarding entry first, so a schema met again while it is being compiled still resolves.
  let target: Step = () => rejected
  memo.set(ast, (input) => target(input))
  target = build(ast, memo)
  memo.set(ast, target)
  return target
}

const build = (ast: AST.AST, memo: Map<AST.AST, Step>): Step => {
  switch (ast._tag) {
    case "StringKeyword":
      return (u) => typeof u === "string" ? u : rejected
    case "NumberKeyword":
      return (u) => typeof u === "number" ? u : rejected
    case "BooleanKeyword":
      return (u) => typeof u === "boolean" ? u : rejected
    case "UnknownKeyword":
    case "AnyKeyword":
      return identity
    case "Literal": {
      const literal = ast.literal
      return (u) => u === literal ? u : rejected
    }
    case "Union": {
      const members = ast.types.map((member) => compileAst(member, memo))
      return (u) => {
        for (let i = 0; i < members.length; i++) {
          const out = members[i]!(u)
          if (out !== rejected) return out
        }
        return rejected
      }
    }
    case "TupleType": {
      if (ast.elements.length !== 0 || ast.rest.length !== 1) throw new Unsupported("tuple")
      const item = compileAst(ast.rest[0]!.type, memo)
      return (u) => {
        if (!Array.isArray(u)) return rejected
        const out = new Array(u.length)
        for (let i = 0; i < u.length; i++) {
          const value = item(u[i])
          if (value === rejected) return rejected
          out[i] = value
        }
        return out
      }
    }
    case "TypeLiteral": {
      if (ast.indexSignatures.length === 0) return struct(fieldsOf(ast, new Map(), memo))
      const index = ast.indexSignatures[0]!
      if (
        ast.propertySignatures.length !== 0 || ast.indexSignatures.length !== 1 ||
        index.parameter._tag !== "StringKeyword"
      ) {
        throw new Unsupported("record")
      }
      const value = compileAst(index.type, memo)
      return (u) => {
        if (!isObject(u)) return rejected
        const out: Record<string, unknown> = {}
        for (const key of Object.keys(u)) {
          const v = value(u[key])
          if (v === rejected) return rejected
          put(out, key, v)
        }
        return out
      }
    }
    case "Transformation": {
      const transformation = ast.transformation
      // Any other transformation (e.g. the unknown webhook event) is rare: its own parser decides.
      if (transformation._tag !== "TypeLiteralTransformation") return delegate(ast)
      if (ast.from._tag !== "TypeLiteral" || ast.to._tag !== "TypeLiteral" || ast.from.indexSignatures.length !== 0) {
        throw new Unsupported("transformation")
      }
      const rename = new Map<PropertyKey, PropertyKey>()
      const fallbacks = new Map<PropertyKey, { readonly value: unknown }>()
      const nullAsAbsent = new Set<PropertyKey>()
      for (const p of transformation.propertySignatureTransformations) {
        rename.set(p.from, p.to)
        if (p.decode === identity && p.encode === identity) continue
        // Besides renames, the generator emits two transformations: a tag optional on the wire and
        // required once decoded, whose default can only be its single literal; and an optional field
        // whose wire `null` is dropped.
        if (dropsNull(ast.from, ast.to, p)) {
          nullAsAbsent.add(p.from)
          continue
        }
        const fallback = literalDefault(ast.from, ast.to, p)
        if (fallback === undefined) throw new Unsupported("transformation")
        fallbacks.set(p.from, fallback)
      }
      return struct(
        fieldsOf(ast.from, rename, memo).map((field) => {
          const fallback = fallbacks.get(field.wire)
          const withFallback = fallback === undefined ? field : { ...field, fallback }
          return nullAsAbsent.has(field.wire) ? { ...withFallback, nullAsAbsent: true } : withFallback
        })
      )
    }
    case "Suspend":
      // Every generated schema is built lazily behind one; the memo resolves a recursive one.
      return compileAst(ast.f(), memo)
    case "Refinement":
    case "Declaration":
      // A hand-written schema (FreeForm, BlobPart, a filtered string): its own parser decides, as in the general decoder.
      return delegate(ast)
    default:
      throw new Unsupported(ast._tag)
  }
}

/** A node decoded by the general parser, its failure reported as a rejection. */
const delegate = (ast: AST.AST): Step => {
  const decode = ParseResult.decodeUnknownEither(Schema.make(ast), { onExcessProperty: "ignore" })
  return (u) => {
    const result = decode(u)
    return Either.isRight(result) ? result.right : rejected
  }
}

const probe = Symbol("effect-clerk/fastDecode/probe")

/**
 * Whether a property transformation only drops a wire `null` (optional on both sides, the wire type
 * a union with `null`): confirmed by running it, as the decoder would.
 */
const dropsNull = (from: AST.TypeLiteral, to: AST.TypeLiteral, p: AST.PropertySignatureTransformation): boolean => {
  const wire = from.propertySignatures.find((signature) => signature.name === p.from)
  const decoded = to.propertySignatures.find((signature) => signature.name === p.to)
  if (wire === undefined || decoded === undefined || !wire.isOptional || !decoded.isOptional) return false
  if (wire.type._tag !== "Union" || !wire.type.types.some((t) => t._tag === "Literal" && t.literal === null)) {
    return false
  }
  const kept = p.decode(Option.some(probe))
  return Option.isNone(p.decode(Option.some(null))) && Option.isNone(p.decode(Option.none())) &&
    Option.isSome(kept) && kept.value === probe
}

/** The literal a property transformation supplies when an optional wire literal becomes a required one. */
const literalDefault = (
  from: AST.TypeLiteral,
  to: AST.TypeLiteral,
  p: AST.PropertySignatureTransformation
): { readonly value: unknown } | undefined => {
  const wire = from.propertySignatures.find((signature) => signature.name === p.from)
  const decoded = to.propertySignatures.find((signature) => signature.name === p.to)
  if (wire === undefined || decoded === undefined || !wire.isOptional || decoded.isOptional) return undefined
  if (wire.type._tag !== "Literal" || decoded.type._tag !== "Literal" || wire.type.literal !== decoded.type.literal) {
    return undefined
  }
  // Confirm the transformation really supplies that literal for an absent key.
  const supplied = p.decode(Option.none())
  return Option.isSome(supplied) && supplied.value === decoded.type.literal ? { value: supplied.value } : undefined
}

/**
 * Compiles a schema, or returns `undefined` when it uses a shape this decoder
 * does not know (the general decoder then does all the work).
 */
export const compile = (schema: Schema.Schema.All): ((input: unknown) => unknown) | undefined => {
  try {
    return compileAst(schema.ast, new Map())
  } catch (error) {
    if (error instanceof Unsupported) return undefined
    throw error
  }
}
