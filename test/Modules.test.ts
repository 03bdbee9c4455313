/**
 * One module list: every public module in `src/` is a namespace of `src/index.ts`, an entry of
 * package.json's `exports` and a TypeDoc entry point, and nothing else is. Each module and each
 * of its exports carries `@since`, each export a `@category`, and error classes live in
 * `*Error` modules.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Url from "node:url"
import ts from "typescript"

const repoRoot = Path.resolve(Url.fileURLToPath(new URL("..", import.meta.url)))
const read = (file: string) => Fs.readFileSync(Path.join(repoRoot, file), "utf8")

/** The hand-written public modules: every `src/*.ts` but the root index. */
const publicModules = Fs.readdirSync(Path.join(repoRoot, "src"))
  .filter((name) => name.endsWith(".ts") && name !== "index.ts")
  .map((name) => name.slice(0, -3))
  .sort()

const modulesIn = (dir: string, prefix: string) =>
  Fs.readdirSync(Path.join(repoRoot, "src", dir))
    .filter((name) => name.endsWith(".ts") && name !== "index.ts")
    .map((name) => `${prefix}${name.slice(0, -3)}`)
    .sort()

const generatedModules = [
  ...modulesIn("generated", "generated/"),
  ...modulesIn("generated/decoders", "generated/decoders/"),
  ...modulesIn("v4/generated", "v4/generated/")
]

/** The Effect 4 line's public modules: every `src/v4/*.ts` but its index. */
const publicModules4 = modulesIn("v4", "")

/** Public modules that only the Effect 3 line has, because the Effect 4 line reads the same file. */
const sharedPublicModules = ["ClerkDescriptorShape"]

/** The aliases the exports map may hold besides the modules themselves. */
const aliases: Readonly<Record<string, string>> = {
  "./testing": "ClerkTest",
  "./v4/testing": "v4/ClerkTest",
  "./redis": "ClerkRedis",
  "./v4/redis": "v4/ClerkRedis"
}

/** Public modules the root entry leaves out, because they load an optional peer dependency (`ioredis`). */
const outsideRoot = ["ClerkRedis"]

const parse = (file: string) => ts.createSourceFile(file, read(file), ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS)

const tagsOf = (node: ts.Node): ReadonlyArray<string> => ts.getJSDocTags(node).map((tag) => `@${tag.tagName.text}`)

const isExported = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)

interface ExportedItem {
  readonly name: string
  readonly tags: ReadonlyArray<string>
}

/**
 * Every export of a module with the JSDoc tags that document it (re-exports included). Declarations
 * merged under one name (an interface and its `Encoded` namespace, overloads) count as one export,
 * documented by the union of their tags.
 */
const exportsOf = (file: string): ReadonlyArray<ExportedItem> => {
  const source = parse(file)
  const items: Array<ExportedItem> = []
  // `export { delete_ as delete }`: the documentation sits on the local declaration.
  const localTags = new Map<string, ReadonlyArray<string>>()
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement) && !isExported(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        localTags.set(declaration.name.getText(source), tagsOf(statement))
      }
    }
  }
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      if (statement.exportClause === undefined) continue // `export *` re-exports a module checked on its own
      if (ts.isNamespaceExport(statement.exportClause)) {
        items.push({ name: statement.exportClause.name.text, tags: tagsOf(statement) })
      } else {
        for (const element of statement.exportClause.elements) {
          const own = tagsOf(element)
          const local = statement.moduleSpecifier === undefined
            ? localTags.get((element.propertyName ?? element.name).getText(source))
            : undefined
          const tags = own.length > 0 ? own : tagsOf(statement)
          items.push({ name: element.name.text, tags: tags.length > 0 ? tags : local ?? [] })
        }
      }
    } else if (isExported(statement)) {
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          items.push({ name: declaration.name.getText(source), tags: tagsOf(statement) })
        }
      } else {
        const named = statement as ts.Statement & { readonly name?: ts.Identifier }
        items.push({ name: named.name?.text ?? "default", tags: tagsOf(statement) })
      }
    }
  }
  const merged = new Map<string, Set<string>>()
  for (const item of items) {
    const tags = merged.get(item.name) ?? new Set<string>()
    item.tags.forEach((tag) => tags.add(tag))
    merged.set(item.name, tags)
  }
  return [...merged].map(([name, tags]) => ({ name, tags: [...tags] }))
}

/** The tags of the module's own header comment (the first JSDoc of the file). */
const headerTags = (file: string): ReadonlyArray<string> => {
  const text = read(file)
  const header = /\/\*\*([\s\S]*?)\*\//.exec(text)
  return header === null ? [] : [...header[1]!.matchAll(/@(\w+)/g)].map((m) => `@${m[1]}`)
}

