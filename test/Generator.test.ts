/**
 * The generator, run in memory: against the committed output (the in-test
 * `generate:check`), against edited copies of the real spec (so it is not tuned
 * to one file), and against a small made-up spec that needs nothing outside the repo.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { generate } from "../scripts/generator/index.js"
import type { GenerateResult } from "../scripts/generator/index.js"
import type { NamingTable } from "../scripts/generator/operations.js"
import type { Json, Patch } from "../scripts/generator/spec.js"
import { loadSpec } from "../scripts/generator/spec.js"
import { defaultSpecPath, webhooksSpecFor } from "../scripts/generator/specPaths.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const specPath = defaultSpecPath(root)
const hasSpec = fs.existsSync(specPath)
const webhooksPath = webhooksSpecFor(specPath)
/** The webhook events spec beside the API spec, as the CLI finds it. */
const webhooksOptions = () => (fs.existsSync(webhooksPath) ? { webhooks: loadSpec(webhooksPath) } : {})
if (!hasSpec) {
  console.warn(
    `Generator.test: skipping the real-spec tests, no spec at ${specPath} (set CLERK_OPENAPI_SPEC to point at one)`
  )
}

const readJson = (relative: string) => JSON.parse(fs.readFileSync(path.join(root, relative), "utf8"))
const patches: ReadonlyArray<Patch> = readJson("codegen/patches.json")
const names: NamingTable = readJson("codegen/names.json")
const emptyTable: NamingTable = { operations: {}, arrayBodies: {} }

/** The declaration of `name` (its doc, type, `Encoded` twin and schema const) within a module's text. */
const declarationOf = (text: string, name: string): string => {
  const chunk = text.split("\n\n").find((part) =>
    part.includes(`export interface ${name} {`) || part.includes(`export type ${name} =`)
  )
  if (chunk === undefined) throw new Error(`no declaration of ${name}`)
  return chunk
}

/** A generated file's text, without the pure markers on nested calls (asserted once, below), so expectations stay readable. */
const fileOf = (result: GenerateResult, file: string): string =>
  rawFileOf(result, file).replace(/(?<!= )\/\*#__PURE__\*\/ /g, "")

const rawFileOf = (result: GenerateResult, file: string): string => {
  const text = result.files.get(file)
  if (text === undefined) throw new Error(`the generator produced no ${file}`)
  return text
}

/**
 * Generated code as one line with dprint's line breaks undone (the generator formats its output at 120
 * columns), so an expectation names an expression once whatever width it was wrapped to.
 */
const oneLine = (text: string): string =>
  text.replace(/\s+/g, " ").replace(/([([{]) /g, "$1").replace(/ ([)\]}])/g, "$1").replace(/,([)\]}])/g, "$1")

/** Files whose text differs between two runs, or exists in only one. */
const changedFiles = (a: GenerateResult, b: GenerateResult): Array<string> =>
  [...new Set([...a.files.keys(), ...b.files.keys()])].filter((file) => a.files.get(file) !== b.files.get(file)).sort()

/** Deletes every operation of one group, and path items left empty. */
const removeGroup = (spec: Json, baseline: GenerateResult, group: string) => {
  for (const op of baseline.operations) {
    if (op.group !== group) continue
    delete spec.paths[op.path][op.method.toLowerCase()]
    const left = Object.keys(spec.paths[op.path]).filter((key) =>
      ["get", "put", "post", "delete", "patch", "head", "options"].includes(key)
    )
    if (left.length === 0) delete spec.paths[op.path]
  }
}

const addFrobnicate = (spec: Json) => {
  spec.paths["/users/{user_id}/frobnicate"] = {
    post: {
      operationId: "FrobnicateUser",
      "x-speakeasy-group": "users",
      "x-speakeasy-name-override": "frobnicate",
      parameters: [
        { name: "user_id", in: "path", required: true, schema: { type: "string" } },
        { name: "dry_run", in: "query", required: false, schema: { type: "boolean" } }
      ],
      requestBody: {
        required: true,
        content: {
          "application/json": {
            schema: {
              type: "object",
              properties: { level: { type: "integer" }, note_text: { type: "string" } },
              required: ["level"]
            }
          }
        }
      },
      responses: {
        "200": {
          description: "ok",
          content: { "application/json": { schema: { $ref: "#/components/schemas/User" } } }
        },
        "404": {
          description: "missing",
          content: { "application/json": { schema: { $ref: "#/components/schemas/ClerkErrors" } } }
        }
      }
    }
  }
}

/** A brand-new group with its own component and a paged list. */
const addWidgets = (spec: Json) => {
  spec.components.schemas.Widget = {
    type: "object",
    properties: { id: { type: "string" }, object: { type: "string", enum: ["widget"] }, size_mm: { type: "integer" } },
    required: ["id", "object"]
  }
  spec.paths["/widgets"] = {
    get: {
      operationId: "ListWidgets",
      "x-speakeasy-group": "widgets",
      "x-speakeasy-name-override": "list",
      parameters: [
        { name: "limit", in: "query", schema: { type: "integer" } },
        { name: "offset", in: "query", schema: { type: "integer" } }
      ],
      responses: {
        "200": {
          description: "ok",
          content: {
            "application/json": {
              schema: {
                type: "object",
                properties: {
                  data: { type: "array", items: { $ref: "#/components/schemas/Widget" } },
                  total_count: { type: "integer" }
                },
                required: ["data", "total_count"]
              }
            }
          }
        }
      }
    }
  }
}

/** An operation the spec gives no SDK names and the naming table does not list. */
const addUnnamed = (spec: Json) => {
  spec.paths["/gizmos/{gizmo_id}/spin"] = {
    post: {
      operationId: "SpinGizmo",
      parameters: [{ name: "gizmo_id", in: "path", required: true, schema: { type: "string" } }],
      responses: { "204": { description: "spun" } }
    }
  }
}

