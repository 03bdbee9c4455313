/** Reading the operations of a spec into what the emitter needs. */
import { camelCase } from "./names.js"
import { flattenObject } from "./schemas.js"
import type { Json, Resolver } from "./spec.js"

/** The methods a path item can hold, in the order operations are read. */
export const httpMethods = ["get", "put", "post", "delete", "patch", "head", "options"] as const

/** One parameter of an operation's params object. */
export interface Param {
  /** The name on the wire: path placeholder, query key or body field (`user_id`). */
  readonly wire: string
  /** The camelCase key in the params object (`userId`). */
  readonly key: string
  /** Where the client puts it. */
  readonly location: "path" | "query" | "body"
  /** Path parameters always are. */
  readonly required: boolean
  /** The parameter's schema as the spec gives it (possibly a `$ref`). */
  readonly schema: Json
  readonly deprecated: boolean
  /** Query arrays with `explode: false` are sent comma-joined. */
  readonly comma: boolean
}

/** How an operation pages (limit/offset, optionally a cursor), for its streaming variant. */
export interface Pagination {
  /** camelCase key of the items array, undefined when the page is an array. */
  readonly items: string | undefined
  /** Whether the page carries `total_count`, so the stream knows when it has everything. */
  readonly total: boolean
  /** Whether the operation takes `starting_after`, so the stream pages by cursor. */
  readonly cursor: boolean
  /** The spec's maximum `limit`, when it is below the streams' default page size. */
  readonly maxPageSize: number | undefined
  /** Name of the streaming variant. */
  readonly streamName: string
  /** Schema of one item. */
  readonly itemSchema: Json
}

/** One operation of the spec, named and read: what its group module, descriptor and table row are made of. */
export interface Operation {
  readonly operationId: string
  /** The camelCase group (`users`): a key of `ClerkBackend` and a module of `src/generated/`. */
  readonly group: string
  /** The camelCase method within the group (`get`). */
  readonly name: string
  /** Upper case (`GET`). */
  readonly method: string
  /** The path template (`/users/{user_id}`). */
  readonly path: string
  readonly deprecated: boolean
  /** The operation's first OpenAPI tag, which names its page in Clerk's reference. */
  readonly tag: string | undefined
  /** Path, query and body parameters, in that order, flattened into one params object. */
  readonly params: ReadonlyArray<Param>
  /** How the body is sent: not at all, JSON (optional or required), or multipart form data. */
  readonly body: "none" | "json" | "json-required" | "multipart"
  /** For an array body: its params key. */
  readonly arrayBody: { readonly key: string; readonly schema: Json } | undefined
  /** Spec location of the response used: `#/components/responses/X` when shared. */
  readonly success:
    | { readonly kind: "void" }
    | { readonly kind: "text" }
    | { readonly kind: "json"; readonly schema: Json; readonly sharedResponse: string | undefined }
  /** The lowest 2xx status the spec lists. */
  readonly successStatus: number
  /** Every 4xx/5xx status the spec lists, ascending. */
  readonly errors: ReadonlyArray<number>
  /** Set when the operation pages in a way the streams understand. */
  readonly pagination: Pagination | undefined
  /** Whether group/name came from the spec's extensions, the naming table, or were derived. */
  readonly naming: "spec" | "table" | "derived"
}

/** `codegen/names.json`: names the spec does not give (see docs/regenerating.md). */
export interface NamingTable {
  /** A note for readers of the JSON; the generator ignores it. */
  readonly $comment?: string
  /** operationId → its group and method; wins over the spec's hints. */
  readonly operations: Record<string, { readonly group: string; readonly name: string }>
  /** operationId → the params key holding its array request body (default `items`, with a warning). */
  readonly arrayBodies: Record<string, string>
}

const firstSegmentGroup = (path: string): string =>
  camelCase(path.split("/").filter((s) => s && !s.startsWith("{"))[0] ?? "misc")

