/**
 * The spec's wire shapes of success bodies, as the fake draws its generated answers from them: a JSON
 * Schema subset (the keywords the Backend API spec uses in responses), a seeded sampler that draws a
 * value of a shape, and a checker that says where a value leaves its shape. The client's schemas are
 * lenient on purpose (open enums, any number, formats unchecked); the fake answers strictly, as Clerk
 * must, so its generated answers are drawn here and only then decoded with the client's schema.
 *
 * @internal
 */
import type { Components, WireShape } from "../../generated/WireShapes.js"
import { PatternError, stringForPattern } from "./pattern.js"
import { seededRandom } from "./store.js"

// ---------------------------------------------------------------------------
// Checking.

const dateTime = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/
const date = /^\d{4}-\d{2}-\d{2}$/
const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/
const uri = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

const formatProblem = (format: string, value: unknown): string | undefined => {
  switch (format) {
    case "int32":
      return Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31
        ? undefined
        : "is not an int32"
    case "int64":
      return Number.isSafeInteger(value) ? undefined : "is not a safe int64"
    case "date-time":
      return dateTime.test(String(value)) ? undefined : "is not a date-time"
    case "date":
      return date.test(String(value)) ? undefined : "is not a date"
    case "email":
      return email.test(String(value)) ? undefined : "is not an email address"
    case "uri":
    case "url":
      return uri.test(String(value)) ? undefined : "is not a URI"
    case "uuid":
      return uuid.test(String(value)) ? undefined : "is not a UUID"
  }
  return undefined
}

