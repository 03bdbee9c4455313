/**
 * The webhook events module: one decoded event type per event of the webhooks spec, reusing
 * the Backend API's schemas where a component is the same object, and an unknown-event member
 * so a new event type decodes instead of failing.
 */
import type { Target } from "./emit.js"
import { componentsModule, exportTags, jsDoc, lazySchema } from "./emit.js"
import { pascalCase } from "./names.js"
import type { SchemaContext } from "./schemas.js"
import {
  collectDiscriminators,
  componentNamesOf,
  componentOf,
  declareComponents,
  emitObject,
  Registry
} from "./schemas.js"
import type { Json } from "./spec.js"
import { makeResolver } from "./spec.js"

const prose = new Set(["description", "example", "examples", "summary", "x-speakeasy-name-override", "externalDocs"])

/** A schema without its prose, for comparing shapes. */
const shapeOf = (node: Json): Json => {
  if (Array.isArray(node)) return node.map(shapeOf)
  if (node === null || typeof node !== "object") return node
  const out: Record<string, Json> = {}
  for (const key of Object.keys(node).sort()) if (!prose.has(key)) out[key] = shapeOf(node[key])
  return out
}

const refsOf = (node: Json, into: Set<string> = new Set()): Set<string> => {
  if (Array.isArray(node)) node.forEach((n) => refsOf(n, into))
  else if (node !== null && typeof node === "object") {
    const component = componentOf(node.$ref)
    if (component !== undefined) into.add(component)
    for (const value of Object.values(node)) refsOf(value, into)
  }
  return into
}

/**
 * Webhook components that can be the Backend API's own schemas: the same shape, and everything
 * they refer to shared as well (a fixpoint, since one differing component taints its users).
 */
export const sharedComponents = (webhooks: Json, bapi: Json): Set<string> => {
  const ours: Record<string, Json> = webhooks.components?.schemas ?? {}
  const theirs: Record<string, Json> = bapi.components?.schemas ?? {}
  const shared = new Set(
    Object.keys(ours).filter((key) =>
      theirs[key] !== undefined && JSON.stringify(shapeOf(ours[key])) === JSON.stringify(shapeOf(theirs[key]))
    )
  )
  for (let changed = true; changed;) {
    changed = false
    for (const key of [...shared]) {
      if ([...refsOf(ours[key])].some((ref) => !shared.has(ref))) {
        shared.delete(key)
        changed = true
      }
    }
  }
  return shared
}

/** One webhook event of the webhooks spec. */
export interface WebhookEvent {
  /** The delivered `type` (`user.created`). */
  readonly type: string
  /** The generated type that decodes it (`UserCreatedEvent`). */
  readonly name: string
}

/** The events of a webhooks spec, in spec order. */
export const webhookEvents = (webhooks: Json): Array<{ readonly type: string; readonly schema: Json }> =>
  Object.entries<Json>(webhooks["x-webhooks"] ?? {}).flatMap(([key, item]) => {
    const operation = item?.post
    const schema = operation?.requestBody?.content?.["application/json"]?.schema
    if (schema === undefined) return []
    return [{ type: String(operation.operationId ?? key), schema }]
  })

/** The example payloads an event declares (`example`, or `examples` entries, through references). */
const examplesOf = (content: Json, resolver: ReturnType<typeof makeResolver>): Array<Json> => {
  if (content?.example !== undefined) return [content.example]
  return Object.values<Json>(content?.examples ?? {}).map((entry) => resolver.deref(entry)?.value).filter((v) =>
    v !== undefined
  )
}

/**
 * Loosens the schemas where the spec's own example payloads contradict them: a property the
 * schema requires but an example leaves out becomes optional, and a `null` where the schema
 * allows none becomes nullable. Webhooks are delivered as Clerk sends them, so a decoder stricter
 * than the payloads Clerk documents would refuse real events. Returns what was loosened.
 */
