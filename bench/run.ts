/**
 * `npm run bench`: runs every benchmark section and rewrites
 * docs/benchmarks.md with the results.
 *
 * 1. call overhead of `users.list` against a loopback replay server,
 * 2. bundle size of apps using effect-clerk, built with esbuild,
 * 3. type-check time and memory of an app against dist/ and src/, then the
 *    cold start of the built package (`await import` in fresh processes),
 * 4. request authentication: effect-clerk's `authenticateRequest` against
 *    `jose.jwtVerify` and `@clerk/backend`, networkless,
 * 5. the test kit: calls through the in-memory `ClerkTest` fake, in-process
 *    and over 127.0.0.1, and its heap per seeded user (in a child process),
 * 6. Effect 3 and Effect 4 side by side: the headline measures (users.list ÷
 *    raw fetch, fresh-token auth ÷ jose, bundle, cold import) for both lines
 *    of the built package, each in scratch apps of its own major.
 * 7. shared state on Redis: a de-duplicated webhook delivery and a rate-limited
 *    call on loopback `redis-server`, beside the in-memory stores.
 *
 * Scratch output (bundles, the CPU profile, the dist/ consumer copy) goes to
 * bench/.tmp/, which git ignores and TypeScript's `include` skips.
 *
 * `npm run bench -- --only=7` runs section 7 alone (it needs no build): it prints the section as it would
 * be rendered and writes it to bench/.tmp/section-7.md, leaving docs/benchmarks.md as it is.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Auth from "./auth/index.js"
import * as Bundle from "./bundle/index.js"
import * as CallOverhead from "./callOverhead/index.js"
import * as ColdStart from "./coldStart/index.js"
import * as Fake from "./fake/index.js"
import { redisSection, render, type Results } from "./lib/report.js"
import * as Majors from "./majors/index.js"
import * as RedisBench from "./redis/index.js"
import * as Typecheck from "./typecheck/index.js"

const root = path.resolve(import.meta.dirname, "..")
const tmp = path.join(root, "bench/.tmp")
const docPath = path.join(root, "docs/benchmarks.md")

const targets = {
  callRatio: 1.15,
  callRatioUndici: 1.0,
  sdkOverCall: 1.1,
  bundleDeltaKb: 25,
  typecheckS: 3,
  coldStart: { overBaselineMs: 60, overBaselineMb: 15 },
  auth: { freshOverJose: 1.2, joseOverCached: 15, sdkOverFresh: 4 }
}

const log = (line: string) => console.log(line)
const versionOf = (pkg: string): string =>
  (JSON.parse(fs.readFileSync(path.join(root, "node_modules", pkg, "package.json"), "utf8")) as { version: string })
    .version

/** Runs a section; a failure is reported in the document instead of stopping the others. */
const section = async <A>(name: string, body: () => Promise<A> | A): Promise<A | Error> => {
  log(`${name}…`)
  const started = performance.now()
  try {
    const result = await body()
    log(`  done in ${((performance.now() - started) / 1_000).toFixed(1)} s`)
    return result
  } catch (error) {
    console.error(`  ${name} failed:`, error)
    return error instanceof Error ? error : new Error(String(error))
  }
}

const redisOptions = { warmupCalls: 100, rounds: 40, callsPerRound: 20, budgetMs: 30_000, log }

/** Section 7 alone: printed and written to bench/.tmp/, not to docs/benchmarks.md (which needs every section). */
const onlyRedis = async () => {
  fs.mkdirSync(tmp, { recursive: true })
  const redis = await section("7. shared state on Redis (loopback)", () => RedisBench.run(redisOptions))
  const { body, summary } = redisSection(redis)
  const text = [
    "Summary rows:",
    "",
    "| Measure | Measured | Target | Met |",
    "| --- | --- | --- | --- |",
    ...summary,
    "",
    body
  ].join("\n") + "\n"
  const out = path.join(tmp, "section-7.md")
  fs.writeFileSync(out, text)
  log(`\n${text}\nwrote ${path.relative(root, out)} (docs/benchmarks.md unchanged)`)
  return redis instanceof Error ? 1 : 0
}

