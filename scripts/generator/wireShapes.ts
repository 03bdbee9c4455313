/**
 * The wire shapes of success bodies, for the fake's generated answers: each operation's JSON success
 * schema and the components it reaches, reduced to the JSON Schema keywords the fake draws and checks by
 * (types, nullability, enums, formats, patterns, bounds, properties, combinations). Facts only: no
 * descriptions, titles or examples.
 */
import type { Operation } from "./operations.js"
import type { Json, Resolver } from "./spec.js"

/** A node of a wire shape as the generator builds it (the module's own `WireShape` type describes it). */
type WireShape = { readonly [keyword: string]: unknown }

/** The types of the emitted module: written out here so the module stands alone. */
const shapeTypes = `/**
 * One node of a wire shape: a reference to a named component, or the JSON Schema keywords it keeps.
 *
 * @category models
 * @since 0.2.0
 */
export interface WireShape {
  /** The name of a component shape this node stands for. */
  readonly ref?: string
  readonly type?: "string" | "integer" | "number" | "boolean" | "array" | "object"
  readonly nullable?: boolean
  readonly enum?: ReadonlyArray<unknown>
  readonly format?: string
  readonly pattern?: string
  readonly minLength?: number
  readonly maxLength?: number
  readonly minimum?: number
  readonly maximum?: number
  readonly exclusiveMinimum?: boolean | number
  readonly exclusiveMaximum?: boolean | number
  readonly multipleOf?: number
  readonly items?: WireShape
  readonly minItems?: number
  readonly maxItems?: number
  readonly uniqueItems?: boolean
  readonly properties?: { readonly [name: string]: WireShape }
  readonly required?: ReadonlyArray<string>
  readonly additionalProperties?: boolean | WireShape
  readonly oneOf?: ReadonlyArray<WireShape>
  readonly anyOf?: ReadonlyArray<WireShape>
  readonly allOf?: ReadonlyArray<WireShape>
  /** The property that tells a \`oneOf\`'s members apart (the spec's \`discriminator.propertyName\`). */
  readonly discriminator?: string
}

/**
 * The named shapes a reference may point at.
 *
 * @category models
 * @since 0.2.0
 */
export type Components = { readonly [name: string]: WireShape }`

const componentPrefix = "#/components/schemas/"
const kept = [
  "type",
  "nullable",
  "enum",
  "format",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minItems",
  "maxItems",
  "uniqueItems",
  "required"
] as const

/** The shapes of every operation's JSON success body (by `group.name`) and of the components they reach. */
export const wireShapesOf = (
  operations: ReadonlyArray<Operation>,
  resolver: Resolver
): {
  readonly components: Record<string, WireShape>
  readonly responses: Record<string, WireShape>
  readonly idPatterns: Record<string, string>
  readonly orderDefaults: Record<string, string>
} => {
  const components: Record<string, WireShape> = {}
  const pending: Array<string> = []
  const toShape = (node: Json): WireShape => {
    if (node === undefined || node === null || typeof node !== "object") return {}
    if (typeof node.$ref === "string") {
      if (node.$ref.startsWith(componentPrefix)) {
        const name = node.$ref.slice(componentPrefix.length)
        if (!(name in components) && !pending.includes(name)) pending.push(name)
        return { ref: name }
      }
      return toShape(resolver.deref(node))
    }
    const shape: Record<string, unknown> = {}
    for (const key of kept) {
      const value = node[key]
      if (value === undefined) continue
      // `type` and `format` are keywords only as strings (a property may be called either).
      if ((key === "type" || key === "format" || key === "pattern") && typeof value !== "string") continue
      if (key === "nullable" && value !== true) continue
      shape[key] = value
    }
    if (node.items !== undefined) shape.items = toShape(node.items)
    if (node.properties !== undefined && typeof node.properties === "object") {
      shape.properties = Object.fromEntries(
        Object.entries(node.properties as Record<string, Json>).map(([name, value]) => [name, toShape(value)])
      )
    }
    if (typeof node.additionalProperties === "boolean") shape.additionalProperties = node.additionalProperties
    else if (node.additionalProperties !== undefined) shape.additionalProperties = toShape(node.additionalProperties)
    if (typeof node.discriminator?.propertyName === "string") shape.discriminator = node.discriminator.propertyName
    for (const key of ["oneOf", "anyOf", "allOf"] as const) {
      if (Array.isArray(node[key])) shape[key] = (node[key] as Array<Json>).map(toShape)
    }
    return shape as WireShape
  }
  const responses: Record<string, WireShape> = {}
  const idPatterns: Record<string, string> = {}
  const orderDefaults: Record<string, string> = {}
  for (const op of operations) {
    const orderBy = op.params.find((p) => p.location === "query" && p.wire === "order_by")
    const fallback = orderBy === undefined ? undefined : resolver.deref(orderBy.schema)?.default
    if (typeof fallback === "string") orderDefaults[`${op.group}.${op.name}`] = fallback
    if (op.success.kind === "json") responses[`${op.group}.${op.name}`] = toShape(op.success.schema)
    const last = /\{([^}]+)\}$/.exec(op.path)?.[1]
    const param = op.params.find((p) => p.location === "path" && p.wire === last)
    const pattern = param === undefined ? undefined : resolver.deref(param.schema)?.pattern
    if (typeof pattern === "string") idPatterns[op.path] = pattern
  }
  while (pending.length > 0) {
    const name = pending.shift()!
    components[name] = toShape(resolver.lookup(`${componentPrefix}${name}`))
  }
  const sorted = Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b)))
  return { components: sorted, responses, idPatterns, orderDefaults }
}

/** `src/generated/WireShapes.ts`: the shapes as data, read by the fake only. */
export const emitWireShapesModule = (
  operations: ReadonlyArray<Operation>,
  resolver: Resolver,
  banner: string
): string => {
  const { components, idPatterns, orderDefaults, responses } = wireShapesOf(operations, resolver)
  return `${banner}
/**
 * The wire shapes of the Backend API's success bodies, from which the fake draws the answers of operations
 * without behaviour of its own (data for the test kit; the client does not read it).
 *
 * @since 0.2.0
 */
${shapeTypes}

/**
 * The component shapes the success bodies refer to, by component name.
 *
 * @category wire shapes
 * @since 0.2.0
 */
export const components: Components = ${JSON.stringify(components)}

/**
 * Each operation's success body shape, by \`group.name\`.
 *
 * @category wire shapes
 * @since 0.2.0
 */
export const responses: { readonly [operation: string]: WireShape } = ${JSON.stringify(responses)}

/**
 * The pattern an item's id must match, by the item's path template, where the spec gives one.
 *
 * @category wire shapes
 * @since 0.2.0
 */
export const idPatterns: { readonly [path: string]: string } = ${JSON.stringify(idPatterns)}

/**
 * The order a list takes without an \`order_by\` param (\`-created_at\`), by \`group.name\`, where the spec gives one.
 *
 * @category wire shapes
 * @since 0.2.0
 */
export const orderDefaults: { readonly [operation: string]: string } = ${JSON.stringify(orderDefaults)}
`
}
