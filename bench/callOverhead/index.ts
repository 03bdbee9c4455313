/**
 * Section 1: what one `users.list({ limit: 100 })` costs on top of fetching
 * and parsing the same body by hand, against a loopback replay server.
 */
import * as Schema from "effect/Schema"
import * as assert from "node:assert"
import * as Decoders from "../../src/generated/Decoders.js"
import * as Generated from "../../src/generated/index.js"
import { Schemas, Users } from "../../src/index.js"
import { rejected } from "../../src/internal/decode.js"
import { makeUsers } from "../fixtures/users.js"
import { interleaved, type Stats } from "../lib/measure.js"
import { profileCalls, type ProfileSummary } from "../lib/profile.js"
import * as Clients from "./clients.js"
import { startReplayServer } from "./replayServer.js"

export interface CallOverheadResult {
  readonly userCount: number
  readonly bodyBytes: number
  readonly rounds: number
  readonly callsPerRound: number
  readonly warmupCalls: number
  readonly stats: Readonly<Record<CaseKey, Stats>>
  readonly profile: ProfileSummary | undefined
  readonly profileFile: string | undefined
  /** How many schemas exported by Schemas.ts have a generated decoder, and how many descriptors with a 2xx schema carry one. */
  readonly fastPathCoverage: {
    readonly schemas: { readonly generated: number; readonly total: number }
    readonly operations: { readonly generated: number; readonly total: number }
  }
}

export type CaseKey =
  | "raw"
  | "effectClerk"
  | "effectClerkUndici"
  | "clerkSdk"
  | "effectHttp"
  | "effectHttpUndici"
  | "fastDecode"
  | "decode"
  | "wireValidate"
  | "jsonParse"

export interface CallOverheadOptions {
  readonly rounds: number
  readonly callsPerRound: number
  readonly warmupCalls: number
  readonly budgetMs: number
  /** Profile `users.list` when its mean ratio to the baseline misses this. */
  readonly target: number
  readonly profileMs: number
  readonly profileFile: string
  readonly log: (line: string) => void
}

const count = 100

/** Checks the fixture and every client before anything is timed, so a wrong answer cannot pass as a fast one. */
const verify = async (body: string, clients: {
  readonly raw: Clients.Client
  readonly effectClerk: Clients.Client
  readonly effectClerkUndici: Clients.Client
  readonly clerkSdk: Clients.Client
  readonly effectHttp: Clients.Client
  readonly effectHttpUndici: Clients.Client
}) => {
  const wire = JSON.parse(body) as Array<unknown>
  const decodeUser = Schema.decodeUnknownSync(Schemas.User)
  // Also with excess properties refused: a fixture field the schema does not know would otherwise go unnoticed.
  const decodeUserStrict = Schema.decodeUnknownSync(Schemas.User, { onExcessProperty: "error" })
  for (const user of wire) {
    decodeUser(user)
    decodeUserStrict(user)
  }
  const decoded = Clients.userListDecoder(wire)
  // (f) times the fast path only if (b) takes it too: same schema, accepted, same value as the general decoder.
  assert.strictEqual(Users.list.descriptor.success, Schemas.UserList, "users.list decodes with Schemas.UserList")
  const fast = Clients.userListFastDecoder
  assert.ok(fast !== undefined, "users.list has a generated decoder")
  const fastValue = fast(wire)
  assert.notStrictEqual(fastValue, rejected, "the fast path accepts the fixture, so users.list does not fall back")
  assert.deepStrictEqual(fastValue, decoded, "the fast path gives what the general decoder gives")

  assert.strictEqual((await clients.raw.call() as Array<unknown>).length, count)
  assert.strictEqual((await clients.effectHttp.call() as Array<unknown>).length, count)
  assert.strictEqual((await clients.effectHttpUndici.call() as Array<unknown>).length, count)
  const fromEffectClerk = await clients.effectClerk.call() as ReadonlyArray<Schemas.User>
  assert.deepStrictEqual(fromEffectClerk, decoded, "users.list returns the decoded fixture")
  const fromUndici = await clients.effectClerkUndici.call() as ReadonlyArray<Schemas.User>
  assert.deepStrictEqual(fromUndici, decoded, "users.list on undici returns the decoded fixture")
  const fromSdk = await clients.clerkSdk.call() as { data: ReadonlyArray<{ id: string }>; totalCount: number }
  assert.strictEqual(fromSdk.data.length, count)
  assert.strictEqual(fromSdk.totalCount, count)
  assert.strictEqual(fromSdk.data[0]!.id, decoded[0]!.id)
}

