/**
 * The package as users get it: built with the real `build` script, packed with
 * `npm pack`, unpacked into a fresh strict NodeNext project, type-checked there
 * and run with node against a local HTTP server. A third consumer, with ioredis, runs
 * `effect-clerk/redis` against a real redis-server.
 *
 * The build happens in a copy of the repository under the OS temp dir, so this
 * test never deletes or rewrites the working tree's `dist/` while someone else
 * may be using it. Nothing is installed from a registry: the consumer's
 * dependencies are links into this repository's `node_modules`, which works
 * offline and with an empty npm cache (a clean clone after `npm ci`).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Url from "node:url"
import * as Zlib from "node:zlib"
import { publint } from "publint"
import { wireUser } from "./support/Fixtures.js"
import type { RedisServer } from "./support/RedisServer.js"
import { redisUnavailable, startRedis } from "./support/RedisServer.js"

const repoRoot = Path.resolve(Url.fileURLToPath(new URL("..", import.meta.url)))
const fixture = Path.join(repoRoot, "test", "fixtures", "consumer")
const fixture4 = Path.join(repoRoot, "test", "fixtures", "consumer4")
const fakeSecret = "sk_test_FAKE_consumer_key"

const unavailable = redisUnavailable()
if (unavailable !== undefined) console.warn(unavailable)

// The program of the consumer with ioredis (its src/main.ts): tsc checks it strictly against the shipped
// declarations and emits the ESM script node runs against the test's redis-server. Kept here, beside the
// assertions on what it prints.
const redisProgram = `import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { WebhookDeduplication, type WebhookDeduplicationService } from "effect-clerk/ClerkWebhooksHandler"
import { ClerkRedis, deduplication } from "effect-clerk/redis"

const url = process.env["CLERK_REDIS_URL"]
if (url === undefined) throw new Error("CLERK_REDIS_URL is not set")

// As an application wires it: the store on its connection, nothing left to provide.
const store: Layer.Layer<WebhookDeduplication> = deduplication().pipe(
  Layer.provide(ClerkRedis.layer({ url: Redacted.make(url) }))
)

const program = Effect.gen(function*() {
  const dedup = yield* WebhookDeduplication
  const id = "msg_packed_consumer"
  const first: boolean | "busy" = yield* dedup.claim(id)
  // Claimed and not completed: another delivery of it meanwhile is told to come back later.
  const second = yield* dedup.claim(id)
  if (dedup.complete === undefined) return yield* Effect.dieMessage("the Redis store has no complete")
  yield* dedup.complete(id)
  const afterComplete = yield* dedup.claim(id)
  return { first, second, afterComplete }
})

// Never called: each line must fail to compile, which shows the shipped types are precise, not any.
export const mustNotCompile = (dedup: WebhookDeduplicationService) => [
  // @ts-expect-error the URL may hold a password, so it must be Redacted
  ClerkRedis.layer({ url }),
  // @ts-expect-error the store needs a ClerkRedis connection
  Effect.runPromise(Effect.provide(WebhookDeduplication, deduplication())),
  // @ts-expect-error a claim may also answer "busy"
  ((): Effect.Effect<boolean> => dedup.claim("msg_1"))()
]

program.pipe(Effect.provide(store), Effect.runPromise).then(
  (result) => {
    console.log(JSON.stringify(result))
  },
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  }
)
`

// Bounds every child process: generous because `tsc` over the generated
// modules is the slow part and CI machines vary.
const commandTimeout = 240_000

interface Output {
  readonly stdout: string
  readonly stderr: string
}

// Drops the variables an outer `npm test` exports, so the nested npm commands
// see the staged package and nothing of the run that started this test.
const childEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith("npm_") && key !== "INIT_CWD") env[key] = value
  }
  return {
    ...env,
    npm_config_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    ...extra
  }
}

// Asynchronous on purpose: the consumer talks to a server living in this
// process, which a synchronous spawn would block.
const run = (
  command: string,
  args: ReadonlyArray<string>,
  cwd: string,
  env: NodeJS.ProcessEnv = childEnv(),
  timeout = commandTimeout
): Promise<Output> =>
  new Promise((resolve, reject) => {
    ChildProcess.execFile(
      command,
      [...args],
      { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        if (error === null) return resolve({ stdout, stderr })
        const why = error.killed ? `killed after ${timeout} ms` : `exit ${String(error.code ?? error.signal)}`
        reject(
          new Error(
            `\`${
              [command, ...args].join(" ")
            }\` in ${cwd} failed (${why})\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`
          )
        )
      }
    )
  })

// npm's own CLI script run with this node, so no shell and no `npm.cmd` lookup is needed.
const npmCli = (): ReadonlyArray<string> => {
  const fromEnv = process.env["npm_execpath"]
  const candidates = [
    ...(fromEnv !== undefined && /npm-cli\.[cm]?js$/.test(fromEnv) ? [fromEnv] : []),
    Path.join(Path.dirname(process.execPath), "node_modules", "npm", "bin", "npm-cli.js"),
    Path.join(Path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js")
  ]
  const found = candidates.find((candidate) => Fs.existsSync(candidate))
  if (found === undefined) throw new Error(`npm's CLI script was not found; looked at ${candidates.join(", ")}`)
  return [found]
}

const npm = (args: ReadonlyArray<string>, cwd: string) => run(process.execPath, [...npmCli(), ...args], cwd)

interface TarEntry {
  readonly path: string
  readonly type: string
  readonly data: Buffer
}

// Enough of ustar (plus pax and GNU long names) to list and unpack what npm
// writes, without depending on a `tar` binary being installed.
const readTarball = (file: string): ReadonlyArray<TarEntry> => {
  const tar = Zlib.gunzipSync(Fs.readFileSync(file))
  const text = (start: number, length: number) => {
    const raw = tar.subarray(start, start + length)
    const end = raw.indexOf(0)
    return raw.subarray(0, end === -1 ? length : end).toString("utf8")
  }
  const entries: Array<TarEntry> = []
  let offset = 0
  let longPath: string | undefined
  while (offset + 512 <= tar.length) {
    if (tar.subarray(offset, offset + 512).every((byte) => byte === 0)) break
    const name = text(offset, 100)
    const size = parseInt(text(offset + 124, 12).trim() || "0", 8)
    const type = text(offset + 156, 1) || "0"
    const prefix = text(offset + 345, 155)
    const data = Buffer.from(tar.subarray(offset + 512, offset + 512 + size))
    offset += 512 + Math.ceil(size / 512) * 512
    if (type === "x") {
      longPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString("utf8"))?.[1] ?? longPath
      continue
    }
    if (type === "L") {
      longPath = data.toString("utf8").replace(/\0[\s\S]*$/, "")
      continue
    }
    if (type === "g") continue
    entries.push({ path: longPath ?? (prefix === "" ? name : `${prefix}/${name}`), type, data })
    longPath = undefined
  }
  return entries
}

const packageRelative = (entry: TarEntry) => entry.path.replace(/^package\//, "")

const extract = (entries: ReadonlyArray<TarEntry>, into: string) => {
  for (const entry of entries) {
    if (entry.type !== "0") continue
    const relative = packageRelative(entry)
    if (Path.isAbsolute(relative) || relative.split("/").includes("..")) {
      throw new Error(`refusing to unpack ${entry.path}`)
    }
    const target = Path.join(into, ...relative.split("/"))
    Fs.mkdirSync(Path.dirname(target), { recursive: true })
    Fs.writeFileSync(target, entry.data)
  }
}

// "junction" makes directory links work on Windows without extra privileges; elsewhere it is ignored.
const link = (target: string, path: string) => {
  Fs.mkdirSync(Path.dirname(path), { recursive: true })
  Fs.symlinkSync(target, path, "junction")
}

const userBody = (id: string) =>
  wireUser({ id, public_metadata: { "Some Key": { nested_key: 1 } }, a_field_clerk_added_later: { anything: true } })

interface Received {
  readonly method: string
  readonly path: string
  readonly query: Record<string, string>
  readonly authorization: string | undefined
  readonly userAgent: string | undefined
}

const answer = (method: string, path: string): { readonly status: number; readonly body: unknown } => {
  if (method === "GET" && path === "/users/user_123") return { status: 200, body: userBody("user_123") }
  if (method === "GET" && path === "/users/user_missing") {
    return {
      status: 404,
      body: { errors: [{ code: "resource_not_found", message: "not found", long_message: "No user was found" }] }
    }
  }
  if (method === "GET" && path === "/users") return { status: 200, body: [userBody("user_123"), userBody("user_456")] }
  if (method === "GET" && path === "/organizations") return { status: 200, body: { data: [], total_count: 7 } }
  // A status no operation declares, so a request this test did not plan for fails the consumer loudly.
  return { status: 418, body: { errors: [{ code: "unplanned_request", message: `${method} ${path}` }] } }
}

const withServer = async <A>(use: (baseUrl: string, received: ReadonlyArray<Received>) => Promise<A>): Promise<A> => {
  const received: Array<Received> = []
  const server = Http.createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1")
    received.push({
      method: request.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.authorization,
      userAgent: request.headers["user-agent"]
    })
    const { body, status } = answer(request.method ?? "", url.pathname)
    response.writeHead(status, { "content-type": "application/json" })
    response.end(JSON.stringify(body))
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve())
  })
  try {
    const { port } = server.address() as Net.AddressInfo
    return await use(`http://127.0.0.1:${port}`, received)
  } finally {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

interface Packed {
  readonly tarball: string
  readonly entries: ReadonlyArray<TarEntry>
  readonly manifest: {
    readonly version: string
    readonly files: ReadonlyArray<string>
    readonly exports: Record<string, unknown>
    readonly dependencies?: Record<string, string>
    readonly peerDependencies?: Record<string, string>
    readonly peerDependenciesMeta?: Record<string, { readonly optional?: boolean }>
  }
  readonly consumer: string
  readonly consumer4: string
  readonly consumerRedis: string
}

// Top-level entries a clean clone does not have, or that must come from the build.
const notStaged = new Set(["node_modules", ".git", "dist", ".tmp", "scratch"])

let scratch: string | undefined
let packed: Packed | undefined
const compiled = new Map<string, Promise<Output>>()

/**
 * A scratch project with the unpacked package and the given packages linked into its node_modules. Its
 * src/main.ts is the fixture's template, or `main` when given (on the fixture's package.json and tsconfig).
 */
