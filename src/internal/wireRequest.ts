/**
 * From wire-named params to the parts of an HTTP request (URL, query pairs, body), without Effect: each
 * Effect line turns the result into its own `HttpClientRequest`.
 *
 * @internal
 */

/** What of an operation's descriptor decides where each param goes. */
export interface RequestShape {
  readonly path: string
  readonly pathParams?: ReadonlyArray<string> | undefined
  readonly queryParams?: ReadonlyArray<string> | undefined
  readonly commaQueryParams?: ReadonlyArray<string> | undefined
  readonly body?: "none" | "json" | "json-required" | "multipart" | undefined
  readonly arrayBody?: string | undefined
}

/** The body of a request: none, JSON text, or a multipart form. */
export type WireBody =
  | { readonly _tag: "None" }
  | { readonly _tag: "Json"; readonly text: string }
  | { readonly _tag: "Form"; readonly form: FormData }

/** A request's parts, ready for an HTTP client. */
export interface WireRequest {
  readonly url: string
  readonly urlParams: ReadonlyArray<[string, string]>
  readonly body: WireBody
}

const none: WireBody = { _tag: "None" }

const isPresent = (value: unknown): boolean => value !== undefined && value !== null

/** Query values are sent as text; `false` and `0` are values, not absences. */
const queryText = (value: unknown): string => typeof value === "string" ? value : String(value)

const json = (value: unknown): WireBody => ({ _tag: "Json", text: JSON.stringify(value) })

/** The fields of a `ClerkInvalidRequest` (of either line) for a param refused at `path`. */
export const invalidRequestFields = (operation: string, path: string, message: string) => ({
  operation,
  path,
  message: `${operation}: invalid parameter${path === "" ? "" : ` at ${path}`}: ${message}`
})

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/**
 * Why a path parameter cannot be sent, if it cannot: an empty one would address another operation
 * (`/users/` is the list, not a user), and text that is not well-formed UTF-16 has no URL encoding.
 */
export const pathParamProblem = (
  shape: RequestShape,
  wire: Record<string, unknown>
): { readonly param: string; readonly message: string } | undefined => {
  for (const name of shape.pathParams ?? []) {
    const text = queryText(wire[name])
    if (text === "") return { param: name, message: `the path parameter ${name} must not be empty` }
    if (loneSurrogate.test(text)) {
      return { param: name, message: `the path parameter ${name} is not well-formed text (a lone surrogate)` }
    }
  }
  return undefined
}

/** Places wire-named params: path, query, then the body from whatever remains. */
export const wireRequest = (shape: RequestShape, apiUrl: string, wire: Record<string, unknown>): WireRequest => {
  const used = new Set<string>()
  let path = shape.path
  for (const name of shape.pathParams ?? []) {
    used.add(name)
    const segment = encodeURIComponent(queryText(wire[name]))
    path = path.replace(`{${name}}`, () => segment)
  }
  const urlParams: Array<[string, string]> = []
  for (const name of shape.queryParams ?? []) {
    used.add(name)
    const value = wire[name]
    if (!isPresent(value)) continue
    if (Array.isArray(value)) {
      if (shape.commaQueryParams?.includes(name)) {
        urlParams.push([name, value.map(queryText).join(",")])
      } else {
        for (const item of value) urlParams.push([name, queryText(item)])
      }
    } else {
      urlParams.push([name, queryText(value)])
    }
  }
  return { url: apiUrl + path, urlParams, body: bodyOf(shape, wire, used) }
}

const bodyOf = (shape: RequestShape, wire: Record<string, unknown>, used: ReadonlySet<string>): WireBody => {
  switch (shape.body) {
    case undefined:
    case "none":
      return none
    case "multipart":
      return { _tag: "Form", form: formData(wire, used) }
    case "json":
    case "json-required": {
      if (shape.arrayBody !== undefined) {
        const items = wire[shape.arrayBody]
        return items === undefined && shape.body === "json" ? none : json(items ?? [])
      }
      const body: Record<string, unknown> = {}
      let present = false
      for (const [key, value] of Object.entries(wire)) {
        if (used.has(key) || value === undefined) continue
        body[key] = value
        present = true
      }
      return present || shape.body === "json-required" ? json(body) : none
    }
  }
}

const formData = (wire: Record<string, unknown>, used: ReadonlySet<string>): FormData => {
  const form = new FormData()
  for (const [key, value] of Object.entries(wire)) {
    if (used.has(key) || !isPresent(value)) continue
    if (value instanceof Blob) form.append(key, value)
    else form.append(key, queryText(value))
  }
  return form
}
