/**
 * Minimal valid params for every operation of the spec, built from the spec
 * itself: only required path/query/body params, each value synthesized from
 * its schema so that a spec-validating mock (Prism) accepts the request.
 *
 * Values are given in the client's camelCase shape (top-level keys from each
 * param's `key`, nested object keys camelCased the way the generator does),
 * so they go through the client's own encoding on the way out.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { camelCase } from "../../scripts/generator/names.js"
import type { Operation } from "../../scripts/generator/operations.js"
import { readOperations } from "../../scripts/generator/operations.js"
import type { Json, Resolver } from "../../scripts/generator/spec.js"
import { applyPatchList, loadSpec, makeResolver } from "../../scripts/generator/spec.js"
import { stringForPattern } from "../../src/internal/fake/pattern.js"

export { stringForPattern }

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")

/** Where the Backend API spec is expected: `$CLERK_OPENAPI_SPEC`, else the shared checkout beside the repo. */
export const specPath = (): string =>
  process.env.CLERK_OPENAPI_SPEC ?? path.resolve(repoRoot, "../shared/clerk-openapi/bapi-2026-05-12.yml")

/** The patched spec's operations, read the same way the generator reads them. */
export interface LoadedSpec {
  readonly spec: Json
  readonly resolver: Resolver
  readonly operations: ReadonlyArray<Operation>
}

/** Loads the spec at `file`, applies `codegen/patches.json` and reads the operations with `codegen/names.json`. */
export const loadOperations = (file: string): LoadedSpec => {
  const patches = JSON.parse(fs.readFileSync(path.join(repoRoot, "codegen/patches.json"), "utf8"))
  const names = JSON.parse(fs.readFileSync(path.join(repoRoot, "codegen/names.json"), "utf8"))
  const { spec } = applyPatchList(loadSpec(file), patches)
  const resolver = makeResolver(spec)
  // Naming warnings are the generator's business; here only the operation list matters.
  const operations = readOperations(spec, resolver, names, () => {})
  return { spec, resolver, operations }
}

/** Thrown when a schema has no value the synthesizer can produce; the fix is an entry in {@link overrides}. */
export class SynthesisError extends Error {}

// ---------------------------------------------------------------------------
// Values from schemas.

const fitLength = (base: string, schema: Json): string => {
  const min: number = schema.minLength ?? 0
  const max: number = schema.maxLength ?? Infinity
  let value = base
  while (value.length < min) value += "x"
  return value.length > max ? value.slice(0, max) : value
}

const stringFor = (schema: Json, at: string): string | Blob => {
  if (typeof schema.pattern === "string") {
    return stringForPattern(schema.pattern, schema.minLength ?? 0, schema.maxLength ?? Infinity)
  }
  switch (schema.format) {
    case "binary":
      // The multipart uploads are images: a PNG signature keeps the part plausible.
      return new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])], "fake.png", {
        type: "image/png"
      })
    case "email":
      return "someone@example.com"
    case "uri":
    case "url":
      return "https://example.com/callback"
    case "date-time":
      return "2030-01-02T03:04:05Z"
    case "date":
      return "2030-01-02"
    case "uuid":
      return "00000000-0000-4000-8000-000000000000"
  }
  // Named after the property it fills (`sample_user_id`), so a value seen in a failure is easy to place.
  const property = at.replace(/\[\d+\]/g, "").split(".").pop() ?? "value"
  return fitLength(`sample_${property.replace(/[^A-Za-z0-9]+/g, "_")}`, schema)
}

const numberFor = (schema: Json): number => {
  const integer = schema.type === "integer"
  const step = integer ? 1 : 0.5
  let value = 1
  if (typeof schema.minimum === "number") {
    value = schema.exclusiveMinimum === true
      ? schema.minimum + step
      : schema.minimum
  }
  if (typeof schema.exclusiveMinimum === "number") value = schema.exclusiveMinimum + step
  if (typeof schema.maximum === "number") {
    const top = schema.exclusiveMaximum === true ? schema.maximum - step : schema.maximum
    if (value > top) value = top
  }
  if (typeof schema.exclusiveMaximum === "number" && value >= schema.exclusiveMaximum) {
    value = schema.exclusiveMaximum - step
  }
  if (typeof schema.multipleOf === "number") value = Math.ceil(value / schema.multipleOf) * schema.multipleOf
  return value
}

const isConstraintOnly = (member: Json): boolean =>
  member !== null && typeof member === "object" && member.$ref === undefined && member.type === undefined &&
  member.properties === undefined && member.items === undefined && member.enum === undefined &&
  member.oneOf === undefined && member.anyOf === undefined && member.allOf === undefined

/**
 * A value valid for `schema`, in the client's camelCase shape. Only required
 * object properties are filled; `at` names the location for messages.
 */