const makeConsumer = (
  scratch: string,
  name: string,
  from: string,
  entries: ReadonlyArray<TarEntry>,
  packages: ReadonlyArray<readonly [name: string, source: string]>,
  main?: string
): string => {
  const consumer = Path.join(scratch, name)
  Fs.mkdirSync(Path.join(consumer, "src"), { recursive: true })
  Fs.copyFileSync(Path.join(from, "package.json"), Path.join(consumer, "package.json"))
  Fs.copyFileSync(Path.join(from, "tsconfig.json"), Path.join(consumer, "tsconfig.json"))
  if (main === undefined) Fs.copyFileSync(Path.join(from, "src", "main.ts.tmpl"), Path.join(consumer, "src", "main.ts"))
  else Fs.writeFileSync(Path.join(consumer, "src", "main.ts"), main)
  const modules = Path.join(consumer, "node_modules")
  extract(entries, Path.join(modules, "effect-clerk"))
  for (const [module, source] of packages) link(source, Path.join(modules, ...module.split("/")))
  return consumer
}

const setUp = async (): Promise<Packed> => {
  scratch = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-clerk-package-"))
  const stage = Path.join(scratch, "package")
  Fs.cpSync(repoRoot, stage, {
    recursive: true,
    filter: (source) => {
      const relative = Path.relative(repoRoot, source)
      return !notStaged.has(relative.split(Path.sep)[0]!) && !relative.endsWith(".tgz")
    }
  })
  link(Path.join(repoRoot, "node_modules"), Path.join(stage, "node_modules"))
  // The working tree's scratch/ is ignored and absent on a clean clone; a
  // stand-in shows that such a directory stays out of the tarball either way.
  Fs.mkdirSync(Path.join(stage, "scratch"))
  Fs.writeFileSync(Path.join(stage, "scratch", "probe.mjs"), "export {}\n")

  // No explicit build: `npm pack` must run `prepack`, which rebuilds dist/ from scratch. A stale file left in
  // dist/ shows whether it did.
  Fs.mkdirSync(Path.join(stage, "dist"), { recursive: true })
  Fs.writeFileSync(Path.join(stage, "dist", "stale-build-marker.js"), "export const stale = true\n")
  const packDir = Path.join(scratch, "pack")
  Fs.mkdirSync(packDir)
  await npm(["pack", "--pack-destination", packDir], stage)
  const tarballs = Fs.readdirSync(packDir).filter((name) => name.endsWith(".tgz"))
  if (tarballs.length !== 1) throw new Error(`expected one tarball in ${packDir}, found ${JSON.stringify(tarballs)}`)
  const tarball = Path.join(packDir, tarballs[0]!)
  const entries = readTarball(tarball)
  const manifestEntry = entries.find((entry) => entry.path === "package/package.json")
  if (manifestEntry === undefined) throw new Error("the tarball has no package/package.json")
  const manifest = JSON.parse(manifestEntry.data.toString("utf8")) as Packed["manifest"]

  // The Effect 3 consumer gets exactly what the packed manifest asks for (optional peers included), so a missing
  // dependency shows up as a failure here. The Effect 4 consumer gets what `npm install effect effect-clerk`
  // gives: the dependencies, Effect 4 and no optional peer.
  const optional = new Set(Object.keys(manifest.peerDependenciesMeta ?? {}))
  const installed = (name: string) => {
    const source = Path.join(repoRoot, "node_modules", ...name.split("/"))
    if (!Fs.existsSync(source)) throw new Error(`${name} is not installed in ${repoRoot}/node_modules; run npm ci`)
    return source
  }
  const effect4 = Path.join(repoRoot, "src", "v4", "node_modules", "effect")
  if (!Fs.existsSync(effect4)) throw new Error(`Effect 4 is not installed in ${effect4}; run npm ci`)
  const effect3 = [
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    "@types/node"
  ]
  // Without ioredis, as most users: only effect-clerk/redis needs it (checked below to say so when missing).
  const consumer = makeConsumer(
    scratch,
    "consumer",
    fixture,
    entries,
    effect3.filter((name) => name !== "ioredis").map((name) => [name, installed(name)] as const)
  )
  // With ioredis, the version this repository installed (its devDependency), so still no registry.
  const consumerRedis = makeConsumer(
    scratch,
    "consumer-redis",
    fixture,
    entries,
    effect3.map((name) => [name, installed(name)] as const),
    redisProgram
  )
  const consumer4 = makeConsumer(scratch, "consumer4", fixture4, entries, [
    ...[...Object.keys(manifest.dependencies ?? {}), "@types/node"].map((name) => [name, installed(name)] as const),
    ...Object.keys(manifest.peerDependencies ?? {}).filter((name) => !optional.has(name)).map((name) =>
      [name, name === "effect" ? effect4 : installed(name)] as const
    )
  ])
  return { tarball, entries, manifest, consumer, consumer4, consumerRedis }
}

