/** Turning OpenAPI schemas into named TypeScript interfaces and `effect/Schema` values. */
import { camelCase, pascalCase, propertyKey } from "./names.js"
import type { Json, Resolver } from "./spec.js"

/** Emitted pieces of one schema use: its type, its wire type, the Schema expression and its decoder. */
export interface Emitted {
  readonly type: string
  readonly encoded: string
  readonly expr: string
  /** The same schema in Effect 4's `effect/Schema`. */
  readonly expr4: string
  readonly dec: Dec
}

/**
 * What the generated decoder of a schema use checks (see scripts/generator/decoders.ts). `none` is a
 * shape the decoders leave to the schema (a binary part, a filtered request value).
 */
export type Dec =
  | { readonly kind: "string" | "number" | "boolean" | "unknown" | "freeForm" | "none" }
  | { readonly kind: "literal"; readonly values: ReadonlyArray<string | number | boolean> }
  /** A declaration's decoder: a component's (in Decoders.ts) or one of the current module's. */
  | { readonly kind: "ref"; readonly name: string; readonly component: boolean }
  | { readonly kind: "nullOr" | "array" | "record"; readonly of: Dec }
  | { readonly kind: "union"; readonly of: ReadonlyArray<Dec> }

/** How a decoder reads one property of an object. */
export interface DecField {
  readonly name: string
  readonly wire: string
  readonly dec: Dec
  /** `tag`: optional on the wire, `value` supplied when absent; `nullAsAbsent`: a wire `null` reads as absent. */
  readonly presence: "required" | "optional" | "nullAsAbsent" | "tag"
  readonly tagValue?: string
}

/** The decoder of a declaration: an object's fields, or any other shape. */
export type DeclDecoder =
  | { readonly kind: "object"; readonly fields: ReadonlyArray<DecField> }
  | { readonly kind: "value"; readonly dec: Dec }

/** A named declaration: an interface (or alias), its `Encoded` twin and its schema const. */
export interface Declaration {
  readonly name: string
  readonly kind: "interface" | "alias"
  /** Interface body lines or alias type text. */
  readonly type: string
  readonly encoded: string
  readonly expr: string
  /** The schema expression for Effect 4. */
  readonly expr4: string
  readonly deprecated: boolean
  readonly doc: string
  /** Component names this declaration refers to. */
  readonly deps: ReadonlySet<string>
  /** Its decoder, for a declaration read from responses. */
  readonly decoder?: DeclDecoder
}

/** Marks a reference to a component in expressions until declaration order is known. */
export const refToken = (name: string) => `\u0000${name}\u0000`
// A NUL cannot occur in generated source, so it safely brackets the placeholder.
// eslint-disable-next-line no-control-regex
export const refTokenPattern = /\u0000([A-Za-z0-9_$]+)\u0000/g

/** Whether a request or a response is being described: responses are lenient, requests strict. */
export type Mode = "request" | "response"

/** The declarations of one generated module, and the names it has taken. */
export class Registry {
  readonly declarations = new Map<string, Declaration>()
  private readonly reservedNames = new Set<string>()

  constructor(
    /** How this registry's module names a component: bare in the schemas module, qualified elsewhere. */
    readonly qualify: (component: string) => string,
    readonly isComponentsModule: boolean
  ) {}

  reserve(name: string): void {
    this.reservedNames.add(name)
  }

  /** A name not used yet in this module: the hint, or the hint with a number. */
  unique(hint: string): string {
    let name = hint
    for (let i = 2; this.reservedNames.has(name) || this.declarations.has(name); i++) name = `${hint}${i}`
    this.reservedNames.add(name)
    return name
  }

  add(declaration: Declaration): void {
    this.declarations.set(declaration.name, declaration)
  }
}

/** The discriminator a component carries as a member of a discriminated union. */
export interface DiscriminatorRole {
  readonly property: string
  readonly value: string
}

/** What emitting a schema needs to know about the spec it comes from. */
export interface SchemaContext {
  readonly resolver: Resolver
  /** Component name (spec key) → generated name. */
  readonly componentNames: ReadonlyMap<string, string>
  /** Generated component name → discriminator its `property` must hold exactly. */
  readonly discriminators: ReadonlyMap<string, DiscriminatorRole>
  /** Collects the declarations an expression refers to (for ordering). */
  readonly deps: Set<string>
}