const typeProblem = (type: WireShape["type"], value: unknown): string | undefined => {
  switch (type) {
    case undefined:
      return undefined
    case "integer":
      return Number.isInteger(value) ? undefined : "is not an integer"
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? undefined : "is not a number"
    case "array":
      return Array.isArray(value) ? undefined : "is not an array"
    case "object":
      return isObject(value) ? undefined : "is not an object"
    default:
      return typeof value === type ? undefined : `is not a ${type}`
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const codePoints = (value: string): number => [...value].length

/**
 * Where `value` leaves `shape` (a path and what is wrong), or `undefined` when it fits: types, nullability,
 * enums, formats, patterns, lengths, bounds, items, required and additional properties, and the
 * `oneOf` (exactly one), `anyOf` and `allOf` combinations.
 */
export const checkShape = (
  shape: WireShape,
  components: Components,
  value: unknown,
  at = "body"
): string | undefined => {
  if (shape.ref !== undefined) {
    const target = components[shape.ref]
    return target === undefined ? `${at}: no shape named ${shape.ref}` : checkShape(target, components, value, at)
  }
  // As OpenAPI 3.0 reads `nullable` (and Prism with it): it allows null for this node's own type only, so
  // null must still satisfy every member of a combination the node holds.
  if (value === null && shape.nullable !== true && (shape.type !== undefined || shape.enum !== undefined)) {
    return `${at}: null where the shape is not nullable`
  }
  for (const member of shape.allOf ?? []) {
    const problem = checkShape(member, components, value, at)
    if (problem !== undefined) return problem
  }
  if (shape.oneOf !== undefined) {
    const fitting = shape.oneOf.filter((member) => checkShape(member, components, value, at) === undefined).length
    if (fitting !== 1) return `${at}: fits ${fitting} of the ${shape.oneOf.length} oneOf members`
  }
  if (shape.anyOf !== undefined && !shape.anyOf.some((m) => checkShape(m, components, value, at) === undefined)) {
    return `${at}: fits none of the anyOf members`
  }
  if (value === null) return undefined
  const typeIssue = typeProblem(shape.type, value)
  if (typeIssue !== undefined) return `${at}: ${JSON.stringify(value)?.slice(0, 60)} ${typeIssue}`
  if (shape.enum !== undefined && !shape.enum.includes(value)) {
    return `${at}: ${JSON.stringify(value)} is not in the enum`
  }
  if (shape.format !== undefined) {
    const problem = formatProblem(shape.format, value)
    if (problem !== undefined) return `${at}: ${JSON.stringify(value)} ${problem}`
  }
  if (typeof value === "string") {
    if (shape.pattern !== undefined && !new RegExp(shape.pattern, "u").test(value)) {
      return `${at}: ${JSON.stringify(value)} does not match /${shape.pattern}/`
    }
    if (shape.minLength !== undefined && codePoints(value) < shape.minLength) return `${at}: shorter than minLength`
    if (shape.maxLength !== undefined && codePoints(value) > shape.maxLength) return `${at}: longer than maxLength`
  }
  if (typeof value === "number") {
    const { exclusiveMaximum: exMax, exclusiveMinimum: exMin, maximum, minimum } = shape
    if (minimum !== undefined && (exMin === true ? value <= minimum : value < minimum)) return `${at}: below minimum`
    if (maximum !== undefined && (exMax === true ? value >= maximum : value > maximum)) return `${at}: above maximum`
    if (typeof exMin === "number" && value <= exMin) return `${at}: not above exclusiveMinimum`
    if (typeof exMax === "number" && value >= exMax) return `${at}: not below exclusiveMaximum`
    if (shape.multipleOf !== undefined && !Number.isInteger(value / shape.multipleOf)) return `${at}: not a multiple`
  }
  if (Array.isArray(value)) {
    if (shape.minItems !== undefined && value.length < shape.minItems) return `${at}: fewer items than minItems`
    if (shape.maxItems !== undefined && value.length > shape.maxItems) return `${at}: more items than maxItems`
    if (shape.uniqueItems === true && new Set(value.map((item) => JSON.stringify(item))).size !== value.length) {
      return `${at}: items are not unique`
    }
    if (shape.items !== undefined) {
      for (let i = 0; i < value.length; i++) {
        const problem = checkShape(shape.items, components, value[i], `${at}[${i}]`)
        if (problem !== undefined) return problem
      }
    }
  }
  if (isObject(value)) {
    for (const name of shape.required ?? []) {
      if (value[name] === undefined) return `${at}: lacks the required ${name}`
    }
    const properties = shape.properties ?? {}
    for (const [name, item] of Object.entries(value)) {
      const property = Object.hasOwn(properties, name) ? properties[name] : undefined
      if (property !== undefined) {
        const problem = checkShape(property, components, item, `${at}.${name}`)
        if (problem !== undefined) return problem
      } else if (shape.additionalProperties === false) {
        return `${at}: has ${name}, which the shape does not allow`
      } else if (typeof shape.additionalProperties === "object") {
        const problem = checkShape(shape.additionalProperties, components, item, `${at}.${name}`)
        if (problem !== undefined) return problem
      }
    }
  }
  return undefined
}

// ---------------------------------------------------------------------------
// Sampling.

/** Nesting past which optional properties, nullable values and optional items are left out. */
const deepest = 4

interface Draw {
  readonly random: () => number
  readonly components: Components
}

const pick = <A>(draw: Draw, items: ReadonlyArray<A>): A => items[Math.floor(draw.random() * items.length)]!

const resolve = (shape: WireShape, components: Components): WireShape => {
  let current = shape
  for (let i = 0; current.ref !== undefined; i++) {
    const target = components[current.ref]
    if (target === undefined || i > 32) throw new Error(`ClerkTest: no wire shape named ${current.ref}`)
    current = target
  }
  return current
}

/** Only `required` (and no type of its own): an `anyOf` member that asks for properties of its parent. */
const requiresOnly = (shape: WireShape): boolean =>
  shape.required !== undefined && shape.type === undefined && shape.properties === undefined &&
  shape.ref === undefined && shape.oneOf === undefined && shape.anyOf === undefined && shape.allOf === undefined

/** One node with every `allOf` member folded in: properties and required lists joined, the rest kept. */
const merged = (shape: WireShape, components: Components): WireShape => {
  const node = resolve(shape, components)
  if (node.allOf === undefined) return node
  const { allOf, ...rest } = node
  let out: WireShape = rest
  for (const member of allOf) {
    const flat = merged(member, components)
    out = {
      ...flat,
      ...out,
      properties: { ...flat.properties, ...out.properties },
      required: [...(flat.required ?? []), ...(out.required ?? [])]
    }
  }
  return out
}

/** The property names of an object shape, through references and `allOf`. */
export const propertyNamesOf = (shape: WireShape, components: Components): ReadonlyArray<string> =>
  Object.keys(merged(shape, components).properties ?? {})

const timestampLike = (hint: string): boolean => /(_at|^at|expiration|expires|date)$/.test(hint)

const sampleInteger = (draw: Draw, shape: WireShape, hint: string): number => {
  let low = shape.minimum ?? (timestampLike(hint) ? 1_700_000_000_000 : 0)
  let high = shape.maximum ?? (timestampLike(hint) ? 1_800_000_000_000 : shape.format === "int32" ? 100_000 : 1_000_000)
  if (shape.exclusiveMinimum === true) low += 1
  if (typeof shape.exclusiveMinimum === "number") low = Math.max(low, shape.exclusiveMinimum + 1)
  if (shape.exclusiveMaximum === true) high -= 1
  if (typeof shape.exclusiveMaximum === "number") high = Math.min(high, shape.exclusiveMaximum - 1)
  if (high < low) high = low
  const value = Math.ceil(low) + Math.floor(draw.random() * (Math.floor(high) - Math.ceil(low) + 1))
  const step = shape.multipleOf
  return step !== undefined && Number.isInteger(step) && step > 0 ? Math.ceil(value / step) * step : value
}

const sampleNumber = (draw: Draw, shape: WireShape): number => {
  const low = shape.minimum ?? 0
  const high = shape.maximum ?? 1_000
  return Math.round((low + draw.random() * (high - low)) * 100) / 100
}

const fitLength = (value: string, shape: WireShape): string => {
  let out = value
  while (codePoints(out) < (shape.minLength ?? 0)) out += "x"
  return shape.maxLength !== undefined && codePoints(out) > shape.maxLength
    ? [...out].slice(0, shape.maxLength).join("")
    : out
}

const sampleString = (draw: Draw, shape: WireShape, hint: string): string => {
  const token = Math.floor(draw.random() * 36 ** 6).toString(36).padStart(6, "0")
  switch (shape.format) {
    case "date-time":
      return new Date(1_700_000_000_000 + Math.floor(draw.random() * 1e11)).toISOString()
    case "date":
      return new Date(1_700_000_000_000 + Math.floor(draw.random() * 1e11)).toISOString().slice(0, 10)
    case "email":
      return `user_${token}@example.com`
    case "uri":
    case "url":
      return `https://example.com/${token}`
    case "uuid":
      return `${Math.floor(draw.random() * 16 ** 8).toString(16).padStart(8, "0")}-0000-4000-8000-000000000000`
  }
  if (shape.pattern !== undefined) {
    return stringForPattern(shape.pattern, shape.minLength ?? 0, shape.maxLength ?? Infinity, draw.random)
  }
  const word = hint === "" ? "value" : hint.replace(/[^A-Za-z0-9]+/g, "_")
  return fitLength(word === "id" ? `fake_${token}` : `${word}_${token}`, shape)
}

const sampleObject = (draw: Draw, shape: WireShape, depth: number): Record<string, unknown> => {
  const required = new Set(shape.required ?? [])
  // `anyOf: [{required: [a]}, {required: [b]}]` asks for one of the lists.
  const lists = shape.anyOf?.filter(requiresOnly) ?? []
  if (lists.length > 0) { for (const name of pick(draw, lists).required ?? []) required.add(name) }
  const out: Record<string, unknown> = {}
  const properties = shape.properties ?? {}
  for (const [name, property] of Object.entries(properties)) {
    if (!required.has(name) && (depth >= deepest || draw.random() < 0.35)) continue
    out[name] = sampleAt(draw, property, depth + 1, name, required.has(name))
  }
  // A required property the shape never defines may hold anything: a flag is the likeliest reading.
  for (const name of required) if (!Object.hasOwn(properties, name)) out[name] = false
  return out
}

const sampleAt = (draw: Draw, shape: WireShape, depth: number, hint: string, required: boolean): unknown => {
  const node = merged(shape, draw.components)
  if (
    node.nullable === true && (depth >= deepest && !required || draw.random() < 0.1) &&
    checkShape(shape, draw.components, null) === undefined
  ) return null
  const members = node.oneOf ?? node.anyOf?.filter((member) => !requiresOnly(member))
  if (members !== undefined && members.length > 0) {
    // Null was decided above; the member's discriminator is always written, so a reader picks the same member.
    const { anyOf: _anyOf, discriminator, nullable: _nullable, oneOf: _oneOf, ...rest } = node
    let value: unknown
    // Members may overlap (a draw fitting two of a oneOf): drawn again, here, rather than the whole document.
    for (let attempt = 0; attempt < 6; attempt++) {
      const { nullable: _, ...chosen } = merged(pick(draw, members), draw.components)
      const combined: WireShape = {
        ...rest,
        ...chosen,
        properties: { ...rest.properties, ...chosen.properties },
        required: [...(rest.required ?? []), ...(chosen.required ?? []), ...(discriminator ? [discriminator] : [])]
      }
      value = sampleAt(draw, combined, depth, hint, required)
      if (checkShape(node, draw.components, value) === undefined) return value
    }
    return value
  }
  if (node.enum !== undefined) {
    const values = node.enum.filter((value) => value !== null)
    return values.length === 0 ? null : pick(draw, values)
  }
  switch (node.type) {
    case "string":
      return sampleString(draw, node, hint)
    case "integer":
      return sampleInteger(draw, node, hint)
    case "number":
      return sampleNumber(draw, node)
    case "boolean":
      return draw.random() < 0.5
    case "array": {
      const min = node.minItems ?? 0
      const max = Math.min(node.maxItems ?? Infinity, depth >= deepest ? min : min + 2)
      const count = min + Math.floor(draw.random() * (max - min + 1))
      const items: Array<unknown> = []
      for (let i = 0; i < count * 3 && items.length < count; i++) {
        const item = node.items === undefined ? {} : sampleAt(draw, node.items, depth + 1, hint, true)
        if (node.uniqueItems === true && items.some((seen) => JSON.stringify(seen) === JSON.stringify(item))) continue
        items.push(item)
      }
      return items
    }
    case "object":
      return sampleObject(draw, node, depth)
  }
  return node.properties === undefined ? {} : sampleObject(draw, node, depth)
}

/**
 * A value of `shape` drawn from `seed`, or `undefined` when none fits within a few draws (a pattern
 * outside the supported subset, or a `oneOf` whose members overlap): each draw is checked, so what is
 * returned fits the shape.
 */
export const sampleShape = (shape: WireShape, components: Components, seed: number): unknown => {
  for (let attempt = 0; attempt < 8; attempt++) {
    const draw: Draw = { random: seededRandom(seed + Math.imul(attempt, 0x9e3779b1)), components }
    try {
      const value = sampleAt(draw, shape, 0, "", true)
      if (checkShape(shape, components, value) === undefined) return value
    } catch (error) {
      if (!(error instanceof PatternError)) throw error
    }
  }
  return undefined
}
