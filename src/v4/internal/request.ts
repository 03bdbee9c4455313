/**
 * From camelCase params to an Effect 4 HTTP request (the placing of each param is shared: wireRequest).
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as HttpBody from "effect/http/HttpBody"
import * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as Schema from "effect/Schema"
import { invalidRequestFields, pathParamProblem, wireRequest } from "../../internal/wireRequest.js"
import type { Descriptor } from "../ClerkDescriptor.js"
import { ClerkInvalidRequest } from "../ClerkError.js"
import { firstIssue } from "./parseIssue.js"

const encoders = new WeakMap<Descriptor, (u: unknown) => Effect.Effect<Record<string, unknown>, Schema.SchemaError>>()

const encoderOf = (descriptor: Descriptor) => {
  let encoder = encoders.get(descriptor)
  if (encoder === undefined) {
    const params = descriptor.params
    encoder = params === undefined
      ? () => Effect.succeed({})
      : (Schema.encodeUnknownEffect(params) as (u: unknown) => Effect.Effect<any, Schema.SchemaError>)
    encoders.set(descriptor, encoder)
  }
  return encoder
}

/** Encodes params to wire names, failing with `ClerkInvalidRequest` on a bad value. */
export const encodeParams = (
  descriptor: Descriptor,
  params: unknown
): Effect.Effect<Record<string, unknown>, ClerkInvalidRequest> =>
  Effect.flatMap(
    Effect.mapError(encoderOf(descriptor)(params ?? {}), (error) => {
      const { message, path } = firstIssue(error)
      return invalid(descriptor, path, message)
    }),
    (wire: Record<string, unknown>) => {
      const problem = pathParamProblem(descriptor, wire)
      return problem === undefined
        ? Effect.succeed(wire)
        : Effect.fail(invalid(descriptor, problem.param, problem.message))
    }
  )

const invalid = (descriptor: Descriptor, path: string, message: string) =>
  new ClerkInvalidRequest(invalidRequestFields(descriptor.name, path, message))

/** Builds the request from wire-named params. */
export const build = (
  descriptor: Descriptor,
  apiUrl: string,
  wire: Record<string, unknown>
): HttpClientRequest.HttpClientRequest => {
  const parts = wireRequest(descriptor, apiUrl, wire)
  const request = HttpClientRequest.make(descriptor.method)(parts.url, { urlParams: parts.urlParams })
  switch (parts.body._tag) {
    case "None":
      return request
    case "Form":
      return HttpClientRequest.setBody(request, HttpBody.formData(parts.body.form))
    case "Json":
      return HttpClientRequest.setBody(request, HttpBody.text(parts.body.text, "application/json"))
  }
}