const componentPrefix = "#/components/schemas/"

/** The component name a `$ref` points to, if it points to a schema component. */
export const componentOf = (ref: unknown): string | undefined =>
  typeof ref === "string" && ref.startsWith(componentPrefix) ? ref.slice(componentPrefix.length) : undefined

const isConstraintOnly = (member: Json): boolean =>
  member !== null && typeof member === "object" && member.$ref === undefined && member.type === undefined &&
  member.properties === undefined && member.items === undefined && member.enum === undefined &&
  member.oneOf === undefined && member.anyOf === undefined && member.allOf === undefined

/** Properties and required names of an object, merging `allOf` members (through references). */
export const flattenObject = (
  schema: Json,
  resolver: Resolver
): { properties: Array<[string, Json]>; required: Set<string>; additional: Json } => {
  const properties = new Map<string, Json>()
  const required = new Set<string>()
  let additional: Json = undefined
  const visit = (node: Json, depth: number) => {
    if (depth > 16) throw new Error("allOf nesting too deep")
    const resolved = resolver.deref(node)
    if (!resolved || typeof resolved !== "object") return
    for (const member of resolved.allOf ?? []) visit(member, depth + 1)
    for (const [key, value] of Object.entries(resolved.properties ?? {})) properties.set(key, value)
    for (const key of resolved.required ?? []) required.add(key)
    if (resolved.additionalProperties !== undefined) additional = resolved.additionalProperties
  }
  visit(schema, 0)
  return { properties: [...properties.entries()], required, additional }
}

const literalList = (values: ReadonlyArray<unknown>) => values.map((v) => JSON.stringify(v)).join(", ")

/** Literals for Effect 4: one `Literal`, or `Literals` of a list. */
const literals4 = (values: ReadonlyArray<unknown>) =>
  values.length === 1 ? `Schema.Literal(${JSON.stringify(values[0])})` : `Schema.Literals([${literalList(values)}])`

/** A value constraint of the spec, by its Effect 3 filter name and bound. */
interface Constraint {
  readonly name: keyof typeof checks4
  readonly bound: number
}

/** Effect 4 names the value checks `is…`, and counts an array's items with the same length checks as a string. */
const checks4 = {
  greaterThan: "isGreaterThan",
  greaterThanOrEqualTo: "isGreaterThanOrEqualTo",
  lessThan: "isLessThan",
  lessThanOrEqualTo: "isLessThanOrEqualTo",
  minLength: "isMinLength",
  maxLength: "isMaxLength",
  minItems: "isMinLength",
  maxItems: "isMaxLength"
} as const

/**
 * Emits one schema use. Inline objects become named declarations in `registry`,
 * named from `hint`.
 */
export const emitSchema = (
  schema: Json,
  hint: string,
  mode: Mode,
  registry: Registry,
  ctx: SchemaContext
): Emitted => {
  if (
    schema === undefined || schema === null || schema === true ||
    (typeof schema === "object" && Object.keys(schema).length === 0)
  ) {
    return {
      type: "unknown",
      encoded: "unknown",
      expr: "Schema.Unknown",
      expr4: "Schema.Unknown",
      dec: { kind: "unknown" }
    }
  }
  const component = componentOf(schema.$ref)
  if (component !== undefined) {
    const name = ctx.componentNames.get(component)
    if (name === undefined) throw new Error(`unknown component ${component}`)
    const qualified = registry.qualify(name)
    // Declarations of this module are ordered (and suspended across cycles); imported ones are used as they are.
    const local = registry.isComponentsModule && qualified === name
    if (local) ctx.deps.add(name)
    return nullable(schema, {
      type: qualified,
      encoded: `${qualified}.Encoded`,
      expr: local ? refToken(name) : qualified,
      expr4: local ? refToken(name) : qualified,
      dec: { kind: "ref", name, component: true }
    })
  }
  if (schema.$ref !== undefined) return emitSchema(ctx.resolver.deref(schema), hint, mode, registry, ctx)
  return nullable(schema, emitCore(schema, hint, mode, registry, ctx))
}