const otpStatus = (spec: Json) => spec.components.schemas.verification_otp.properties.status

const removeFirstName = (spec: Json) => {
  const user = spec.components.schemas.User
  delete user.properties.first_name
  user.required = user.required.filter((key: string) => key !== "first_name")
}

describe.skipIf(!hasSpec)("generator on the real spec", () => {
  let spec: Json
  let baseline: GenerateResult
  const fresh = (): Json => structuredClone(spec)

  beforeAll(() => {
    spec = loadSpec(specPath)
    baseline = generate(spec, patches, names, webhooksOptions())
  })

  describe("generate:check", () => {
    it("produces exactly the committed files", () => {
      const stale = [...baseline.files].filter(([file, text]) => {
        const target = path.join(root, file)
        return !fs.existsSync(target) || fs.readFileSync(target, "utf8") !== text
      }).map(([file]) => file)
      expect(stale, "regenerate with `npm run generate`").toEqual([])
    })

    it("leaves nothing in src/generated/ that it does not produce", () => {
      for (const dir of ["src/generated", "src/generated/decoders", "src/v4/generated"]) {
        const produced = [...baseline.files.keys()].filter((file) => path.dirname(file) === dir).map((file) =>
          path.basename(file)
        ).sort()
        const present = fs.readdirSync(path.join(root, dir), { withFileTypes: true }).filter((entry) => entry.isFile())
          .map((entry) => entry.name).sort()
        expect(present, dir).toEqual(produced)
      }
      expect(baseline.files.has("docs/operations.md")).toBe(true)
    })

    it("is deterministic and leaves its input alone", () => {
      const before = structuredClone(spec)
      const again = generate(spec, patches, names, webhooksOptions())
      expect(changedFiles(baseline, again)).toEqual([])
      expect(again.warnings).toEqual(baseline.warnings)
      expect(spec).toEqual(before)
    })

    it.skipIf(!fs.existsSync(webhooksPath))("writes the webhook events for both lines from one model", () => {
      const effect3 = rawFileOf(baseline, "src/generated/WebhookEvents.ts")
      const effect4 = rawFileOf(baseline, "src/v4/generated/WebhookEvents.ts")
      const exportsOf = (text: string) =>
        [...text.matchAll(/^export (?:const|type|interface) (\w+)/gm)].map((m) => m[1]).sort()
      expect(exportsOf(effect4)).toEqual(exportsOf(effect3))
      expect(effect3).toContain("The webhook events Clerk delivers, decoded: one type per event")
      expect(effect4).toContain("The webhook events Clerk delivers, decoded, for Effect 4")
      // The unknown-event fallback, written for each line's Schema.
      expect(oneLine(effect3)).toContain("type: I.req(I.otherThan(knownEventTypes), \"type\")")
      expect(oneLine(effect4)).toContain("type: I.otherThan(knownEventTypes)")
      expect(effect4).toContain("I.unknownEvent(")
      expect(effect4).toContain(
        "Schema.Codec<ClerkWebhookEvent, ClerkWebhookEvent.Encoded> = /*#__PURE__*/ I.lazy(() =>\n  I.taggedUnion(["
      )
      expect(fileOf(baseline, "src/v4/generated/index.ts")).toContain(
        "export * as WebhookEvents from \"./WebhookEvents.js\""
      )
    })

    it("agrees with the spec on the operation count and version", () => {
      let count = 0
      for (const item of Object.values<Json>(spec.paths)) {
        for (const method of ["get", "put", "post", "delete", "patch", "head", "options"]) {
          if (item[method] !== undefined) count++
        }
      }
      // The one in-repo patch drops a parameter, not an operation.
      expect(baseline.operations).toHaveLength(count)
      expect(fileOf(baseline, "src/generated/Meta.ts")).toContain(`export const operationCount = ${count}`)
      expect(fileOf(baseline, "src/generated/Meta.ts")).toContain(
        `export const apiVersion = ${JSON.stringify(String(spec.info.version))}`
      )
      expect(baseline.patchesApplied).toEqual(patches.map((p) => p.reason))
    })
  })

  describe("reference links", () => {
    it("links an operation's JSDoc, on the export and on the bound API, to its page in Clerk's reference", () => {
      const users = fileOf(baseline, "src/generated/Users.ts")
      expect(users).toContain([
        "/**",
        " * `GET /users/{user_id}` (`GetUser`)",
        " *",
        " * @see https://clerk.com/docs/reference/backend-api/tag/Users#operation/GetUser",
        " * @category users",
        " * @since 0.1.0",
        " */",
        "export const get: "
      ].join("\n"))
      expect(users).toContain([
        "  /**",
        "   * `GET /users/{user_id}` (`GetUser`)",
        "   *",
        "   * @see https://clerk.com/docs/reference/backend-api/tag/Users#operation/GetUser",
        "   */",
        "  readonly get: "
      ].join("\n"))
    })

    it("writes a tag's spaces as dashes and URL-encodes the rest", () => {
      expect(fileOf(baseline, "src/generated/AllowlistIdentifiers.ts")).toContain(
        " * @see https://clerk.com/docs/reference/backend-api/tag/Allow-list-%2F-Block-list#operation/ListAllowlistIdentifiers\n"
      )
      expect(fileOf(baseline, "src/generated/Templates.ts")).toContain(
        " * @see https://clerk.com/docs/reference/backend-api/tag/Email-%26-SMS-Templates#operation/PreviewTemplate\n"
      )
    })

    it("gives every operation and every stream a link", () => {
      const links = [...baseline.files].filter(([file]) => file.startsWith("src/generated/")).flatMap(([, text]) =>
        text.match(/^ \* @see https:\/\/clerk\.com\/docs\/reference\/backend-api\/tag\/[^#\s]+#operation\/\S+$/gm) ?? []
      )
      const streams = baseline.operations.filter((op) => op.pagination !== undefined).length
      expect(links).toHaveLength(baseline.operations.length + streams)
    })
  })

  it("keeps the email and SMS template operations in the three groups docs/regenerating.md explains", () => {
    const templates = baseline.operations.filter((op) => op.tag === "Email & SMS Templates")
    expect(templates.map((op) => [`${op.group}.${op.name}`, op.operationId, op.deprecated])).toEqual([
      ["emailSMSTemplates.list", "GetTemplateList", true],
      ["emailSMSTemplates.get", "GetTemplate", true],
      ["emailAndSmsTemplates.upsert", "UpsertTemplate", true],
      ["emailSMSTemplates.revert", "RevertTemplate", true],
      ["templates.preview", "PreviewTemplate", true],
      ["emailSMSTemplates.toggleTemplateDelivery", "ToggleTemplateDelivery", true]
    ])
    expect(templates.every((op) => op.naming === "spec")).toBe(true)
    expect(names.$comment).toContain("docs/regenerating.md#three-groups-for-the-email-and-sms-templates")
    expect(fs.readFileSync(path.join(root, "docs/regenerating.md"), "utf8")).toContain(
      "\n### Three groups for the email and SMS templates\n"
    )
  })

  describe("edited copies of the spec", () => {
    it("(a) places an added operation in its group, with its names, method, path and params", () => {
      const edited = fresh()
      addFrobnicate(edited)
      const result = generate(edited, patches, names, webhooksOptions())
      expect(changedFiles(baseline, result)).toEqual([
        "docs/operations.md",
        "src/generated/Meta.ts",
        "src/generated/Operations.ts",
        "src/generated/Users.ts",
        "src/generated/WireShapes.ts",
        "src/v4/generated/Operations.ts",
        "src/v4/generated/Users.ts"
      ])
      expect(result.operations).toHaveLength(baseline.operations.length + 1)
      expect(result.operations.find((op) => op.operationId === "FrobnicateUser")).toMatchObject({
        group: "users",
        name: "frobnicate",
        method: "POST",
        path: "/users/{user_id}/frobnicate",
        naming: "spec",
        body: "json-required"
      })

      const users = fileOf(result, "src/generated/Users.ts")
      expect(declarationOf(users, "FrobnicateParams")).toBe([
        "/**",
        " * Parameters of {@link frobnicate}.",
        " *",
        " * @category users",
        " * @since 0.1.0",
        " */",
        "export interface FrobnicateParams {",
        "  readonly userId: string",
        "  readonly dryRun?: boolean",
        "  readonly level: number",
        "  readonly noteText?: string",
        "}",
        "/** Wire form of {@link FrobnicateParams}. */",
        "export declare namespace FrobnicateParams {",
        "  /** FrobnicateParams as sent and received, snake_case. */",
        "  export interface Encoded {",
        "    readonly user_id: string",
        "    readonly dry_run?: boolean",
        "    readonly level: number",
        "    readonly note_text?: string",
        "  }",
        "}",
        "/**",
        " * Schema of {@link FrobnicateParams}.",
        " *",
        " * @category users",
        " * @since 0.1.0",
        " */",
        "export const FrobnicateParams: Schema.Schema<FrobnicateParams, FrobnicateParams.Encoded> = /*#__PURE__*/ I.lazy(() =>",
        "  Schema.Struct({",
        "    userId: I.req(Schema.String, \"user_id\"),",
        "    dryRun: I.opt(Schema.Boolean, \"dry_run\"),",
        "    level: I.req(Schema.Int, \"level\"),",
        "    noteText: I.opt(Schema.String, \"note_text\")",
        "  })",
        ")"
      ].join("\n"))
      expect(users).toContain("export type FrobnicateError = ClerkError.ClerkNotFound | ClerkError.ClerkCommonError")
      expect(users).toContain([
        "export const frobnicate: ClerkOperation.Call<FrobnicateParams, Schemas.User, FrobnicateError> = /*#__PURE__*/ Op.make({",
        "  name: \"users.frobnicate\",",
        "  method: \"POST\",",
        "  path: \"/users/{user_id}/frobnicate\",",
        "  params: FrobnicateParams,",
        "  pathParams: [\"user_id\"],",
        "  queryParams: [\"dry_run\"],",
        "  body: \"json-required\",",
        "  success: Schemas.User,",
        "  decode: Decoders.User,",
        "  errors: [404]",
        "})"
      ].join("\n"))
      expect(users).toContain(
        "  readonly frobnicate: (params: FrobnicateParams) => Effect.Effect<Schemas.User, FrobnicateError>"
      )
      expect(users).toMatch(/Op\.bind<UsersApi>\(client, \{[^}]*\bfrobnicate\b[^}]*\}\)/)
      expect(fileOf(result, "docs/operations.md")).toContain(
        "| `users.frobnicate` |  | POST | `/users/{user_id}/frobnicate` | FrobnicateUser |  |"
      )
      expect(fileOf(result, "src/generated/Meta.ts")).toContain(
        `export const operationCount = ${baseline.operations.length + 1}`
      )
    })

    it("(a) gives an added group its own module, wired into Groups and index", () => {
      const edited = fresh()
      addWidgets(edited)
      const result = generate(edited, patches, names, webhooksOptions())
      const widgets = fileOf(result, "src/generated/Widgets.ts")
      expect(oneLine(widgets)).toContain(
        "export const list: ClerkOperation.CallOptional<ListParams, ListResponse, ListError> = /*#__PURE__*/ Op.make({"
      )
      expect(widgets).toContain("  name: \"widgets.list\",\n  method: \"GET\",\n  path: \"/widgets\",")
      expect(oneLine(widgets)).toContain(
        "export const listAll: ClerkOperation.Pages<ListAllParams, Schemas.Widget, ListError> = /*#__PURE__*/ Op.paginate(list, {items: \"data\", total: true})"
      )
      expect(declarationOf(fileOf(result, "src/generated/Schemas.ts"), "Widget")).toContain(
        "  sizeMm: I.optNullAsAbsent(Schema.Number, \"size_mm\")"
      )
      // Built on first use, behind one call marked pure, so a bundler can drop an unused declaration whole.
      expect(declarationOf(rawFileOf(result, "src/generated/Schemas.ts"), "Widget")).toContain(
        "export const Widget: Schema.Schema<Widget, Widget.Encoded> = /*#__PURE__*/ I.lazy(() =>\n  Schema.Struct({"
      )
      // Its decoder reads the wire key and writes the camelCase one, leaving a null (which the spec does not allow) out.
      expect(fileOf(result, "src/generated/Decoders.ts")).toContain([
        "  {",
        "    const v = u.size_mm",
        "    if (v !== null && (v !== undefined || D.hasOwn(u, \"size_mm\"))) {",
        "      if (!(typeof v === \"number\")) return D.rejected",
        "      out.sizeMm = v",
        "    }",
        "  }"
      ].join("\n"))
      // Its own response shape decodes by a function of the group's decoders module, which both lines import.
      expect(widgets).toContain("decode: GroupDecoders.decodeListResponse")
      expect(fileOf(result, "src/v4/generated/Widgets.ts")).toContain("decode: GroupDecoders.decodeListResponse")
      expect(fileOf(result, "src/v4/generated/Widgets.ts")).toContain(
        "import * as GroupDecoders from \"../../generated/decoders/Widgets.js\""
      )
      expect(fileOf(result, "src/generated/decoders/Widgets.ts")).toContain("export function decodeListResponse(")
      expect(fileOf(result, "src/generated/decoders/Widgets.ts")).not.toContain("effect/")
      expect(fileOf(result, "src/generated/Groups.ts")).toContain("  readonly widgets: Widgets.WidgetsApi")
      expect(oneLine(fileOf(result, "src/generated/Groups.ts"))).toContain(" widgets: Widgets.bind(client)")
      expect(fileOf(result, "src/generated/index.ts")).toContain("export * as Widgets from \"./Widgets.js\"")
      expect(fileOf(result, "docs/operations.md")).toContain(
        "| `widgets.list` | `listAll` | GET | `/widgets` | ListWidgets |  |"
      )
    })

    it("(b) carries an added response enum value into the open enum and the type", () => {
      const edited = fresh()
      const known: Array<string> = [...otpStatus(edited).enum]
      otpStatus(edited).enum.push("paused")
      const result = generate(edited, patches, names, webhooksOptions())
      const before = declarationOf(fileOf(baseline, "src/generated/Schemas.ts"), "VerificationOtp")
      const after = declarationOf(fileOf(result, "src/generated/Schemas.ts"), "VerificationOtp")
      const literals = (values: ReadonlyArray<string>) => values.map((v) => JSON.stringify(v))
      expect(before).not.toContain("\"paused\"")
      expect(oneLine(after)).toContain(
        `status: I.req(I.openEnum(${literals([...known, "paused"]).join(", ")}), "status")`
      )
      expect(after).toContain(`  readonly status: ${literals([...known, "paused"]).join(" | ")} | (string & {})`)
      // The wire type stays a plain string: that is what makes the enum open.
      expect(after).toContain("    readonly status: string")
    })

    it("(c) drops a removed field from the interface, its wire form and its schema", () => {
      const edited = fresh()
      removeFirstName(edited)
      const result = generate(edited, patches, names, webhooksOptions())
      const before = declarationOf(fileOf(baseline, "src/generated/Schemas.ts"), "User")
      const after = declarationOf(fileOf(result, "src/generated/Schemas.ts"), "User")
      for (const text of ["readonly firstName:", "readonly first_name:", "firstName: I.req("]) {
        expect(before).toContain(text)
        expect(after).not.toContain(text)
      }
      expect(after).toContain("readonly lastName:")
      expect(after).toContain("lastName: I.req(")
    })

    it("(d) still generates from an older spec missing a group, and drops that group's module", () => {
      const edited = fresh()
      removeGroup(edited, baseline, "webhooks")
      edited.info.version = "2024-10-01"
      const removed = baseline.operations.filter((op) => op.group === "webhooks").length
      expect(removed).toBeGreaterThan(0)
      const result = generate(edited, patches, names, webhooksOptions())
      expect(result.files.has("src/generated/Webhooks.ts")).toBe(false)
      expect(result.operations).toHaveLength(baseline.operations.length - removed)
      expect(fileOf(result, "src/generated/Groups.ts")).not.toContain("Webhooks")
      expect(fileOf(result, "src/generated/index.ts")).not.toContain("Webhooks")
      expect(fileOf(result, "src/generated/Meta.ts")).toContain("export const apiVersion = \"2024-10-01\"")
      expect(fileOf(result, "docs/operations.md")).not.toContain("`webhooks.")
      // Every other group is untouched by the removal.
      const otherGroups = changedFiles(baseline, result).filter((file) =>
        file.startsWith("src/generated/") &&
        !["Schemas.ts", "Groups.ts", "index.ts", "Meta.ts", "Operations.ts", "Webhooks.ts", "WireShapes.ts"].includes(
          path.basename(file)
        )
      )
      expect(otherGroups).toEqual([])
    })

    it("(e) refuses a path or query param and a body field that share a camelCase name, naming the operation", () => {
      const pathClash = fresh()
      pathClash.paths["/users/{user_id}"].patch.requestBody.content["application/json"].schema.properties.userId = {
        type: "string"
      }
      expect(() => generate(pathClash, patches, names)).toThrow(
        /UpdateUser: path parameter "user_id" and body parameter "userId" both become "userId"/
      )

      const queryClash = fresh()
      addFrobnicate(queryClash)
      queryClash.paths["/users/{user_id}/frobnicate"].post.requestBody.content["application/json"].schema.properties
        .dryRun = { type: "boolean" }
      expect(() => generate(queryClash, patches, names)).toThrow(
        /FrobnicateUser: query parameter "dry_run" and body parameter "dryRun"/
      )

      const wireClash = fresh()
      wireClash.paths["/users/{user_id}"].patch.requestBody.content["application/json"].schema.properties.user_id = {
        type: "string"
      }
      expect(() => generate(wireClash, patches, names)).toThrow(/UpdateUser/)
    })

    it("(f) names an operation the spec and table leave unnamed, and warns", () => {
      const edited = fresh()
      addUnnamed(edited)
      const result = generate(edited, patches, names, webhooksOptions())
      expect(result.operations.find((op) => op.operationId === "SpinGizmo")).toMatchObject({
        group: "gizmos",
        name: "spinGizmo",
        naming: "derived"
      })
      expect(result.warnings.filter((w) => !baseline.warnings.includes(w))).toEqual([
        "SpinGizmo: no x-speakeasy names and no entry in codegen/names.json; named gizmos.spinGizmo"
      ])
      expect(fileOf(result, "src/generated/Gizmos.ts")).toContain(
        "export const spinGizmo: ClerkOperation.Call<SpinGizmoParams, void, SpinGizmoError>"
      )
      expect(fileOf(result, "docs/operations.md")).toContain(
        "| `gizmos.spinGizmo` ² |  | POST | `/gizmos/{gizmo_id}/spin` | SpinGizmo |  |"
      )
    })

    it("(f) lets the naming table name operations the spec does not", () => {
      const tabled = baseline.operations.filter((op) => op.naming === "table")
      expect(tabled.map((op) => op.operationId).sort()).toEqual(Object.keys(names.operations).sort())
      for (const op of tabled) expect({ group: op.group, name: op.name }).toEqual(names.operations[op.operationId])
    })

    it("(g) skips a patch whose condition no longer holds", () => {
      const edited = fresh()
      // A newer spec without the deprecated duplicate parameter the in-repo patch removes.
      edited.paths["/public/interstitial"].get.parameters.splice(0, 1)
      const result = generate(edited, patches, names, webhooksOptions())
      expect(result.patchesApplied).toEqual([])
      expect(result.patchesSkipped).toEqual(patches.map((p) => p.reason))
      expect(changedFiles(baseline, result)).toEqual([])

      const gone = fresh()
      delete gone.paths["/public/interstitial"]
      const withoutPath = generate(gone, [...patches, {
        reason: "aimed at nothing",
        when: [{ path: "/paths/~1nowhere/get/operationId", value: "X" }],
        apply: [{ op: "remove", path: "/paths/~1nowhere" }]
      }], names)
      expect(withoutPath.patchesSkipped).toEqual([...patches.map((p) => p.reason), "aimed at nothing"])
    })

    it("(g) needs the in-repo patch on this spec: without it the clash is reported", () => {
      expect(() => generate(fresh(), [], names)).toThrow(/GetPublicInterstitial/)
    })
  })

  it("writes no spec prose into the generated files", () => {
    const firstLine = (text: unknown) => typeof text === "string" ? text.trim().split("\n")[0]!.trim() : ""
    const prose = new Set<string>()
    for (const item of Object.values<Json>(spec.paths)) {
      for (const op of Object.values<Json>(item)) {
        if (op === null || typeof op !== "object") continue
        prose.add(firstLine(op.summary))
        prose.add(firstLine(op.description))
        for (const p of op.parameters ?? []) prose.add(firstLine(p.description))
      }
    }
    for (const schema of Object.values<Json>(spec.components.schemas)) {
      prose.add(firstLine(schema.description))
      for (const property of Object.values<Json>(schema.properties ?? {})) prose.add(firstLine(property?.description))
    }
    // Short fragments ("The ID", "Unix timestamp") could match code by chance; sentences cannot.
    const sentences = [...prose].filter((text) => text.length >= 30 && text.split(/\s+/).length >= 5)
    expect(sentences.length).toBeGreaterThan(200)
    const generated = [...baseline.files.values()].join("\n")
    expect(sentences.filter((sentence) => generated.includes(sentence))).toEqual([])
  })

  it("emits code that type-checks for an edited spec", { timeout: 180_000 }, () => {
    const edited = fresh()
    addFrobnicate(edited)
    addWidgets(edited)
    addUnnamed(edited)
    otpStatus(edited).enum.push("paused")
    removeFirstName(edited)
    // Dropping most groups keeps the compile short and exercises the older-spec path too.
    // Request authentication (src/ClerkAuth.ts, src/ClerkJwks.ts) calls these groups, so they stay.
    const keep = new Set([
      "users",
      "emailAddresses",
      "sessions",
      "organizations",
      "jwks",
      "apiKeys",
      "m2m",
      "oauthAccessTokens"
    ])
    for (const group of new Set(baseline.operations.map((op) => op.group))) {
      if (!keep.has(group)) removeGroup(edited, baseline, group)
    }
    const result = generate(edited, patches, names, webhooksOptions())

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "effect-clerk-gen-"))
    try {
      // The Effect 3 line only: the Effect 4 modules need their own install, and `npm test` type-checks them.
      fs.cpSync(path.join(root, "src"), path.join(dir, "src"), {
        recursive: true,
        filter: (source) => path.relative(path.join(root, "src"), source).split(path.sep)[0] !== "v4"
      })
      fs.rmSync(path.join(dir, "src/generated"), { recursive: true, force: true })
      // The test kit's fake is hand-written against this spec's resources (it reads User.firstName,
      // routes organization operations): like the tests, it moves with the spec, so it stays out.
      fs.rmSync(path.join(dir, "src/ClerkTest.ts"))
      const index = path.join(dir, "src/index.ts")
      const withoutFake = fs.readFileSync(index, "utf8").replace(`export * as ClerkTest from "./ClerkTest.js"\n`, "")
      expect(withoutFake).not.toContain(`"./ClerkTest.js"`)
      fs.writeFileSync(index, withoutFake)
      fs.rmSync(path.join(dir, "src/internal/fake"), { recursive: true })
      fs.mkdirSync(path.join(dir, "src/generated"))
      for (const [file, text] of result.files) {
        // The wire shapes are the fake's data (typed by its module): they stay out with it.
        if (!file.startsWith("src/generated/") || file === "src/generated/WireShapes.ts") continue
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
        fs.writeFileSync(path.join(dir, file), text)
      }
      // Uses of the edited API, so the check is about more than the modules compiling on their own.
      fs.writeFileSync(
        path.join(dir, "src/editedSpecUse.ts"),
        [
          `import type * as Stream from "effect/Stream"`,
          `import * as Gizmos from "./generated/Gizmos.js"`,
          `import type * as Schemas from "./generated/Schemas.js"`,
          `import * as Users from "./generated/Users.js"`,
          `import * as Widgets from "./generated/Widgets.js"`,
          `import type { ClerkBackendApi } from "./generated/Groups.js"`,
          ``,
          `export const frobnicated = Users.frobnicate({ userId: "user_1", level: 3, dryRun: true })`,
          `// @ts-expect-error level is required`,
          `export const missingLevel = Users.frobnicate({ userId: "user_1" })`,
          `export const spun = Gizmos.spinGizmo({ gizmoId: "g_1" })`,
          `export const widgets: Stream.Stream<Schemas.Widget, unknown, unknown> = Widgets.listAll()`,
          `// @ts-expect-error first_name was removed from the spec`,
          `export const firstName = (user: Schemas.User) => user.firstName`,
          `export const groups = (api: ClerkBackendApi) => [api.users.frobnicate, api.widgets.listAll, api.gizmos.spinGizmo] as const`,
          `// @ts-expect-error the webhooks group is not in this spec`,
          `export const webhooks = (api: ClerkBackendApi) => api.webhooks`,
          ``
        ].join("\n")
      )
      const tsconfig = readJson("tsconfig.json")
      fs.writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({ compilerOptions: { ...tsconfig.compilerOptions, noEmit: true }, include: ["src"] })
      )
      // NodeNext reads "type": "module" from the nearest package.json.
      fs.copyFileSync(path.join(root, "package.json"), path.join(dir, "package.json"))
      fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir")
      const run = spawnSync(process.execPath, [
        path.join(root, "node_modules/typescript/bin/tsc"),
        "--noEmit",
        "-p",
        path.join(dir, "tsconfig.json")
      ], {
        cwd: dir,
        encoding: "utf8"
      })
      expect(run.stdout + run.stderr).toBe("")
      expect(run.status).toBe(0)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe("generator on a small made-up spec", () => {
  const mini: Json = JSON.parse(fs.readFileSync(path.join(root, "test/fixtures/generator/mini-spec.json"), "utf8"))
  const run = (spec: Json = structuredClone(mini), list: ReadonlyArray<Patch> = []) => generate(spec, list, emptyTable)

  it("produces one module per group plus the shared ones", () => {
    expect([...run().files.keys()].sort()).toEqual([
      "docs/operations.md",
      "src/generated/Decoders.ts",
      "src/generated/Gadgets.ts",
      "src/generated/Groups.ts",
      "src/generated/Meta.ts",
      "src/generated/Operations.ts",
      "src/generated/Schemas.ts",
      "src/generated/Sprockets.ts",
      "src/generated/WireShapes.ts",
      "src/generated/index.ts",
      "src/v4/generated/Gadgets.ts",
      "src/v4/generated/Groups.ts",
      "src/v4/generated/Operations.ts",
      "src/v4/generated/Schemas.ts",
      "src/v4/generated/Sprockets.ts",
      "src/v4/generated/index.ts"
    ])
  })

  it("lets a deprecated response field be absent, and reads a null optional field as absent", () => {
    const spec = structuredClone(mini)
    const gadget = spec.components.schemas.Gadget
    gadget.properties.legacy_code = { type: "string", deprecated: true }
    gadget.required = [...gadget.required, "legacy_code"]
    const declaration = declarationOf(fileOf(run(spec), "src/generated/Schemas.ts"), "Gadget")
    // Optional once decoded, still marked deprecated, and a wire null reads as absent.
    expect(declaration).toContain("  /** @deprecated */\n  readonly legacyCode?: string\n")
    expect(declaration).toContain("    /** @deprecated */\n    readonly legacy_code?: string | null\n")
    expect(declaration).toContain("legacyCode: I.optNullAsAbsent(Schema.String, \"legacy_code\")")
    // A field the spec already lets be null keeps its null.
    expect(oneLine(declaration)).toContain(
      "origin: I.opt(Schema.NullOr(Schema.Union(OriginShop, OriginGift)), \"origin\")"
    )
  })

  it("keeps response enums open, request enums strict, and discriminators literal", () => {
    const result = run()
    const schemas = fileOf(result, "src/generated/Schemas.ts")
    expect(declarationOf(schemas, "Gadget")).toContain("colour: I.req(I.openEnum(\"red\", \"blue\"), \"colour\")")
    expect(declarationOf(schemas, "Gadget")).toContain(
      "origin: I.opt(Schema.NullOr(Schema.Union(OriginShop, OriginGift)), \"origin\")"
    )
    expect(declarationOf(schemas, "OriginShop")).toContain("object: I.req(Schema.Literal(\"origin_shop\"), \"object\")")
    expect(declarationOf(schemas, "OriginGift")).toContain("  readonly object: \"origin_gift\"")
    const gadgets = fileOf(result, "src/generated/Gadgets.ts")
    expect(declarationOf(gadgets, "ListParams")).toContain(
      "colour: I.opt(Schema.Literal(\"red\", \"blue\"), \"colour\")"
    )
    expect(declarationOf(gadgets, "UpdateParams")).toContain("  readonly colour?: \"red\" | \"blue\"\n")
  })

  it("checks the spec's value constraints on requests only, with the types unchanged", () => {
    const spec = structuredClone(mini)
    const list = spec.paths["/gadgets"].get
    list.parameters[0].schema = { type: "integer", minimum: 1, maximum: 500 }
    list.parameters[1].schema = { type: "integer", minimum: 0, nullable: true }
    const body = spec.paths["/gadgets/{gadget_id}"].patch.requestBody.content["application/json"].schema
    body.properties.label = { type: "string", minLength: 1, maxLength: 40, pattern: "^\\S+$" }
    body.properties.tags = { type: "array", items: { type: "string", minLength: 0 }, minItems: 1, maxItems: 3 }
    body.properties.weight = { type: "number", minimum: 0, exclusiveMinimum: true }
    // The OpenAPI 3.1 (JSON Schema) form: the exclusive bounds are numbers.
    body.properties.ratio = { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 }
    body.properties.level = { type: "integer", maximum: 9, exclusiveMaximum: true }
    // The same constraints on the response side ask nothing of a decoded value.
    const gadget = spec.components.schemas.Gadget
    gadget.properties.made_at = { type: "integer", nullable: true, minimum: 0 }
    gadget.properties.id = { type: "string", minLength: 1, pattern: "^g_" }
    gadget.properties.tags = { type: "array", items: { type: "string" }, minItems: 1 }
    const result = run(spec)

    const params = declarationOf(fileOf(result, "src/generated/Gadgets.ts"), "ListParams")
    expect(oneLine(params)).toContain(
      "limit: I.opt(Schema.Int.pipe(Schema.greaterThanOrEqualTo(1), Schema.lessThanOrEqualTo(500)), \"limit\")"
    )
    expect(oneLine(params)).toContain(
      "offset: I.opt(Schema.NullOr(Schema.Int.pipe(Schema.greaterThanOrEqualTo(0))), \"offset\")"
    )
    expect(params).toContain("  readonly limit?: number\n")
    const update = declarationOf(fileOf(result, "src/generated/Gadgets.ts"), "UpdateParams")
    expect(oneLine(update)).toContain(
      "label: I.req(Schema.String.pipe(Schema.minLength(1), Schema.maxLength(40)), \"label\")"
    )
    expect(oneLine(update)).toContain(
      "tags: I.opt(Schema.Array(Schema.String).pipe(Schema.minItems(1), Schema.maxItems(3)), \"tags\")"
    )
    expect(oneLine(update)).toContain("weight: I.opt(Schema.Number.pipe(Schema.greaterThan(0)), \"weight\")")
    expect(oneLine(update)).toContain(
      "ratio: I.opt(Schema.Number.pipe(Schema.greaterThan(0), Schema.lessThan(1)), \"ratio\")"
    )
    expect(oneLine(update)).toContain("level: I.opt(Schema.Int.pipe(Schema.lessThan(9)), \"level\")")
    expect(update).toContain("  readonly tags?: ReadonlyArray<string>\n")
    // Patterns are not checked (see `stringFilters`).
    expect(fileOf(result, "src/generated/Gadgets.ts")).not.toContain("pattern")
    // Filtered schemas are built on first use like the others.
    expect(oneLine(declarationOf(rawFileOf(result, "src/generated/Gadgets.ts"), "ListParams"))).toContain(
      "= /*#__PURE__*/ I.lazy(() => Schema.Struct({limit: I.opt(Schema.Int.pipe(Schema.greaterThanOrEqualTo(1)"
    )

    const schemas = fileOf(result, "src/generated/Schemas.ts")
    expect(schemas).not.toMatch(/\.pipe\(|Schema\.Int\b/)
    expect(declarationOf(schemas, "Gadget")).toContain("madeAt: I.req(Schema.NullOr(Schema.Number), \"made_at\")")
    expect(declarationOf(schemas, "Gadget")).toContain("tags: I.optNullAsAbsent(Schema.Array(Schema.String), \"tags\")")
    // Without constraints the output is as before.
    expect(changedFiles(run(), run(structuredClone(mini)))).toEqual([])
  })

  it("links an operation to its reference page by its first tag, and an untagged one nowhere", () => {
    expect(fileOf(run(), "src/generated/Gadgets.ts")).not.toContain("@see")
    const spec = structuredClone(mini)
    spec.paths["/gadgets"].get.tags = ["Odd Things & Co", "Gadgets"]
    const gadgets = fileOf(run(spec), "src/generated/Gadgets.ts")
    const link = "@see https://clerk.com/docs/reference/backend-api/tag/Odd-Things-%26-Co#operation/ListGadgets"
    // The operation, its stream, and both as members of the bound API.
    expect(gadgets.split("\n").filter((line) => line.trim() === `* ${link}`)).toHaveLength(4)
    expect(gadgets).not.toContain("#operation/UpdateGadget")
  })

  it("files every export of a group module under its group, since 0.1.0", () => {
    const gadgets = fileOf(run(), "src/generated/Gadgets.ts")
    const exports = gadgets.split("\n").flatMap((line, i, lines) =>
      /^(export (const|type|interface) |const \w+_: )/.test(line) ? [lines.slice(i - 3, i).join("\n")] : []
    )
    expect(exports.length).toBeGreaterThan(8)
    for (const before of exports) expect(before).toBe(" * @category gadgets\n * @since 0.1.0\n */")
    const schemas = fileOf(run(), "src/generated/Schemas.ts")
    expect(schemas).toContain(" * @category schemas\n * @since 0.1.0\n */\nexport interface Gadget {")
  })

  it("derives a name for an unnamed operation and says so", () => {
    const result = run()
    expect(result.warnings).toEqual([
      "SpinSprocket: no x-speakeasy names and no entry in codegen/names.json; named sprockets.spinSprocket"
    ])
    expect(fileOf(result, "docs/operations.md")).toContain("| `sprockets.spinSprocket` ² |")
    // The naming table, when it has an entry, wins over the fallback.
    const named = generate(structuredClone(mini), [], {
      operations: { SpinSprocket: { group: "gadgets", name: "spin" } },
      arrayBodies: {}
    })
    expect(named.warnings).toEqual([])
    expect(named.files.has("src/generated/Sprockets.ts")).toBe(false)
    expect(fileOf(named, "src/generated/Gadgets.ts")).toContain("  name: \"gadgets.spin\",")
  })

  it("refuses a param and a body field with one camelCase name", () => {
    const spec = structuredClone(mini)
    spec.paths["/gadgets/{gadget_id}"].patch.requestBody.content["application/json"].schema.properties.gadgetId = {
      type: "string"
    }
    expect(() => run(spec)).toThrow(
      /^UpdateGadget: path parameter "gadget_id" and body parameter "gadgetId" both become "gadgetId"/
    )
  })

  it("applies a patch whose condition holds and skips one whose condition does not", () => {
    const rename: Patch = {
      reason: "rename the colour query parameter",
      when: [{ path: "/paths/~1gadgets/get/parameters/2/name", value: "colour" }],
      apply: [{ op: "replace", path: "/paths/~1gadgets/get/parameters/2/name", value: "color" }]
    }
    const stale: Patch = {
      reason: "fix something a later spec already fixed",
      when: [{ path: "/paths/~1gadgets/get/parameters/2/name", value: "hue" }],
      apply: [{ op: "remove", path: "/paths/~1gadgets/get/parameters/2" }]
    }
    const missing: Patch = {
      reason: "fix an operation a later spec dropped",
      when: [{ path: "/paths/~1doohickeys/get/operationId", value: "ListDoohickeys" }],
      apply: [{ op: "remove", path: "/paths/~1doohickeys" }]
    }
    const result = run(structuredClone(mini), [rename, stale, missing])
    expect(result.patchesApplied).toEqual([rename.reason])
    expect(result.patchesSkipped).toEqual([stale.reason, missing.reason])
    expect(fileOf(result, "src/generated/Gadgets.ts")).toContain("queryParams: [\"limit\", \"offset\", \"color\"]")
  })

  it("copies no descriptions or summaries", () => {
    const generated = [...run().files.values()].join("\n")
    for (
      const prose of [
        "Fetch the whole gadget drawer in one go",
        "Changes the gadget in ways nobody asked for",
        "A gadget sitting in the drawer of odd things",
        "Which paint the gadget wears today"
      ]
    ) expect(generated).not.toContain(prose)
  })
})

describe("committed generated modules", () => {
  it("open with the generated banner exactly once", () => {
    const dir = fileURLToPath(new URL("../src/generated/", import.meta.url))
    const banner = "// Generated by scripts/generate.ts"
    const counts = fs.readdirSync(dir).filter((name) => name.endsWith(".ts")).map((name) => {
      const text = fs.readFileSync(path.join(dir, name), "utf8")
      return { name, first: text.startsWith(banner), count: text.split(banner).length - 1 }
    })
    expect(counts.filter((file) => !file.first || file.count !== 1)).toEqual([])
    expect(counts.length).toBeGreaterThan(40)
  })
})

describe("where the specs are found", () => {
  const layout = (files: ReadonlyArray<string>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "effect-clerk-specs-"))
    for (const file of files) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true })
      fs.writeFileSync(path.join(dir, file), "openapi: 3.0.0\n")
    }
    return dir
  }

  it("finds the webhooks spec beside the API spec under the shared name", () => {
    const dir = layout(["bapi-2026-05-12.yml", "webhooks-2025-04-15.yml"])
    expect(webhooksSpecFor(path.join(dir, "bapi-2026-05-12.yml"))).toBe(path.join(dir, "webhooks-2025-04-15.yml"))
    fs.rmSync(dir, { recursive: true })
  })

  it("finds it in the layout of Clerk's openapi-specs repository (bapi/ and webhooks/ side by side)", () => {
    const dir = layout(["bapi/2026-05-12.yml", "webhooks/2025-04-15.yml"])
    expect(webhooksSpecFor(path.join(dir, "bapi/2026-05-12.yml"))).toBe(path.join(dir, "webhooks/2025-04-15.yml"))
    fs.rmSync(dir, { recursive: true })
  })

  it("names the shared location when neither exists, so the skip message says where it looked", () => {
    const dir = layout([])
    expect(webhooksSpecFor(path.join(dir, "bapi.yml"))).toBe(path.join(dir, "webhooks-2025-04-15.yml"))
    fs.rmSync(dir, { recursive: true })
  })

  it("reads CLERK_OPENAPI_SPEC, else the shared checkout beside the repository", () => {
    const saved = process.env["CLERK_OPENAPI_SPEC"]
    try {
      process.env["CLERK_OPENAPI_SPEC"] = "/somewhere/bapi/2026-05-12.yml"
      expect(defaultSpecPath("/repo")).toBe("/somewhere/bapi/2026-05-12.yml")
      delete process.env["CLERK_OPENAPI_SPEC"]
      expect(defaultSpecPath("/work/repo")).toBe("/work/shared/clerk-openapi/bapi-2026-05-12.yml")
    } finally {
      if (saved === undefined) delete process.env["CLERK_OPENAPI_SPEC"]
      else process.env["CLERK_OPENAPI_SPEC"] = saved
    }
  })
})
