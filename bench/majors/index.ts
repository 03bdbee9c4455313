/**
 * Section 6: the headline measures for Effect 3 and Effect 4 side by side, in the same run and the same way for
 * both. Everything runs against the BUILT package, installed the way an app of each major installs it: a scratch
 * app per major (bench/.tmp/majors/e3 and e4) whose node_modules holds a copy of the package (package.json and
 * dist/*.js) and links to that major's `effect` (the root's Effect 3 with `@effect/platform`, or src/v4's
 * Effect 4) and to `jose`. Node and esbuild resolve every import from there, so each major's code runs on, and
 * bundles with, exactly one copy of its own Effect.
 *
 * 1. `users.list({ limit: 100 })` ÷ raw fetch + `JSON.parse`: child processes (bench/majors/children/calls.mjs),
 *    alternating between the majors, against one loopback replay server; each child interleaves its own raw-fetch
 *    baseline.
 * 2. fresh-token request authentication ÷ `jose.jwtVerify`: child processes (children/auth.mjs), the shape of
 *    bench/auth/distinct.ts, alternating between the majors.
 * 3. bundle size (esbuild, the options of section 2, gzip): `clerk.users.get` through `ClerkGroups.Service`, and
 *    the same plus `ClerkAuth.authenticateRequest`, each minus a hand-written baseline on the same major.
 * 4. cold `await import` of the entry (dist/index.js, dist/v4/index.js) against the bare modules that entry's
 *    module graph imports, fresh processes, the four cases rotating.
 */
import * as esbuild from "esbuild"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { buildOptions } from "../bundle/index.js"
import { startReplayServer } from "../callOverhead/replayServer.js"
import { makeUsers } from "../fixtures/users.js"
import { type Stats, summarize } from "../lib/measure.js"

export type Major = 3 | 4
export const majors: ReadonlyArray<Major> = [3, 4]

/** Median and range of a list. */
export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
}

export interface CallMajor {
  readonly children: number
  readonly warmupCalls: number
  readonly rounds: number
  readonly callsPerRound: number
  readonly raw: Stats
  readonly effectClerk: Stats
  /** Mean (b) ÷ mean (a) of each round. */
  readonly roundRatio: Spread
}

export interface AuthMajor {
  readonly children: number
  readonly rounds: number
  readonly tokensPerRound: number
  /** Milliseconds per batch of `tokensPerRound` tokens. */
  readonly joseMs: Spread
  readonly effectClerkMs: Spread
  /** effect-clerk ÷ jose, per round. */
  readonly roundRatio: Spread
}

export interface BundleBytes {
  readonly minBytes: number
  readonly gzipBytes: number
}

export interface BundleMajor {
  readonly baseline: BundleBytes
  /** The baseline that also decodes its answer with `effect/Schema` (info). */
  readonly baselineSchema: BundleBytes
  readonly service: BundleBytes
  /** Undefined when the built package has no ClerkAuth module for this major. */
  readonly serviceAuth: BundleBytes | undefined
}

export interface ColdMajor {
  readonly entry: string
  /** The bare specifiers reachable from the entry's module graph: what the baseline process imports. */
  readonly baselineModules: ReadonlyArray<string>
  /** How many of the package's own files the entry's module graph holds. */
  readonly packageFiles: number
  readonly baselineMs: ReadonlyArray<number>
  readonly entryMs: ReadonlyArray<number>
  readonly baselineRss: ReadonlyArray<number>
  readonly entryRss: ReadonlyArray<number>
}

type PerMajor<A> = Readonly<Record<Major, A>>