const nullable = (schema: Json, emitted: Emitted): Emitted =>
  schema.nullable === true && emitted.type !== "unknown"
    ? {
      type: `${emitted.type} | null`,
      encoded: `${emitted.encoded} | null`,
      expr: `Schema.NullOr(${emitted.expr})`,
      expr4: `Schema.NullOr(${emitted.expr4})`,
      dec: { kind: "nullOr", of: emitted.dec }
    }
    : emitted

const emitCore = (schema: Json, hint: string, mode: Mode, registry: Registry, ctx: SchemaContext): Emitted => {
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const own = schema.properties !== undefined && Object.keys(schema.properties).length > 0
    if (schema.allOf.length === 1 && !own) {
      return emitSchema(schema.allOf[0], hint, mode, registry, ctx)
    }
    return emitObject(schema, hint, mode, registry, ctx)
  }
  const alternatives: Array<Json> | undefined = schema.oneOf ?? schema.anyOf
  if (Array.isArray(alternatives)) {
    const members = alternatives.filter((member) => !isConstraintOnly(member))
    const rest = { ...schema, oneOf: undefined, anyOf: undefined, nullable: undefined }
    if (members.length === 0) return emitCore(rest, hint, mode, registry, ctx)
    const ownProperties = schema.properties !== undefined && Object.keys(schema.properties).length > 0
    if (ownProperties) {
      throw new Error(`${hint}: a schema with both its own properties and oneOf/anyOf shapes is not supported`)
    }
    if (members.length === 1) return emitSchema(members[0], hint, mode, registry, ctx)
    // Clerk may leave a discriminator out (the spec keeps it optional), and then the first member that
    // decodes wins; trying the most demanding members first keeps the specific fields of a body.
    const ordered = orderForFirstMatch(members, ctx.resolver)
    const emitted = ordered.map((member, i) => emitSchema(member, `${hint}Variant${i + 1}`, mode, registry, ctx))
    return {
      type: emitted.map((e) => e.type).join(" | "),
      encoded: emitted.map((e) => e.encoded).join(" | "),
      expr: `Schema.Union(${emitted.map((e) => e.expr).join(", ")})`,
      expr4: `Schema.Union([${emitted.map((e) => e.expr4).join(", ")}])`,
      dec: { kind: "union", of: emitted.map((e) => e.dec) }
    }
  }
  if (Array.isArray(schema.enum)) {
    const values = schema.enum.filter((v: unknown) => v !== null)
    if (values.length > 0 && values.every((v: unknown) => typeof v === "string")) {
      if (mode === "response") {
        return {
          type: `${values.map((v: string) => JSON.stringify(v)).join(" | ")} | (string & {})`,
          encoded: "string",
          expr: `I.openEnum(${literalList(values)})`,
          expr4: `I.openEnum(${literalList(values)})`,
          dec: { kind: "string" }
        }
      }
      const type = values.map((v: string) => JSON.stringify(v)).join(" | ")
      return {
        type,
        encoded: type,
        expr: `Schema.Literal(${literalList(values)})`,
        expr4: literals4(values),
        dec: {
          kind: "literal",
          values
        }
      }
    }
    if (values.length > 0 && values.every((v: unknown) => typeof v === "number" || typeof v === "boolean")) {
      const base = typeof values[0] === "number" ? "number" : "boolean"
      if (mode === "response") {
        return {
          type: base,
          encoded: base,
          expr: base === "number" ? "Schema.Number" : "Schema.Boolean",
          expr4: base === "number" ? "Schema.Number" : "Schema.Boolean",
          dec: { kind: base }
        }
      }
      const type = values.map((v: unknown) => JSON.stringify(v)).join(" | ")
      return {
        type,
        encoded: type,
        expr: `Schema.Literal(${literalList(values)})`,
        expr4: literals4(values),
        dec: {
          kind: "literal",
          values
        }
      }
    }
  }
  switch (schema.type) {
    case "string":
      if (schema.format === "binary") {
        return { type: "Blob", encoded: "Blob", expr: "I.BlobPart", expr4: "I.BlobPart", dec: { kind: "none" } }
      }
      return constrained(
        { type: "string", encoded: "string", expr: "Schema.String", expr4: "Schema.String", dec: { kind: "string" } },
        mode,
        stringFilters(schema)
      )
    case "integer":
    case "number": {
      const integer = mode === "request" && schema.type === "integer"
      return constrained(
        {
          type: "number",
          encoded: "number",
          expr: integer ? "Schema.Int" : "Schema.Number",
          expr4: integer ? "Schema.Int" : "Schema.Number",
          dec: integer ? { kind: "none" } : { kind: "number" }
        },
        mode,
        numberFilters(schema)
      )
    }
    case "boolean":
      return {
        type: "boolean",
        encoded: "boolean",
        expr: "Schema.Boolean",
        expr4: "Schema.Boolean",
        dec: { kind: "boolean" }
      }
    case "array": {
      const item = emitSchema(schema.items, `${hint}Item`, mode, registry, ctx)
      return constrained(
        {
          type: `ReadonlyArray<${item.type}>`,
          encoded: `ReadonlyArray<${item.encoded}>`,
          expr: `Schema.Array(${item.expr})`,
          expr4: `Schema.Array(${item.expr4})`,
          dec: { kind: "array", of: item.dec }
        },
        mode,
        arrayFilters(schema)
      )
    }
  }
  if (schema.properties !== undefined && Object.keys(schema.properties).length > 0) {
    return emitObject(schema, hint, mode, registry, ctx)
  }
  if (schema.type === "object" || schema.additionalProperties !== undefined) {
    const additional = schema.additionalProperties
    if (additional && typeof additional === "object" && Object.keys(additional).length > 0) {
      const value = emitSchema(additional, `${hint}Value`, mode, registry, ctx)
      return {
        type: `{ readonly [key: string]: ${value.type} }`,
        encoded: `{ readonly [key: string]: ${value.encoded} }`,
        expr: `Schema.Record({ key: Schema.String, value: ${value.expr} })`,
        expr4: `Schema.Record(Schema.String, ${value.expr4})`,
        dec: { kind: "record", of: value.dec }
      }
    }
    return {
      type: "{ readonly [key: string]: unknown }",
      encoded: "{ readonly [key: string]: unknown }",
      expr: "I.FreeForm",
      expr4: "I.FreeForm",
      dec: { kind: "freeForm" }
    }
  }
  return {
    type: "unknown",
    encoded: "unknown",
    expr: "Schema.Unknown",
    expr4: "Schema.Unknown",
    dec: { kind: "unknown" }
  }
}

