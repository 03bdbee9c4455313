/**
 * The generator: from a Clerk Backend API spec to the modules under `src/generated/` and the tables under docs/.
 * Pure: takes the parsed spec and the in-repo tables, returns file texts.
 */
import { emitGroupsIndex, emitIndex, emitMeta, emitOperationsIndex } from "./aggregate.js"
import {
  emitDecodersModule,
  emitGroupModules,
  emitSchemasModule,
  emitSchemasModule4,
  emitWebhookEventsModule,
  generatedBanner
} from "./emit.js"
import { formatGenerated } from "./format.js"
import type { GeneratorModel } from "./model.js"
import { buildModel } from "./model.js"
import type { NamingTable, Operation } from "./operations.js"
import type { Json, Patch } from "./spec.js"
import { applyPatchList } from "./spec.js"
import { emitOperationsTable, emitWebhookEventsTable } from "./tables.js"
import { emitWireShapesModule } from "./wireShapes.js"

/** What one run produces: the files to write and what the CLI reports. */
export interface GenerateResult {
  /** Paths relative to the repository root → contents. */
  readonly files: Map<string, string>
  /** Every operation, in spec order, as named and read. */
  readonly operations: ReadonlyArray<Operation>
  /** What the run could not settle on its own (fallback names, unsent parameters, …). */
  readonly warnings: ReadonlyArray<string>
  /** The `reason` of each patch that applied, in file order. */
  readonly patchesApplied: ReadonlyArray<string>
  /** The `reason` of each patch whose condition did not hold. */
  readonly patchesSkipped: ReadonlyArray<string>
}

/** Inputs beside the Backend API spec. */
export interface GenerateOptions {
  /** The webhook events spec; when given, `WebhookEvents.ts` and docs/webhook-events.md are generated too. */
  readonly webhooks?: Json
}

/**
 * Generates every file from a parsed spec: applies the patches whose conditions hold, builds the model
 * (operations named by the spec's hints or `table`, schemas declared, groups formed), emits each file
 * and formats the TypeScript ones. Throws on what it cannot generate faithfully (a name clash, an
 * unsupported request body); anything it settled by a fallback is in `warnings`.
 */
export const generate = (
  rawSpec: Json,
  patches: ReadonlyArray<Patch>,
  table: NamingTable,
  options: GenerateOptions = {}
): GenerateResult => {
  const { applied, skipped, spec } = applyPatchList(rawSpec, patches)
  const warnings: Array<string> = []
  const model = buildModel(spec, table, options.webhooks, (message) => warnings.push(message))
  const files = new Map(emitFiles(model).map(([file, text]) => [file, formatGenerated(file, text)]))
  return { files, operations: model.operations, warnings, patchesApplied: applied, patchesSkipped: skipped }
}

/** Every file of a model, unformatted, in writing order. */
export const emitFiles = (model: GeneratorModel): Array<readonly [file: string, text: string]> => [
  ["src/generated/Schemas.ts", emitSchemasModule(model)],
  ["src/generated/Decoders.ts", emitDecodersModule(model)],
  ["src/v4/generated/Schemas.ts", emitSchemasModule4(model)],
  ...model.groups.flatMap((group) => {
    const modules = emitGroupModules(model, group)
    return [
      [`src/generated/${group.module}.ts`, modules.effect3] as const,
      [`src/v4/generated/${group.module}.ts`, modules.effect4] as const,
      ...(modules.decoders === "" ? [] : [[`src/generated/decoders/${group.module}.ts`, modules.decoders] as const])
    ]
  }),
  ["src/generated/Meta.ts", emitMeta(model)],
  ["src/generated/Groups.ts", emitGroupsIndex(model)],
  ["src/generated/Operations.ts", emitOperationsIndex(model)],
  ["src/generated/WireShapes.ts", emitWireShapesModule(model.operations, model.schemas.resolver, generatedBanner)],
  ...(model.webhooks === undefined ? [] : [
    ["src/generated/WebhookEvents.ts", emitWebhookEventsModule(model.webhooks)] as const,
    ["src/v4/generated/WebhookEvents.ts", emitWebhookEventsModule(model.webhooks, "effect4")] as const,
    ["docs/webhook-events.md", emitWebhookEventsTable(model.webhooks)] as const
  ]),
  ["src/generated/index.ts", emitIndex(model)],
  // The Effect 4 line's aggregates read the same way: their relative imports resolve to its own modules.
  ["src/v4/generated/Groups.ts", emitGroupsIndex(model)],
  ["src/v4/generated/Operations.ts", emitOperationsIndex(model)],
  ["src/v4/generated/index.ts", emitIndex(model, "effect4")],
  ["docs/operations.md", emitOperationsTable(model)]
]
