/**
 * From camelCase params to an HTTP request.
 *
 * @internal
 */
import * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { Descriptor } from "../ClerkDescriptor.js"
import { ClerkInvalidRequest } from "../ClerkError.js"
import { firstIssue } from "./parseIssue.js"

const encoders = new WeakMap<
  Descriptor,
  (u: unknown) => Effect.Effect<Record<string, unknown>, ParseResult.ParseError>
>()

const encoderOf = (descriptor: Descriptor) => {
  let encoder = encoders.get(descriptor)
  if (encoder === undefined) {
    encoder = descriptor.params === undefined
      ? () => Effect.succeed({})
      : Schema.encodeUnknown(descriptor.params, { errors: "first", onExcessProperty: "ignore" }) as any
    encoders.set(descriptor, encoder!)
  }
  return encoder!
}

/** Encodes params to wire names, failing with `ClerkInvalidRequest` on a bad value. */
export const encodeParams = (
  descriptor: Descriptor,
  params: unknown
): Effect.Effect<Record<string, unknown>, ClerkInvalidRequest> =>
  Effect.mapError(encoderOf(descriptor)(params ?? {}), (error) => {
    const { message, path } = firstIssue(error)
    return new ClerkInvalidRequest({
      operation: descriptor.name,
      path,
      message: `${descriptor.name}: invalid parameter${path === "" ? "" : ` at ${path}`}: ${message}`
    })
  })

const isPresent = (value: unknown): boolean => value !== undefined && value !== null

/** Query values are sent as text; `false` and `0` are values, not absences. */
const queryText = (value: unknown): string => typeof value === "string" ? value : String(value)

/** Builds the request from wire-named params: path, query, then body from whatever remains. */
export const build = (
  descriptor: Descriptor,
  apiUrl: string,
  wire: Record<string, unknown>
): HttpClientRequest.HttpClientRequest => {
  const used = new Set<string>()
  let path = descriptor.path
  for (const name of descriptor.pathParams ?? []) {
    used.add(name)
    const segment = encodeURIComponent(queryText(wire[name]))
    path = path.replace(`{${name}}`, () => segment)
  }
  const urlParams: Array<[string, string]> = []
  for (const name of descriptor.queryParams ?? []) {
    used.add(name)
    const value = wire[name]
    if (!isPresent(value)) continue
    if (Array.isArray(value)) {
      if (descriptor.commaQueryParams?.includes(name)) {
        urlParams.push([name, value.map(queryText).join(",")])
      } else {
        for (const item of value) urlParams.push([name, queryText(item)])
      }
    } else {
      urlParams.push([name, queryText(value)])
    }
  }
  const request = HttpClientRequest.make(descriptor.method)(apiUrl + path, { urlParams })
  switch (descriptor.body) {
    case undefined:
    case "none":
      return request
    case "multipart":
      return HttpClientRequest.setBody(request, HttpBody.formData(formData(wire, used)))
    case "json":
    case "json-required": {
      if (descriptor.arrayBody !== undefined) {
        const items = wire[descriptor.arrayBody]
        return items === undefined && descriptor.body === "json"
          ? request
          : HttpClientRequest.setBody(request, jsonBody(items ?? []))
      }
      const body: Record<string, unknown> = {}
      let present = false
      for (const [key, value] of Object.entries(wire)) {
        if (used.has(key) || value === undefined) continue
        body[key] = value
        present = true
      }
      return present || descriptor.body === "json-required"
        ? HttpClientRequest.setBody(request, jsonBody(body))
        : request
    }
  }
}

const jsonBody = (value: unknown): HttpBody.HttpBody => HttpBody.text(JSON.stringify(value), "application/json")

const formData = (wire: Record<string, unknown>, used: ReadonlySet<string>): FormData => {
  const form = new FormData()
  for (const [key, value] of Object.entries(wire)) {
    if (used.has(key) || !isPresent(value)) continue
    if (value instanceof Blob) form.append(key, value)
    else form.append(key, queryText(value))
  }
  return form
}