export interface MajorsResult {
  /** The `effect` of each scratch app. */
  readonly versions: PerMajor<string>
  /** The `@effect/platform` of the Effect 3 app. */
  readonly platformVersion: string
  /** What each app imports: `effect-clerk` and `effect-clerk/v4`. */
  readonly entries: PerMajor<string>
  /** The scratch apps' folder, relative to the project. */
  readonly scratchDir: string
  readonly userCount: number
  readonly bodyBytes: number
  readonly calls: PerMajor<CallMajor> | Error
  /** Undefined when a major's built package has no ClerkAuth (then the reason says why). */
  readonly auth: PerMajor<AuthMajor> | Error | undefined
  readonly authMissing: string | undefined
  readonly bundle: PerMajor<BundleMajor> | Error
  readonly cold: { readonly processes: number; readonly byMajor: PerMajor<ColdMajor> } | Error
  /** The child commands, as run from each major's scratch app. */
  readonly commands: {
    readonly calls: string
    readonly auth: string
    readonly cold: string
  }
}

export interface MajorsOptions {
  readonly root: string
  /** The built package's dist/ (both lines, as `npm run build` writes them). */
  readonly distDir: string
  readonly tmpDir: string
  readonly calls: {
    readonly children: number
    readonly warmupCalls: number
    readonly rounds: number
    readonly callsPerRound: number
  }
  readonly auth: {
    readonly children: number
    readonly warmupRounds: number
    readonly rounds: number
    readonly tokensPerRound: number
  }
  readonly coldProcesses: number
  readonly log: (line: string) => void
}

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const spread = (xs: ReadonlyArray<number>): Spread => ({
  median: median(xs),
  min: Math.min(...xs),
  max: Math.max(...xs)
})

const entryOf: PerMajor<string> = { 3: "effect-clerk", 4: "effect-clerk/v4" }
const distEntryOf: PerMajor<string> = { 3: "dist/index.js", 4: "dist/v4/index.js" }
const authModuleOf: PerMajor<string> = { 3: "dist/ClerkAuth.js", 4: "dist/v4/ClerkAuth.js" }

/** A copy of the package as npm installs it (its package.json and built JavaScript), and the links an app has. */
const install = (options: MajorsOptions): PerMajor<string> => {
  const dirs = { 3: path.join(options.tmpDir, "e3"), 4: path.join(options.tmpDir, "e4") }
  const modules = path.join(options.root, "node_modules")
  const links: PerMajor<Record<string, string>> = {
    3: {
      effect: path.join(modules, "effect"),
      "@effect/platform": path.join(modules, "@effect/platform"),
      jose: path.join(modules, "jose")
    },
    4: { effect: path.join(options.root, "src/v4/node_modules/effect"), jose: path.join(modules, "jose") }
  }
  for (const major of majors) {
    const dir = dirs[major]
    fs.rmSync(dir, { recursive: true, force: true })
    const pkg = path.join(dir, "node_modules/effect-clerk")
    fs.mkdirSync(pkg, { recursive: true })
    fs.copyFileSync(path.join(options.root, "package.json"), path.join(pkg, "package.json"))
    fs.cpSync(options.distDir, path.join(pkg, "dist"), {
      recursive: true,
      filter: (source) => fs.statSync(source).isDirectory() || source.endsWith(".js")
    })
    for (const [name, target] of Object.entries(links[major])) {
      const link = path.join(dir, "node_modules", name)
      fs.mkdirSync(path.dirname(link), { recursive: true })
      fs.symlinkSync(target, link, "dir")
    }
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: `bench-e${major}`, type: "module" }))
    for (const script of ["calls.mjs", "auth.mjs"]) {
      fs.copyFileSync(path.join(import.meta.dirname, "children", script), path.join(dir, script))
    }
  }
  return dirs
}

/** Runs a script of a scratch app in a fresh `node` and parses the last line it prints. */
const child = <A>(dir: string, args: ReadonlyArray<string>): Promise<A> =>
  new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    proc.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    proc.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    proc.once("error", reject)
    proc.once("close", (code) => {
      if (code !== 0) {
        reject(new Error(`${path.basename(dir)}: node ${args[0]} exited with ${code}: ${stderr.slice(-1_500)}`))
        return
      }
      try {
        resolve(JSON.parse(stdout.trim().split("\n").at(-1)!) as A)
      } catch (error) {
        reject(new Error(`${path.basename(dir)}: unreadable output of ${args[0]}: ${String(error)}`))
      }
    })
  })

