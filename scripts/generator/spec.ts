/** Loading a spec, applying JSON patches, and resolving references. */
import * as fs from "node:fs"
import { parse } from "yaml"

/** An OpenAPI document, loosely typed: the generator checks what it reads. */
export type Json = any

/** One RFC 6902 operation (the subset the patch list uses). */
export interface PatchOperation {
  readonly op: "add" | "remove" | "replace" | "test"
  readonly path: string
  readonly value?: unknown
}

/**
 * A fix for one spec defect: applied when every `when` location holds its value,
 * skipped otherwise (a spec version without the defect).
 */
export interface Patch {
  readonly reason: string
  readonly when: ReadonlyArray<{ readonly path: string; readonly value: unknown }>
  readonly apply: ReadonlyArray<PatchOperation>
}

/** Applies the patches that fit the spec; returns the patched copy and the reasons of those applied and skipped. */
export const applyPatchList = (
  spec: Json,
  patches: ReadonlyArray<Patch>
): { spec: Json; applied: Array<string>; skipped: Array<string> } => {
  let doc = spec
  const applied: Array<string> = []
  const skipped: Array<string> = []
  for (const patch of patches) {
    const holds = patch.when.every((condition) => {
      try {
        applyPatches(doc, [{ op: "test", path: condition.path, value: condition.value }])
        return true
      } catch {
        return false
      }
    })
    if (!holds) {
      skipped.push(patch.reason)
      continue
    }
    doc = applyPatches(doc, patch.apply)
    applied.push(patch.reason)
  }
  return { spec: doc, applied, skipped }
}

/** Reads a YAML or JSON spec, with no cap on YAML aliases (the parser's default refuses many). */
export const loadSpec = (file: string): Json => parse(fs.readFileSync(file, "utf8"), { maxAliasCount: -1 })

const unescape = (token: string) => token.replace(/~1/g, "/").replace(/~0/g, "~")

/** Applies patches to a deep copy; a patch whose target does not exist fails loudly. */
export const applyPatches = (spec: Json, patches: ReadonlyArray<PatchOperation>): Json => {
  const doc = structuredClone(spec)
  for (const patch of patches) {
    const tokens = patch.path.split("/").slice(1).map(unescape)
    const last = tokens.pop()!
    let parent: Json = doc
    for (const token of tokens) {
      parent = Array.isArray(parent) ? parent[Number(token)] : parent?.[token]
      if (parent === undefined) throw new Error(`patch ${patch.op} ${patch.path}: no such location`)
    }
    const exists = Array.isArray(parent) ? Number(last) < parent.length : Object.hasOwn(parent, last)
    switch (patch.op) {
      case "test":
        if (JSON.stringify(parent[last]) !== JSON.stringify(patch.value)) {
          throw new Error(`patch test ${patch.path}: the spec no longer has the value this patch list expects`)
        }
        break
      case "remove":
        if (!exists) throw new Error(`patch remove ${patch.path}: nothing to remove`)
        if (Array.isArray(parent)) parent.splice(Number(last), 1)
        else delete parent[last]
        break
      case "replace":
        if (!exists) throw new Error(`patch replace ${patch.path}: nothing to replace`)
        parent[last] = structuredClone(patch.value)
        break
      case "add":
        if (Array.isArray(parent)) {
          parent.splice(last === "-" ? parent.length : Number(last), 0, structuredClone(patch.value))
        } else parent[last] = structuredClone(patch.value)
        break
    }
  }
  return doc
}

/** Resolves `$ref` chains within the document. */
export const makeResolver = (spec: Json) => {
  const lookup = (ref: string): Json => {
    if (!ref.startsWith("#/")) throw new Error(`only local references are supported: ${ref}`)
    let node: Json = spec
    for (const token of ref.slice(2).split("/").map(unescape)) {
      node = node?.[token]
      if (node === undefined) throw new Error(`unresolved reference ${ref}`)
    }
    return node
  }
  const deref = (node: Json): Json => {
    let current = node
    for (let i = 0; current && typeof current === "object" && typeof current.$ref === "string"; i++) {
      if (i > 32) throw new Error(`reference cycle at ${node.$ref}`)
      current = lookup(current.$ref)
    }
    return current
  }
  return { lookup, deref }
}

/** Looks up and follows the local `$ref`s of one document. */
export type Resolver = ReturnType<typeof makeResolver>
