/**
 * The package on other JavaScript runtimes: one portable script (`test/runtimes/portable.ts`),
 * bundled with esbuild, run on Node, Bun, Deno, the edge runtime's VM and workerd, each from the
 * exact devDependency that ships its binary. Against the fake served on 127.0.0.1 by this process
 * it reads the seeded user through `ClerkBackend` over `FetchHttpClient`, catches the typed
 * `ClerkNotFound`, and authenticates a session token minted here (keys fetched from the fake's
 * JWKS, and from the PEM alone); inside the runtime it signs, verifies and decodes a webhook.
 *
 * Each runtime prints one JSON line, compared whole with what that runtime must answer (its own
 * name included, so a run on the wrong runtime fails), and the fake's record must show exactly the
 * calls the script makes. A runtime whose binary is absent (another platform, an install that left
 * it out) is skipped with a message; the others still run.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Scope from "effect/Scope"
import * as esbuild from "esbuild"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Os from "node:os"
import * as Path from "node:path"
import { ClerkTest } from "../src/ClerkTest.js"
import type { ClerkTestServer } from "../src/ClerkTest.js"
import type { PortableInput, PortableResult } from "./runtimes/portable.js"

const repoRoot = Path.resolve(import.meta.dirname, "..")
const modules = Path.join(repoRoot, "node_modules")
const tsx = Path.join(modules, "tsx", "dist", "cli.mjs")
const require = createRequire(import.meta.url)

/** How long one child process may run before it is killed. */
const childTimeout = 30_000

interface Binary {
  readonly path: string
  readonly version: string
}

/** The first candidate that runs and answers `--version`: a placeholder left by a skipped postinstall does not. */
const probe = (name: string, candidates: ReadonlyArray<string>): Binary | undefined => {
  for (const path of candidates) {
    if (!Fs.existsSync(path)) continue
    try {
      const out = ChildProcess.execFileSync(path, ["--version"], { timeout: 10_000, encoding: "utf8", stdio: "pipe" })
      // `1.4.5`, `deno 2.9.6 (stable, ...)`, `workerd 2026-11-23`: the name and the version only.
      const version = (out.trim().split("\n")[0] ?? "").replace(new RegExp(`^${name} `), "").split(" ")[0]
      return { path, version: `${name} ${version}` }
    } catch {
      // not runnable here: try the next one
    }
  }
  return undefined
}

const platform = process.platform
const arch = process.arch

// The platform packages each wrapper lists as optionalDependencies, then the wrapper's own copy
// (which its postinstall fills in, where install scripts run).
const bun = probe("bun", [
  ...["", "-baseline", "-musl", "-musl-baseline"].map((variant) =>
    Path.join(modules, "@oven", `bun-${platform}-${arch === "arm64" ? "aarch64" : arch}${variant}`, "bin", "bun")
  ),
  Path.join(modules, "bun", "bin", "bun.exe")
])
const deno = probe("deno", [
  Path.join(modules, "@deno", `${platform}-${arch}-glibc`, "deno"),
  Path.join(modules, "@deno", `${platform}-${arch}`, "deno"),
  Path.join(modules, "deno", "deno")
])
const workerd = probe("workerd", [
  Path.join(modules, "@cloudflare", `workerd-${platform}-${arch === "x64" ? "64" : arch}`, "bin", "workerd"),
  Path.join(modules, "workerd", "bin", "workerd")
])
const edgeVm = ((): Binary | undefined => {
  try {
    const manifest = require.resolve("@edge-runtime/vm/package.json")
    return { path: manifest, version: `@edge-runtime/vm ${JSON.parse(Fs.readFileSync(manifest, "utf8")).version}` }
  } catch {
    return undefined
  }
})()

interface Run {
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly env?: Record<string, string>
}

interface Runtime {
  readonly name: string
  readonly binary: Binary | undefined
  /** Why it is absent, for the skip message. */
  readonly missing: string
  readonly run: (binary: Binary, dir: string, input: string) => Run
}

const runtimes: ReadonlyArray<Runtime> = [
  {
    name: "node",
    binary: { path: process.execPath, version: `node ${process.version}` },
    missing: "",
    run: (binary, dir) => ({ command: binary.path, args: [Path.join(dir, "cli.mjs")] })
  },
  {
    name: "bun",
    binary: bun,
    missing: `no runnable Bun binary (npm package bun / @oven/bun-${platform}-*)`,
    run: (binary, dir) => ({ command: binary.path, args: [Path.join(dir, "cli.mjs")], env: { DO_NOT_TRACK: "1" } })
  },
  {
    name: "deno",
    binary: deno,
    missing: `no runnable Deno binary (npm package deno / @deno/${platform}-${arch}*)`,
    run: (binary, dir) => ({
      command: binary.path,
      args: ["run", "--no-prompt", "--allow-env=PORTABLE_INPUT", "--allow-net=127.0.0.1", Path.join(dir, "cli.mjs")],
      env: { DENO_DIR: Path.join(dir, "deno"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }
    })
  },
  {
    name: "edge-runtime",
    binary: edgeVm,
    missing: "@edge-runtime/vm is not installed",
    run: (_binary, dir) => ({
      command: process.execPath,
      args: [tsx, Path.join(repoRoot, "test", "runtimes", "edge.ts"), Path.join(dir, "edge.js")]
    })
  },
  {
    name: "workerd",
    binary: workerd,
    missing: `no runnable workerd binary (npm package workerd / @cloudflare/workerd-${platform}-*)`,
    run: (binary, dir, input) => {
      // The input is a text binding; the only outbound network allowed is the loopback.
      Fs.writeFileSync(Path.join(dir, "input.json"), input)
      Fs.writeFileSync(
        Path.join(dir, "worker.capnp"),
        [
          `using Workerd = import "/workerd/workerd.capnp";`,
          `const config :Workerd.Config = (`,
          `  services = [(name = "main", worker = .portable), (name = "loopback", network = (allow = ["local"]))]`,
          `);`,
          `const portable :Workerd.Worker = (`,
          `  modules = [(name = "worker.mjs", esModule = embed "worker.mjs")],`,
          `  compatibilityDate = "2025-01-01",`,
          `  bindings = [(name = "PORTABLE_INPUT", text = embed "input.json")],`,
          `  globalOutbound = "loopback"`,
          `);`,
          ``
        ].join("\n")
      )
      return { command: binary.path, args: ["test", Path.join(dir, "worker.capnp")] }
    }
  }
]

interface Outcome {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a child with the input in its environment, killed after `childTimeout`. */
const execute = (run: Run, input: string): Promise<Outcome> =>
  new Promise((resolve) => {
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !key.startsWith("CLERK_")) env[key] = value
    }
    ChildProcess.execFile(
      run.command,
      [...run.args],
      {
        cwd: repoRoot,
        env: { ...env, ...run.env, PORTABLE_INPUT: input },
        timeout: childTimeout,
        killSignal: "SIGKILL",
        maxBuffer: 4 * 1024 * 1024
      },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
    )
  })

