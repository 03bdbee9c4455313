/**
 * What the emit functions read: the spec after patching, naming and grouping, with its schemas declared.
 * Building it is the only step that walks the spec; everything after it turns the model into text.
 */
import { pascalCase } from "./names.js"
import type { NamingTable, Operation } from "./operations.js"
import { readOperations } from "./operations.js"
import type { DiscriminatorRole, SchemaContext } from "./schemas.js"
import {
  collectDiscriminators,
  componentNamesOf,
  declareComponents,
  emitAlias,
  emitObject,
  isObjectLike,
  Registry
} from "./schemas.js"
import type { Json, Resolver } from "./spec.js"
import { makeResolver } from "./spec.js"
import type { WebhookEvent } from "./webhooks.js"
import { webhookEventsModule } from "./webhooks.js"

/** One operation group: a key of `ClerkBackend` and a module of `src/generated/`. */
export interface Group {
  /** The camelCase key on `ClerkBackend` (`users`). */
  readonly name: string
  /** The module's name, PascalCase (`Users`, written to `src/generated/Users.ts`). */
  readonly module: string
  /** The group's operations, in spec order. */
  readonly operations: ReadonlyArray<Operation>
}

/** The Backend API's schemas, declared once and shared by the components module and every group module. */
export interface SchemaModel {
  readonly resolver: Resolver
  /** Component name (spec key) → generated name. */
  readonly componentNames: ReadonlyMap<string, string>
  /** Generated component name → the discriminator value it must carry. */
  readonly discriminators: ReadonlyMap<string, DiscriminatorRole>
  /** The declarations of `Schemas.ts`: components, plus shared responses with an inline schema. */
  readonly components: Registry
  /** Shared response key (`#/components/responses/<key>`) → the declaration that decodes it. */
  readonly sharedResponseNames: ReadonlyMap<string, string>
  /** A fresh context for emitting one module's schemas (its dependency set is per module). */
  readonly context: () => SchemaContext
}

/** The webhook events, decoded against the Backend API's schemas. */
export interface WebhooksModel {
  /** The webhooks spec's `info.version`. */
  readonly version: string
  /** The text of `WebhookEvents.ts`. */
  readonly text: string
  /** The text of `src/v4/generated/WebhookEvents.ts`: the same events, written for Effect 4. */
  readonly text4: string
  /** Every event, in spec order. */
  readonly events: ReadonlyArray<WebhookEvent>
  /** Webhook components decoded by the Backend API's own schemas. */
  readonly shared: ReadonlySet<string>
  /** Where the schemas were loosened to the spec's examples, as `Location: change`. */
  readonly relaxed: ReadonlyArray<string>
}

/** Everything the generator writes, before it is text. */
export interface GeneratorModel {
  /** The Backend API spec's `info.version`, sent as `Clerk-API-Version`. */
  readonly apiVersion: string
  /** Every operation, in spec order. */
  readonly operations: ReadonlyArray<Operation>
  /** The groups, in order of their first operation. */
  readonly groups: ReadonlyArray<Group>
  /** The declared schemas the modules share. */
  readonly schemas: SchemaModel
  /** Present when a webhooks spec was given. */
  readonly webhooks: WebhooksModel | undefined
}

/** Module names the generator writes itself, which no group may take. */
const fixedModules = new Set(["Schemas", "Meta", "Groups"])

/** Builds the model from a patched spec; `warn` collects what the naming and reading steps could not settle. */
export const buildModel = (
  spec: Json,
  table: NamingTable,
  webhooksSpec: Json | undefined,
  warn: (message: string) => void
): GeneratorModel => {
  const resolver = makeResolver(spec)
  const operations = readOperations(spec, resolver, table, warn)
  const schemas = declareSchemas(spec, resolver, operations)
  const webhooks = webhooksSpec === undefined ? undefined : {
    version: String(webhooksSpec.info?.version),
    ...webhookEventsModule(webhooksSpec, spec, schemas.componentNames)
  }
  return {
    apiVersion: String(spec.info?.version ?? ""),
    operations,
    groups: groupsOf(operations),
    schemas,
    webhooks
  }
}

/** Groups operations by group, in order of each group's first operation. */
export const groupsOf = (operations: ReadonlyArray<Operation>): Array<Group> => {
  const byName = new Map<string, Array<Operation>>()
  for (const op of operations) {
    const list = byName.get(op.group) ?? []
    list.push(op)
    byName.set(op.group, list)
  }
  return [...byName].map(([name, ops]) => {
    const module = pascalCase(name)
    if (fixedModules.has(module)) throw new Error(`group ${name} clashes with a module name`)
    return { name, module, operations: ops }
  })
}

/** Declares every component, and every shared response with an inline schema, in one registry. */
const declareSchemas = (spec: Json, resolver: Resolver, operations: ReadonlyArray<Operation>): SchemaModel => {
  const componentNames = componentNamesOf(spec)
  const discriminators = collectDiscriminators([spec.components ?? {}, spec.paths ?? {}], resolver, componentNames)
  const components = new Registry((name) => name, true)
  for (const name of componentNames.values()) components.reserve(name)
  const context = (): SchemaContext => ({ resolver, componentNames, discriminators, deps: new Set() })
  declareComponents(spec, componentNames, components, context)
  // Shared responses with an inline schema are declared once, beside the components.
  const sharedResponseNames = new Map<string, string>()
  for (const op of operations) {
    if (op.success.kind !== "json" || op.success.sharedResponse === undefined) continue
    if (op.success.schema.$ref !== undefined || sharedResponseNames.has(op.success.sharedResponse)) continue
    const name = components.unique(pascalCase(op.success.sharedResponse))
    const schema = op.success.schema
    if (isObjectLike(schema, resolver)) emitObject(schema, name, "response", components, context(), name)
    else emitAlias(schema, name, "response", components, context())
    const decl = components.declarations.get(name)!
    components.add({ ...decl, doc: `Body of the shared response \`${op.success.sharedResponse}\`.` })
    sharedResponseNames.set(op.success.sharedResponse, name)
  }
  for (const decl of components.declarations.values()) {
    if (decl.doc === "") components.add({ ...decl, doc: `Inline schema \`${decl.name}\`.` })
  }
  return { resolver, componentNames, discriminators, components, sharedResponseNames, context }
}
