/**
 * The fake's spec-driven collections as the tests walk them: each collection path with its operations by role,
 * and the wire name of an item path's id.
 */
import { operations } from "../../src/generated/Operations.js"
import type { Derived } from "../../src/internal/fake/collections.js"
import { derivedOf } from "../../src/internal/fake/instance.js"

/** An operation name of the Effect 3 line. */
export type Name = keyof typeof operations

/** Every derived operation, by name. */
export const derived = derivedOf({ operations }) as ReadonlyMap<Name, Derived>

/** Each collection (not the singletons) by path: its operations by role, and its derivation. */
export const collections: ReadonlyMap<string, Partial<Record<Derived["role"], Name>> & { readonly derived: Derived }> =
  (() => {
    const out = new Map<string, Partial<Record<Derived["role"], Name>> & { readonly derived: Derived }>()
    for (const [name, entry] of derived) {
      if (entry.role.startsWith("singleton")) continue
      const roles = out.get(entry.base) ?? { derived: entry }
      ;(roles as Record<string, unknown>)[entry.role] = name
      out.set(entry.base, roles)
    }
    return out
  })()

/** The wire name of the last path parameter of an operation (its item id). */
export const lastParamOf = (name: Name): string => /\{([^}]+)\}$/.exec(operations[name].descriptor.path)![1]!
