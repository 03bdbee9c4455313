/**
 * Section 2: what effect-clerk adds to an app bundle. Each entry in
 * bench/bundle/ is bundled with esbuild for a platform-neutral ESM target
 * (bundled, minified, tree-shaken), then gzipped.
 */
import * as esbuild from "esbuild"
import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"

export type EntryKey =
  | "baseline"
  | "baselineSchema"
  | "perGroup"
  | "perGroupModule"
  | "backend"
  | "service"
  | "serviceAuth"
  | "backendAuth"
  | "perGroupPure"
  | "perGroupModulePure"

export interface BundleSize {
  readonly key: EntryKey
  readonly entry: string
  readonly minBytes: number
  readonly gzipBytes: number
  /** Minified bytes per area of input (esbuild's `bytesInOutput`). */
  readonly areas: Readonly<Record<string, number>>
}

/** What of other groups (and of the other Users operations) a per-group bundle holds. */
export interface GroupContents {
  /** Groups other than Users with at least one operation name in the bundle. */
  readonly foreignGroupsFound: ReadonlyArray<string>
  readonly billingPath: boolean
  /** A wire value only billing schemas hold: present means schemas of other groups were kept. */
  readonly billingSchema: boolean
  readonly usersOperationsFound: number
}

export interface GroupLeak {
  readonly groupsChecked: number
  readonly usersOperationsTotal: number
  readonly perGroup: GroupContents
  readonly perGroupModule: GroupContents
  /** The same searches in the ClerkBackend bundle, which must find them: shows the searches themselves work. */
  readonly backend: GroupContents
}

export interface BundleResult {
  readonly sizes: Readonly<Record<EntryKey, BundleSize>>
  readonly leak: GroupLeak
  /** Whether marking the remaining unmarked calls pure leaves each per-group bundle byte for byte the same. */
  readonly pureMarksComplete: { readonly perGroup: boolean; readonly perGroupModule: boolean }
  readonly esbuildVersion: string
  readonly options: string
}

const root = path.resolve(import.meta.dirname, "../..")
/** Each build: its entry, and whether the pure-marker check (`pureNestedCalls`) rewrites the generated modules. */
const builds: Record<EntryKey, { readonly entry: string; readonly pure: boolean }> = {
  baseline: { entry: "bench/bundle/baseline.ts", pure: false },
  baselineSchema: { entry: "bench/bundle/baselineSchema.ts", pure: false },
  perGroup: { entry: "bench/bundle/perGroup.ts", pure: false },
  perGroupModule: { entry: "bench/bundle/perGroupModule.ts", pure: false },
  backend: { entry: "bench/bundle/backend.ts", pure: false },
  service: { entry: "bench/bundle/service.ts", pure: false },
  serviceAuth: { entry: "bench/bundle/serviceAuth.ts", pure: false },
  backendAuth: { entry: "bench/bundle/backendAuth.ts", pure: false },
  perGroupPure: { entry: "bench/bundle/perGroup.ts", pure: true },
  perGroupModulePure: { entry: "bench/bundle/perGroupModule.ts", pure: true }
}

/** The marker left by a billing schema (the `object` of `BillingStatementGroupsItem`). */
const billingSchemaMarker = "commerce_statement_group"

/**
 * A check on the generator, in memory only: puts `/*#__PURE__*\/` before every
 * `I.x(`, `Schema.X(` and `Op.x(` call of the generated modules that lacks one.
 * esbuild keeps a pure call whose arguments contain an unmarked call, so one
 * missing mark keeps a whole schema declaration; if the generator marks every
 * call, the bundles built with and without this plugin are identical.
 */
const pureNestedCalls: esbuild.Plugin = {
  name: "pure-nested-calls",
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]generated[\\/][^\\/]+\.ts$/ }, (args) => ({
      contents: fs.readFileSync(args.path, "utf8").replace(
        /(?<![\w.$]|__PURE__\*\/ )((?:I|Schema|Op)\.[A-Za-z]+\()/g,
        "/*#__PURE__*/ $1"
      ),
      loader: "ts"
    }))
  }
}