export const relaxToExamples = (spec: Json): Array<string> => {
  const resolver = makeResolver(spec)
  const changes = new Set<string>()
  const walk = (node: Json, value: unknown, where: string, depth: number): void => {
    if (depth > 32 || node === undefined || node === null) return
    const schema = resolver.deref(node)
    if (schema === undefined || schema === null || typeof schema !== "object") return
    const name = componentOf(node.$ref) ?? where
    if (value === null) {
      if (schema.nullable !== true && !(Array.isArray(schema.allOf) || schema.oneOf || schema.anyOf)) {
        schema.nullable = true
        changes.add(`${name}: nullable`)
      }
      return
    }
    for (const member of schema.allOf ?? []) walk(member, value, name, depth + 1)
    const alternatives: Array<Json> = (schema.oneOf ?? schema.anyOf ?? []).filter((m: Json) =>
      m.$ref !== undefined || m.properties !== undefined
    )
    if (alternatives.length === 1) walk(alternatives[0], value, name, depth + 1)
    if (Array.isArray(value)) {
      if (schema.items !== undefined) value.forEach((item) => walk(schema.items, item, `${name}[]`, depth + 1))
      return
    }
    if (typeof value !== "object" || schema.properties === undefined) return
    const record = value as Record<string, unknown>
    if (Array.isArray(schema.required)) {
      const kept = schema.required.filter((key: string) => key in record)
      for (const key of schema.required) if (!(key in record)) changes.add(`${name}.${key}: optional`)
      schema.required = kept
    }
    for (const [key, propertySchema] of Object.entries<Json>(schema.properties)) {
      if (key in record) walk(propertySchema, record[key], `${name}.${key}`, depth + 1)
    }
  }
  for (const item of Object.values<Json>(spec["x-webhooks"] ?? {})) {
    const content = item?.post?.requestBody?.content?.["application/json"]
    if (content?.schema === undefined) continue
    for (const example of examplesOf(content, resolver)) walk(content.schema, example, "event", 0)
  }
  return [...changes].sort()
}

/** A replacement that must apply: a template the generator no longer matches would silently emit the wrong text. */
const replaceOnce = (text: string, pattern: string | RegExp, replacement: string): string => {
  const found = typeof pattern === "string" ? text.includes(pattern) : pattern.test(text)
  if (!found) throw new Error(`webhooks: ${String(pattern)} not found in the module text`)
  return text.replace(pattern, replacement)
}