describe("one module list", () => {
  it("src/index.ts exports exactly the public modules, each as a namespace with @since", () => {
    const source = parse("src/index.ts")
    const namespaces: Array<string> = []
    const starred: Array<string> = []
    for (const statement of source.statements) {
      expect(ts.isExportDeclaration(statement), `only exports in src/index.ts: ${statement.getText(source)}`).toBe(
        true
      )
      const declaration = statement as ts.ExportDeclaration
      const from = (declaration.moduleSpecifier as ts.StringLiteral).text
      expect(tagsOf(declaration), `${from} in src/index.ts`).toContain("@since")
      if (declaration.exportClause === undefined) {
        starred.push(from)
      } else {
        expect(ts.isNamespaceExport(declaration.exportClause), `${from} is exported as a namespace`).toBe(true)
        const name = (declaration.exportClause as ts.NamespaceExport).name.text
        expect(from).toBe(`./${name}.js`)
        namespaces.push(name)
      }
    }
    expect([...namespaces].sort()).toEqual(publicModules.filter((name) => !outsideRoot.includes(name)))
    expect(starred).toEqual(["./generated/index.js"])
    expect(headerTags("src/index.ts")).toContain("@since")
  })

  it("the exports map holds the root, every public module, the generated modules and the alias", () => {
    const exportsMap = JSON.parse(read("package.json")).exports as Record<string, unknown>
    const expected: Record<string, unknown> = {
      ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
      "./generated/*": { types: "./dist/generated/*.d.ts", default: "./dist/generated/*.js" },
      "./v4": { types: "./dist/v4/index.d.ts", default: "./dist/v4/index.js" },
      "./v4/*": { types: "./dist/v4/*.d.ts", default: "./dist/v4/*.js" },
      "./package.json": "./package.json",
      "./internal/*": null,
      "./v4/internal/*": null
    }
    for (const name of publicModules) {
      expected[`./${name}`] = { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` }
    }
    for (const [alias, target] of Object.entries(aliases)) {
      expected[alias] = { types: `./dist/${target}.d.ts`, default: `./dist/${target}.js` }
    }
    expect(exportsMap).toEqual(expected)
  })

  it("TypeDoc documents the root and every public module", () => {
    const entryPoints = JSON.parse(read("typedoc.json")).entryPoints as ReadonlyArray<string>
    expect([...entryPoints].sort()).toEqual(["src/index.ts", ...publicModules.map((name) => `src/${name}.ts`)].sort())
  })

  it("error classes live in *Error modules", () => {
    const misplaced = publicModules.filter((name) => !name.endsWith("Error")).flatMap((name) => {
      const source = parse(`src/${name}.ts`)
      return source.statements.filter((statement): statement is ts.ClassDeclaration =>
        ts.isClassDeclaration(statement) &&
        (statement.heritageClauses ?? []).some((clause) =>
          /\b(TaggedError|YieldableError|Error)\b/.test(clause.getText(source))
        )
      ).map((statement) => `${name}.${statement.name?.text}`)
    })
    expect(misplaced).toEqual([])
    // At least the four error modules exist, so the check above cannot pass vacuously.
    expect(publicModules.filter((name) => name.endsWith("Error"))).toEqual([
      "ClerkAuthError",
      "ClerkError",
      "ClerkRedisError",
      "ClerkTestError",
      "ClerkWebhooksError"
    ])
  })

  it("src/v4/index.ts exports every module of the Effect 4 line, the same modules as the Effect 3 line", () => {
    const source = parse("src/v4/index.ts")
    const namespaces = source.statements.filter(ts.isExportDeclaration).flatMap((declaration) =>
      declaration.exportClause !== undefined && ts.isNamespaceExport(declaration.exportClause)
        ? [declaration.exportClause.name.text]
        : []
    ).sort()
    expect(namespaces).toEqual(publicModules4.filter((name) => !outsideRoot.includes(name)))
    expect(publicModules4).toEqual(publicModules.filter((name) => !sharedPublicModules.includes(name)))
  })

  it("what the Effect 4 line imports from outside src/v4 holds no Effect code", () => {
    // Such modules are shared by both lines, so importing `effect` there would load the other major.
    const seen = new Set<string>()
    const offenders: Array<string> = []
    const visit = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      const source = ts.createSourceFile(file, Fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true)
      for (const statement of source.statements) {
        if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement))) continue
        if (statement.moduleSpecifier === undefined) continue
        const specifier = (statement.moduleSpecifier as ts.StringLiteral).text
        const outside = !file.startsWith(Path.join(repoRoot, "src", "v4") + Path.sep)
        if (!specifier.startsWith(".")) {
          if (outside && /^(effect|@effect\/)/.test(specifier)) {
            offenders.push(`${Path.relative(repoRoot, file)}: ${specifier}`)
          }
          continue
        }
        visit(Path.resolve(Path.dirname(file), specifier.replace(/\.js$/, ".ts")))
      }
    }
    visit(Path.join(repoRoot, "src/v4/index.ts"))
    for (const name of publicModules4) visit(Path.join(repoRoot, "src/v4", `${name}.ts`))
    const shared = [...seen].filter((file) => !file.startsWith(Path.join(repoRoot, "src", "v4") + Path.sep))
    expect(shared.length).toBeGreaterThan(5)
    expect(offenders).toEqual([])
  })

  for (const name of [...publicModules, ...publicModules4.map((module) => `v4/${module}`), ...generatedModules]) {
    it(`${name}: the module and each export carry @since, each export a @category`, () => {
      const file = `src/${name}.ts`
      expect(headerTags(file), `${file} opens with a JSDoc carrying @since`).toContain("@since")
      const items = exportsOf(file)
      expect(items.length).toBeGreaterThan(0)
      const missingSince = items.filter((item) => !item.tags.includes("@since")).map((item) => item.name)
      const missingCategory = items.filter((item) => !item.tags.includes("@category")).map((item) => item.name)
      expect({ missingSince, missingCategory }).toEqual({ missingSince: [], missingCategory: [] })
    })
  }
})