export const synthesize = (schema: Json, resolver: Resolver, at: string, depth = 0): unknown => {
  if (depth > 24) throw new SynthesisError(`${at}: schema nests too deep`)
  const node = resolver.deref(schema)
  if (node === undefined || node === null || node === true || typeof node !== "object") return "sample"
  if (Array.isArray(node.enum)) {
    const value = node.enum.find((v: unknown) => v !== null)
    if (value === undefined) throw new SynthesisError(`${at}: enum without a non-null value`)
    return value
  }
  const alternatives: Array<Json> | undefined = node.oneOf ?? node.anyOf
  if (Array.isArray(alternatives)) {
    const members = alternatives.filter((m) => !isConstraintOnly(m))
    if (members.length > 0) {
      const chosen = members[0]
      const value = synthesize(chosen, resolver, at, depth + 1)
      const property: unknown = node.discriminator?.propertyName
      if (typeof property === "string" && typeof value === "object" && value !== null) {
        const mapping: Record<string, string> = node.discriminator.mapping ?? {}
        const tag = Object.entries(mapping).find(([, ref]) => ref === chosen.$ref)?.[0]
        if (tag !== undefined) (value as Record<string, unknown>)[camelCase(property)] = tag
      }
      return value
    }
  }
  if (Array.isArray(node.allOf) || node.properties !== undefined || node.type === "object") {
    return objectFor(node, resolver, at, depth)
  }
  switch (node.type) {
    case "string":
      return stringFor(node, at)
    case "integer":
    case "number":
      return numberFor(node)
    case "boolean":
      return true
    case "array": {
      // One item even when the spec allows none: an empty array exercises less of the encoding.
      const count = Math.min(Math.max(node.minItems ?? 1, 1), node.maxItems ?? Infinity)
      return Array.from({ length: count }, (_, i) => {
        const item = synthesize(node.items ?? {}, resolver, `${at}[${i}]`, depth + 1)
        return node.uniqueItems === true && typeof item === "string" && i > 0 ? `${item}${i}` : item
      })
    }
  }
  return "sample"
}

/** Properties and required names of an object schema, through `allOf` and references. */
const objectShape = (node: Json, resolver: Resolver) => {
  const properties = new Map<string, Json>()
  const required = new Set<string>()
  const alternatives: Array<ReadonlyArray<Json>> = []
  const visit = (member: Json) => {
    const resolved = resolver.deref(member)
    if (!resolved || typeof resolved !== "object") return
    for (const inner of resolved.allOf ?? []) visit(inner)
    for (const [key, value] of Object.entries<Json>(resolved.properties ?? {})) properties.set(key, value)
    for (const key of resolved.required ?? []) required.add(key)
    const choice: Array<Json> | undefined = resolved.anyOf ?? resolved.oneOf
    if (Array.isArray(choice) && choice.every(isConstraintOnly)) alternatives.push(choice)
  }
  visit(node)
  // `anyOf: [{ required: [a] }, { required: [b] }]` asks for one of several properties: take the first
  // alternative whose properties are all current (not deprecated), else the first. For a `oneOf` the
  // other alternatives stay unmet, as they must.
  for (const choice of alternatives) {
    const current = (member: Json) =>
      (member.required ?? []).every((name: string) => resolver.deref(properties.get(name))?.deprecated !== true)
    const chosen = choice.find(current) ?? choice[0]
    for (const name of chosen?.required ?? []) required.add(name)
  }
  return { properties, required }
}

const objectFor = (node: Json, resolver: Resolver, at: string, depth: number): Record<string, unknown> => {
  const { properties, required } = objectShape(node, resolver)
  const value: Record<string, unknown> = {}
  for (const [wire, schema] of properties) {
    if (!required.has(wire)) continue
    value[camelCase(wire)] = synthesize(schema, resolver, `${at}.${wire}`, depth + 1)
  }
  return value
}

// ---------------------------------------------------------------------------
// Per-operation params.

/** A hand-written fix for an operation whose params the synthesizer cannot get right, with why. */
export interface Override {
  readonly reason: string
  readonly params: (synthesized: Record<string, unknown>) => Record<string, unknown>
}

/** Operations whose synthesized params need a hand fix, keyed by operationId. */
export const overrides: Readonly<Record<string, Override>> = {}

/** The request body schema of `op` as the spec declares it (JSON or multipart), if any. */
const bodySchemaOf = (op: Operation, loaded: LoadedSpec): Json => {
  const item = loaded.resolver.deref(loaded.spec.paths?.[op.path])
  const requestBody = loaded.resolver.deref(item?.[op.method.toLowerCase()]?.requestBody)
  const content = requestBody?.content ?? {}
  return (content["application/json"] ?? content["multipart/form-data"])?.schema
}

/**
 * The params of `op` as passed to `clerk[group][name]`: every required param (including
 * body properties that an `anyOf`/`oneOf` of `required` lists asks for), plus the body array
 * of bulk operations.
 */
export const minimalParams = (op: Operation, loaded: LoadedSpec): Record<string, unknown> => {
  const body = bodySchemaOf(op, loaded)
  const bodyRequired = body === undefined || op.arrayBody !== undefined
    ? new Set<string>()
    : objectShape(body, loaded.resolver).required
  const params: Record<string, unknown> = {}
  for (const param of op.params) {
    // An optional array body is sent anyway: a bulk call without items says nothing about how items are encoded.
    const isArrayBody = op.arrayBody !== undefined && param.key === op.arrayBody.key
    const required = param.required || isArrayBody || (param.location === "body" && bodyRequired.has(param.wire))
    if (!required) continue
    params[param.key] = synthesize(param.schema, loaded.resolver, `${op.operationId}.${param.wire}`)
  }
  const override = overrides[op.operationId]
  return override === undefined ? params : override.params(params)
}
