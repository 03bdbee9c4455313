/**
 * Section 5: what a call costs through the test kit's in-memory fake
 * (`ClerkTest`), in-process and, as the baseline, through the same fake
 * served on 127.0.0.1; and how much heap a seeded fake holds per user.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as assert from "node:assert"
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { ClerkTest } from "../../src/ClerkTest.js"
import { ClerkBackend, ClerkConfig } from "../../src/index.js"
import { interleaved, type Stats } from "../lib/measure.js"
import type { MemoryResult } from "./memory.js"
import { userSeed, userSeeds } from "./seeds.js"

export type CaseKey =
  | "get"
  | "getLoopback"
  | "list"
  | "create"
  | "derivedGet"
  | "derivedCreate"
  | "generated"

export interface FakeResult {
  readonly seededUsers: number
  readonly rounds: number
  readonly callsPerRound: number
  readonly warmupCalls: number
  readonly stats: Readonly<Record<CaseKey, Stats>>
  /** Users in the fake (d) writes to, before its warm-up and after the timed rounds. */
  readonly createStore: { readonly before: number; readonly after: number }
  readonly memory: MemoryResult
  /** How the memory figures were produced. */
  readonly memoryCommand: string
}

export interface FakeOptions {
  readonly warmupCalls: number
  readonly rounds: number
  readonly callsPerRound: number
  readonly budgetMs: number
  /** Users seeded for the memory measurement, and for its warm-up fake. */
  readonly memoryUsers: number
  readonly memoryWarmUsers: number
  readonly log: (line: string) => void
}

const root = path.resolve(import.meta.dirname, "../..")
const seededUsers = 100
const listLimit = 100
/** The indexes of (d)'s users start here, so their email addresses, usernames and phone numbers are new. */
const createFrom = 1_000_000

type Runtime = ManagedRuntime.ManagedRuntime<ClerkBackend.ClerkBackend | ClerkTest, never>

const fakeRuntime = (): Runtime =>
  ManagedRuntime.make(Layer.orDie(ClerkTest.layerWith({ users: userSeeds(seededUsers) })))

/** Seeds 10,000 users in a process of its own, with `--expose-gc`, and reads what it printed. */
const measureMemory = (
  users: number,
  warmUsers: number
): { readonly result: MemoryResult; readonly command: string } => {
  const script = path.relative(root, path.join(import.meta.dirname, "memory.ts"))
  const args = ["--expose-gc", "--import", "tsx", script, String(users), String(warmUsers)]
  const child = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8", timeout: 180_000 })
  const line = (child.stdout ?? "").split("\n").find((l) => l.startsWith("BENCH_FAKE_MEMORY "))
  if (child.status !== 0 || line === undefined) {
    throw new Error(`the memory measurement failed (status ${child.status}, signal ${child.signal}):\n${child.stderr}`)
  }
  return {
    result: JSON.parse(line.slice("BENCH_FAKE_MEMORY ".length)) as MemoryResult,
    command: `node ${args.join(" ")}`
  }
}

