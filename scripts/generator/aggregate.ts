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
    `/**\n * The spec's version, sent as \`Clerk-API-Version\`.\n *\n * @since 0.1.0\n * @category meta\n */`,
    `export const apiVersion = ${JSON.stringify(model.apiVersion)}`,
    "",
    `/**\n * How many operations the client covers.\n *\n * @since 0.1.0\n * @category meta\n */`,
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
    `/**\n * Every group of the Backend API, bound to a client.\n *\n * @since 0.1.0\n * @category models\n */`,
    `export interface ClerkBackendApi {`,
    ...model.groups.map(({ module, name }) => `  readonly ${name}: ${module}.${module}Api`),
    `}`,
    "",
    `/**\n * Binds every group to a client.\n *\n * @since 0.1.0\n * @category constructors\n */`,
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
    `/**\n * Every operation, keyed by \`group.method\`.\n *\n * @since 0.1.0\n * @category operations\n */`,
    `export const operations = {`,
    ...model.operations.map((op) =>
      `  ${JSON.stringify(`${op.group}.${op.name}`)}: ${pascalCase(op.group)}.${op.name},`
    ),
    `} as const`,
    "",
    `/**\n * The operations' table type.\n *\n * @since 0.1.0\n * @category operations\n */`,
    `export type Operations = typeof operations`,
    "",
    `/**\n * A public operation name, \`group.method\`.\n *\n * @since 0.1.0\n * @category operations\n */`,
    `export type OperationName = keyof Operations`,
    "",
    `/**\n * The 2xx status each operation answers with, where it is not 200.\n *\n * @since 0.1.0\n * @category operations\n */`,
    `export const successStatus: Partial<Record<OperationName, number>> = {`,
    ...model.operations.filter((op) => op.successStatus !== 200).map((op) =>
      `  ${JSON.stringify(`${op.group}.${op.name}`)}: ${op.successStatus},`
    ),
    `}`,
    ""
  ].join("\n")

/**
 * `src/generated/index.ts`: the per-group namespaces, `Schemas`, `Meta`, and `WebhookEvents` when generated;
 * for Effect 4, `src/v4/generated/index.ts`, whose `Meta` is the Effect 3 line's own (it holds no Effect code).
 */
export const emitIndex = (model: GeneratorModel, target: "effect3" | "effect4" = "effect3"): string =>
  [
    generatedBanner,
    `/**\n * Per-group modules, for programs that import only the groups they use.\n *\n * @since 0.1.0\n */`,
    "",
    ...model.groups.map(({ module }) =>
      `/**\n * The \`${module}\` operations.\n *\n * @since 0.1.0\n */\nexport * as ${module} from "./${module}.js"`
    ),
    "",
    `/**\n * The schemas of the Backend API.\n *\n * @since 0.1.0\n */`,
    `export * as Schemas from "./Schemas.js"`,
    "",
    `/**\n * Facts about the spec the client was generated from.\n *\n * @since 0.2.0\n */`,
    `export * as Meta from "${target === "effect3" ? "." : "../../generated"}/Meta.js"`,
    ...(model.webhooks === undefined
      ? []
      : [
        "",
        `/**\n * The webhook events, decoded.\n *\n * @since 0.1.0\n */`,
        `export * as WebhookEvents from "./WebhookEvents.js"`
      ]),
    ""
  ].join("\n")
