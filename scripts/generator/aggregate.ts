/** The modules that span every group: Meta, Groups, Operations and the generated index. Each is model in, text out. */
import { generatedBanner } from "./emit.js"
import type { GeneratorModel } from "./model.js"
import { pascalCase } from "./names.js"

/** `src/generated/Meta.ts`: the spec's version and the operation count. */
export const emitMeta = (model: GeneratorModel): string =>
  [
    generatedBanner,
    `/**\n * Facts about the spec the client was generated from.\n *\n * @since 0.1.0\n */`,
    "",
    `/** The spec's version, sent as \`Clerk-API-Version\`. */`,
    `export const apiVersion = ${JSON.stringify(model.apiVersion)}`,
    "",
    `/** How many operations the client covers. */`,
    `export const operationCount = ${model.operations.length}`,
    ""
  ].join("\n")

/** `src/generated/Groups.ts`: the `ClerkBackendApi` interface and `bindAll`, one member per group. */
export const emitGroupsIndex = (model: GeneratorModel): string =>
  [
    generatedBanner,
    `/**\n * Every operation group, bound together.\n *\n * @since 0.1.0\n */`,
    `import type { ClerkClientService } from "../ClerkClient.js"`,
    ...model.groups.map(({ module }) => `import * as ${module} from "./${module}.js"`),
    "",
    `/** Every group of the Backend API, bound to a client. */`,
    `export interface ClerkBackendApi {`,
    ...model.groups.map(({ module, name }) => `  readonly ${name}: ${module}.${module}Api`),
    `}`,
    "",
    `/** Binds every group to a client. */`,
    `export const bindAll = (client: ClerkClientService): ClerkBackendApi => ({`,
    ...model.groups.map(({ module, name }) => `  ${name}: ${module}.bind(client),`),
    `})`,
    ""
  ].join("\n")

/** `src/generated/Operations.ts`: every operation's descriptor keyed by `group.method`, and the non-200 statuses. */
export const emitOperationsIndex = (model: GeneratorModel): string =>
  [
    generatedBanner,
    `/**\n * Every operation by its public name (\`group.method\`), for tools that work on all of them at once:\n * the in-memory fake routes by these descriptors and types its handlers by them.\n *\n * @since 0.1.0\n */`,
    ...model.groups.map(({ module }) => `import * as ${module} from "./${module}.js"`),
    "",
    `/** Every operation, keyed by \`group.method\`. */`,
    `export const operations = {`,
    ...model.operations.map((op) =>
      `  ${JSON.stringify(`${op.group}.${op.name}`)}: ${pascalCase(op.group)}.${op.name},`
    ),
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
    ...model.operations.filter((op) => op.successStatus !== 200).map((op) =>
      `  ${JSON.stringify(`${op.group}.${op.name}`)}: ${op.successStatus},`
    ),
    `}`,
    ""
  ].join("\n")

/** `src/generated/index.ts`: the per-group namespaces, `Schemas`, and `WebhookEvents` when generated. */
export const emitIndex = (model: GeneratorModel): string =>
  [
    generatedBanner,
    `/**\n * Per-group modules, for programs that import only the groups they use.\n *\n * @since 0.1.0\n */`,
    "",
    ...model.groups.map(({ module }) =>
      `/** The \`${module}\` operations. */\nexport * as ${module} from "./${module}.js"`
    ),
    "",
    `/** The schemas of the Backend API. */`,
    `export * as Schemas from "./Schemas.js"`,
    ...(model.webhooks === undefined
      ? []
      : ["", `/** The webhook events, decoded. */`, `export * as WebhookEvents from "./WebhookEvents.js"`]),
    ""
  ].join("\n")