export const run = async (options: FakeOptions): Promise<FakeResult> => {
  // (a), (c): the fake in-process. (b): the same instance, served on 127.0.0.1, through its own client.
  const fake = fakeRuntime()
  // (d) writes to an instance of its own, so the users it adds do not change what (a) to (c) read.
  const writes = fakeRuntime()
  const serveScope = await fake.runPromise(Scope.make())
  let loopback: ManagedRuntime.ManagedRuntime<ClerkBackend.ClerkBackend, never> | undefined
  try {
    const clerk = await fake.runPromise(ClerkBackend.ClerkBackend)
    const control = await fake.runPromise(ClerkTest)
    const server = await fake.runPromise(Scope.extend(ClerkTest.serve(), serveScope))
    loopback = ManagedRuntime.make(
      ClerkBackend.layer.pipe(
        Layer.provide(ClerkConfig.layer({ secretKey: Redacted.make("sk_test_bench"), apiUrl: server.apiUrl })),
        Layer.provide(FetchHttpClient.layer)
      )
    )
    const overLoopback = await loopback.runPromise(ClerkBackend.ClerkBackend)
    const writer = await writes.runPromise(ClerkBackend.ClerkBackend)

    // Every seeded user, in creation order; (a) and (b) cycle through the same ids.
    const seeded = await fake.runPromise(clerk.users.list({ limit: listLimit, orderBy: "+created_at" }))
    assert.strictEqual(seeded.length, seededUsers)
    const gets = seeded.map((user) => clerk.users.get({ userId: user.id }))
    const loopbackGets = seeded.map((user) => overLoopback.users.get({ userId: user.id }))
    const list = clerk.users.list({ limit: listLimit })

    // Checks before timing: a wrong answer must not pass as a fast one.
    for (const [index, user] of seeded.entries()) {
      assert.strictEqual(user.emailAddresses[0]?.emailAddress, userSeed(index).emailAddress?.[0], "seeded in order")
    }
    const inProcess = await fake.runPromise(gets[7]!)
    const callsBefore = (await fake.runPromise(control.calls)).length
    const overSocket = await loopback.runPromise(loopbackGets[7]!)
    const calls = await fake.runPromise(control.calls)
    assert.deepStrictEqual(overSocket, inProcess, "the served fake answers what the in-process one answers")
    assert.strictEqual(calls.length, callsBefore + 1, "(b) reaches the same fake instance")
    assert.strictEqual(calls.at(-1)?.operation, "users.get")
    assert.strictEqual((await fake.runPromise(list)).length, listLimit)
    const createBefore = (await writes.runPromise(writer.users.count())).totalCount
    let created = 0
    const create = () => writes.runPromise(writer.users.create(userSeed(createFrom + created++, "new")))
    const first = await create()
    assert.strictEqual(first.emailAddresses[0]?.emailAddress, `new${createFrom}@bench.example.com`)
    // The spec-driven tier (a stored redirect URL) and a generated answer (a plan list), on the same fake.
    const stored = await fake.runPromise(clerk.redirectUrls.create({ url: "https://bench.example.com/cb" }))
    const derivedGet = clerk.redirectUrls.get({ id: stored.id })
    assert.strictEqual((await fake.runPromise(derivedGet)).url, "https://bench.example.com/cb")
    let derivedCreated = 0
    const derivedCreate = () =>
      writes.runPromise(writer.redirectUrls.create({ url: `https://bench.example.com/${derivedCreated++}` }))
    assert.match((await derivedCreate()).url, /^https:\/\/bench\.example\.com\/0$/)
    const generated = clerk.billing.listPlans()
    assert.ok(Array.isArray((await fake.runPromise(generated)).data), "a generated answer decodes")
    options.log(`  fake: ${seededUsers} users seeded, served at ${server.apiUrl}; every case checked`)

    let getIndex = 0
    let loopbackIndex = 0
    const { rounds, stats } = await interleaved([
      { key: "get", run: () => fake.runPromise(gets[getIndex++ % gets.length]!) },
      { key: "getLoopback", run: () => loopback!.runPromise(loopbackGets[loopbackIndex++ % loopbackGets.length]!) },
      { key: "list", run: () => fake.runPromise(list) },
      { key: "create", run: create },
      { key: "derivedGet", run: () => fake.runPromise(derivedGet) },
      { key: "derivedCreate", run: derivedCreate },
      { key: "generated", run: () => fake.runPromise(generated) }
    ], options)
    const byKey = Object.fromEntries(stats.map((s) => [s.key, s])) as Record<CaseKey, Stats>
    const createAfter = (await writes.runPromise(writer.users.count())).totalCount
    assert.strictEqual(createAfter, createBefore + created)
    options.log(`  ${rounds} rounds x ${options.callsPerRound} calls per case`)

    options.log(`  memory: seeding ${options.memoryUsers} users in a child process (--expose-gc)`)
    const memory = measureMemory(options.memoryUsers, options.memoryWarmUsers)
    options.log(
      `  ${Math.round(memory.result.bytesPerUser)} bytes per user; seeding took ${
        (memory.result.seedMs / 1_000).toFixed(1)
      } s`
    )

    return {
      seededUsers,
      rounds,
      callsPerRound: options.callsPerRound,
      warmupCalls: options.warmupCalls,
      stats: byKey,
      createStore: { before: createBefore, after: createAfter },
      memory: memory.result,
      memoryCommand: memory.command
    }
  } finally {
    if (loopback !== undefined) await loopback.dispose()
    await fake.runPromise(Scope.close(serveScope, Exit.void))
    await fake.dispose()
    await writes.dispose()
  }
}
