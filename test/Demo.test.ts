/**
 * Runs `examples/demo.ts` (what `npm run demo` runs) as a child process: against the
 * embedded fake by default, and in its real-API mode against a fake served on 127.0.0.1
 * standing in for Clerk. A failed step must end the process with a non-zero code.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import { ClerkTest } from "../src/ClerkTest.js"

const repoRoot = Path.resolve(import.meta.dirname, "..")
const tsx = Path.join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs")

interface Outcome {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const runDemo = (env: Record<string, string>): Promise<Outcome> =>
  new Promise((resolve) => {
    const childEnv: Record<string, string> = {}
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !key.startsWith("CLERK_")) childEnv[key] = value
    }
    ChildProcess.execFile(
      process.execPath,
      [tsx, Path.join("examples", "demo.ts")],
      { cwd: repoRoot, env: { ...childEnv, ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr })
    )
  })

const stepLines = (stdout: string) => stdout.split("\n").filter((line) => /^ ?\d+\. /.test(line))

describe("npm run demo", () => {
  it("runs every step against the embedded fake and exits 0", async () => {
    const outcome = await runDemo({})
    expect(outcome.stderr).toBe("")
    expect(outcome.code).toBe(0)
    const steps = stepLines(outcome.stdout)
    expect(steps.length).toBe(8)
    for (const line of steps) expect(line).toMatch(/^ ?\d+\. ok /)
    expect(outcome.stdout).toContain("in-memory Clerk fake listening on http://127.0.0.1:")
    expect(outcome.stdout).toContain("ClerkNotFound: resource_not_found")
    expect(outcome.stdout).toMatch(/answers 429 then 200/)
    expect(outcome.stdout).toMatch(/SignedIn as user_\w+/)
    expect(outcome.stdout).toContain("a tampered body is refused: no-matching-signature")
    expect(outcome.stdout).toContain("All 8 steps passed.")
  }, 70_000)

  it.live(
    "with CLERK_SECRET_KEY set, runs the read-only steps against the API it is given",
    () =>
      Effect.gen(function*() {
        const server = yield* ClerkTest.serve()
        const outcome = yield* Effect.promise(() =>
          runDemo({ CLERK_SECRET_KEY: "sk_test_demo_fake_key", CLERK_API_URL: server.apiUrl })
        )
        expect(outcome.code).toBe(0)
        expect(outcome.stdout).toContain("running the read-only steps against Clerk's API")
        expect(stepLines(outcome.stdout).every((line) => / ok /.test(line))).toBe(true)
        expect(outcome.stdout).toContain("2 users")
        expect(outcome.stdout).toContain("SignedOut: ")
        const calls = yield* ClerkTest.calls
        expect(calls.every((call) => call.method === "GET")).toBe(true)
      }).pipe(
        Effect.scoped,
        Effect.provide(
          ClerkTest.layerHttpClient({
            users: [{ emailAddress: ["a@example.com"] }, { emailAddress: ["b@example.com"] }]
          })
        ),
        Effect.timeout("65 seconds")
      ),
    70_000
  )

  it.live("exits 1 and names the step when one fails", () =>
    Effect.gen(function*() {
      const server = yield* ClerkTest.serve()
      const outcome = yield* Effect.promise(() =>
        runDemo({ CLERK_SECRET_KEY: "sk_test_wrong_key", CLERK_API_URL: server.apiUrl })
      )
      expect(outcome.code).toBe(1)
      expect(outcome.stdout).toMatch(/ 1\. FAIL count users/)
      expect(outcome.stdout).toContain("ClerkUnauthorized")
      expect(outcome.stdout).toContain("The demo failed at step 1.")
      expect(outcome.stdout).not.toContain("sk_test_wrong_key")
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.orDie(ClerkTest.layerHttpClient({ secretKey: "sk_test_the_right_key" }))),
      Effect.timeout("65 seconds")
    ), 70_000)
})