const email = "ada@runtimes.example.com"
const fake = ManagedRuntime.make(ClerkTest.layerHttpClient({ users: [{ emailAddress: [email], firstName: "Ada" }] }))

describe("the portable script on each runtime", () => {
  let dir = ""
  let scope: Scope.CloseableScope | undefined
  let server: ClerkTestServer
  let userId = ""

  beforeAll(async () => {
    dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-clerk-runtimes-"))
    const common = { bundle: true, logLevel: "warning", target: "es2022" } as const
    const source = (file: string) => Path.join(repoRoot, "test", "runtimes", file)
    await Promise.all([
      // Platform neutral: no Node built-in may slip into the bundle.
      esbuild.build({
        ...common,
        entryPoints: [source("cli.ts")],
        outfile: Path.join(dir, "cli.mjs"),
        format: "esm",
        platform: "neutral",
        mainFields: ["module", "main"]
      }),
      esbuild.build({
        ...common,
        entryPoints: [source("worker.ts")],
        outfile: Path.join(dir, "worker.mjs"),
        format: "esm",
        platform: "neutral",
        mainFields: ["module", "main"]
      }),
      // The edge VM evaluates scripts, not modules: the check becomes the global `Portable`.
      esbuild.build({
        ...common,
        entryPoints: [source("portable.ts")],
        outfile: Path.join(dir, "edge.js"),
        format: "iife",
        globalName: "Portable",
        platform: "browser"
      })
    ])
    scope = await Effect.runPromise(Scope.make())
    server = await fake.runPromise(Scope.extend(ClerkTest.serve(), scope))
    // The seeded user's id, asked of the fake directly.
    const users = await fake.runPromise(Effect.gen(function*() {
      const clerk = yield* ClerkTest
      const response = yield* clerk.fetch(
        new Request(`${server.apiUrl}/users`, { headers: { authorization: "Bearer sk_test_runtimes" } })
      )
      return yield* Effect.promise(() => response.json() as Promise<ReadonlyArray<{ readonly id: string }>>)
    }))
    expect(users.length).toBe(1)
    userId = users[0]!.id
  }, 60_000)

  afterAll(async () => {
    if (scope !== undefined) await Effect.runPromise(Scope.close(scope, Exit.void))
    await fake.dispose()
    if (dir !== "") Fs.rmSync(dir, { recursive: true, force: true })
  })

  for (const runtime of runtimes) {
    if (runtime.binary === undefined) {
      console.warn(`Runtimes.test.ts: skipping ${runtime.name}: ${runtime.missing}`)
    }
    it.skipIf(runtime.binary === undefined)(`${runtime.name} (${runtime.binary?.version ?? "absent"})`, async () => {
      const { sessionId, token } = await fake.runPromise(ClerkTest.mintSessionToken(userId))
      const before = (await fake.runPromise(ClerkTest.calls)).length
      const input: PortableInput = {
        apiUrl: server.apiUrl,
        secretKey: "sk_test_runtimes",
        userId,
        token,
        sessionId,
        pem: await fake.runPromise(Effect.map(ClerkTest, (clerk) => clerk.keys.pem))
      }
      const text = JSON.stringify(input)
      const outcome = await execute(runtime.run(runtime.binary!, dir, text), text)
      const expected: PortableResult = {
        runtime: runtime.name,
        user: `${userId} ${email}`,
        missing: "ClerkNotFound 404 resource_not_found",
        authViaJwks: `SignedIn ${userId} ${sessionId}`,
        authViaPem: `SignedIn ${userId} ${sessionId}`,
        webhook: `user.created ${userId} decoded ${email}; tampered: WebhookVerificationError no-matching-signature`
      }
      expect(outcome, outcome.stderr).toMatchObject({ code: 0 })
      expect(outcome.stdout).toBe(`${JSON.stringify(expected)}\n`)
      const calls = (await fake.runPromise(ClerkTest.calls)).slice(before)
      expect(calls.map((call) => `${call.method} ${call.path} ${call.status}`)).toStrictEqual([
        `GET /users/${userId} 200`,
        "GET /users/user_missing_in_runtime 404",
        "GET /jwks 200"
      ])
    }, childTimeout + 10_000)
  }
})
