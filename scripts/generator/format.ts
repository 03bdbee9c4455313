/**
 * Formats generated TypeScript with dprint at the settings the lint gate checks (scripts/dprint.json),
 * so a generated module passes `npm run lint` as written. The formatter is the one the
 * `@effect/dprint` lint rule runs, loaded once.
 */
import { createFromBuffer, type Formatter } from "@dprint/formatter"
import { getPath } from "@dprint/typescript"
import * as fs from "node:fs"
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)
const config: Record<string, unknown> = require("../dprint.json")

let formatter: Formatter | undefined

/** The text of a generated `.ts` module, formatted; other files are returned unchanged. */
export const formatGenerated = (filePath: string, text: string): string => {
  if (!filePath.endsWith(".ts")) return text
  formatter ??= createFromBuffer(fs.readFileSync(getPath()))
  return formatter.formatText({ filePath, fileText: text, overrideConfig: config })
}