const ready = (): Packed => {
  if (packed === undefined) throw new Error("the package was not built and packed; see the beforeAll failure")
  return packed
}

// `tsc` both type-checks and (with noEmitOnError) emits the JS node then runs;
// shared by the two tests of each consumer that need it, so it runs once per consumer.
const compile = (consumer: string): Promise<Output> => {
  let output = compiled.get(consumer)
  if (output === undefined) {
    output = run(
      process.execPath,
      [Path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json", "--pretty", "false"],
      consumer
    )
    compiled.set(consumer, output)
  }
  return output
}

/** Type-checks a consumer with its own strict tsc, which emits out/main.js only when nothing failed. */
const expectCompiles = async (consumer: string) => {
  const { stdout } = await compile(consumer)
  expect(stdout.trim()).toBe("")
  expect(Fs.existsSync(Path.join(consumer, "out", "main.js"))).toBe(true)
}

/** major.minor.patch of a package as linked into a consumer. */
const versionIn = (consumer: string, name: string): ReadonlyArray<number> => {
  const manifest = Path.join(consumer, "node_modules", ...name.split("/"), "package.json")
  return (JSON.parse(Fs.readFileSync(manifest, "utf8")) as { readonly version: string }).version
    .split(/[.-]/).slice(0, 3).map(Number)
}

/** The two consumers: an Effect 3 program on the root entry, an Effect 4 program on `effect-clerk/v4`. */
const consumers = [
  { major: 3, consumer: (packed: Packed) => packed.consumer },
  { major: 4, consumer: (packed: Packed) => packed.consumer4 }
] as const

describe("the packed package", () => {
  beforeAll(async () => {
    packed = await setUp()
  }, 2 * commandTimeout + 60_000)

  afterAll(() => {
    if (scratch !== undefined) Fs.rmSync(scratch, { recursive: true, force: true, maxRetries: 3 })
  })

  it("holds the build, the sources and the manifest, and nothing else from the workspace", () => {
    const { entries, manifest } = ready()
    expect(entries.length).toBeGreaterThan(0)
    expect(entries.every((entry) => entry.path.startsWith("package/"))).toBe(true)
    const paths = entries.map(packageRelative)
    const has = new Set(paths)
    for (const path of ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts", "src/index.ts"]) {
      expect(has.has(path), path).toBe(true)
    }
    for (const top of ["test/", "node_modules/", "scratch/", "scripts/", "bench/", ".git/"]) {
      expect(paths.filter((path) => path.startsWith(top)), top).toEqual([])
    }
    expect(paths.filter((path) => path.includes("/node_modules/") || path.endsWith(".tgz"))).toEqual([])
    const allowed = [...manifest.files, "package.json"]
    expect(paths.filter((path) => !allowed.some((root) => path === root || path.startsWith(`${root}/`)))).toEqual([])

    // Every generated group ships as its own module, so `effect-clerk/generated/X` resolves.
    const groups = paths.filter((path) => /^src\/generated\/[^/]+\.ts$/.test(path))
    expect(groups.length).toBeGreaterThan(10)
    for (const source of groups) {
      const base = source.replace(/^src\//, "dist/").replace(/\.ts$/, "")
      expect(has.has(`${base}.js`), `${base}.js`).toBe(true)
      expect(has.has(`${base}.d.ts`), `${base}.d.ts`).toBe(true)
    }

    const root = manifest.exports["."] as Record<string, string>
    for (const target of Object.values(root)) expect(has.has(target.replace(/^\.\//, "")), target).toBe(true)
  })

  it("npm pack builds dist/ afresh through prepack: a stale file in dist/ never ships", () => {
    const { entries, manifest } = ready()
    const paths = entries.map(packageRelative)
    expect((manifest as { readonly scripts?: Record<string, string> }).scripts?.["prepack"]).toBe("npm run build")
    expect(paths).not.toContain("dist/stale-build-marker.js")
    expect(paths).toContain("dist/ClerkBackend.js")
  })

  for (const { consumer: consumerOf, major } of consumers) {
    it(`type-checks a strict NodeNext Effect ${major} consumer against the shipped declarations`, async () => {
      await expectCompiles(consumerOf(ready()))
    }, commandTimeout + 10_000)

    it(
      `runs the Effect ${major} consumer with node against a local server and prints decoded camelCase values`,
      async () => {
        const { manifest } = ready()
        const consumer = consumerOf(ready())
        await compile(consumer)
        const { received, result } = await withServer(async (baseUrl, received) => {
          const { stdout } = await run(
            process.execPath,
            [Path.join("out", "main.js")],
            consumer,
            childEnv({ CLERK_API_URL: baseUrl }),
            60_000
          )
          const lines = stdout.trim().split("\n")
          return { received: [...received], result: JSON.parse(lines[lines.length - 1]!) as Record<string, unknown> }
        })

        const user = result["user"] as Record<string, unknown>
        expect(user).toMatchObject({
          id: "user_123",
          object: "user",
          firstName: "Ada",
          lastName: null,
          imageUrl: "https://img.test/1",
          hasImage: false,
          emailAddresses: [],
          createdAt: 1,
          updatedAt: 2,
          deleteSelfEnabled: true,
          publicMetadata: { "Some Key": { nested_key: 1 } }
        })
        expect(Object.keys(user).filter((key) => key.includes("_"))).toEqual([])
        expect(user).not.toHaveProperty("aFieldClerkAddedLater")
        expect(result).toMatchObject({
          firstName: "Ada",
          organizations: { data: [], totalCount: 7 },
          missing: "ClerkNotFound 404 resource_not_found true",
          listed: ["user_123", "user_456"],
          viaGroup: "user_123",
          sameModule: true,
          signedIn: "user_packed",
          webhook: "user_gone",
          middleware: "function",
          fromFake: "packed@example.com"
        })

        expect(received.map(({ method, path, query }) => ({ method, path, query }))).toEqual([
          { method: "GET", path: "/users/user_123", query: {} },
          { method: "GET", path: "/organizations", query: { limit: "20", query: "acme" } },
          { method: "GET", path: "/users/user_missing", query: {} },
          { method: "GET", path: "/users", query: { query: "ada", limit: "500" } },
          { method: "GET", path: "/users/user_123", query: {} }
        ])
        for (const request of received) {
          expect(request.authorization).toBe(`Bearer ${fakeSecret}`)
          expect(request.userAgent).toBe(`effect-clerk/${manifest.version}`)
        }
      },
      commandTimeout + 70_000
    )
  }

  it("type-checks a strict NodeNext consumer of effect-clerk/redis, with ioredis installed", async () => {
    await expectCompiles(ready().consumerRedis)
  }, commandTimeout + 10_000)

  describe.skipIf(unavailable !== undefined)("with ioredis, against a real redis-server", () => {
    let server: RedisServer | undefined

    beforeAll(async () => {
      server = await startRedis()
    }, 30_000)

    afterAll(async () => {
      await server?.stop()
    })

    it("de-duplicates webhook ids on Redis from the compiled consumer, across two processes", async () => {
      const { consumerRedis } = ready()
      // Versions the packed manifest accepts (its peer ranges ^5.4.0 and ^3.22.0), on the Effect 3 line.
      const [ioredisMajor = 0, ioredisMinor = 0] = versionIn(consumerRedis, "ioredis")
      expect(ioredisMajor === 5 && ioredisMinor >= 4, `ioredis ${ioredisMajor}.${ioredisMinor}`).toBe(true)
      const [effectMajor = 0, effectMinor = 0] = versionIn(consumerRedis, "effect")
      expect(effectMajor === 3 && effectMinor >= 22, `effect ${effectMajor}.${effectMinor}`).toBe(true)

      await compile(consumerRedis)
      const claims = async () => {
        const { stdout } = await run(
          process.execPath,
          [Path.join("out", "main.js")],
          consumerRedis,
          childEnv({ CLERK_REDIS_URL: server!.url }),
          60_000
        )
        const lines = stdout.trim().split("\n")
        return JSON.parse(lines[lines.length - 1]!) as unknown
      }
      // Claimed, then busy while not completed; once completed, a processed duplicate.
      expect(await claims()).toEqual({ first: true, second: "busy", afterComplete: false })
      // A second process on its own connection finds the id processed: the state is on Redis, not in memory.
      expect(await claims()).toEqual({ first: false, second: false, afterComplete: false })
    }, commandTimeout + 130_000)
  })

  it("asks for either major of effect, and for @effect/platform and ioredis only as optional peers", () => {
    const { manifest } = ready()
    expect(manifest.peerDependencies).toEqual({
      "@effect/platform": "^0.97.0",
      effect: "^3.22.0 || ^4.1.0",
      ioredis: "^5.4.0"
    })
    expect(manifest.peerDependenciesMeta).toEqual({
      "@effect/platform": { optional: true },
      ioredis: { optional: true }
    })
  })

  // The wrong entry for the installed major fails when the module graph is linked, before any code runs, with
  // Node's message naming what is missing: the README's "Effect 3 or Effect 4" section lists both messages.
  it("fails with a message naming what is missing when a program imports the other major's entry", async () => {
    const { consumer, consumer4 } = ready()
    const attempt = async (cwd: string, specifier: string) => {
      const script = Path.join(cwd, "wrong-entry.mjs")
      Fs.writeFileSync(script, `await import(${JSON.stringify(specifier)})\n`)
      return run(process.execPath, [script], cwd, childEnv(), 60_000).then(
        () => "loaded",
        (error: Error) => error.message
      )
    }
    const rootOnEffect4 = await attempt(consumer4, "effect-clerk")
    expect(rootOnEffect4).toMatch(/Cannot find package '@effect\/platform' imported from .*effect-clerk[\\/]dist[\\/]/)
    const v4OnEffect3 = await attempt(consumer, "effect-clerk/v4")
    expect(v4OnEffect3).toMatch(
      /'\.\/http\/[A-Za-z]+' is not defined by "exports" in .*effect[\\/]package\.json imported from .*effect-clerk[\\/]dist[\\/]v4[\\/]/
    )
    // The Redis entry alone needs ioredis, which the consumer (like most users) did not install.
    expect(await attempt(consumer, "effect-clerk/redis")).toMatch(
      /Cannot find package 'ioredis' imported from .*effect-clerk[\\/]dist[\\/]ClerkRedis\.js/
    )
    // Each entry loads where it belongs.
    expect(await attempt(consumer, "effect-clerk")).toBe("loaded")
    expect(await attempt(consumer, "effect-clerk/ClerkRedisError")).toBe("loaded")
    expect(await attempt(consumer4, "effect-clerk/v4/ClerkBackend")).toBe("loaded")
  }, 130_000)

  it("passes publint, strict, on the packed tarball", async () => {
    const { tarball } = ready()
    const bytes = Fs.readFileSync(tarball)
    const result = await publint({
      pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
      strict: true
    })
    expect(result.messages.map(({ code, path, type }) => ({ code, path: path.join("."), type }))).toEqual([])
  })

  it("passes arethetypeswrong on the packed tarball, with the esm-only profile (the package ships no CommonJS)", async () => {
    const { tarball } = ready()
    const attw = Path.join(repoRoot, "node_modules", "@arethetypeswrong", "cli", "dist", "index.js")
    // `run` rejects on a non-zero exit, which attw gives for any problem the profile counts. The JSON lists
    // every problem, so the ones esm-only leaves out (CommonJS `require` and node10 resolution) are dropped here.
    const { stdout } = await run(
      process.execPath,
      [attw, tarball, "--profile", "esm-only", "--format", "json"],
      scratch!
    )
    const report = JSON.parse(stdout) as {
      readonly analysis: {
        readonly problems: ReadonlyArray<{ readonly kind: string; readonly resolutionKind?: string }>
        readonly entrypoints: Record<string, unknown>
      }
    }
    const esmOnly = new Set(["node10", "node16-cjs"])
    const counted = report.analysis.problems.filter((problem) => !esmOnly.has(problem.resolutionKind ?? ""))
    expect(counted).toEqual([])
    // Every entry point of the exports map was analysed.
    expect(Object.keys(report.analysis.entrypoints)).toContain("./ClerkWebhooksError")
  })
})