/** Reads every operation, in spec order. Fails loudly on a name clash. */
export const readOperations = (spec: Json, resolver: Resolver, table: NamingTable, warn: (m: string) => void) => {
  const operations: Array<Operation> = []
  for (const [path, rawItem] of Object.entries<Json>(spec.paths ?? {})) {
    const item = resolver.deref(rawItem)
    for (const method of httpMethods) {
      const op = item?.[method]
      if (op === undefined) continue
      const operationId: string = op.operationId ?? `${method}${path.replace(/[^A-Za-z0-9]+/g, "_")}`
      const fromSpec = op["x-speakeasy-group"] !== undefined && op["x-speakeasy-name-override"] !== undefined
      const fromTable = table.operations[operationId]
      let group: string
      let name: string
      let naming: Operation["naming"]
      if (fromTable !== undefined) {
        ;({ group, name } = fromTable)
        naming = "table"
      } else if (fromSpec) {
        group = op["x-speakeasy-group"]
        name = op["x-speakeasy-name-override"]
        naming = "spec"
      } else {
        group = firstSegmentGroup(path)
        name = camelCase(operationId)
        naming = "derived"
        warn(`${operationId}: no x-speakeasy names and no entry in codegen/names.json; named ${group}.${name}`)
      }
      group = camelCase(group)
      name = camelCase(name)

      const params: Array<Param> = []
      const byLocation = new Map<string, Json>()
      for (const raw of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
        const p = resolver.deref(raw)
        byLocation.set(`${p.in}:${p.name}`, p)
      }
      for (const p of byLocation.values()) {
        if (p.in !== "path" && p.in !== "query") {
          warn(`${operationId}: ${p.in} parameter ${p.name} is not sent by the client`)
          continue
        }
        const schema = p.schema ?? { type: "string" }
        const resolvedSchema = resolver.deref(schema)
        params.push({
          wire: p.name,
          key: camelCase(p.name),
          location: p.in,
          required: p.in === "path" || p.required === true,
          schema,
          deprecated: p.deprecated === true,
          comma: p.in === "query" && resolvedSchema?.type === "array" && p.explode === false
        })
      }

      let body: Operation["body"] = "none"
      let arrayBody: Operation["arrayBody"] = undefined
      if (op.requestBody !== undefined) {
        const requestBody = resolver.deref(op.requestBody)
        const content = requestBody.content ?? {}
        const json = content["application/json"]
        const multipart = content["multipart/form-data"]
        if (json !== undefined) {
          body = requestBody.required === true ? "json-required" : "json"
          const schema = resolver.deref(json.schema ?? {})
          if (schema.type === "array") {
            const key = table.arrayBodies[operationId] ?? "items"
            if (table.arrayBodies[operationId] === undefined) {
              warn(`${operationId}: array body named "items" by default`)
            }
            arrayBody = { key, schema: json.schema }
            params.push({
              wire: key,
              key,
              location: "body",
              required: requestBody.required === true,
              schema: json.schema,
              deprecated: false,
              comma: false
            })
          } else {
            const { properties, required } = flattenObject(json.schema ?? {}, resolver)
            for (const [wire, propertySchema] of properties) {
              params.push({
                wire,
                key: camelCase(wire),
                location: "body",
                required: required.has(wire),
                schema: propertySchema,
                deprecated: propertySchema?.deprecated === true,
                comma: false
              })
            }
          }
        } else if (multipart !== undefined) {
          body = "multipart"
          const { properties, required } = flattenObject(multipart.schema ?? {}, resolver)
          for (const [wire, propertySchema] of properties) {
            params.push({
              wire,
              key: camelCase(wire),
              location: "body",
              required: required.has(wire),
              schema: propertySchema,
              deprecated: false,
              comma: false
            })
          }
        } else {
          throw new Error(`${operationId}: unsupported request content ${Object.keys(content).join(", ")}`)
        }
      }
      const seen = new Map<string, Param>()
      for (const param of params) {
        const other = seen.get(param.key)
        if (other !== undefined) {
          throw new Error(
            `${operationId}: ${other.location} parameter "${other.wire}" and ${param.location} parameter "${param.wire}" both become "${param.key}"; rename one in codegen/patches.json`
          )
        }
        const wireClash = [...seen.values()].find((p) => p.wire === param.wire)
        if (wireClash !== undefined) {
          throw new Error(
            `${operationId}: "${param.wire}" is both a ${wireClash.location} and a ${param.location} parameter`
          )
        }
        seen.set(param.key, param)
      }

      const statuses = Object.keys(op.responses ?? {}).filter((s) => /^\d{3}$/.test(s)).map(Number).sort((a, b) =>
        a - b
      )
      const successStatus = statuses.find((s) => s >= 200 && s < 300)
      if (successStatus === undefined) throw new Error(`${operationId}: no 2xx response`)
      const rawResponse = op.responses[String(successStatus)]
      const response = resolver.deref(rawResponse)
      const jsonContent = response.content?.["application/json"]
      const sharedResponse =
        typeof rawResponse.$ref === "string" && rawResponse.$ref.startsWith("#/components/responses/")
          ? rawResponse.$ref.slice("#/components/responses/".length)
          : undefined
      const success: Operation["success"] = jsonContent?.schema !== undefined
        ? { kind: "json", schema: jsonContent.schema, sharedResponse }
        : successStatus === 200 && response.content === undefined
        ? { kind: "text" }
        : { kind: "void" }
      if (response.content !== undefined && jsonContent === undefined) {
        warn(`${operationId}: ${successStatus} content ${Object.keys(response.content).join(", ")} is returned as text`)
      }

      operations.push({
        operationId,
        group,
        name,
        method: method.toUpperCase(),
        path,
        deprecated: op.deprecated === true,
        tag: Array.isArray(op.tags) && typeof op.tags[0] === "string" ? op.tags[0] : undefined,
        params,
        body,
        arrayBody,
        success: response.content !== undefined && jsonContent === undefined ? { kind: "text" } : success,
        successStatus,
        errors: statuses.filter((s) => s >= 400),
        pagination: undefined,
        naming
      })
    }
  }
  return assignPagination(operations, resolver, warn)
}