/** Schemas and descriptors the fast path would leave to the general decoder show up here as "generated < total". */
const coverage = () => {
  type Described = { readonly success?: unknown; readonly decode?: unknown }
  type Member = { readonly descriptor?: Described; readonly pages?: Described }
  const described = Object.values(Generated).flatMap((group) =>
    Object.values(group as Record<string, Member | undefined>).flatMap((member) =>
      [member?.descriptor, member?.pages].filter((d): d is Described => d !== undefined && Schema.isSchema(d.success))
    )
  )
  const schemas = Object.entries(Schemas).filter(([, value]) => Schema.isSchema(value))
  return {
    schemas: {
      generated: schemas.filter(([name]) => typeof (Decoders as Record<string, unknown>)[name] === "function").length,
      total: schemas.length
    },
    operations: {
      generated: described.filter((d) => typeof d.decode === "function").length,
      total: described.length
    }
  }
}

export const run = async (options: CallOverheadOptions): Promise<CallOverheadResult> => {
  const body = JSON.stringify(makeUsers(count))
  const parsed = JSON.parse(body) as unknown
  const fast = Clients.userListFastDecoder!
  // Effect's validation of the wire shape alone, without the key-renaming transformations.
  const validateWire = Schema.decodeUnknownSync(Schema.encodedSchema(Schemas.UserList), {
    errors: "first",
    onExcessProperty: "ignore"
  })
  const server = await startReplayServer(body, count)
  const disposers: Array<() => Promise<void>> = []
  try {
    const clients = {
      raw: Clients.rawFetch(server.url),
      effectClerk: await Clients.effectClerk(server.url),
      effectClerkUndici: await Clients.effectClerk(server.url, "undici"),
      clerkSdk: Clients.clerkSdk(server.url),
      effectHttp: await Clients.effectHttpOnly(server.url),
      effectHttpUndici: await Clients.effectHttpOnly(server.url, "undici")
    }
    for (const client of Object.values(clients)) disposers.push(client.dispose)
    await verify(body, clients)
    options.log(`  fixture: ${count} users, ${body.length} bytes; every client checked`)

    const { rounds, stats } = await interleaved([
      { key: "raw", run: clients.raw.call },
      { key: "effectClerk", run: clients.effectClerk.call },
      { key: "effectClerkUndici", run: clients.effectClerkUndici.call },
      { key: "clerkSdk", run: clients.clerkSdk.call },
      { key: "effectHttp", run: clients.effectHttp.call },
      { key: "effectHttpUndici", run: clients.effectHttpUndici.call },
      { key: "fastDecode", run: () => fast(parsed) },
      { key: "decode", run: () => Clients.userListDecoder(parsed) },
      { key: "wireValidate", run: () => validateWire(parsed) },
      { key: "jsonParse", run: () => JSON.parse(body) }
    ], options)
    const byKey = Object.fromEntries(stats.map((s) => [s.key, s])) as Record<CaseKey, Stats>
    options.log(`  ${rounds} rounds x ${options.callsPerRound} calls per case`)

    let profile: ProfileSummary | undefined
    if (byKey.effectClerk.meanUs / byKey.raw.meanUs > options.target) {
      options.log(`  ratio above ${options.target}: profiling users.list for ${options.profileMs} ms`)
      profile = await profileCalls(clients.effectClerk.call, {
        durationMs: options.profileMs,
        maxCalls: 10_000,
        saveTo: options.profileFile
      })
    }
    return {
      fastPathCoverage: coverage(),
      userCount: count,
      bodyBytes: body.length,
      rounds,
      callsPerRound: options.callsPerRound,
      warmupCalls: options.warmupCalls,
      stats: byKey,
      profile,
      profileFile: profile === undefined ? undefined : options.profileFile
    }
  } finally {
    for (const dispose of disposers) await dispose()
    await server.close()
  }
}