/**
 * The spec's value constraints, as `effect/Schema` filters on a request schema: a request that breaks
 * one fails before it is sent ("strict out"). Responses get none ("lenient in"), as their enums stay open;
 * components are declared in response mode, so a component a request refers to stays lenient as well.
 * The types do not change (`number`, `string`, `ReadonlyArray`), only the checks.
 */
const constrained = (emitted: Emitted, mode: Mode, filters: ReadonlyArray<Constraint>): Emitted =>
  mode === "request" && filters.length > 0
    ? {
      ...emitted,
      expr: `${emitted.expr}.pipe(${filters.map((f) => `Schema.${f.name}(${f.bound})`).join(", ")})`,
      expr4: `${emitted.expr4}.check(${filters.map((f) => `Schema.${checks4[f.name]}(${f.bound})`).join(", ")})`,
      dec: { kind: "none" }
    }
    : emitted

const numeric = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value)

/** `minimum`/`maximum`, exclusive in the OpenAPI 3.0 form (`exclusiveMinimum: true`) or the 3.1 one (`exclusiveMinimum: 0`). */
const numberFilters = (schema: Json): Array<Constraint> => {
  const filters: Array<Constraint> = []
  if (numeric(schema.minimum)) {
    filters.push({
      name: schema.exclusiveMinimum === true ? "greaterThan" : "greaterThanOrEqualTo",
      bound: schema.minimum
    })
  }
  if (numeric(schema.exclusiveMinimum)) filters.push({ name: "greaterThan", bound: schema.exclusiveMinimum })
  if (numeric(schema.maximum)) {
    filters.push({ name: schema.exclusiveMaximum === true ? "lessThan" : "lessThanOrEqualTo", bound: schema.maximum })
  }
  if (numeric(schema.exclusiveMaximum)) filters.push({ name: "lessThan", bound: schema.exclusiveMaximum })
  return filters
}