const only = process.argv.slice(2).find((arg) => arg.startsWith("--only="))?.slice("--only=".length)

const main = async () => {
  if (only !== undefined) {
    if (only === "7" || only === "redis") return onlyRedis()
    throw new Error(`--only=${only}: only section 7 (--only=7) can run alone`)
  }
  const started = performance.now()
  const loadBefore = os.loadavg()
  fs.mkdirSync(tmp, { recursive: true })

  const callOverhead = await section("1. call overhead", () =>
    CallOverhead.run({
      warmupCalls: 20,
      // Many short rounds: a burst of load from elsewhere then lands on every case alike.
      rounds: 40,
      callsPerRound: 4,
      budgetMs: 35_000,
      target: targets.callRatio,
      profileMs: 5_000,
      profileFile: path.relative(root, path.join(tmp, "users-list.cpuprofile")),
      log
    }))
  const bundle = await section("2. bundle size", () => Bundle.run(path.join(tmp, "bundle")))
  const typecheck = await section(
    "3. type-check",
    () => Typecheck.run({ tmpDir: path.join(tmp, "typecheck"), distRuns: 3, srcRuns: 1, log })
  )
  // After the type-check section, which builds dist/.
  const coldStart = await section(
    "3b. cold start",
    () => ColdStart.run({ root, tmpDir: path.join(tmp, "coldStart"), processes: 15, log })
  )
  const auth = await section("4. request authentication", () =>
    Auth.run({
      warmupCalls: 200,
      rounds: 120,
      callsPerRound: 20,
      inEffectBatch: 10,
      budgetMs: 18_000,
      targets: targets.auth,
      profileMs: 4_000,
      profileFile: path.relative(root, path.join(tmp, "auth.cpuprofile")),
      distinct: { rounds: 40, warmupRounds: 5, tokensPerRound: 100 },
      log
    }))
  const fake = await section("5. test kit (in-memory fake)", () =>
    Fake.run({
      warmupCalls: 30,
      rounds: 60,
      callsPerRound: 8,
      budgetMs: 8_000,
      // Seeding is quadratic in the fake (each users.create scans the store): 10,000 users take most of this section.
      memoryUsers: 10_000,
      memoryWarmUsers: 1_000,
      log
    }))

  // After the type-check section, which builds dist/ (both lines).
  const majors = await section("6. Effect 3 and Effect 4 side by side", () =>
    Majors.run({
      root,
      distDir: path.join(root, "dist"),
      tmpDir: path.join(tmp, "majors"),
      // Children of the two majors take turns; each interleaves its own raw-fetch baseline.
      calls: { children: 2, warmupCalls: 200, rounds: 48, callsPerRound: 4 },
      auth: { children: 2, warmupRounds: 3, rounds: 20, tokensPerRound: 100 },
      coldProcesses: 8,
      log
    }))

  const redis = await section(
    "7. shared state on Redis (loopback)",
    () => RedisBench.run(redisOptions)
  )

  const results: Results = {
    env: {
      date: new Date().toISOString(),
      command: "npm run bench",
      node: process.version,
      cores: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? "unknown CPU",
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
      loadBefore,
      loadAfter: os.loadavg(),
      versions: {
        effect: versionOf("effect"),
        "@effect/platform": versionOf("@effect/platform"),
        "@clerk/backend": versionOf("@clerk/backend"),
        typescript: versionOf("typescript"),
        esbuild: versionOf("esbuild")
      },
      totalS: (performance.now() - started) / 1_000
    },
    targets,
    callOverhead,
    bundle,
    typecheck,
    coldStart,
    auth,
    fake,
    majors,
    redis
  }
  fs.mkdirSync(path.dirname(docPath), { recursive: true })
  fs.writeFileSync(docPath, render(results))
  log(`wrote ${path.relative(root, docPath)} (${results.env.totalS.toFixed(0)} s)`)
  return [callOverhead, bundle, typecheck, coldStart, auth, fake, majors, redis].some((r) => r instanceof Error) ? 1 : 0
}

main().then(
  // Exit explicitly: a keep-alive socket or timer left by a client library must not hold the bench open.
  (code) => process.exit(code),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
