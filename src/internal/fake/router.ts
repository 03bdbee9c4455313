/**
 * Finds the operation a method and path belong to, from the generated descriptors. A path
 * matches a template segment by segment; among matches, the template with more literal
 * segments wins, so `/users/count` is `users.count`, not `users.get` with id "count".
 *
 * @internal
 */
import type { Descriptor } from "../../ClerkDescriptor.js"
import type { OperationName } from "../../generated/Operations.js"
import { operations } from "../../generated/Operations.js"

interface Template {
  readonly name: OperationName
  readonly descriptor: Descriptor
  readonly segments: ReadonlyArray<string | { readonly param: string }>
  readonly literals: number
}

/** A routed request: the operation, its descriptor and its path parameters (decoded). */
export interface Match {
  readonly name: OperationName
  readonly descriptor: Descriptor
  readonly pathParams: Readonly<Record<string, string>>
}

const split = (path: string): Array<string> => path.split("/").filter((segment) => segment !== "")

const byMethod = new Map<string, Array<Template>>()
for (const [name, call] of Object.entries(operations) as Array<[OperationName, { readonly descriptor: Descriptor }]>) {
  const descriptor = call.descriptor
  const segments = split(descriptor.path).map((segment) => {
    const param = /^\{(.+)\}$/.exec(segment)
    return param === null ? segment : { param: param[1]! }
  })
  const list = byMethod.get(descriptor.method) ?? []
  list.push({ name, descriptor, segments, literals: segments.filter((s) => typeof s === "string").length })
  byMethod.set(descriptor.method, list)
}
for (const list of byMethod.values()) list.sort((a, b) => b.literals - a.literals)

const decodeSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

/** The operation at `method` and `path` (relative to the API base), if any. */
export const match = (method: string, path: string): Match | undefined => {
  const segments = split(path)
  for (const template of byMethod.get(method.toUpperCase()) ?? []) {
    if (template.segments.length !== segments.length) continue
    const pathParams: Record<string, string> = {}
    let ok = true
    for (let i = 0; i < segments.length && ok; i++) {
      const expected = template.segments[i]!
      const actual = segments[i]!
      if (typeof expected === "string") {
        ok = expected === actual
      } else {
        const value = decodeSegment(actual)
        if (value === undefined) ok = false
        else pathParams[expected.param] = value
      }
    }
    if (ok) return { name: template.name, descriptor: template.descriptor, pathParams }
  }
  return undefined
}

/** Whether `path` exists under another method (for 405-style answers). */
export const pathExists = (path: string): boolean => {
  for (const method of byMethod.keys()) if (match(method, path) !== undefined) return true
  return false
}