/** Generates `src/generated/WebhookEvents.ts` and its Effect 4 twin, `src/v4/generated/WebhookEvents.ts`. */
export const webhookEventsModule = (webhooks: Json, bapi: Json, bapiNames: ReadonlyMap<string, string>): {
  readonly text: string
  readonly text4: string
  readonly events: ReadonlyArray<WebhookEvent>
  readonly shared: ReadonlySet<string>
  readonly relaxed: ReadonlyArray<string>
} => {
  const spec = structuredClone(webhooks)
  spec.components ??= {}
  spec.components.schemas ??= {}
  const relaxed = relaxToExamples(spec)
  const resolver = makeResolver(spec)
  const shared = sharedComponents(spec, bapi)

  // The envelope's inline objects (event_attributes) are hoisted to components, so all events share one type.
  const envelopeKey = "WebhookEventPayload"
  const envelope = spec.components.schemas[envelopeKey]
  const envelopeProperties: Record<string, Json> = { ...(envelope?.properties ?? {}) }
  for (const [wire, schema] of Object.entries<Json>(envelopeProperties)) {
    if (schema?.type === "object" && schema.properties !== undefined) {
      const key = `Webhook${pascalCase(wire)}`
      if (spec.components.schemas[key] !== undefined) throw new Error(`webhooks: ${key} already exists`)
      spec.components.schemas[key] = schema
      envelopeProperties[wire] = { $ref: `#/components/schemas/${key}` }
    }
  }
  const envelopeRequired: Array<string> = envelope?.required ?? []

  const componentNames = componentNamesOf(spec)
  for (const key of shared) {
    if (bapiNames.get(key) !== componentNames.get(key)) {
      throw new Error(`webhooks: ${key} is named differently in the two specs`)
    }
  }
  const sharedNames = new Set([...shared].map((key) => componentNames.get(key)!))
  const registry = new Registry((name) => (sharedNames.has(name) ? `Schemas.${name}` : name), true)
  for (const [key, name] of componentNames) if (!shared.has(key)) registry.reserve(name)

  const events = webhookEvents(spec).map(({ schema, type }) => ({ type, schema, name: `${pascalCase(type)}Event` }))
  const names = new Set<string>()
  for (const event of events) {
    if (names.has(event.name) || componentNames.has(event.name)) {
      throw new Error(`webhooks: event name ${event.name} clashes`)
    }
    names.add(event.name)
    registry.reserve(event.name)
  }
  const discriminators = collectDiscriminators([spec.components], resolver, componentNames)
  for (const event of events) discriminators.set(event.name, { property: "type", value: event.type })
  const ctxFor = (): SchemaContext => ({ resolver, componentNames, discriminators, deps: new Set() })

  declareComponents(spec, componentNames, registry, ctxFor, (key) => !shared.has(key) && key !== envelopeKey)

  for (const event of events) {
    const payload = resolver.deref(event.schema)
    // Each event: the envelope, its own `type`, and its `data` (from the event's allOf).
    const members: Array<Json> = payload.allOf ?? [payload]
    const data = members.map((m: Json) => resolver.deref(m)?.properties?.data).find((d: Json) => d !== undefined)
    const schema = {
      type: "object",
      properties: { ...envelopeProperties, type: { type: "string" }, data: data ?? {} },
      required: [...new Set([...envelopeRequired, "type", "data"])]
    }
    emitObject(schema, event.name, "response", registry, ctxFor(), event.name)
    const decl = registry.declarations.get(event.name)!
    registry.add({ ...decl, doc: `The \`${event.type}\` webhook event.` })
  }

  const known = events.map((e) => JSON.stringify(e.type)).join(", ")
  const unknownSchema = {
    type: "object",
    properties: { ...envelopeProperties, type: { type: "string" }, data: {} },
    required: [...new Set([...envelopeRequired, "type", "data"])]
  }
  emitObject(unknownSchema, "UnknownWebhookEvent", "response", registry, ctxFor(), "UnknownWebhookEvent")
  const unknownDecl = registry.declarations.get("UnknownWebhookEvent")!
  // Both targets narrow the wire `type` to the types not known, then move it to `unknownType`.
  const unknownExpr = (expr: string, wireType: RegExp, otherThan: string) => {
    if (!wireType.test(expr)) throw new Error("webhooks: the unknown event's type property is not where expected")
    return `I.unknownEvent(${expr.replace(wireType, otherThan)}, knownEventTypes)`
  }
  registry.add({
    ...unknownDecl,
    doc:
      "An event of a type this client does not know yet, with `type: \"unknown\"` and the delivered type in `unknownType`.",
    type: unknownDecl.type.replace(
      /readonly type: string$/m,
      "readonly type: \"unknown\"\n  readonly unknownType: string"
    ),
    expr: unknownExpr(
      unknownDecl.expr,
      /type: I\.req\(Schema\.String, "type"\)/,
      `type: I.req(I.otherThan(knownEventTypes), "type")`
    ),
    expr4: unknownExpr(unknownDecl.expr4, /^ {2}type: Schema\.String(?=,?$)/m, "  type: I.otherThan(knownEventTypes)")
  })
  const category = "webhook events"
  const tags = exportTags(category)
  const union = [...events.map((e) => e.name), "UnknownWebhookEvent"]
  const moduleFor = (target: Target): string => {
    const body = replaceOnce(
      replaceOnce(
        componentsModule(registry, category, target),
        /\/\*\*\n \* The schemas of the Clerk Backend API: [^\n]*\n \*\n \* @since 0\.1\.0\n \*\//,
        target === "effect3"
          ? "/**\n * The webhook events Clerk delivers, decoded: one type per event, discriminated on `type`.\n *\n * @since 0.1.0\n */"
          : "/**\n * The webhook events Clerk delivers, decoded, for Effect 4: one type per event, discriminated on `type`.\n *\n * @since 0.2.0\n */"
      ),
      `import * as I from "../internal/schema.js"`,
      `import * as I from "../internal/schema.js"\nimport * as Schemas from "./Schemas.js"`
    )
    const members = target === "effect3"
      ? `Schema.Union(\n  ${union.join(",\n  ")}\n)`
      : `I.taggedUnion([\n  ${union.join(",\n  ")}\n])`
    return [
      replaceOnce(
        body,
        /\n\n(\/\*\*\n \* (Component schema|Inline schema|The `|An event))/,
        `\n\n${
          jsDoc("The event types of the webhooks spec.", tags)
        }\nexport const knownEventTypes = [${known}] as const\n\n${
          jsDoc("A type of {@link knownEventTypes}.", tags)
        }\nexport type KnownEventType = typeof knownEventTypes[number]\n\n$1`
      ).trimEnd(),
      "",
      jsDoc("Every webhook event, discriminated on `type`.", tags),
      `export type ClerkWebhookEvent =\n  | ${union.join("\n  | ")}`,
      "/** Wire form of {@link ClerkWebhookEvent}. */",
      "export declare namespace ClerkWebhookEvent {",
      "  /** ClerkWebhookEvent as delivered, snake_case. */",
      `  export type Encoded =\n    | ${union.map((n) => `${n}.Encoded`).join("\n    | ")}`,
      "}",
      jsDoc("Schema of {@link ClerkWebhookEvent}: an unknown type decodes as {@link UnknownWebhookEvent}.", tags),
      `export const ClerkWebhookEvent: Schema.${
        target === "effect3" ? "Schema" : "Codec"
      }<ClerkWebhookEvent, ClerkWebhookEvent.Encoded> = ${lazySchema(members)}`,
      "",
      jsDoc("The schema of each known event, by its type (to encode one event without trying the whole union).", tags),
      `export const eventSchemas = {\n  ${
        events.map((e) => `${JSON.stringify(e.type)}: ${e.name}`).join(",\n  ")
      }\n} as const`,
      ""
    ].join("\n")
  }
  const text = moduleFor("effect3")
  const text4 = moduleFor("effect4")
  return { text, text4, events: events.map(({ name, type }) => ({ name, type })), shared, relaxed }
}