/**
 * `minLength`/`maxLength` (a bound of 0 asks nothing). `pattern` is not checked: the spec's patterns use
 * `\S`, `.` and `\w`, whose meaning differs between ECMAScript (Unicode whitespace; `.` stopping at `\r`,
 * U+2028, U+2029) and other regex engines, outside the subset JSON Schema recommends for patterns read
 * alike everywhere; a client-side check could refuse a value Clerk accepts. Lengths are counted as
 * `String.length` (UTF-16 units) where JSON Schema counts code points, so a string with characters beyond
 * the BMP may meet `maxLength` early.
 */
const stringFilters = (schema: Json): Array<Constraint> => [
  ...(numeric(schema.minLength) && schema.minLength > 0
    ? [{ name: "minLength", bound: schema.minLength } as const]
    : []),
  ...(numeric(schema.maxLength) ? [{ name: "maxLength", bound: schema.maxLength } as const] : [])
]

/** `minItems`/`maxItems` (a bound of 0 asks nothing). */
const arrayFilters = (schema: Json): Array<Constraint> => [
  ...(numeric(schema.minItems) && schema.minItems > 0 ? [{ name: "minItems", bound: schema.minItems } as const] : []),
  ...(numeric(schema.maxItems) ? [{ name: "maxItems", bound: schema.maxItems } as const] : [])
]

/** Without a discriminator the first member that decodes wins: try the most demanding shapes first. */
const orderForFirstMatch = (members: Array<Json>, resolver: Resolver): Array<Json> =>
  members
    .map((member, index) => ({ member, index, weight: flattenObject(member, resolver).required.size }))
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .map(({ member }) => member)

/**
 * Whether a value of a schema may already be `null`: nullable itself, through a reference (a nullable
 * component is declared as an alias whose type includes `null`), a single `allOf`, a union member, an
 * enum listing `null`, or no shape at all (`unknown`).
 */
const admitsNull = (schema: Json, resolver: Resolver, depth = 0): boolean => {
  if (depth > 16) return false
  if (schema === undefined || schema === null || schema === true) return true
  if (typeof schema !== "object") return false
  if (schema.nullable === true) return true
  if (schema.$ref !== undefined) return admitsNull(resolver.deref(schema), resolver, depth + 1)
  if (Array.isArray(schema.enum) && schema.enum.includes(null)) return true
  const members: Array<Json> = schema.oneOf ?? schema.anyOf ?? []
  if (members.some((member) => !isConstraintOnly(member) && admitsNull(member, resolver, depth + 1))) return true
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1 && schema.properties === undefined) {
    return admitsNull(schema.allOf[0], resolver, depth + 1)
  }
  return Object.keys(schema).length === 0
}

