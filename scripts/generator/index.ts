/**
 * The generator: from a Clerk Backend API spec to the modules under `src/generated/`.
 * Pure: takes the parsed spec and the in-repo tables, returns file texts.
 */
import { componentsModule, generatedBanner, groupModule } from "./emit.js"
import { formatGenerated } from "./format.js"
import { pascalCase } from "./names.js"
import type { NamingTable, Operation } from "./operations.js"
import { readOperations } from "./operations.js"
import type { SchemaContext } from "./schemas.js"
import {
  collectDiscriminators,
  componentNamesOf,
  declareComponents,
  emitAlias,
  emitObject,
  isObjectLike,
  Registry
} from "./schemas.js"
import type { Json, Patch } from "./spec.js"
import { applyPatchList, makeResolver } from "./spec.js"
import type { WebhookEvent } from "./webhooks.js"
import { webhookEventsModule } from "./webhooks.js"

export interface GenerateResult {
  /** Paths relative to the repository root → contents. */
  readonly files: Map<string, string>
  readonly operations: ReadonlyArray<Operation>
  readonly warnings: ReadonlyArray<string>
  readonly patchesApplied: ReadonlyArray<string>
  readonly patchesSkipped: ReadonlyArray<string>
}

export interface GenerateOptions {
  /** The webhook events spec; when given, `WebhookEvents.ts` and docs/webhook-events.md are generated too. */
  readonly webhooks?: Json
}

export const generate = (
  rawSpec: Json,
  patches: ReadonlyArray<Patch>,
  table: NamingTable,
  options: GenerateOptions = {}
): GenerateResult => {
  const { spec, applied, skipped } = applyPatchList(rawSpec, patches)
  const resolver = makeResolver(spec)
  const warnings: Array<string> = []
  const warn = (message: string) => warnings.push(message)
  const operations = readOperations(spec, resolver, table, warn)

  const componentNames = componentNamesOf(spec)
  const discriminators = collectDiscriminators([spec.components ?? {}, spec.paths ?? {}], resolver, componentNames)

  const components = new Registry((name) => name, true)
  for (const name of componentNames.values()) components.reserve(name)
  const ctxFor = (): SchemaContext => ({ resolver, componentNames, discriminators, deps: new Set() })
  declareComponents(spec, componentNames, components, ctxFor)
  // Shared responses with an inline schema are declared once, beside the components.
  const sharedResponseNames = new Map<string, string>()
  for (const op of operations) {
    if (op.success.kind !== "json" || op.success.sharedResponse === undefined) continue
    if (op.success.schema.$ref !== undefined || sharedResponseNames.has(op.success.sharedResponse)) continue
    const name = components.unique(pascalCase(op.success.sharedResponse))
    const schema = op.success.schema
    if (isObjectLike(schema, resolver)) emitObject(schema, name, "response", components, ctxFor(), name)
    else emitAlias(schema, name, "response", components, ctxFor())
    const decl = components.declarations.get(name)!
    components.add({ ...decl, doc: `Body of the shared response \`${op.success.sharedResponse}\`.` })
    sharedResponseNames.set(op.success.sharedResponse, name)
  }
  for (const decl of components.declarations.values()) {
    if (decl.doc === "") components.add({ ...decl, doc: `Inline schema \`${decl.name}\`.` })
  }

  const files = new Map<string, string>()
  files.set("src/generated/Schemas.ts", componentsModule(components))

  const groups = new Map<string, Array<Operation>>()
  for (const op of operations) {
    const list = groups.get(op.group) ?? []
    list.push(op)
    groups.set(op.group, list)
  }
  const groupModules: Array<{ group: string; module: string }> = []
  for (const [group, ops] of groups) {
    const module = pascalCase(group)
    if (module === "Schemas" || module === "Meta" || module === "Groups") {
      throw new Error(`group ${group} clashes with a module name`)
    }
    const registry = new Registry((name) => `Schemas.${name}`, false)
    files.set(`src/generated/${module}.ts`, groupModule(group, ops, registry, ctxFor(), sharedResponseNames))
    groupModules.push({ group, module })
  }

  files.set(
    "src/generated/Meta.ts",
    [
      generatedBanner,
      `/**\n * Facts about the spec the client was generated from.\n *\n * @since 0.1.0\n */`,
      "",
      `/** The spec's version, sent as \`Clerk-API-Version\`. */`,
      `export const apiVersion = ${JSON.stringify(String(spec.info?.version ?? ""))}`,
      "",
      `/** How many operations the client covers. */`,
      `export const operationCount = ${operations.length}`,
      ""
    ].join("\n")
  )

  files.set(
    "src/generated/Groups.ts",
    [
      generatedBanner,
      `/**\n * Every operation group, bound together.\n *\n * @since 0.1.0\n */`,
      `import type { ClerkClientService } from "../ClerkClient.js"`,
      ...groupModules.map(({ module }) => `import * as ${module} from "./${module}.js"`),
      "",
      `/** Every group of the Backend API, bound to a client. */`,
      `export interface ClerkBackendApi {`,
      ...groupModules.map(({ group, module }) => `  readonly ${group}: ${module}.${module}Api`),
      `}`,
      "",
      `/** Binds every group to a client. */`,
      `export const bindAll = (client: ClerkClientService): ClerkBackendApi => ({`,
      ...groupModules.map(({ group, module }) => `  ${group}: ${module}.bind(client),`),
      `})`,
      ""
    ].join("\n")
  )

  files.set(
    "src/generated/Operations.ts",
    [
      generatedBanner,
      `/**\n * Every operation by its public name (\`group.method\`), for tools that work on all of them at once:\n * the in-memory fake routes by these descriptors and types its handlers by them.\n *\n * @since 0.1.0\n */`,
      ...groupModules.map(({ module }) => `import * as ${module} from "./${module}.js"`),
      "",
      `/** Every operation, keyed by \`group.method\`. */`,
      `export const operations = {`,
      ...operations.map((op) => `  ${JSON.stringify(`${op.group}.${op.name}`)}: ${pascalCase(op.group)}.${op.name},`),
      `} as const`,
      "",
      `/** The operations' table type. */`,
      `export type Operations = typeof operations`,
      "",
      `/** A public operation name, \`group.method\`. */`,
      `export type OperationName = keyof Operations`,
      "",
      `/** The 2xx status each operation answers with, where it is not 200. */`,
      `export const successStatus: Partial<Record<OperationName, number>> = {`,
      ...operations.filter((op) => op.successStatus !== 200).map((op) =>
        `  ${JSON.stringify(`${op.group}.${op.name}`)}: ${op.successStatus},`
      ),
      `}`,
      ""
    ].join("\n")
  )

  const webhooks = options.webhooks === undefined
    ? undefined
    : webhookEventsModule(options.webhooks, spec, componentNames)
  if (webhooks !== undefined) {
    files.set("src/generated/WebhookEvents.ts", [generatedBanner, webhooks.text].join("\n"))
    files.set(
      "docs/webhook-events.md",
      webhookEventsTable(webhooks.events, webhooks.shared, webhooks.relaxed, options.webhooks)
    )
  }

  files.set(
    "src/generated/index.ts",
    [
      generatedBanner,
      `/**\n * Per-group modules, for programs that import only the groups they use.\n *\n * @since 0.1.0\n */`,
      "",
      ...groupModules.map(({ module }) =>
        `/** The \`${module}\` operations. */\nexport * as ${module} from "./${module}.js"`
      ),
      "",
      `/** The schemas of the Backend API. */`,
      `export * as Schemas from "./Schemas.js"`,
      ...(webhooks === undefined
        ? []
        : ["", `/** The webhook events, decoded. */`, `export * as WebhookEvents from "./WebhookEvents.js"`]),
      ""
    ].join("\n")
  )

  files.set("docs/operations.md", operationsTable(operations, spec))
  for (const [file, text] of files) files.set(file, formatGenerated(file, text))
  return { files, operations, warnings, patchesApplied: applied, patchesSkipped: skipped }
}

