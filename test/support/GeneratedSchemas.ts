/** Every schema const the generated modules export, found by importing them (and by reading their source). */
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const generatedDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src/generated")
/** Modules that hold operations wiring or facts, not schemas. */
const nonSchemaModules = new Set(["Groups.ts", "Meta.ts", "index.ts"])

export interface Entry {
  /** `Module.name`, e.g. `Schemas.User`, `Users.GetParams`. */
  readonly id: string
  readonly schema: Schema.Schema<any, any>
}

/** Loads every exported schema, and the names declared `export const X: Schema.Schema<` in the source. */
export const loadGeneratedSchemas = async (): Promise<{ entries: Array<Entry>; declared: Array<string> }> => {
  const entries: Array<Entry> = []
  const declared: Array<string> = []
  for (const file of fs.readdirSync(generatedDir).filter((f) => f.endsWith(".ts") && !nonSchemaModules.has(f)).sort()) {
    const module = path.basename(file, ".ts")
    const exports: Record<string, unknown> = await import(pathToFileURL(path.join(generatedDir, file)).href)
    for (const [name, value] of Object.entries(exports)) {
      if (Schema.isSchema(value)) entries.push({ id: `${module}.${name}`, schema: value as Schema.Schema<any, any> })
    }
    const text = fs.readFileSync(path.join(generatedDir, file), "utf8")
    for (const match of text.matchAll(/^export const (\w+): Schema\.Schema</gm)) declared.push(`${module}.${match[1]}`)
  }
  return { entries, declared }
}