const areaOf = (input: string): string => {
  if (input.startsWith("src/generated/")) {
    return input === "src/generated/Schemas.ts"
      ? "src/generated/Schemas.ts"
      : "src/generated/<groups>"
  }
  if (input.startsWith("src/")) return "src/ runtime"
  if (input.startsWith("bench/")) return "entry"
  if (input.includes("node_modules/effect/")) {
    return /\/(Schema|ParseResult|SchemaAST)\.js$|\/internal\/schema\//.test(input) ? "effect Schema" : "effect core"
  }
  if (input.includes("node_modules/@effect/platform/")) return "@effect/platform"
  return input.replace(/^.*node_modules\//, "").split("/")[0]!
}

/** The esbuild options of every bundle entry; section 6 builds with the same. */
export const buildOptions = {
  bundle: true,
  minify: true,
  treeShaking: true,
  format: "esm",
  platform: "neutral",
  // Neutral resolves packages through their `exports` only; these fall back for any without them.
  mainFields: ["module", "main"],
  target: "es2022",
  legalComments: "none",
  metafile: true,
  write: false,
  absWorkingDir: root,
  logLevel: "silent"
} as const satisfies esbuild.BuildOptions

const bundle = async (key: EntryKey, outDir: string): Promise<{ size: BundleSize; text: string }> => {
  const { entry, pure } = builds[key]
  const result = await esbuild.build({
    ...buildOptions,
    entryPoints: [entry],
    outfile: path.join(outDir, `${key}.js`),
    plugins: pure ? [pureNestedCalls] : []
  })
  const output = result.outputFiles[0]!
  fs.writeFileSync(output.path, output.contents)
  const areas: Record<string, number> = {}
  for (const [input, { bytesInOutput }] of Object.entries(Object.values(result.metafile.outputs)[0]!.inputs)) {
    areas[areaOf(input)] = (areas[areaOf(input)] ?? 0) + bytesInOutput
  }
  return {
    size: {
      key,
      entry,
      minBytes: output.contents.byteLength,
      gzipBytes: zlib.gzipSync(output.contents, { level: 9 }).byteLength,
      areas
    },
    text: output.text
  }
}

/** Every group's operation names, read from the generated modules. */
const operationNames = (): Map<string, Array<string>> => {
  const dir = path.join(root, "src/generated")
  const groups = new Map<string, Array<string>>()
  // Files only: src/generated/ also holds folders (decoders/).
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith(".ts"))) {
    const names = [...fs.readFileSync(path.join(dir, file), "utf8").matchAll(/\bname: "([A-Za-z0-9]+\.[A-Za-z0-9]+)"/g)]
      .map((m) => m[1]!)
    if (names.length > 0) groups.set(file.replace(/\.ts$/, ""), names)
  }
  return groups
}

/** Minified output may use any quote; the operation names are kept as string literals. */
const hasString = (text: string, value: string) =>
  text.includes(`"${value}"`) || text.includes(`'${value}'`) || text.includes(`\`${value}\``)

export const run = async (outDir: string): Promise<BundleResult> => {
  fs.mkdirSync(outDir, { recursive: true })
  const built = {} as Record<EntryKey, { size: BundleSize; text: string }>
  for (const key of Object.keys(builds) as Array<EntryKey>) built[key] = await bundle(key, outDir)
  const groups = operationNames()
  const users = groups.get("Users") ?? []
  const contents = (text: string): GroupContents => ({
    foreignGroupsFound: [...groups.entries()]
      .filter(([group, names]) => group !== "Users" && names.some((name) => hasString(text, name)))
      .map(([group]) => group),
    billingPath: text.includes("/billing/statements"),
    billingSchema: text.includes(billingSchemaMarker),
    usersOperationsFound: users.filter((name) => hasString(text, name)).length
  })
  return {
    sizes: Object.fromEntries(Object.entries(built).map(([key, value]) => [key, value.size])) as Record<
      EntryKey,
      BundleSize
    >,
    leak: {
      groupsChecked: groups.size - 1,
      usersOperationsTotal: users.length,
      perGroup: contents(built.perGroup.text),
      perGroupModule: contents(built.perGroupModule.text),
      backend: contents(built.backend.text)
    },
    pureMarksComplete: {
      perGroup: built.perGroup.text === built.perGroupPure.text,
      perGroupModule: built.perGroupModule.text === built.perGroupModulePure.text
    },
    esbuildVersion: esbuild.version,
    options:
      "esbuild JS API: bundle, minify, tree shaking, format esm, platform neutral, target es2022, no legal comments; gzip level 9"
  }
}
