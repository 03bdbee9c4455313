/**
 * The memory part of the test-kit benchmark, run in its own process so that
 * nothing else the bench allocated sits in the heap it measures:
 *
 *   node --expose-gc --import tsx bench/fake/memory.ts <users> <warmUsers> [<derivedItems>]
 *
 * Prints one line `BENCH_FAKE_MEMORY {json}` (a {@link MemoryResult}). With
 * `--expose-gc` every heap reading follows full collections; without it the
 * readings are plain `process.memoryUsage()` values and say so (`gc: false`).
 */
import type * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as assert from "node:assert"
import { ClerkTest } from "../../src/ClerkTest.js"
import { ClerkBackend } from "../../src/index.js"
import { userSeeds } from "./seeds.js"

export interface MemoryResult {
  /** Whether `global.gc` was available, so every reading follows full collections. */
  readonly gc: boolean
  readonly users: number
  readonly warmUsers: number
  /** Heap used by a built, empty fake (`ClerkTest.layer`): its signing keys, store, engine and client. */
  readonly emptyFakeBytes: number
  /** Heap used by the fake seeded with `users` users, built while the empty one is still alive. */
  readonly seededFakeBytes: number
  /** (seeded − empty) ÷ users. */
  readonly bytesPerUser: number
  /** Heap of the seed objects themselves (the `users.create` params), alive in every reading. */
  readonly seedInputBytes: number
  /** Wall time of building the seeded fake (`layerWith` with `users` users), and of the warm-up one with `warmUsers`. */
  readonly seedMs: number
  readonly warmSeedMs: number
  /** Redirect URLs stored in the spec-driven tier (seeded through `layerWith({ resources })`). */
  readonly derivedItems: number
  /** Heap used by the fake holding `derivedItems` redirect URLs, built while the empty one is still alive. */
  readonly derivedFakeBytes: number
  /** (derived fake − empty) ÷ items: one stored item of the spec-driven tier. */
  readonly bytesPerDerivedItem: number
  /** Wall time of building that fake (each item one `redirectUrls.create` through the tier). */
  readonly derivedSeedMs: number
}

const gc = (globalThis as { gc?: () => void }).gc

/** Heap used after full collections (when `gc` is exposed). */
const heapUsed = () => {
  if (gc !== undefined) { for (let i = 0; i < 3; i++) gc() }
  return process.memoryUsage().heapUsed
}

const build = async <E>(layer: Layer.Layer<ClerkBackend.ClerkBackend | ClerkTest, E>) => {
  const started = performance.now()
  const runtime = ManagedRuntime.make(layer)
  const clerk = await runtime.runPromise(ClerkBackend.ClerkBackend)
  return { runtime, clerk, ms: performance.now() - started }
}

const main = async () => {
  const users = Number(process.argv[2] ?? "10000")
  const warmUsers = Number(process.argv[3] ?? "1000")
  const derivedItems = Number(process.argv[4] ?? String(users))

  // Warm-up: a smaller seeded fake, used once, so that modules, compiled schemas and other
  // lazily built caches exist before the first reading and are not counted as the fake's.
  const warm = await build(ClerkTest.layerWith({ users: userSeeds(warmUsers, "warm") }))
  await warm.runtime.runPromise(warm.clerk.users.list({ limit: 10 }))
  const warmSeedMs = warm.ms
  await warm.runtime.dispose()

  const before = heapUsed()
  const seeds = userSeeds(users)
  const withSeeds = heapUsed()

  const empty = await build(ClerkTest.layer)
  assert.strictEqual((await empty.runtime.runPromise(empty.clerk.users.count())).totalCount, 0)
  const withEmpty = heapUsed()

  const seeded = await build(ClerkTest.layerWith({ users: seeds }))
  const withSeeded = heapUsed()
  assert.strictEqual((await seeded.runtime.runPromise(seeded.clerk.users.count())).totalCount, users)

  // The spec-driven tier: redirect URLs, each created through the derived create (sampled shape, params laid
  // over it, checked against the wire shape, stored as a decoded object).
  const derivedSeeds = Array.from({ length: derivedItems }, (_, i) => ({ url: `https://app${i}.example.com/callback` }))
  const withDerivedSeeds = heapUsed()
  const derived = await build(ClerkTest.layerWith({ resources: { "redirectUrls.create": derivedSeeds } }))
  const withDerived = heapUsed()
  // The list pages (limit at most 500): the last item is at offset items − 1, and nothing after it.
  const listAt = (offset: number) => derived.runtime.runPromise(derived.clerk.redirectUrls.list({ limit: 1, offset }))
  assert.strictEqual((await listAt(derivedItems - 1)).length, 1)
  assert.strictEqual((await listAt(derivedItems)).length, 0)

  const emptyFakeBytes = withEmpty - withSeeds
  const seededFakeBytes = withSeeded - withEmpty
  const result: MemoryResult = {
    gc: gc !== undefined,
    users,
    warmUsers,
    emptyFakeBytes,
    seededFakeBytes,
    bytesPerUser: (seededFakeBytes - emptyFakeBytes) / users,
    seedInputBytes: withSeeds - before,
    seedMs: seeded.ms,
    warmSeedMs,
    derivedItems,
    derivedFakeBytes: withDerived - withDerivedSeeds,
    bytesPerDerivedItem: (withDerived - withDerivedSeeds - emptyFakeBytes) / derivedItems,
    derivedSeedMs: derived.ms
  }
  // Keep everything measured alive until after the last reading.
  assert.ok(seeds.length === users && empty.runtime !== seeded.runtime && derivedSeeds.length === derivedItems)
  process.stdout.write(`BENCH_FAKE_MEMORY ${JSON.stringify(result)}\n`)
  await derived.runtime.dispose()
  await seeded.runtime.dispose()
  await empty.runtime.dispose()
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
