/**
 * Finds the operation a method and path belong to, from a line's generated descriptors. A path
 * matches a template segment by segment; among matches, the template with more literal
 * segments wins, so `/users/count` is `users.count`, not `users.get` with id "count".
 *
 * @internal
 */
import type { DescriptorOf } from "../../ClerkDescriptorShape.js"

/** A routed request: the operation, its descriptor and its path parameters (decoded). */
export interface Match<N extends string, D> {
  readonly name: N
  readonly descriptor: D
  readonly pathParams: Readonly<Record<string, string>>
}

/** The routing of one line's operations table. */
export interface Router<N extends string, D> {
  /** The operation at `method` and `path` (relative to the API base), if any. */
  readonly match: (method: string, path: string) => Match<N, D> | undefined
  /** Whether `path` exists under another method (for 405-style answers). */
  readonly pathExists: (path: string) => boolean
}

interface Template<N, D> {
  readonly name: N
  readonly descriptor: D
  readonly segments: ReadonlyArray<string | { readonly param: string }>
  readonly literals: number
}

const split = (path: string): Array<string> => path.split("/").filter((segment) => segment !== "")

const decodeSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

/** Builds the router of an operations table (`group.method` to a call carrying its descriptor). */
export const makeRouter = <N extends string, D extends DescriptorOf<unknown>>(
  operations: { readonly [K in N]: { readonly descriptor: D } }
): Router<N, D> => {
  const byMethod = new Map<string, Array<Template<N, D>>>()
  for (const [name, call] of Object.entries(operations) as Array<[N, { readonly descriptor: D }]>) {
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

  const match = (method: string, path: string): Match<N, D> | undefined => {
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

  const pathExists = (path: string): boolean => {
    for (const method of byMethod.keys()) if (match(method, path) !== undefined) return true
    return false
  }

  return { match, pathExists }
}