/** Children of both majors take turns (3, 4, 4, 3, 3, 4, …), so a slow moment of the machine lands on both alike. */
const alternating = (i: number): ReadonlyArray<Major> => i % 2 === 0 ? [3, 4] : [4, 3]

const attempt = async <A>(body: () => Promise<A> | A): Promise<A | Error> => {
  try {
    return await body()
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

const runCalls = async (
  dirs: PerMajor<string>,
  body: string,
  ids: ReadonlyArray<string>,
  options: MajorsOptions
): Promise<PerMajor<CallMajor>> => {
  const server = await startReplayServer(body, ids.length)
  try {
    const into: Record<Major, { raw: Array<number>; effectClerk: Array<number>; ratios: Array<number> }> = {
      3: { raw: [], effectClerk: [], ratios: [] },
      4: { raw: [], effectClerk: [], ratios: [] }
    }
    const { children, ...shape } = options.calls
    for (let i = 0; i < children; i++) {
      for (const major of alternating(i)) {
        const out = await child<{
          samples: { raw: Array<number>; effectClerk: Array<number> }
          roundRatios: Array<number>
        }>(dirs[major], ["calls.mjs", JSON.stringify({ major, url: server.url, ids, ...shape })])
        for (const x of out.samples.raw) into[major].raw.push(x)
        for (const x of out.samples.effectClerk) into[major].effectClerk.push(x)
        for (const x of out.roundRatios) into[major].ratios.push(x)
      }
    }
    const of = (major: Major): CallMajor => ({
      children,
      warmupCalls: shape.warmupCalls,
      rounds: into[major].ratios.length,
      callsPerRound: shape.callsPerRound,
      raw: summarize("raw", into[major].raw),
      effectClerk: summarize("effectClerk", into[major].effectClerk),
      roundRatio: spread(into[major].ratios)
    })
    return { 3: of(3), 4: of(4) }
  } finally {
    await server.close()
  }
}

const runAuth = async (dirs: PerMajor<string>, options: MajorsOptions): Promise<PerMajor<AuthMajor>> => {
  const into: Record<Major, { jose: Array<number>; effectClerk: Array<number>; ratios: Array<number> }> = {
    3: { jose: [], effectClerk: [], ratios: [] },
    4: { jose: [], effectClerk: [], ratios: [] }
  }
  const { children, ...shape } = options.auth
  for (let i = 0; i < children; i++) {
    for (const major of alternating(i)) {
      const out = await child<{
        samples: { jose: Array<number>; effectClerk: Array<number> }
        roundRatios: Array<number>
      }>(dirs[major], ["auth.mjs", JSON.stringify({ major, ...shape })])
      for (const x of out.samples.jose) into[major].jose.push(x)
      for (const x of out.samples.effectClerk) into[major].effectClerk.push(x)
      for (const x of out.roundRatios) into[major].ratios.push(x)
    }
  }
  const of = (major: Major): AuthMajor => ({
    children,
    rounds: into[major].ratios.length,
    tokensPerRound: shape.tokensPerRound,
    joseMs: spread(into[major].jose),
    effectClerkMs: spread(into[major].effectClerk),
    roundRatio: spread(into[major].ratios)
  })
  return { 3: of(3), 4: of(4) }
}

/** The bundle entries of one major, the same program text on each major's module names. */
const bundleEntries = (major: Major, withAuth: boolean) => {
  const platform = major === 3 ? "@effect/platform" : "effect/http"
  const pkg = entryOf[major]
  const handWritten = [
    `import * as FetchHttpClient from "${platform}/FetchHttpClient"`,
    `import * as HttpClient from "${platform}/HttpClient"`,
    `import * as HttpClientRequest from "${platform}/HttpClientRequest"`,
    `import * as Effect from "effect/Effect"`,
    `const fetchUserByHand = Effect.gen(function*() {`,
    `  const client = yield* HttpClient.HttpClient`,
    `  const response = yield* client.execute(`,
    `    HttpClientRequest.get("https://api.clerk.com/v1/users/user_123").pipe(`,
    `      HttpClientRequest.bearerToken("sk_test_fake"),`,
    `      HttpClientRequest.acceptJson`,
    `    )`,
    `  )`,
    `  return yield* response.json`,
    `})`
  ]
  const service = [
    `import * as Redacted from "effect/Redacted"`,
    `import { ClerkConfig, ClerkGroups, Users } from "${pkg}"`,
    `class Clerk extends ClerkGroups.Service()("bench/Clerk", { users: Users }) {}`,
    `const getUserThroughService = Effect.flatMap(Clerk, (clerk) => clerk.users.get({ userId: "user_123" })).pipe(`,
    `  Effect.provide(Clerk.layer),`,
    `  Effect.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_fake") }))`,
    `)`
  ]
  const auth = [
    `import { ClerkAuth } from "${pkg}/ClerkAuth"`,
    `const request = new Request("https://app.example.com/", { headers: { authorization: "Bearer not-a-token" } })`,
    `const checkRequest = Effect.flatMap(ClerkAuth, (auth) => auth.authenticateRequest(request)).pipe(`,
    `  Effect.provide(ClerkAuth.layer({ jwtKey: "-----BEGIN PUBLIC KEY-----\\nMIIB\\n-----END PUBLIC KEY-----" })),`,
    `  Effect.orDie`,
    `)`
  ]
  // The same decoder text on both majors: no key renaming, whose API differs between them.
  const schema = [
    `import * as Schema from "effect/Schema"`,
    `const User = Schema.Struct({`,
    `  id: Schema.String,`,
    `  first_name: Schema.NullOr(Schema.String),`,
    `  email_addresses: Schema.Array(Schema.Struct({ email_address: Schema.String }))`,
    `})`,
    `const decodeUser = Effect.flatMap(fetchUserByHand, Schema.${
      major === 3 ? "decodeUnknown" : "decodeUnknownEffect"
    }(User))`
  ]
  const run = (parts: string) =>
    `Effect.runPromise(Effect.all([${parts}]).pipe(Effect.provide(FetchHttpClient.layer))).then(console.log, console.error)`
  return {
    baseline: [...handWritten, run("fetchUserByHand")].join("\n"),
    baselineSchema: [...handWritten, ...schema, run("decodeUser")].join("\n"),
    service: [...handWritten, ...service, run("fetchUserByHand, getUserThroughService")].join("\n"),
    serviceAuth: withAuth
      ? [...handWritten, ...service, ...auth, run("fetchUserByHand, getUserThroughService, checkRequest")].join("\n")
      : undefined
  }
}

const bundleOne = async (dir: string, name: string, text: string): Promise<BundleBytes> => {
  const entry = path.join(dir, `bundle-${name}.mjs`)
  fs.writeFileSync(entry, text)
  const result = await esbuild.build({
    ...buildOptions,
    metafile: false,
    absWorkingDir: dir,
    entryPoints: [entry],
    outfile: path.join(dir, `bundle-${name}.out.js`)
  })
  const output = result.outputFiles[0]!
  fs.writeFileSync(output.path, output.contents)
  return { minBytes: output.contents.byteLength, gzipBytes: zlib.gzipSync(output.contents, { level: 9 }).byteLength }
}

const runBundle = async (dirs: PerMajor<string>, hasAuth: PerMajor<boolean>): Promise<PerMajor<BundleMajor>> => {
  const of = async (major: Major): Promise<BundleMajor> => {
    const entries = bundleEntries(major, hasAuth[major])
    return {
      baseline: await bundleOne(dirs[major], "baseline", entries.baseline),
      baselineSchema: await bundleOne(dirs[major], "baselineSchema", entries.baselineSchema),
      service: await bundleOne(dirs[major], "service", entries.service),
      serviceAuth: entries.serviceAuth === undefined
        ? undefined
        : await bundleOne(dirs[major], "serviceAuth", entries.serviceAuth)
    }
  }
  return { 3: await of(3), 4: await of(4) }
}

const importPattern = /(?:^|\n)\s*(?:import|export)[^"';]*?from\s*"([^"]+)"|import\s*\(\s*"([^"]+)"\s*\)/g

/**
 * The bare specifiers imported anywhere in the module graph of `entry` (relative imports followed), and how many
 * of the package's own files that graph holds.
 */
export const reachableImports = (entry: string): { readonly bare: Array<string>; readonly files: number } => {
  const found = new Set<string>()
  const seen = new Set<string>()
  const visit = (file: string) => {
    if (seen.has(file)) return
    seen.add(file)
    for (const match of fs.readFileSync(file, "utf8").matchAll(importPattern)) {
      const specifier = match[1] ?? match[2]!
      if (specifier.startsWith(".")) visit(path.resolve(path.dirname(file), specifier))
      else if (!specifier.startsWith("node:")) found.add(specifier)
    }
  }
  visit(entry)
  return { bare: [...found].sort(), files: seen.size }
}

const probe = (imports: ReadonlyArray<string>) =>
  [
    "const before = performance.now()",
    ...imports.map((specifier) => `await import(${JSON.stringify(specifier)})`),
    "const ms = performance.now() - before",
    "console.log(JSON.stringify({ ms, rss: process.memoryUsage().rss }))"
  ].join("\n")

const runCold = async (dirs: PerMajor<string>, processes: number) => {
  type Key = "baseline" | "entry"
  const cases: Array<{ major: Major; key: Key; file: string }> = []
  const modules = {} as Record<Major, ReturnType<typeof reachableImports>>
  for (const major of majors) {
    modules[major] = reachableImports(path.join(dirs[major], "node_modules/effect-clerk", distEntryOf[major]))
    for (const [key, imports] of [["baseline", modules[major].bare], ["entry", [entryOf[major]]]] as const) {
      const file = `cold-${key}.mjs`
      fs.writeFileSync(path.join(dirs[major], file), probe(imports))
      cases.push({ major, key, file })
    }
  }
  const samples = {
    3: { baseline: { ms: [] as Array<number>, rss: [] as Array<number> }, entry: { ms: [], rss: [] } },
    4: { baseline: { ms: [], rss: [] }, entry: { ms: [], rss: [] } }
  } as Record<Major, Record<Key, { ms: Array<number>; rss: Array<number> }>>
  for (let i = 0; i < processes; i++) {
    // Rotate the order: the first process after a pause pays for a cold file cache more than the others.
    for (let j = 0; j < cases.length; j++) {
      const c = cases[(i + j) % cases.length]!
      const out = await child<{ ms: number; rss: number }>(dirs[c.major], [c.file])
      samples[c.major][c.key].ms.push(out.ms)
      samples[c.major][c.key].rss.push(out.rss)
    }
  }
  const of = (major: Major): ColdMajor => ({
    entry: distEntryOf[major],
    baselineModules: modules[major].bare,
    packageFiles: modules[major].files,
    baselineMs: samples[major].baseline.ms,
    entryMs: samples[major].entry.ms,
    baselineRss: samples[major].baseline.rss,
    entryRss: samples[major].entry.rss
  })
  return { processes, byMajor: { 3: of(3), 4: of(4) } }
}

export const run = async (options: MajorsOptions): Promise<MajorsResult> => {
  for (const major of majors) {
    if (!fs.existsSync(path.join(options.distDir, path.relative("dist", distEntryOf[major])))) {
      throw new Error(`${distEntryOf[major]} is missing: run \`npm run build\``)
    }
  }
  const dirs = install(options)
  const versionOf = (dir: string) =>
    (JSON.parse(fs.readFileSync(path.join(dir, "node_modules/effect/package.json"), "utf8")) as { version: string })
      .version
  const versions = { 3: versionOf(dirs[3]), 4: versionOf(dirs[4]) }
  options.log(`  installed the built package for effect ${versions[3]} and ${versions[4]} under ${options.tmpDir}`)
  const wire = makeUsers(100)
  const body = JSON.stringify(wire)
  const ids = wire.map((user) => (user as { id: string }).id)

  let partStarted = performance.now()
  const took = () => {
    const s = ((performance.now() - partStarted) / 1_000).toFixed(1)
    partStarted = performance.now()
    return `${s} s`
  }
  const calls = await attempt(() => runCalls(dirs, body, ids, options))
  options.log(
    calls instanceof Error
      ? `  users.list failed: ${calls.message}`
      : `  users.list ÷ raw fetch, median of rounds: Effect 3 ${calls[3].roundRatio.median.toFixed(2)}, Effect 4 ${
        calls[4].roundRatio.median.toFixed(2)
      } (${took()})`
  )

  const hasAuth = {
    3: fs.existsSync(path.join(options.distDir, path.relative("dist", authModuleOf[3]))),
    4: fs.existsSync(path.join(options.distDir, path.relative("dist", authModuleOf[4])))
  }
  const authMissing = majors.filter((major) => !hasAuth[major]).map((major) => `${authModuleOf[major]} is not built`)
    .join("; ")
  const auth = authMissing === "" ? await attempt(() => runAuth(dirs, options)) : undefined
  options.log(
    auth === undefined
      ? `  request authentication left out: ${authMissing}`
      : auth instanceof Error
      ? `  request authentication failed: ${auth.message}`
      : `  fresh-token auth ÷ jose, median of rounds: Effect 3 ${auth[3].roundRatio.median.toFixed(2)}, Effect 4 ${
        auth[4].roundRatio.median.toFixed(2)
      } (${took()})`
  )

  const bundle = await attempt(() => runBundle(dirs, hasAuth))
  options.log(bundle instanceof Error ? `  bundle failed: ${bundle.message}` : `  bundles built (${took()})`)
  const cold = await attempt(() => runCold(dirs, options.coldProcesses))
  options.log(
    cold instanceof Error
      ? `  cold start failed: ${cold.message}`
      : `  cold start: ${options.coldProcesses} processes per case (${took()})`
  )
  const tmp = path.relative(options.root, options.tmpDir)
  return {
    versions,
    platformVersion: (JSON.parse(
      fs.readFileSync(path.join(dirs[3], "node_modules/@effect/platform/package.json"), "utf8")
    ) as { version: string }).version,
    entries: entryOf,
    scratchDir: tmp,
    userCount: ids.length,
    bodyBytes: body.length,
    calls,
    auth,
    authMissing: authMissing === "" ? undefined : authMissing,
    bundle,
    cold,
    commands: {
      calls:
        `cd ${tmp}/e{3,4} && node calls.mjs '{"major":…,"url":…,"warmupCalls":${options.calls.warmupCalls},"rounds":${options.calls.rounds},"callsPerRound":${options.calls.callsPerRound}}'`,
      auth:
        `cd ${tmp}/e{3,4} && node auth.mjs '{"major":…,"warmupRounds":${options.auth.warmupRounds},"rounds":${options.auth.rounds},"tokensPerRound":${options.auth.tokensPerRound}}'`,
      cold: `cd ${tmp}/e{3,4} && node cold-baseline.mjs / node cold-entry.mjs`
    }
  }
}