/** Declares an object (after merging `allOf`) under a name from `hint`, returning a reference to it. */
export const emitObject = (
  schema: Json,
  hint: string,
  mode: Mode,
  registry: Registry,
  ctx: SchemaContext,
  fixedName?: string
): Emitted => {
  const name = fixedName ?? registry.unique(hint)
  const { properties, required } = flattenObject(schema, ctx.resolver)
  const role = ctx.discriminators.get(name)
  const seen = new Map<string, string>()
  const typeLines: Array<string> = []
  const encodedLines: Array<string> = []
  const fields: Array<string> = []
  const fields4: Array<string> = []
  const renames: Array<string> = []
  const decFields: Array<DecField> = []
  const outerDeps = ctx.deps
  const deps = new Set<string>()
  const inner: SchemaContext = { ...ctx, deps }
  for (const [wire, propertySchema] of properties) {
    const key = camelCase(wire)
    const clash = seen.get(key)
    if (clash !== undefined) {
      throw new Error(
        `${name}: properties "${clash}" and "${wire}" both become "${key}"; add a patch to codegen/patches.json`
      )
    }
    seen.set(key, wire)
    const resolved = ctx.resolver.deref(propertySchema)
    const deprecated = propertySchema?.deprecated === true || resolved?.deprecated === true
    // Clerk drops deprecated fields over time while the spec still lists them as required, and webhook
    // payloads are not pinned to an API version: a deprecated field of a response may always be absent.
    const isRequired = required.has(wire) && !(mode === "response" && deprecated)
    const isTag = role !== undefined && role.property === wire
    const emitted: Emitted = isTag
      ? {
        type: JSON.stringify(role.value),
        encoded: JSON.stringify(role.value),
        expr: `Schema.Literal(${JSON.stringify(role.value)})`,
        expr4: `Schema.Literal(${JSON.stringify(role.value)})`,
        dec: { kind: "literal", values: [role.value] }
      }
      : emitSchema(propertySchema, `${name}${pascalCase(key)}`, mode, registry, inner)
    // An optional response field that arrives as `null` where the spec allows none reads as absent:
    // the decoded type stays `field?: T`, only the wire form admits the `null`.
    const nullAsAbsent = mode === "response" && !isRequired && !isTag && emitted.type !== "unknown" &&
      !admitsNull(propertySchema, ctx.resolver)
    const doc = deprecated ? "/** @deprecated */\n" : ""
    // A union member's tag is always present once decoded (filled in when the wire leaves it out),
    // so programs can narrow on it.
    const defaulted = isTag && !isRequired
    typeLines.push(
      `${doc}readonly ${propertyKey(key)}${isRequired || defaulted ? "" : "?"}: ${emitted.type}`.replace(/^/gm, "  ")
    )
    encodedLines.push(
      `${doc}readonly ${propertyKey(wire)}${isRequired ? "" : "?"}: ${emitted.encoded}${nullAsAbsent ? " | null" : ""}`
        .replace(/^/gm, "    ")
    )
    fields4.push(
      `  ${propertyKey(key)}: ${
        defaulted
          ? `I.tag(${JSON.stringify(role.value)})`
          : isRequired
          ? emitted.expr4
          : `${nullAsAbsent ? "I.optNullAsAbsent" : "Schema.optionalKey"}(${emitted.expr4})`
      }`
    )
    if (key !== wire) renames.push(`${propertyKey(key)}: ${JSON.stringify(wire)}`)
    decFields.push({
      name: key,
      wire,
      dec: emitted.dec,
      presence: defaulted ? "tag" : isRequired ? "required" : nullAsAbsent ? "nullAsAbsent" : "optional",
      ...(defaulted ? { tagValue: role.value } : {})
    })
    fields.push(
      defaulted
        ? `  ${propertyKey(key)}: I.tag(${JSON.stringify(role.value)}, ${JSON.stringify(wire)})`
        : `  ${propertyKey(key)}: I.${isRequired ? "req" : nullAsAbsent ? "optNullAsAbsent" : "opt"}(${emitted.expr}, ${
          JSON.stringify(wire)
        })`
    )
  }
  for (const dep of deps) outerDeps.add(dep)
  registry.add({
    name,
    kind: "interface",
    type: typeLines.join("\n"),
    encoded: encodedLines.join("\n"),
    expr: fields.length === 0 ? "Schema.Struct({})" : `Schema.Struct({\n${fields.join(",\n")}\n})`,
    // Effect 4 renames at the struct: one `encodeKeys` with every camelCase key whose wire name differs.
    expr4: (fields4.length === 0 ? "Schema.Struct({})" : `Schema.Struct({\n${fields4.join(",\n")}\n})`) +
      (renames.length === 0 ? "" : `.pipe(Schema.encodeKeys({ ${renames.join(", ")} }))`),
    deprecated: schema.deprecated === true,
    doc: "",
    deps,
    ...(mode === "response" ? { decoder: { kind: "object", fields: decFields } } : {})
  })
  if (registry.isComponentsModule) ctx.deps.add(name)
  return {
    type: name,
    encoded: `${name}.Encoded`,
    expr: registry.isComponentsModule ? refToken(name) : name,
    expr4: registry.isComponentsModule ? refToken(name) : name,
    dec: { kind: "ref", name, component: registry.isComponentsModule }
  }
}