/** The page size streams ask for unless the spec caps `limit` lower (kept equal to `Op.defaultPageSize`). */
const defaultPageSize = 500

const paginationOf = (op: Operation, resolver: Resolver): Omit<Pagination, "streamName"> | undefined => {
  const has = (wire: string) => op.params.some((p) => p.location === "query" && p.wire === wire)
  if (!has("limit") || !has("offset") || op.success.kind !== "json") return undefined
  const schema = resolver.deref(op.success.schema)
  const cursor = has("starting_after")
  const limitMaximum = resolver.deref(op.params.find((p) => p.location === "query" && p.wire === "limit")!.schema)
    ?.maximum
  const maxPageSize = typeof limitMaximum === "number" && limitMaximum < defaultPageSize ? limitMaximum : undefined
  if (schema.type === "array") return { items: undefined, total: false, cursor, maxPageSize, itemSchema: schema.items }
  const { properties } = flattenObject(schema, resolver)
  const arrays = properties.filter(([, s]) => resolver.deref(s)?.type === "array")
  const total = properties.some(([wire]) => wire === "total_count")
  const chosen = arrays.find(([wire]) => wire === "data") ?? (arrays.length === 1 ? arrays[0] : undefined)
  if (chosen === undefined) return undefined
  return { items: camelCase(chosen[0]), total, cursor, maxPageSize, itemSchema: resolver.deref(chosen[1]).items }
}

/** `list` → `listAll`, `listPlans` → `listAllPlans`, `getMemberships` → `getAllMemberships`; `…Stream` on a clash. */
const streamNameFor = (name: string, taken: ReadonlySet<string>): string => {
  const verb = /^(list|get)(?=[A-Z]|$)/.exec(name)
  const candidate = verb !== null && !name.includes("All")
    ? `${verb[1]}All${name.slice(verb[1]!.length)}`
    : undefined
  if (candidate !== undefined && !taken.has(candidate)) return candidate
  const fallback = `${name}Stream`
  if (taken.has(fallback)) throw new Error(`no free name for the stream of ${name}`)
  return fallback
}

const assignPagination = (operations: Array<Operation>, resolver: Resolver, warn: (m: string) => void) => {
  const byGroup = new Map<string, Array<Operation>>()
  for (const op of operations) {
    const list = byGroup.get(op.group) ?? []
    if (list.some((other) => other.name === op.name)) {
      throw new Error(
        `${op.operationId}: ${op.group}.${op.name} is already ${list.find((o) => o.name === op.name)!.operationId}`
      )
    }
    list.push(op)
    byGroup.set(op.group, list)
  }
  return operations.map((op) => {
    const pagination = paginationOf(op, resolver)
    if (pagination === undefined) {
      if (op.params.some((p) => p.wire === "limit") && op.params.some((p) => p.wire === "offset")) {
        warn(`${op.operationId}: takes limit/offset but its page shape is not recognised; no stream`)
      }
      return op
    }
    const taken = new Set(byGroup.get(op.group)!.map((o) => o.name))
    for (const other of byGroup.get(op.group)!) {
      if (other.pagination !== undefined) taken.add(other.pagination.streamName)
    }
    const streamName = streamNameFor(op.name, taken)
    const withPages: Operation = { ...op, pagination: { ...pagination, streamName } }
    const list = byGroup.get(op.group)!
    list[list.indexOf(op)] = withPages
    return withPages
  })
}