const webhookEventsTable = (
  events: ReadonlyArray<WebhookEvent>,
  shared: ReadonlySet<string>,
  relaxed: ReadonlyArray<string>,
  webhooks: Json
): string =>
  [
    "<!-- Generated by scripts/generate.ts; do not edit. -->",
    "# Webhook events",
    "",
    `All ${events.length} events of the webhooks spec version \`${webhooks.info?.version}\`, decoded by \`ClerkWebhooks\` into`,
    "`WebhookEvents.ClerkWebhookEvent`, discriminated on `type`. A type not listed here decodes as",
    "`UnknownWebhookEvent`.",
    "",
    "| Event type | Decoded as |",
    "| --- | --- |",
    ...events.map((event) => `| \`${event.type}\` | \`WebhookEvents.${event.name}\` |`),
    "",
    `Data schemas shared with the Backend API (the same objects, decoded by \`Schemas.*\`): ${
      [...shared].sort().map((k) => `\`${k}\``).join(", ")
    }.`,
    "",
    "Loosened where the spec's own example payloads contradict its schemas (a required property the examples",
    "leave out is optional, a `null` they carry is allowed), so real events are not refused:",
    "",
    ...relaxed.map((change) => `- \`${change.split(": ")[0]}\`: ${change.split(": ")[1]}`),
    ""
  ].join("\n")

const operationsTable = (operations: ReadonlyArray<Operation>, spec: Json): string => {
  const rows = operations.map((op) => {
    const stream = op.pagination ? `\`${op.pagination.streamName}\`` : ""
    const naming = op.naming === "spec" ? "" : op.naming === "table" ? " ¹" : " ²"
    return `| \`${op.group}.${op.name}\`${naming} | ${stream} | ${op.method} | \`${op.path}\` | ${op.operationId} | ${
      op.deprecated ? "yes" : ""
    } |`
  })
  return [
    "<!-- Generated by scripts/generate.ts; do not edit. -->",
    "# Operations",
    "",
    `All ${operations.length} operations of the Backend API spec version \`${spec.info?.version}\`, as \`clerk.<group>.<method>\``,
    "on `ClerkBackend` and as `<Group>.<method>` in the per-group modules. The stream column names the",
    "variant that returns every item as a `Stream`, fetching pages on demand.",
    "",
    "¹ named by `codegen/names.json` (the spec gives no SDK name). ² named by the fallback rule (first path segment, operationId).",
    "",
    "| Method | Stream | HTTP | Path | operationId | Deprecated |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    ""
  ].join("\n")
}