/** Declares a component or named response that is not an object (a union, an array, an enum...) as an alias. */
export const emitAlias = (
  schema: Json,
  name: string,
  mode: Mode,
  registry: Registry,
  ctx: SchemaContext
): void => {
  const deps = new Set<string>()
  const emitted = emitSchema(schema, name, mode, registry, { ...ctx, deps })
  for (const dep of deps) ctx.deps.add(dep)
  registry.add({
    name,
    kind: "alias",
    type: emitted.type,
    encoded: emitted.encoded,
    expr: emitted.expr,
    expr4: emitted.expr4,
    deprecated: schema.deprecated === true,
    doc: "",
    deps,
    ...(mode === "response" ? { decoder: { kind: "value", dec: emitted.dec } } : {})
  })
}

/** Whether a schema is declared as an interface (an object after `allOf`), not an alias. */
export const isObjectLike = (schema: Json, resolver: Resolver): boolean => {
  if (!schema || typeof schema !== "object" || schema.$ref !== undefined) return false
  if (schema.oneOf !== undefined || schema.anyOf !== undefined) {
    const members = (schema.oneOf ?? schema.anyOf).filter((m: Json) => !isConstraintOnly(m))
    if (members.length > 0) return false
  }
  if (Array.isArray(schema.allOf)) {
    const own = schema.properties !== undefined && Object.keys(schema.properties).length > 0
    return schema.allOf.length > 1 || own
  }
  if (schema.nullable === true) return false
  return schema.properties !== undefined && Object.keys(schema.properties).length > 0 && schema.enum === undefined &&
    (schema.type === undefined || schema.type === "object") && flattenObject(schema, resolver).properties.length > 0
}

/** Component key → generated name, checked for clashes after PascalCasing. */
export const componentNamesOf = (spec: Json): Map<string, string> => {
  const componentNames = new Map<string, string>()
  const byGenerated = new Map<string, string>()
  for (const key of Object.keys(spec.components?.schemas ?? {}).sort()) {
    const name = pascalCase(key)
    const clash = byGenerated.get(name)
    if (clash !== undefined) throw new Error(`components "${clash}" and "${key}" both become ${name}`)
    byGenerated.set(name, key)
    componentNames.set(key, name)
  }
  return componentNames
}

/** The discriminator each union member component carries, found in every `discriminator` under `roots`. */
export const collectDiscriminators = (
  roots: ReadonlyArray<Json>,
  resolver: Resolver,
  componentNames: ReadonlyMap<string, string>
): Map<string, DiscriminatorRole> => {
  const discriminators = new Map<string, DiscriminatorRole>()
  const visit = (node: Json): void => {
    if (!node || typeof node !== "object") return
    if (Array.isArray(node)) return node.forEach(visit)
    const property = node.discriminator?.propertyName
    if (typeof property === "string") {
      const mapping: Record<string, string> = node.discriminator.mapping ?? {}
      for (const member of node.oneOf ?? node.anyOf ?? []) {
        const component = componentOf(member.$ref)
        if (component === undefined) continue
        const fromMapping = Object.entries(mapping).find(([, ref]) => componentOf(ref) === component)?.[0]
        const target = resolver.deref(member)
        const fromEnum = resolver.deref(target.properties?.[property])?.enum
        const value = fromMapping ?? (Array.isArray(fromEnum) && fromEnum.length === 1 ? fromEnum[0] : component)
        const name = componentNames.get(component)!
        const previous = discriminators.get(name)
        if (previous !== undefined && (previous.property !== property || previous.value !== value)) {
          throw new Error(`${component} is a union member with two different discriminators`)
        }
        discriminators.set(name, { property, value: String(value) })
      }
    }
    for (const value of Object.values(node)) visit(value)
  }
  roots.forEach(visit)
  return discriminators
}

/** Declares components (all, or those `only` lists) into a registry, as interfaces or aliases. */
export const declareComponents = (
  spec: Json,
  componentNames: ReadonlyMap<string, string>,
  registry: Registry,
  ctxFor: () => SchemaContext,
  only?: (key: string) => boolean
): void => {
  for (const [key, name] of componentNames) {
    if (only !== undefined && !only(key)) continue
    const schema = spec.components.schemas[key]
    if (isObjectLike(schema, ctxFor().resolver)) emitObject(schema, name, "response", registry, ctxFor(), name)
    else emitAlias(schema, name, "response", registry, ctxFor())
    const decl = registry.declarations.get(name)!
    registry.add({ ...decl, doc: `Component schema \`${key}\`.` })
  }
}
