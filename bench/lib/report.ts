/**
 * Renders the results of every section as docs/benchmarks.md.
 */
import { componentNames } from "../auth/components.js"
import type * as Auth from "../auth/index.js"
import type * as Bundle from "../bundle/index.js"
import type * as CallOverhead from "../callOverhead/index.js"
import type * as ColdStart from "../coldStart/index.js"
import type * as Fake from "../fake/index.js"
import type * as Majors from "../majors/index.js"
import type * as RedisBench from "../redis/index.js"
import type * as Typecheck from "../typecheck/index.js"
import type { Row } from "./profile.js"

export interface Environment {
  readonly date: string
  readonly command: string
  readonly node: string
  readonly cores: number
  readonly cpuModel: string
  readonly platform: string
  readonly loadBefore: ReadonlyArray<number>
  readonly loadAfter: ReadonlyArray<number>
  readonly versions: Readonly<Record<string, string>>
  readonly totalS: number
}

export interface Results {
  readonly env: Environment
  readonly targets: {
    readonly callRatio: number
    readonly callRatioUndici: number
    readonly sdkOverCall: number
    readonly bundleDeltaKb: number
    readonly typecheckS: number
    readonly coldStart: { readonly overBaselineMs: number; readonly overBaselineMb: number }
    readonly auth: Auth.AuthTargets
  }
  readonly callOverhead: CallOverhead.CallOverheadResult | Error
  readonly bundle: Bundle.BundleResult | Error
  readonly typecheck: Typecheck.TypecheckResult | Error
  readonly coldStart: ColdStart.ColdStartResult | Error
  readonly auth: Auth.AuthResult | Error
  readonly fake: Fake.FakeResult | Error
  readonly majors: Majors.MajorsResult | Error
  readonly redis: RedisBench.RedisResult | Error
}

const KB = 1024
const us = (x: number) => Math.round(x).toLocaleString("en-US")
const fixed = (x: number, digits = 2) => Number.isFinite(x) ? x.toFixed(digits) : "n/a"
const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`
const bytes = (n: number) => n.toLocaleString("en-US")
const pct = (x: number) => `${(x * 100).toFixed(1)} %`
const met = (ok: boolean) => ok ? "**yes**" : "**no**"
const median = (xs: ReadonlyArray<number>) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
const table = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) =>
  [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)]
    .join("\n")
const failed = (what: string, error: Error) =>
  `**This section failed:** ${what}\n\n\`\`\`\n${String(error.stack ?? error.message).slice(0, 2_000)}\n\`\`\``

const caseLabels: Record<CallOverhead.CaseKey, string> = {
  raw: "(a) raw `fetch` + `res.text()` + `JSON.parse` — baseline",
  effectClerk: "(b) effect-clerk `clerk.users.list({ limit: 100 })` via `ClerkBackend` + `FetchHttpClient`",
  effectClerkUndici:
    "(b') the same call via `ClerkBackend` + `NodeHttpClient.layerUndici` (`@effect/platform-node`, undici's dispatcher)",
  clerkSdk: "(c) `@clerk/backend` `users.getUserList({ limit: 100 })`",
  effectHttp: "(e) `@effect/platform` HttpClient (`FetchHttpClient`) GET + `JSON.parse`, no schema (info)",
  effectHttpUndici: "(e') the same on `NodeHttpClient.layerUndici` (info)",
  fastDecode:
    "(f) the fast decode path alone: the generated decoder of the `users.list` schema (src/generated/Decoders.ts), on the parsed array (info)",
  decode:
    "(d) the general decoder alone: `Schema.decodeUnknownSync(UserList)` on the parsed array, what (b) falls back to (info)",
  wireValidate: "(d') Effect validating the wire shape only, `Schema.encodedSchema(UserList)`, no renaming (info)",
  jsonParse: "`JSON.parse` of the body alone (info)"
}

const cell = (text: string) => text.replace(/\|/g, "\\|")
const profileRows = (rows: ReadonlyArray<Row>) => rows.map((r) => [cell(r.name), fixed(r.ms, 0), pct(r.share)])
const functionRows = (rows: ReadonlyArray<Row>) =>
  rows.map((
    r
  ) => [
    cell(r.name),
    fixed(r.ms, 0),
    pct(r.share),
    r.code === undefined ? "" : `\`${cell(r.code).replace(/`/g, "'")}\``
  ])

type Measure = "meanUs" | "medianUs"

const callSection = (
  r: Results["callOverhead"],
  targets: Results["targets"]
): { summary: Array<string>; body: string } => {
  if (r instanceof Error) return { summary: [], body: failed("call overhead", r) }
  const target = targets.callRatio
  const s = r.stats
  const undiciRatio = s.effectClerkUndici.meanUs / s.raw.meanUs
  const sdkOver = (key: "effectClerk" | "effectClerkUndici", k: Measure) => s.clerkSdk[k] / s[key][k]
  const targetOf = (key: CallOverhead.CaseKey) =>
    key === "effectClerk" ? target : key === "effectClerkUndici" ? targets.callRatioUndici : undefined
  const ratio = s.effectClerk.meanUs / s.raw.meanUs
  const medianRatio = s.effectClerk.medianUs / s.raw.medianUs
  const rows = (Object.keys(caseLabels) as Array<CallOverhead.CaseKey>).map((key) => {
    const st = s[key]
    const caseTarget = targetOf(key)
    return [
      caseLabels[key],
      us(st.meanUs),
      us(st.medianUs),
      us(st.p90Us),
      fixed(st.meanUs / s.raw.meanUs),
      fixed(st.medianUs / s.raw.medianUs),
      caseTarget === undefined ? "" : `≤ ${caseTarget}`,
      caseTarget === undefined ? "" : met(st.meanUs / s.raw.meanUs <= caseTarget)
    ]
  })
  // The split of (b): each part a case, or a difference of cases, from this run.
  const platform = (k: Measure) => s.effectHttp[k] - s.raw[k]
  const fast = (k: Measure) => s.fastDecode[k]
  const rest = (k: Measure) => s.effectClerk[k] - s.effectHttp[k] - s.fastDecode[k]
  const part = (label: string, value: (k: Measure) => number) => [
    label,
    us(value("meanUs")),
    fixed(value("meanUs") / s.raw.meanUs),
    pct(value("meanUs") / s.effectClerk.meanUs),
    us(value("medianUs")),
    pct(value("medianUs") / s.effectClerk.medianUs)
  ]
  const c = r.fastPathCoverage
  // Every figure by mean (what the target is stated in) and by median (less moved by a few slow calls).
  const budget = (k: Measure) => (target - 1) * s.raw[k]
  const both = (value: (k: Measure) => number) => `${us(value("meanUs"))} µs (median ${us(value("medianUs"))} µs)`
  const platformRatio = s.effectHttp.meanUs / s.raw.meanUs
  const platformMedianRatio = s.effectHttp.medianUs / s.raw.medianUs
  const platformOver = platformRatio > target && platformMedianRatio > target
    ? ", over the target by itself"
    : platformRatio > target
    ? ", over the target by itself by mean, not by median"
    : platformMedianRatio > target
    ? ", over the target by itself by median, not by mean"
    : ""
  const platformAndDecode = (k: Measure) => platform(k) + fast(k)
  const exceeds = (k: Measure) => platformAndDecode(k) > budget(k)
  const verdict = ratio <= target
    ? `**The ≤ ${target} target is met in this run:** (b) is ${fixed(ratio)}× (a) by mean (${
      fixed(medianRatio)
    }× by median).`
    : [
      `**The ≤ ${target} target is not met in this run:** (b) is ${fixed(ratio)}× (a) by mean (${
        fixed(medianRatio)
      }× by median${medianRatio <= target ? ", which would meet it" : ""}).`,
      `The target allows ${both(budget)} per call over (a); (b) takes ${
        both((k) => s.effectClerk[k] - s.raw[k])
      } more than (a).`,
      `Of that, the platform HttpClient's own overhead over raw fetch, (e) − (a), is ${
        both(platform)
      }: (e), the same request through \`@effect/platform\` with no schema and nothing of effect-clerk, is ${
        fixed(platformRatio)
      }× (a) by mean (${fixed(platformMedianRatio)}× by median)${platformOver}.`,
      `The fast decode (f) is ${both(fast)}, and the rest of effect-clerk ${both(rest)}.`,
      exceeds("meanUs") && exceeds("medianUs")
        ? `The platform overhead and the fast decode alone, ${
          both(platformAndDecode)
        }, already exceed what the target allows.`
        : !exceeds("meanUs") && !exceeds("medianUs")
        ? `The platform overhead and the fast decode together, ${
          both(platformAndDecode)
        }, fit in what the target allows; the rest of effect-clerk takes (b) over it.`
        : `The platform overhead and the fast decode together, ${
          both(platformAndDecode)
        }, exceed what the target allows by ${exceeds("meanUs") ? "mean" : "median"} only.`
    ].join(" ")
  const parts = [
    "## 1. Call overhead: `users.list({ limit: 100 })`",
    "",
    `A \`node:http\` server on 127.0.0.1, in a worker thread (so it serves from the second core), replays one body for every \`GET …/users\`: a JSON array of ${r.userCount} users (${
      bytes(r.bodyBytes)
    } bytes) generated deterministically by bench/fixtures/users.ts — 1 to 4 e-mail addresses with \`verification_otp\` / \`verification_from_oauth\` objects, 0 to 2 phone numbers, 0 to 2 OAuth accounts with \`verification_oauth\`, some Web3 wallets and passkeys, nested public/private/unsafe metadata, millisecond timestamps. Before timing, every user is decoded with \`Schema.decodeUnknownSync(Schemas.User)\` (and again refusing excess properties, so no fixture field goes unchecked), and every client's answer is checked (effect-clerk's equals the decoded fixture; \`@clerk/backend\` returns 100 users and \`totalCount\` 100).`,
    "",
    `Cases run one call at a time, in ${r.rounds} interleaved rounds of ${r.callsPerRound} calls each (the order rotates every round), after ${r.warmupCalls} warm-up calls per case; each call is timed on its own. Ratios are to (a) in the same run.`,
    "",
    table(["Case", "mean µs", "median µs", "p90 µs", "mean ÷ (a)", "median ÷ (a)", "Target", "Met"], rows),
    "",
    "Notes:",
    "",
    "- `@clerk/backend`'s `getUserList` sends two requests in parallel, `GET /v1/users` and `GET /v1/users/count`, and returns `{ data, totalCount }` with `User` class instances; it does not validate the body. The replay server answers both.",
    "- effect-clerk validates the whole body against the schema and renames every key to camelCase; (a) and (c) do neither, so (b) is doing more work per call, not the same work slower.",
    "",
    "### How decoding works",
    "",
    `Every operation with a JSON body decodes it in src/internal/response.ts (\`decoderOf\`). The generator writes, beside every response schema, a decoder (src/generated/Decoders.ts for the components, the group module for its own shapes): a plain function with straight-line reads of the wire keys, the type check of each field, the camelCase renames, open enums read as strings, unions tried in the schema's order. It depends on nothing of Effect. The operation's descriptor carries it as \`decode\`; for any value it does not accept it returns \`rejected\`, and the same input then goes to Effect's \`Schema.decodeUnknown\`, the general decoder (d); so a body that does not match its schema fails with the same \`ClerkDecodeError\`, path and message as without the fast path (test/Decoders.test.ts checks every generated decoder against its schema on generated, damaged and truncated bodies). A descriptor without one (a hand-written descriptor) is decoded by its schema alone. In this run ${c.schemas.generated} of the ${c.schemas.total} schemas exported by Schemas.ts have a generated decoder, and ${c.operations.generated} of the ${c.operations.total} descriptors with a 2xx schema (operations and list streams) carry one. Until this change the fast path was a decoder compiled at first use from the schema's AST (an interpreter of closures), which took about as long as \`JSON.parse\` on this fixture (1,003–1,214 µs in the run before; the generated decoder takes a tenth of that). Before timing, the bench checks that the fast path accepts the fixture (so (b) does not fall back) and returns a value deep-equal to the general decoder's.`,
    "",
    `On the fixture, the fast path (f) takes ${us(s.fastDecode.meanUs)} µs (mean), ${
      fixed(s.fastDecode.meanUs / s.jsonParse.meanUs)
    }× the \`JSON.parse\` of the same body; the general decoder (d) takes ${us(s.decode.meanUs)} µs, ${
      fixed(s.decode.meanUs / s.fastDecode.meanUs, 1)
    }× (f). Effect's validation of the wire shape alone (d'), the same checks without the key-renaming transformations, takes ${
      us(s.wireValidate.meanUs)
    } µs; (d) − (d'), ${
      us(s.decode.meanUs - s.wireValidate.meanUs)
    } µs, is what those transformations cost in Effect's parser.`,
    "",
    "Where the time of (b) goes:",
    "",
    table([
      "Part",
      "µs per call, mean",
      "÷ (a), mean",
      "share of (b), mean",
      "µs per call, median",
      "share of (b), median"
    ], [
      part("(a) transport + `JSON.parse` (raw fetch)", (k) => s.raw[k]),
      part("(e) − (a): `@effect/platform` HttpClient and Effect runtime over raw fetch", platform),
      part("(f) fast decode of the parsed array", fast),
      part("(b) − (e) − (f): the rest of effect-clerk (params encoding, request building, retry, timeout, span)", rest)
    ]),
    "",
    "These parts are differences between cases timed separately, so each carries the noise of several cases; a small negative value means \"within noise\".",
    "",
    verdict
  ]
  if (r.profile !== undefined) {
    const p = r.profile
    parts.push(
      "",
      `### Profile of (b)`,
      "",
      `The ratio misses the target, so (b) was profiled with the inspector's sampling profiler (100 µs interval) in the same process, after the timed rounds: ${p.calls} calls, ${
        fixed(p.totalMs, 0)
      } ms of samples (the server thread is not in it). ${
        r.profileFile === undefined
          ? ""
          : `The raw profile is saved as \`${r.profileFile}\` (git-ignored; open it in Chrome DevTools).`
      }`,
      "",
      "Time by area, counting a sample for every area on its stack (inclusive). Areas under nearly every sample (Node's task queue, the Effect fiber loop, the bench loop) are left out.",
      "",
      table(["Area", "ms", "share"], profileRows(p.areasInclusive)),
      "",
      "Self time by area:",
      "",
      table(["Area", "ms", "share"], profileRows(p.areasSelf)),
      "",
      "Top functions by self time. Frames in src/ are positions in tsx's transpiled output, which is one line per file. `JSON.parse` gets no frame of its own: V8 counts it as self time of its caller, for (b) the `decode` function of src/internal/response.ts, just as `TextDecoder` (`decode node:internal/encoding`) is the reading of the body as text.",
      "",
      table(["Function", "ms", "share", "source line"], functionRows(p.topSelf))
    )
  }
  return {
    summary: [
      `| users.list time per call ÷ raw fetch + JSON.parse (mean) | ${fixed(ratio)} (median ${
        fixed(medianRatio)
      }) | ≤ ${target} | ${met(ratio <= target)} |`,
      `| users.list on \`NodeHttpClient.layerUndici\` ÷ raw fetch + JSON.parse (mean) | ${fixed(undiciRatio)} (median ${
        fixed(s.effectClerkUndici.medianUs / s.raw.medianUs)
      }) | ≤ ${targets.callRatioUndici} | ${met(undiciRatio <= targets.callRatioUndici)} |`,
      `| \`@clerk/backend\` getUserList ÷ users.list on \`FetchHttpClient\` (mean) | ${
        fixed(sdkOver("effectClerk", "meanUs"))
      } (median ${fixed(sdkOver("effectClerk", "medianUs"))}) | ≥ ${targets.sdkOverCall} | ${
        met(sdkOver("effectClerk", "meanUs") >= targets.sdkOverCall)
      } |`,
      `| \`@clerk/backend\` getUserList ÷ users.list on \`NodeHttpClient.layerUndici\` (mean) | ${
        fixed(sdkOver("effectClerkUndici", "meanUs"))
      } (median ${fixed(sdkOver("effectClerkUndici", "medianUs"))}) | ≥ ${targets.sdkOverCall} | ${
        met(sdkOver("effectClerkUndici", "meanUs") >= targets.sdkOverCall)
      } |`,
      `| \`@effect/platform\` HttpClient alone, no schema, ÷ raw fetch + JSON.parse (mean; info) | ${
        fixed(platformRatio)
      } (median ${fixed(s.effectHttp.medianUs / s.raw.medianUs)}) | — | — |`
    ],
    body: parts.join("\n")
  }
}

const bundleSection = (r: Results["bundle"], targetKb: number): { summary: Array<string>; body: string } => {
  if (r instanceof Error) return { summary: [], body: failed("bundle size", r) }
  const z = r.sizes
  const delta = (key: Bundle.EntryKey) => z[key].gzipBytes - z.baseline.gzipBytes
  const deltaMin = (key: Bundle.EntryKey) => z[key].minBytes - z.baseline.minBytes
  const fits = (key: Bundle.EntryKey) => delta(key) <= targetKb * KB
  const labels: Array<[Bundle.EntryKey, string, boolean]> = [
    [
      "baseline",
      "(a) `effect` + `@effect/platform` only: builds a request, runs it on `FetchHttpClient` — baseline",
      false
    ],
    ["baselineSchema", "(a') (a) plus a small `effect/Schema` decode (info)", false],
    [
      "perGroup",
      "(b) (a) plus `Users.get`, package entry: `import { Users, ClerkClient, ClerkConfig } from \"../../src/index.js\"`",
      true
    ],
    [
      "perGroupModule",
      "(b') (a) plus `Users.get`, one module each: `import * as Users from \"../../src/generated/Users.js\"`, `ClerkClient` from `../../src/ClerkClient.js`, `ClerkConfig` from `../../src/ClerkConfig.js`",
      true
    ],
    ["backend", "(c) (a) plus `ClerkBackend` (every group; info)", false],
    [
      "service",
      "(d) (a) plus `Users.get` through `ClerkGroups.Service` naming the Users group: `class Clerk extends ClerkGroups.Service<Clerk>()(\"bench/Clerk\", { users: Users }) {}`, `clerk.users.get(...)`",
      true
    ],
    [
      "serviceAuth",
      "(e) (d) plus `ClerkAuth.authenticateRequest` on `ClerkAuth.layer({ jwtKey })` (info)",
      false
    ],
    ["backendAuth", "(e') (c) plus the same `ClerkAuth.authenticateRequest` (info)", false]
  ]
  const rows = labels.map(([key, label, isTarget]) => [
    label,
    `\`${z[key].entry}\``,
    bytes(z[key].minBytes),
    bytes(z[key].gzipBytes),
    key === "baseline" ? "" : `${bytes(deltaMin(key))}`,
    key === "baseline" ? "" : `${bytes(delta(key))} (${kb(delta(key))})`,
    isTarget ? `≤ ${targetKb} KB` : "",
    isTarget ? met(fits(key)) : ""
  ])
  const compositionKeys: Array<Bundle.EntryKey> = [
    "baseline",
    "perGroup",
    "perGroupModule",
    "backend",
    "service",
    "serviceAuth"
  ]
  const areaNames = [...new Set(compositionKeys.flatMap((key) => Object.keys(z[key].areas)))].sort()
  const composition = areaNames.map((area) => [area, ...compositionKeys.map((key) => bytes(z[key].areas[area] ?? 0))])
  const l = r.leak
  const groupsFound = (found: ReadonlyArray<string>) =>
    found.length === 0 ? "none" : `**${found.length}**: ${found.join(", ")}`
  const presence = (present: boolean, expected: boolean) =>
    present === expected ? (present ? "present" : "absent") : `**${present ? "present" : "absent"}**`
  const contentsRows = [
    [
      `Operation names of the ${l.groupsChecked} other groups (the \`name: "group.operation"\` strings, kept as literals by the minifier)`,
      groupsFound(l.perGroup.foreignGroupsFound),
      groupsFound(l.perGroupModule.foreignGroupsFound),
      `${l.backend.foreignGroupsFound.length} groups`
    ],
    [
      "The billing path `\"/billing/statements\"`",
      presence(l.perGroup.billingPath, false),
      presence(l.perGroupModule.billingPath, false),
      presence(l.backend.billingPath, true)
    ],
    [
      "`\"commerce_statement_group\"`, a wire literal only a billing schema holds",
      presence(l.perGroup.billingSchema, false),
      presence(l.perGroupModule.billingSchema, false),
      presence(l.backend.billingSchema, true)
    ],
    [
      `Users operations (of ${l.usersOperationsTotal}; the app calls one)`,
      String(l.perGroup.usersOperationsFound),
      String(l.perGroupModule.usersOperationsFound),
      String(l.backend.usersOperationsFound)
    ]
  ]
  const noForeign = (c: Bundle.GroupContents) => c.foreignGroupsFound.length === 0 && !c.billingPath && !c.billingSchema
  const searchesWork = l.backend.foreignGroupsFound.length > 0 && l.backend.billingPath && l.backend.billingSchema
  const marks = r.pureMarksComplete
  // Which import form gives the smaller bundle; under 1 % of (b)'s delta counts as the same size.
  const saving = delta("perGroup") - delta("perGroupModule")
  const same = Math.abs(saving) < Math.max(1, delta("perGroup") * 0.01)
  const moduleForm =
    "`import * as Users from \"effect-clerk/generated/Users\"`, with `ClerkClient` from `\"effect-clerk/ClerkClient\"` and `ClerkConfig` from `\"effect-clerk/ClerkConfig\"` (all three are subpaths of package.json `exports`)"
  const entryForm = "`import { Users, ClerkClient, ClerkConfig } from \"effect-clerk\"`"
  const recommendation = same
    ? `**Recommendation:** either form; in this run they differ by ${
      bytes(Math.abs(saving))
    } bytes gzip, under 1 %: ${entryForm} gives ${kb(delta("perGroup"))} over (a), ${moduleForm} ${
      kb(delta("perGroupModule"))
    }.`
    : saving > 0
    ? `**Recommendation:** for the smallest bundle, import a group from its own module: ${moduleForm}. It adds ${
      bytes(delta("perGroupModule"))
    } bytes gzip (${kb(delta("perGroupModule"))}) over (a), ${bytes(saving)} bytes (${kb(saving)}, ${
      pct(saving / delta("perGroup"))
    }) less than ${entryForm}, whose bundle keeps ${l.perGroup.usersOperationsFound} of the ${l.usersOperationsTotal} Users operations where the module form keeps ${l.perGroupModule.usersOperationsFound}. ${
      fits("perGroup")
        ? `Both forms meet the ≤ ${targetKb} KB target.`
        : fits("perGroupModule")
        ? `Only the module form meets the ≤ ${targetKb} KB target.`
        : `Neither meets the ≤ ${targetKb} KB target.`
    } \`ClerkBackend\` (c) binds every group and adds ${kb(delta("backend"))}.`
    : `**Recommendation:** import from the package entry, ${entryForm}: it adds ${kb(delta("perGroup"))} over (a), ${
      bytes(-saving)
    } bytes gzip less than ${moduleForm} (${kb(delta("perGroupModule"))}).`
  const body = [
    "## 2. Bundle size",
    "",
    `esbuild ${r.esbuildVersion}, ${r.options}. Entries are in bench/bundle/; they share the hand-written request of bench/bundle/handWritten.ts, so the differences are what effect-clerk adds. (b) and (b') are the same app and differ only in how they import. 1 KB = 1,024 bytes. The bundles are left in bench/.tmp/bundle/ (git-ignored).`,
    "",
    table(["Entry", "File", "min bytes", "gzip bytes", "Δ min vs (a)", "Δ gzip vs (a)", "Target", "Met"], rows),
    "",
    recommendation,
    "",
    "### Do (b) and (b') contain other groups?",
    "",
    table([
      "Searched in the minified bundle",
      "(b) package entry",
      "(b') own modules",
      "(c) `ClerkBackend`, which must find them"
    ], contentsRows),
    "",
    `${
      noForeign(l.perGroup) && noForeign(l.perGroupModule)
        ? "Neither per-group bundle holds an operation, path or schema of another group"
        : "**A per-group bundle holds code of another group** (bold cells above)"
    }${
      searchesWork
        ? "; the same searches find all of them in (c), so they do work."
        : "; **the searches do not all succeed on (c), so they may be broken.**"
    }`,
    "",
    `Pure markers: rebuilding (b) and (b') with every \`I.*(\`, \`Schema.*(\` and \`Op.*(\` call of the generated modules marked \`/*#__PURE__*/\` in memory (the \`pureNestedCalls\` plugin in bench/bundle/index.ts) ${
      marks.perGroup && marks.perGroupModule
        ? "gives byte-identical bundles: the generator leaves no such call unmarked."
        : `changes ${
          [
            marks.perGroup ? "" : `(b) to ${bytes(z.perGroupPure.gzipBytes)} bytes gzip`,
            marks.perGroupModule ? "" : `(b') to ${bytes(z.perGroupModulePure.gzipBytes)} bytes gzip`
          ].filter((x) => x !== "").join(" and ")
        }: **some calls in the generated modules are still unmarked**, and each keeps its declaration in the bundle.`
    }`,
    "",
    "### Composition (minified bytes per input area, from esbuild's metafile)",
    "",
    table(["Area", ...compositionKeys.map((k) => `${k}`)], composition)
  ].join("\n")
  return {
    summary: [
      `| Bundle (b) − (a): \`Users.get\` imported from the package entry, gzip | ${bytes(delta("perGroup"))} bytes (${
        kb(delta("perGroup"))
      }) | ≤ ${targetKb} KB | ${met(fits("perGroup"))} |`,
      `| Bundle (b') − (a): \`Users.get\` imported from \`generated/Users\`, gzip | ${
        bytes(delta("perGroupModule"))
      } bytes (${kb(delta("perGroupModule"))}) | ≤ ${targetKb} KB | ${met(fits("perGroupModule"))} |`,
      `| Bundle (c) − (a): \`ClerkBackend\`, gzip (info) | ${bytes(delta("backend"))} bytes (${
        kb(delta("backend"))
      }) | — | — |`,
      `| Bundle (d) − (a): \`clerk.users.get\` through \`ClerkGroups.Service\` (the documented main path), gzip | ${
        bytes(delta("service"))
      } bytes (${kb(delta("service"))}) | ≤ ${targetKb} KB | ${met(fits("service"))} |`,
      `| Bundle (e) − (a): (d) plus \`ClerkAuth.authenticateRequest\`, gzip | ${bytes(delta("serviceAuth"))} bytes (${
        kb(delta("serviceAuth"))
      }) | ≤ ${targetKb} KB | ${met(fits("serviceAuth"))} |`,
      `| Bundle (e') − (a): \`ClerkBackend\` plus \`ClerkAuth.authenticateRequest\`, gzip (info) | ${
        bytes(delta("backendAuth"))
      } bytes (${kb(delta("backendAuth"))}) | — | — |`
    ],
    body
  }
}

const typecheckSection = (r: Results["typecheck"], targetS: number): { summary: Array<string>; body: string } => {
  if (r instanceof Error) return { summary: [], body: failed("type-check", r) }
  const targets: Array<[Typecheck.TypecheckTarget, boolean]> = [[r.baseline, false]]
  if (r.dist !== undefined) targets.push([r.dist, true])
  targets.push([r.src, false])
  const medianWall = (t: Typecheck.TypecheckTarget) => median(t.runs.map((x) => x.wallS))
  const medianCpu = (t: Typecheck.TypecheckTarget) => median(t.runs.map((x) => x.cpuS))
  const signed = (x: number) => `${x >= 0 ? "+" : "−"}${fixed(Math.abs(x))}`
  const rows = targets.map(([t, isTarget]) => {
    const walls = t.runs.map((x) => x.wallS)
    const ok = t.runs.every((x) => x.ok)
    const wall = median(walls)
    const isBaseline = t === r.baseline
    return [
      t.label,
      `\`${t.project}\``,
      String(t.runs.length),
      `${fixed(wall)} (${fixed(Math.min(...walls))}–${fixed(Math.max(...walls))})`,
      fixed(medianCpu(t)),
      isBaseline ? "" : signed(wall - medianWall(r.baseline)),
      isBaseline ? "" : signed(medianCpu(t) - medianCpu(r.baseline)),
      fixed(Math.max(...t.runs.map((x) => x.maxRssMb)), 0),
      ok ? "yes" : "**no**",
      isTarget ? `≤ ${targetS} s` : "",
      isTarget ? met(ok && wall <= targetS) : ""
    ]
  })
  const medianRun = (t: Typecheck.TypecheckTarget) =>
    [...t.runs].sort((a, b) => a.wallS - b.wallS)[Math.floor((t.runs.length - 1) / 2)]!
  const diag = (t: Typecheck.TypecheckTarget, name: string, digits = 0) => {
    const value = medianRun(t).diagnostics[name]
    return value === undefined ? "n/a" : digits === 0 ? bytes(value) : fixed(value, digits)
  }
  const lines = (t: Typecheck.TypecheckTarget) => {
    const d = medianRun(t).diagnostics
    return bytes((d["Lines of Library"] ?? 0) + (d["Lines of Definitions"] ?? 0) + (d["Lines of TypeScript"] ?? 0))
  }
  const diagnosticRows = targets.map(([t]) => [
    t.label,
    diag(t, "Files"),
    lines(t),
    diag(t, "Types"),
    diag(t, "Instantiations"),
    diag(t, "Parse time", 2),
    diag(t, "Bind time", 2),
    diag(t, "Check time", 2),
    diag(t, "Total time", 2)
  ])
  const distWall = r.dist === undefined ? Number.NaN : medianWall(r.dist)
  const distCpu = r.dist === undefined ? Number.NaN : medianCpu(r.dist)
  const baseWall = medianWall(r.baseline)
  const baseCpu = medianCpu(r.baseline)
  const failures = targets.flatMap(([t]) =>
    t.runs.filter((x) => !x.ok).slice(0, 1).map((x) => `${t.label}:\n${x.output}`)
  )
  const body = [
    "## 3. Type-check",
    "",
    `TypeScript ${r.typescriptVersion}, \`tsc -p <project> --noEmit\` with the repository's tsconfig.json options (strict, \`exactOptionalPropertyTypes\`, NodeNext, \`skipLibCheck\`, \`types: ["node"]\`), measured with ${r.measuredWith}. bench/typecheck/consumer.ts calls five operations through \`ClerkBackend\` (users.list, users.get, organizations.create, invitations.create, sessions.list) with typed error handling. For dist/, the bench first runs \`npm run build\` (${
      r.build.ok ? `ok, ${fixed(r.build.wallS, 1)} s` : "**failed**"
    }) and checks a copy of the consumer importing \`"effect-clerk"\`, which TypeScript resolves through package.json \`exports\` to dist/index.d.ts, as an installed package would. bench/typecheck/baseline.ts is a similar app using \`@effect/platform\` alone: the floor set by effect's and Node's declarations.`,
    "",
    table([
      "Project",
      "tsconfig",
      "runs",
      "wall s, median (min–max)",
      "CPU s (user+sys), median",
      "Δ wall s vs baseline",
      "Δ CPU s vs baseline",
      "peak RSS MB",
      "no errors",
      "Target",
      "Met"
    ], rows),
    "",
    r.dist === undefined
      ? "dist/ was not checked: the build failed."
      : [
        `Against dist/, the effect-clerk consumer takes ${fixed(distWall)} s wall and ${
          fixed(distCpu)
        } s CPU (medians); the baseline app without effect-clerk takes ${fixed(baseWall)} s wall and ${
          fixed(baseCpu)
        } s CPU. effect-clerk adds ${signed(distWall - baseWall)} s wall, ${signed(distCpu - baseCpu)} s CPU.`,
        baseWall > targetS
          ? `The ≤ ${targetS} s target is below the baseline's own ${
            fixed(baseWall)
          } s on this machine: an app using only effect and \`@effect/platform\` misses it before effect-clerk adds anything. Most of the baseline is parsing and binding the declarations of Node and effect (table below).`
          : `The baseline fits in the ${targetS} s target on this machine, with ${
            fixed(targetS - baseWall)
          } s to spare.`,
        distWall > distCpu * 1.2
          ? `The wall time of ${fixed(distWall)} s is ${
            fixed(distWall / distCpu, 1)
          }× its CPU time: on this run the machine was shared (see the load average above), so wall time includes waiting for a core.`
          : distCpu > distWall * 1.2
          ? `CPU time is above wall time because V8 runs garbage collection on helper threads beside tsc's main thread, on the second core.`
          : `Wall time is close to CPU time.`
      ].join(" "),
    "",
    "Where the compiler spends it (`--extendedDiagnostics` of the median run; its times are tsc's own, without process start-up):",
    "",
    table(
      ["Project", "files", "lines", "types", "instantiations", "parse s", "bind s", "check s", "total s"],
      diagnosticRows
    ),
    ...(failures.length === 0 ? [] : ["", "Errors:", "", "```", ...failures, "```"]),
    ...(r.build.ok ? [] : ["", "Build output:", "", "```", r.build.output, "```"])
  ].join("\n")
  return {
    summary: r.dist === undefined ? [] : [
      `| \`tsc --noEmit\` of a 5-operation consumer against dist/ (median wall) | ${
        fixed(distWall)
      } s; baseline app with effect + \`@effect/platform\` only ${fixed(baseWall)} s; difference ${
        signed(distWall - baseWall)
      } s (CPU ${signed(distCpu - baseCpu)} s) | ≤ ${targetS} s | ${met(distWall <= targetS)} |`
    ],
    body
  }
}

const authLabels = (batch: number): Record<Auth.CaseKey, string> => ({
  jose: "(a) `jose.jwtVerify(token, publicKey)`, key imported once — baseline",
  fresh:
    "(b) effect-clerk `runtime.runPromise(auth.authenticateRequest(request))`, `tokenCacheSize: 0`: every call verifies the signature",
  cached: "(c) the same with the token cache on (default size): a token seen before",
  clerkSdk: "(d) `@clerk/backend` `clerk.authenticateRequest(request, { jwtKey, authorizedParties })`",
  joseRunPromise:
    "(e) (a) wrapped, `runtime.runPromise(Effect.promise(() => jose.jwtVerify(token, publicKey)))`: the runtime entry and one async step around jose, nothing of effect-clerk (info)",
  freshInEffect:
    `(b') (b) without \`runPromise\` per call: ${batch} calls of \`authenticateRequest\` in one effect, per call (info)`,
  cachedInEffect: `(c') (c) the same way, ${batch} calls in one effect, per call (info)`,
  compactVerify: "`jose.compactVerify` alone: the signature check effect-clerk delegates to, no claims (info)",
  decode: "`decode` of src/internal/jwt.ts alone: split, base64url and `JSON.parse` of header and payload (info)",
  newRequest: "`new Request(url, { headers })` alone; not part of (b)–(d), which reuse one request (info)"
})

const authSection = (r: Results["auth"], targets: Auth.AuthTargets): { summary: Array<string>; body: string } => {
  if (r instanceof Error) return { summary: [], body: failed("request authentication", r) }
  const s = r.stats
  const ratio = (num: Auth.CaseKey, den: Auth.CaseKey, k: Measure) => s[num][k] / s[den][k]
  const labels = authLabels(r.inEffectBatch)
  const rows = (Object.keys(labels) as Array<Auth.CaseKey>).map((key) => [
    labels[key],
    fixed(s[key].meanUs, 1),
    fixed(s[key].medianUs, 1),
    fixed(s[key].p90Us, 1),
    fixed(ratio(key, "jose", "meanUs")),
    fixed(ratio(key, "jose", "medianUs"))
  ])
  const freshRatio = ratio("fresh", "jose", "meanUs")
  const cachedSpeedup = ratio("jose", "cached", "meanUs")
  const sdkOverFresh = ratio("clerkSdk", "fresh", "meanUs")
  const sdkOverCached = ratio("clerkSdk", "cached", "meanUs")
  const okFresh = freshRatio <= targets.freshOverJose
  const okCached = cachedSpeedup >= targets.joseOverCached
  const okSdk = sdkOverFresh >= targets.sdkOverFresh
  const agree = (meanOk: boolean, medianOk: boolean) =>
    meanOk === medianOk ? "" : ` (by median: ${medianOk ? "met" : "not met"})`
  const targetRows = [
    [
      "(b) ÷ (a): a fresh token through effect-clerk, over `jose.jwtVerify`",
      fixed(freshRatio),
      fixed(ratio("fresh", "jose", "medianUs")),
      `≤ ${targets.freshOverJose}`,
      met(okFresh) + agree(okFresh, ratio("fresh", "jose", "medianUs") <= targets.freshOverJose)
    ],
    [
      "(a) ÷ (c): how many times faster a repeated token is than `jose.jwtVerify`",
      fixed(cachedSpeedup),
      fixed(ratio("jose", "cached", "medianUs")),
      `≥ ${targets.joseOverCached}`,
      met(okCached) + agree(okCached, ratio("jose", "cached", "medianUs") >= targets.joseOverCached)
    ],
    [
      "(d) ÷ (b): `@clerk/backend` over effect-clerk, fresh token",
      fixed(sdkOverFresh),
      fixed(ratio("clerkSdk", "fresh", "medianUs")),
      `≥ ${targets.sdkOverFresh}`,
      met(okSdk) + agree(okSdk, ratio("clerkSdk", "fresh", "medianUs") >= targets.sdkOverFresh)
    ],
    [
      "(d) ÷ (c): `@clerk/backend` over effect-clerk, repeated token (info)",
      fixed(sdkOverCached),
      fixed(ratio("clerkSdk", "cached", "medianUs")),
      "—",
      "—"
    ]
  ]
  const runPromiseRows = [
    [
      "(b) − (b'): cache off",
      fixed(s.fresh.meanUs - s.freshInEffect.meanUs, 1),
      fixed(s.fresh.medianUs - s.freshInEffect.medianUs, 1),
      pct((s.fresh.meanUs - s.freshInEffect.meanUs) / s.fresh.meanUs)
    ],
    [
      "(c) − (c'): cache on",
      fixed(s.cached.meanUs - s.cachedInEffect.meanUs, 1),
      fixed(s.cached.medianUs - s.cachedInEffect.medianUs, 1),
      pct((s.cached.meanUs - s.cachedInEffect.meanUs) / s.cached.meanUs)
    ]
  ]
  const inEffectRatio = ratio("freshInEffect", "jose", "meanUs")
  const inEffectMedianRatio = ratio("freshInEffect", "jose", "medianUs")
  const missedAny = !okFresh || !okCached || !okSdk
  const verdict = !missedAny
    ? `All three targets are met in this run (by mean).`
    : [
      !okFresh
        ? `**(b) ÷ (a) misses the ≤ ${targets.freshOverJose} target:** a fresh token costs ${
          fixed(s.fresh.meanUs - s.jose.meanUs, 1)
        } µs (median ${
          fixed(s.fresh.medianUs - s.jose.medianUs, 1)
        } µs) more than \`jose.jwtVerify\`, where the target allows ${
          fixed((targets.freshOverJose - 1) * s.jose.meanUs, 1)
        } µs (median ${
          fixed((targets.freshOverJose - 1) * s.jose.medianUs, 1)
        } µs). Without a \`runPromise\` per call, (b') is ${fixed(inEffectRatio)}× (a) (median ${
          fixed(inEffectMedianRatio)
        }×): ${
          inEffectRatio <= targets.freshOverJose && inEffectMedianRatio <= targets.freshOverJose
            ? "within the target by mean and by median, so the runtime entry, not the verification, is what misses it."
            : inEffectRatio > targets.freshOverJose && inEffectMedianRatio > targets.freshOverJose
            ? "over the target by mean and by median, so the verification path itself, not only the runtime entry, costs more than the target allows."
            : "mean and median disagree, so this run cannot say whether the runtime entry or the verification path is what misses it."
        } For scale, (e), jose itself run through the same \`runPromise\` with nothing of effect-clerk, is ${
          fixed(ratio("joseRunPromise", "jose", "meanUs"))
        }× (a) by mean and ${
          fixed(ratio("joseRunPromise", "jose", "medianUs"))
        }× by median: what the runtime entry and one async step cost before effect-clerk does anything.`
        : "",
      !okCached
        ? `**(a) ÷ (c) misses the ≥ ${targets.joseOverCached} target:** a cache hit takes ${
          fixed(s.cached.meanUs, 1)
        } µs (median ${fixed(s.cached.medianUs, 1)} µs); the target needs at most ${
          fixed(s.jose.meanUs / targets.joseOverCached, 1)
        } µs. Of that, \`runPromise\` accounts for ${
          fixed(s.cached.meanUs - s.cachedInEffect.meanUs, 1)
        } µs ((c) − (c')).`
        : "",
      !okSdk
        ? `**(d) ÷ (b) misses the ≥ ${targets.sdkOverFresh} target:** \`@clerk/backend\` takes ${
          fixed(s.clerkSdk.meanUs, 1)
        } µs and (b) ${fixed(s.fresh.meanUs, 1)} µs; for ${targets.sdkOverFresh}× (b) would need to be at most ${
          fixed(s.clerkSdk.meanUs / targets.sdkOverFresh, 1)
        } µs.`
        : ""
    ].filter((x) => x !== "").join("\n\n")
  const parts = [
    "## 4. Request authentication",
    "",
    `One RS256 key pair is generated for the run (\`jose.generateKeyPair\`, 2048-bit), and one session token is signed with it, shaped like those of Clerk's Frontend API with v1 organization claims (${
      r.claimNames.map((c) => `\`${c}\``).join(", ")
    }): ${
      bytes(r.tokenBytes)
    } bytes (header ${r.headerBytes} bytes and payload ${r.payloadBytes} bytes decoded). Every case is networkless. effect-clerk runs \`ClerkAuth.layerWithJwks({ authorizedParties, tokenCacheSize })\` on \`ClerkJwks.fromJwks({ keys: [jwk] })\`, built once per cache setting in a \`ManagedRuntime\`. \`@clerk/backend\` gets the key as \`jwtKey\` (PEM) and a made-up publishable key for the host \`bench-fake.clerk.accounts.dev\`. Both check \`azp\` against the same authorized party, and \`exp\`, \`nbf\` and \`iat\` with their default 5 s skew. All cases take the same \`Request\` (\`Authorization: Bearer <token>\`), built once outside the loop.`,
    "",
    `Before timing, every case is checked: (b), (c) (a first and a second call, the second served by the cache), (b'), (c') and (d) answer signed in as \`${r.userId}\`; \`jose.jwtVerify\`, in (a) and in (e), returns that subject; a token signed with another key is signed out by (b), (c) and (d).`,
    "",
    `Cases run one call at a time in ${r.rounds} interleaved rounds of ${r.callsPerRound} calls each (the order rotates every round), after ${r.warmupCalls} warm-up calls per case; each call is timed on its own, except (b') and (c'), where one sample is one \`runPromise\` of ${r.inEffectBatch} calls and the figures are that sample ÷ ${r.inEffectBatch}. Ratios are to (a) in the same run. Every signature check goes through WebCrypto (\`crypto.subtle.verify\`), whose RSA work Node runs on its thread pool, so each call waits for a handoff between threads; on a shared 2-core machine that wait varies a lot, which is why means sit well above medians.`,
    "",
    table(["Case", "mean µs", "median µs", "p90 µs", "mean ÷ (a)", "median ÷ (a)"], rows),
    "",
    table(["Target", "by mean", "by median", "Target", "Met (by mean)"], targetRows),
    "",
    "What `runPromise` costs per call (the difference between calling through a `ManagedRuntime` once per request and running the same effect inside a larger one):",
    "",
    table(["", "µs, mean", "µs, median", "share of the runPromise case, mean"], runPromiseRows),
    "",
    "Each is a difference of two cases timed separately, so it carries the noise of both; a small negative value means \"within noise\".",
    "",
    "Notes:",
    "",
    "- With `jwtKey`, the installed `@clerk/backend` turns the PEM into a JWK and imports it with `crypto.subtle.importKey` on every call, and first wraps the request in its own `ClerkRequest` (a `Request` subclass) to look at cookies and the URL for its handshake logic; (d) includes all of that.",
    "- (b) and (c) return a `SignedIn` with a `SessionAuth` built from the claims; (a) and the info cases return jose's result only.",
    "",
    verdict
  ]
  if (r.profiles.length > 0) {
    const cols = r.profiles.map((p) => p.key === "jose" ? "(a)" : p.key === "fresh" ? "(b)" : "(c)")
    const perCall = (p: Auth.AuthResult["profiles"][number], ms: number) => fixed(ms * 1_000 / p.calls, 1)
    const compRows = componentNames.map((name) => [name, ...r.profiles.map((p) => perCall(p, p.components.ms[name]))])
    compRows.push([
      "**sampled main-thread time per call**",
      ...r.profiles.map((p) => `**${perCall(p, p.components.totalMs)}**`)
    ])
    compRows.push(["wall time per call while profiled", ...r.profiles.map((p) => fixed(p.wallUs, 1))])
    parts.push(
      "",
      "### Where the time goes",
      "",
      `A target is missed, so ${
        cols.join(", ")
      } were profiled after the timed rounds with the inspector's sampling profiler (100 µs interval), in one session, taking turns every 10 ms so that load from elsewhere falls on each alike: ${
        r.profiles.map((p, i) => `${cols[i]} ${bytes(p.calls)} calls`).join(", ")
      }. Each sample of the main thread is counted for the case whose turn it was and for the code at the top of the stack (self time), grouped by component, in µs per call. "WebCrypto verify" is the native crypto job and node:internal/crypto; the RSA work itself runs on a pool thread, but while the main thread waits for a core its time shows up here too. "V8 builtins" holds \`JSON.parse\`, \`TextEncoder\`/\`TextDecoder\`, regular expressions and the like; "other" is Node internals outside crypto, the bench loop and unattributed native time. ${
        r.profileFile === undefined
          ? ""
          : `The raw profile is saved as \`${r.profileFile}\` (git-ignored; the cases' turns are interleaved in it).`
      }`,
      "",
      table(["Component, µs per call", ...cols], compRows)
    )
  }
  const d = r.distinct
  const range = (x: { median: number; min: number; max: number }) =>
    `${fixed(x.median)} (per-round range ${fixed(x.min)}–${fixed(x.max)})`
  const distinctLabels: Record<keyof typeof d.batches, string> = {
    jose: "`jose.jwtVerify(token, publicKey)` in a loop",
    effectClerk:
      "effect-clerk: `runtime.runPromise(Effect.forEach(requests, auth.authenticateRequest))`, `ClerkAuth.layer({ jwtKey, authorizedParties })`, cache at its default",
    clerkSdk: "`@clerk/backend` `clerk.authenticateRequest(request, { jwtKey, authorizedParties })` in a loop"
  }
  parts.push(
    "",
    "### Fresh tokens, as a server sees them",
    "",
    `Each of ${d.rounds} rounds (after warm-up rounds) mints ${d.tokensPerRound} distinct session tokens (distinct \`sid\`, so no cache answers), wraps each in a \`Request\` with \`Authorization: Bearer\`, and times one batch per library over them, the order rotating every round. effect-clerk runs as an app would: one \`ManagedRuntime\`, the verified-token cache on (filling with one-off tokens), one \`runPromise\` per batch. Every batch must sign all its tokens in. Milliseconds per batch of ${d.tokensPerRound}:`,
    "",
    table(
      ["Batch", "median ms", "min ms", "max ms"],
      (Object.keys(distinctLabels) as Array<keyof typeof d.batches>).map((key) => [
        distinctLabels[key],
        fixed(d.batches[key].medianMs),
        fixed(d.batches[key].minMs),
        fixed(d.batches[key].maxMs)
      ])
    ),
    "",
    `Per-round ratios: effect-clerk ÷ jose ${range(d.oursOverJose)}; \`@clerk/backend\` ÷ effect-clerk ${
      range(d.sdkOverOurs)
    }. The ranges are wide because every check waits for WebCrypto's thread-pool handoff and for garbage collection, which land on whichever batch is running.`
  )
  const okDistinct = d.oursOverJose.median <= targets.freshOverJose
  const okDistinctSdk = d.sdkOverOurs.median >= targets.sdkOverFresh
  return {
    summary: [
      `| Request auth, ${d.tokensPerRound} distinct fresh tokens per round: effect-clerk ÷ \`jose.jwtVerify\` (median of rounds) | ${
        range(d.oursOverJose)
      } | ≤ ${targets.freshOverJose} | ${met(okDistinct)} |`,
      `| Request auth, distinct fresh tokens: \`@clerk/backend\` ÷ effect-clerk (median of rounds) | ${
        range(d.sdkOverOurs)
      } | ≥ ${targets.sdkOverFresh} | ${met(okDistinctSdk)} |`,
      `| Request auth, one token, cache off: effect-clerk \`authenticateRequest\` ÷ \`jose.jwtVerify\` (mean) | ${
        fixed(freshRatio)
      } (median ${fixed(ratio("fresh", "jose", "medianUs"))}) | ≤ ${targets.freshOverJose} | ${met(okFresh)} |`,
      `| Request auth, repeated token: \`jose.jwtVerify\` ÷ effect-clerk \`authenticateRequest\` (cache on) (mean) | ${
        fixed(cachedSpeedup)
      } (median ${fixed(ratio("jose", "cached", "medianUs"))}) | ≥ ${targets.joseOverCached} | ${met(okCached)} |`,
      `| Request auth, one token: \`@clerk/backend\` \`authenticateRequest\` ÷ effect-clerk (cache off) (mean) | ${
        fixed(sdkOverFresh)
      } (median ${fixed(ratio("clerkSdk", "fresh", "medianUs"))}) | ≥ ${targets.sdkOverFresh} | ${met(okSdk)} |`
    ],
    body: parts.join("\n")
  }
}

const fakeLabels: Record<Fake.CaseKey, string> = {
  get: "(a) `clerk.users.get({ userId })` on `ClerkTest.layerWith({ users })`, in-process `HttpClient`",
  getLoopback:
    "(b) the same call to the same fake served by `ClerkTest.serve()` on 127.0.0.1, through `ClerkBackend` + `FetchHttpClient` — baseline",
  list: "(c) `clerk.users.list({ limit: 100 })`, in-process",
  create: "(d) `clerk.users.create(...)` with new identifiers, in-process (a fake of its own)",
  derivedGet:
    "(e) `clerk.redirectUrls.get({ id })` of a stored redirect URL: the spec-driven collection tier, in-process",
  derivedCreate:
    "(f) `clerk.redirectUrls.create({ url })`: a generated resource with the params laid over it, stored (the fake of (d))",
  generated: "(g) `clerk.billing.listPlans()`: a generated valid answer (no state), in-process"
}

const fakeSection = (r: Results["fake"]): { summary: Array<string>; body: string } => {
  if (r instanceof Error) return { summary: [], body: failed("test kit", r) }
  const s = r.stats
  const ratio = (num: Fake.CaseKey, den: Fake.CaseKey, k: Measure) => s[num][k] / s[den][k]
  const rows = (Object.keys(fakeLabels) as Array<Fake.CaseKey>).map((key) => [
    fakeLabels[key],
    us(s[key].meanUs),
    us(s[key].medianUs),
    us(s[key].p90Us),
    fixed(ratio(key, "get", "meanUs")),
    fixed(ratio(key, "get", "medianUs"))
  ])
  const m = r.memory
  const loopbackOverGet = ratio("getLoopback", "get", "meanUs")
  const listOverGet = ratio("list", "get", "meanUs")
  const seedGrowth = m.seedMs / m.warmSeedMs
  const userGrowth = m.users / m.warmUsers
  const size = (n: number) => n >= KB * KB ? `${(n / KB / KB).toFixed(1)} MB` : kb(n)
  const memoryRows = [
    [
      "Heap of an empty fake (`ClerkTest.layer`, built)",
      `${bytes(m.emptyFakeBytes)} bytes (${size(m.emptyFakeBytes)})`
    ],
    [
      `Heap of a fake seeded with ${bytes(m.users)} users (\`ClerkTest.layerWith({ users })\`, built)`,
      `${bytes(m.seededFakeBytes)} bytes (${size(m.seededFakeBytes)})`
    ],
    ["**Per user**: (seeded − empty) ÷ users", `**${bytes(Math.round(m.bytesPerUser))} bytes**`],
    [
      `The ${
        bytes(m.users)
      } seed objects themselves (the \`users.create\` params passed in; in every reading, not counted above)`,
      `${bytes(m.seedInputBytes)} bytes (${bytes(Math.round(m.seedInputBytes / m.users))} per seed)`
    ],
    [`Time to build the fake seeded with ${bytes(m.users)} users`, `${fixed(m.seedMs / 1_000, 1)} s`],
    [
      `Heap of a fake holding ${
        bytes(m.derivedItems)
      } redirect URLs of the spec-driven tier (\`layerWith({ resources: { "redirectUrls.create": [...] } })\`, built)`,
      `${bytes(m.derivedFakeBytes)} bytes (${size(m.derivedFakeBytes)})`
    ],
    [
      "**Per stored item of the spec-driven tier**: (that fake − empty) ÷ items",
      `**${bytes(Math.round(m.bytesPerDerivedItem))} bytes**`
    ],
    [
      `Time to build the fake holding ${bytes(m.derivedItems)} redirect URLs (each a derived \`redirectUrls.create\`)`,
      `${fixed(m.derivedSeedMs / 1_000, 1)} s`
    ],
    [
      `Time to build a fake seeded with ${bytes(m.warmUsers)} users (the warm-up, first build in the process)`,
      `${fixed(m.warmSeedMs / 1_000, 2)} s`
    ]
  ]
  const body = [
    "## 5. Test kit: the in-memory fake (`ClerkTest`)",
    "",
    `Informational, no target. What a Backend API call costs through \`effect-clerk/testing\`'s fake, which tests run in place of Clerk. The fake is \`ClerkTest.layerWith({ users })\` seeded with ${r.seededUsers} users (bench/fake/seeds.ts: one e-mail address, first and last name, username, external id and public metadata each, a phone number for every third), built once in a \`ManagedRuntime\`; every call is one \`runtime.runPromise(effect)\` of an effect built before the loop, so layer building is not timed. (a) and (b) cycle through the ${r.seededUsers} seeded ids.`,
    "",
    "- (a) goes through the fake's in-process `HttpClient`: no socket, but every other step of a real call — the client encodes the request, the fake routes it, decodes the params with the operation's schema, runs the route on its store, encodes the answer with the success schema into a web `Response`, and the client parses and decodes it.",
    "- (b), the baseline, is **the same fake instance**, served by `ClerkTest.serve()` (opened in a `Scope` of the fake's runtime, closed after the run) and called by a second runtime of `ClerkBackend.layer` + `ClerkConfig.layer({ secretKey, apiUrl: server.apiUrl })` + `FetchHttpClient.layer`. The server runs in this process, so (b) includes both ends of the loopback connection (undici's `fetch` and `node:http`) on the same thread.",
    `- (c) answers ${r.seededUsers} users in one call: the list route (filter, order, page) and the encoding and decoding of ${r.seededUsers} users.`,
    `- (d) writes to a second fake seeded the same way, so (a)–(c) read an unchanged store; each call creates a user with a new e-mail address, username, external id (and every third call a phone number). That fake held ${
      bytes(r.createStore.before)
    } users before (d)'s warm-up and ${
      bytes(r.createStore.after)
    } after the timed rounds (\`users.create\` looks each new identifier up in an index, so its cost does not grow with the store).`,
    "",
    `Before timing: the seeded users list in seeding order; (b)'s answer deep-equals (a)'s and appears in the fake's \`ClerkTest.calls\` (so it reached the same instance); (c) returns ${r.seededUsers} users; (d) returns the user it created. Cases run one call at a time in ${r.rounds} interleaved rounds of ${r.callsPerRound} calls each (the order rotates every round), after ${r.warmupCalls} warm-up calls per case; each call is timed on its own. Ratios are to (a) in the same run.`,
    "",
    table(["Case", "mean µs", "median µs", "p90 µs", "mean ÷ (a)", "median ÷ (a)"], rows),
    "",
    loopbackOverGet >= 1
      ? `**In-process, \`users.get\` is ${
        fixed(loopbackOverGet)
      }× faster than the same fake over a loopback socket** ((b) ÷ (a) by mean; ${
        fixed(ratio("getLoopback", "get", "medianUs"))
      }× by median): the loopback path (\`fetch\`, the socket, \`node:http\` and the server's turning each request into a web \`Request\`) adds ${
        us(s.getLoopback.meanUs - s.get.meanUs)
      } µs per call by mean (${us(s.getLoopback.medianUs - s.get.medianUs)} µs by median).`
      : `**In this run, in-process \`users.get\` was not faster than the same fake over a loopback socket:** (b) ÷ (a) is ${
        fixed(loopbackOverGet)
      } by mean (${fixed(ratio("getLoopback", "get", "medianUs"))} by median).`,
    "",
    `**\`users.list({ limit: 100 })\` costs ${fixed(listOverGet)}× one \`users.get\`** ((c) ÷ (a) by mean; ${
      fixed(ratio("list", "get", "medianUs"))
    }× by median), about ${
      us((s.list.medianUs - s.get.medianUs) / r.seededUsers)
    } µs per listed user by median beyond one call's fixed cost.`,
    "",
    "### Memory",
    "",
    `Measured in a process of its own, so nothing else of the bench is in its heap: \`${r.memoryCommand}\`. ${
      m.gc
        ? "Each reading of `process.memoryUsage().heapUsed` follows three `global.gc()` calls (full collections)."
        : "**`global.gc` was not available**, so the readings are plain `process.memoryUsage().heapUsed` values without forced collections, and include garbage: treat them as upper bounds."
    } The process first builds and uses a fake seeded with ${
      bytes(m.warmUsers)
    } users and disposes of it, so modules, compiled schemas and other lazily built caches exist before the first reading; it then allocates the ${
      bytes(m.users)
    } seeds, builds an empty fake, and, with the empty one still alive, the seeded one (checked with \`users.count\`). Both include their signing key pair, so their difference is the users. A third fake, built the same way beside them, holds ${
      bytes(m.derivedItems)
    } redirect URLs created through the spec-driven tier (checked by paging \`redirectUrls.list\` to its end): a stored item there is the decoded object the tier answers, held in the collection's map by its key.`,
    "",
    table(["", ""], memoryRows),
    "",
    `Seeding ${fixed(userGrowth, 0)}× the users took ${fixed(seedGrowth, 1)}× as long${
      seedGrowth > userGrowth * 2
        ? ": seeding grows faster than linearly, which the identifier index of `users.create` should prevent: a regression to look into"
        : " (every seed is a `users.create`, whose uniqueness checks are index lookups)"
    }.`
  ].join("\n")
  return {
    summary: [
      `| Test kit: \`users.get\` over a loopback socket ÷ in-process, same fake (mean; info) | ${
        fixed(loopbackOverGet)
      } (median ${fixed(ratio("getLoopback", "get", "medianUs"))}) | — | — |`,
      `| Test kit: \`users.list({ limit: 100 })\` ÷ \`users.get\`, in-process (mean; info) | ${
        fixed(listOverGet)
      } (median ${fixed(ratio("list", "get", "medianUs"))}) | — | — |`,
      `| Test kit: heap per seeded user (info) | ${bytes(Math.round(m.bytesPerUser))} bytes (${
        bytes(m.users)
      } users; seeding took ${fixed(m.seedMs / 1_000, 1)} s) | — | — |`,
      `| Test kit: heap per stored item of the spec-driven tier (info) | ${
        bytes(Math.round(m.bytesPerDerivedItem))
      } bytes (${bytes(m.derivedItems)} redirect URLs; seeding took ${fixed(m.derivedSeedMs / 1_000, 1)} s) | — | — |`
    ],
    body
  }
}

const coldLabels: Record<ColdStart.ColdCaseKey, string> = {
  node: "an empty script (nothing imported; info)",
  effectBaseline: "(a) the Effect modules effect-clerk imports, and nothing else — baseline",
  effectClerk: "(b) effect-clerk, `await import(\"dist/index.js\")`",
  clerkSdk: "(c) `@clerk/backend` (info)"
}

const coldSection = (
  r: Results["coldStart"],
  targets: Results["targets"]["coldStart"]
): { summary: Array<string>; body: string } => {
  if (r instanceof Error) return { summary: [], body: failed("cold start", r) }
  const MB = 1024 * 1024
  const c = r.cases
  const range = (xs: ReadonlyArray<number>, scale = 1, digits = 0) =>
    `${fixed(median(xs) / scale, digits)} (${fixed(Math.min(...xs) / scale, digits)}–${
      fixed(Math.max(...xs) / scale, digits)
    })`
  // Per process pair (the i-th process of each case ran in the same rotation), so a slow moment cancels out.
  const overMs = c.effectClerk.ms.map((ms, i) => ms - c.effectBaseline.ms[i]!)
  const overRss = c.effectClerk.rss.map((rss, i) => rss - c.effectBaseline.rss[i]!)
  const okMs = median(overMs) <= targets.overBaselineMs
  const okRss = median(overRss) <= targets.overBaselineMb * MB
  const rows = (Object.keys(coldLabels) as Array<ColdStart.ColdCaseKey>).map((key) => [
    coldLabels[key],
    range(c[key].ms),
    range(c[key].rss, MB)
  ])
  const body = [
    "## 3b. Cold start: `await import`",
    "",
    `Each case is a fresh \`node\` process that times its \`await import(...)\` with \`performance.now()\` and reports its resident set size afterwards; ${r.processes} processes per case, the order of the cases rotating. The baseline (a) imports exactly the ${r.baselineModules.length} bare specifiers found in dist/'s own imports, dist/v4 (the Effect 4 line) left out (${
      r.baselineModules.map((m) => `\`${m}\``).join(", ")
    }), so (b) − (a) is what effect-clerk's own modules cost at start: schema and descriptor construction, module evaluation.`,
    "",
    table(["Case", "import ms, median (range)", "RSS MB after, median (range)"], rows),
    "",
    `(b) − (a), per pair of processes: ${range(overMs)} ms and ${range(overRss, MB, 1)} MB.`,
    "",
    "Where (b) − (a) goes: one more process imports the baseline modules first, then profiles only the import of dist/index.js (inspector sampling profiler, 100 µs interval). Self time by area:",
    "",
    table(
      ["Area", "ms", "share"],
      (() => {
        const total = r.profile.reduce((sum, row) => sum + row.ms, 0)
        return r.profile.map((row) => [row.area, fixed(row.ms, 1), pct(row.ms / total)])
      })()
    )
  ].join("\n")
  return {
    summary: [
      `| cold \`await import\` of effect-clerk over the Effect modules it imports (median ms) | ${
        fixed(median(overMs), 0)
      } (range ${fixed(Math.min(...overMs), 0)}–${fixed(Math.max(...overMs), 0)}) | ≤ ${targets.overBaselineMs} | ${
        met(okMs)
      } |`,
      `| cold \`await import\`: resident memory over the same baseline (median MB) | ${
        fixed(median(overRss) / MB, 1)
      } | ≤ ${targets.overBaselineMb} | ${met(okRss)} |`,
      `| cold \`await import\`: \`@clerk/backend\` (median ms, MB; info) | ${fixed(median(c.clerkSdk.ms), 0)} ms, ${
        fixed(median(c.clerkSdk.rss) / MB, 0)
      } MB | — | — |`
    ],
    body
  }
}

const majorsSection = (
  r: Results["majors"],
  targets: Results["targets"]
): { summary: Array<string>; body: string } => {
  if (r instanceof Error) {
    return { summary: [], body: `## 6. Effect 3 and Effect 4 side by side\n\n${failed("majors", r)}` }
  }
  const MB = 1024 * 1024
  const both = <A>(f: (major: Majors.Major) => A) => [f(3), f(4)] as const
  const partFailed = (what: string, error: Error) => `failed (${cell(what)}: ${cell(error.message.split("\n")[0]!)})`
  const spread = (x: Majors.Spread, digits = 2) =>
    `${fixed(x.median, digits)} (range ${fixed(x.min, digits)}–${fixed(x.max, digits)})`
  const listOf = (xs: ReadonlyArray<number>, scale = 1, digits = 0) =>
    `${fixed(median(xs) / scale, digits)} (range ${fixed(Math.min(...xs) / scale, digits)}–${
      fixed(Math.max(...xs) / scale, digits)
    })`
  const rows: Array<Array<string>> = []
  const summary: Array<string> = []
  const pairMet = (ok: readonly [boolean, boolean]) => `3: ${met(ok[0])}, 4: ${met(ok[1])}`

  const c = r.calls
  if (c instanceof Error) {
    rows.push(["`users.list({ limit: 100 })` ÷ raw fetch", partFailed("calls", c), "", "", ""])
  } else {
    const ratio = (major: Majors.Major, k: Measure) => c[major].effectClerk[k] / c[major].raw[k]
    rows.push([
      "**`clerk.users.list({ limit: 100 })` ÷ raw `fetch` + `JSON.parse`**, `ClerkBackend` on `FetchHttpClient`, loopback replay server: mean ÷ mean; median ÷ median; per-round ratio, median (range)",
      ...both((m) =>
        `mean **${fixed(ratio(m, "meanUs"))}**; median ${fixed(ratio(m, "medianUs"))}; rounds ${
          spread(c[m].roundRatio)
        }`
      ),
      `raw \`fetch\` + \`res.text()\` + \`JSON.parse\` of the same URL, interleaved in the same child (order alternating every round); ${
        c[3].children
      } children per major, each after ${c[3].warmupCalls} warm-up calls per case; ${c[3].rounds} rounds of ${
        c[3].callsPerRound
      } calls per case per major in all`,
      `\`${cell(r.commands.calls)}\``
    ])
    rows.push([
      "the same calls, µs per call: `users.list` mean / median (raw fetch mean / median)",
      ...both((m) =>
        `${us(c[m].effectClerk.meanUs)} / ${us(c[m].effectClerk.medianUs)} (${us(c[m].raw.meanUs)} / ${
          us(c[m].raw.medianUs)
        })`
      ),
      "",
      ""
    ])
    const ok = both((m) => ratio(m, "meanUs") <= targets.callRatio)
    summary.push(
      `| Effect 3 / Effect 4: \`users.list\` ÷ raw fetch, each in child processes of the same design (mean; section 6) | ${
        fixed(ratio(3, "meanUs"))
      } / ${fixed(ratio(4, "meanUs"))} (median ${fixed(ratio(3, "medianUs"))} / ${
        fixed(ratio(4, "medianUs"))
      }) | ≤ ${targets.callRatio} | ${pairMet(ok)} |`
    )
  }

  const a = r.auth
  if (a === undefined) {
    rows.push([
      "Request authentication, fresh tokens ÷ `jose.jwtVerify`",
      `left out: ${cell(r.authMissing ?? "")}`,
      "",
      "",
      ""
    ])
  } else if (a instanceof Error) {
    rows.push(["Request authentication, fresh tokens ÷ `jose.jwtVerify`", partFailed("auth", a), "", "", ""])
  } else {
    rows.push([
      `**Request authentication, ${
        a[3].tokensPerRound
      } distinct fresh tokens per round: \`ClerkAuth.authenticateRequest\` ÷ \`jose.jwtVerify\`**, one \`runPromise(Effect.forEach(requests, authenticateRequest))\` per batch, \`ClerkAuth.layer({ jwtKey, authorizedParties })\`, cache at its default: per-round ratio, median (range)`,
      ...both((m) => `**${spread(a[m].roundRatio)}**`),
      `\`jose.jwtVerify\` on the same tokens in a plain loop, the same round (order alternating); ${
        a[3].children
      } children per major, ${a[3].rounds} rounds per major`,
      `\`${cell(r.commands.auth)}\``
    ])
    rows.push([
      `the same batches, ms per ${a[3].tokensPerRound} tokens: effect-clerk (jose), median of rounds`,
      ...both((m) => `${fixed(a[m].effectClerkMs.median)} (${fixed(a[m].joseMs.median)})`),
      "",
      ""
    ])
    const ok = both((m) => a[m].roundRatio.median <= targets.auth.freshOverJose)
    summary.push(
      `| Effect 3 / Effect 4: request auth, distinct fresh tokens, effect-clerk ÷ \`jose.jwtVerify\` (median of rounds; section 6) | ${
        fixed(a[3].roundRatio.median)
      } / ${fixed(a[4].roundRatio.median)} | ≤ ${targets.auth.freshOverJose} | ${pairMet(ok)} |`
    )
  }

  const b = r.bundle
  if (b instanceof Error) {
    rows.push(["Bundle size", partFailed("bundle", b), "", "", ""])
  } else {
    const delta = (m: Majors.Major, key: "service" | "serviceAuth") => {
      const size = b[m][key]
      return size === undefined
        ? "not built (no ClerkAuth module)"
        : `**${kb(size.gzipBytes - b[m].baseline.gzipBytes)}** gzip (${
          kb(size.minBytes - b[m].baseline.minBytes)
        } minified)`
    }
    const baseline =
      `a hand-written \`HttpClient\` GET on \`FetchHttpClient\` of the same major (\`@effect/platform\` on 3, \`effect/http\` on 4), in every entry: ${
        both((m) => `Effect ${m} ${kb(b[m].baseline.gzipBytes)} gzip (${kb(b[m].baseline.minBytes)} minified)`).join(
          ", "
        )
      }`
    rows.push([
      "**Bundle: `clerk.users.get` through `ClerkGroups.Service({ users: Users })` − baseline** (esbuild, minified, gzip -9)",
      ...both((m) => delta(m, "service")),
      baseline,
      `esbuild of \`${r.scratchDir}/e{3,4}/bundle-*.mjs\``
    ])
    rows.push([
      "**Bundle: the same plus `ClerkAuth.authenticateRequest` (`ClerkAuth.layer({ jwtKey })`) − baseline**",
      ...both((m) => delta(m, "serviceAuth")),
      "the same baseline",
      ""
    ])
    rows.push([
      "Bundle, for information: the baseline that also decodes its answer with `effect/Schema` (a 3-field struct) − baseline: what Schema itself weighs on each major",
      ...both((m) =>
        `${kb(b[m].baselineSchema.gzipBytes - b[m].baseline.gzipBytes)} gzip (${
          kb(b[m].baselineSchema.minBytes - b[m].baseline.minBytes)
        } minified)`
      ),
      "the same baseline",
      ""
    ])
    const ok = both((m) => b[m].service.gzipBytes - b[m].baseline.gzipBytes <= targets.bundleDeltaKb * KB)
    summary.push(
      `| Effect 3 / Effect 4: bundle of \`users.get\` through \`ClerkGroups.Service\` − same-major baseline, gzip (section 6) | ${
        both((m) => kb(b[m].service.gzipBytes - b[m].baseline.gzipBytes)).join(" / ")
      } | ≤ ${targets.bundleDeltaKb} KB | ${pairMet(ok)} |`
    )
    const withAuth = both((m) => b[m].serviceAuth)
    if (withAuth[0] !== undefined && withAuth[1] !== undefined) {
      summary.push(
        `| Effect 3 / Effect 4: the same plus \`ClerkAuth.authenticateRequest\`, gzip (section 6; info) | ${
          both((m) => kb(b[m].serviceAuth!.gzipBytes - b[m].baseline.gzipBytes)).join(" / ")
        } | — | — |`
      )
    }
  }

  const cold = r.cold
  if (cold instanceof Error) {
    rows.push(["Cold `await import`", partFailed("cold start", cold), "", "", ""])
  } else {
    const k = cold.byMajor
    const overMs = (m: Majors.Major) => k[m].entryMs.map((ms, i) => ms - k[m].baselineMs[i]!)
    const overRss = (m: Majors.Major) => k[m].entryRss.map((rss, i) => rss - k[m].baselineRss[i]!)
    rows.push([
      "**Cold `await import` of the entry over its baseline**, ms per pair of processes, median (range)",
      ...both((m) =>
        `**${listOf(overMs(m))}** (\`${k[m].entry}\`, ${k[m].packageFiles} files of the package in its graph: ${
          listOf(k[m].entryMs)
        } ms)`
      ),
      `a process importing only the bare modules the entry's module graph imports: ${
        both((m) => `Effect ${m}: ${k[m].baselineModules.length} modules, ${listOf(k[m].baselineMs)} ms`).join("; ")
      }; ${cold.processes} processes per case, the four cases rotating`,
      `\`${cell(r.commands.cold)}\``
    ])
    rows.push([
      "Cold `await import`: resident memory over the same baseline, MB per pair, median (range)",
      ...both((m) => `${listOf(overRss(m), MB, 1)} (baseline ${listOf(k[m].baselineRss, MB, 1)})`),
      "",
      ""
    ])
    const okMs = both((m) => median(overMs(m)) <= targets.coldStart.overBaselineMs)
    summary.push(
      `| Effect 3 / Effect 4: cold \`await import\` of the entry over its own Effect modules (median ms; section 6) | ${
        both((m) => fixed(median(overMs(m)), 0)).join(" / ")
      } | ≤ ${targets.coldStart.overBaselineMs} | ${pairMet(okMs)} |`
    )
  }

  const body = [
    "## 6. Effect 3 and Effect 4 side by side",
    "",
    `The headline measures of the sections above, for both majors, in this run and the same way for each. Everything runs against the **built package** (dist/, both lines as \`npm run build\` writes them), installed the way an app of each major gets it: a scratch app per major (\`${r.scratchDir}/e3\`, \`${r.scratchDir}/e4\`) whose node_modules holds a copy of the package (package.json and dist/**/*.js) and links to that major's own \`effect\` — Effect 3 is effect ${
      r.versions[3]
    } with @effect/platform ${r.platformVersion}, Effect 4 is effect ${
      r.versions[4]
    } (HTTP from \`effect/http/*\`) — and to \`jose\`. Node and esbuild resolve every import from there, so each line runs on, and bundles with, exactly one copy of its own Effect. The apps import \`${
      r.entries[3]
    }\` and \`${r.entries[4]}\` (ClerkAuth from \`${r.entries[3]}/ClerkAuth\` and \`${r.entries[4]}/ClerkAuth\`).`,
    "",
    `- Calls: one loopback replay server (section 1's, in a worker thread of the bench process, ${r.userCount} users, ${
      bytes(r.bodyBytes)
    } bytes); the children of the two majors take turns (3, 4, 4, 3, …) and each times, one call at a time, its own raw-fetch baseline and \`users.list\` in alternating order, after its own warm-up. Before timing, each child checks that both answer the fixture's user ids in order and that effect-clerk's users are decoded (camelCase fields). Section 1's numbers come from the bench process itself (Effect 3 from src/, under tsx), so they are not the same measurement as this row's.`,
    "- Request authentication: section 4's distinct-token shape (bench/auth/distinct.ts) in child processes taking turns; every effect-clerk batch must sign all its tokens in for the right user, and a token signed by another key must be refused.",
    "- Bundles: section 2's esbuild options (bundle, minify, tree shaking, esm, platform neutral, es2022), the same program text on each major's module names, the entries importing the installed package (so its `sideEffects: false` applies as in an app). A difference to the baseline includes whatever of `effect/Schema` the baseline does not already hold; the information row (a baseline that also decodes with `effect/Schema`, `Schema.decodeUnknown` on 3 and `Schema.decodeUnknownEffect` on 4) shows how much that is on each major.",
    "- Cold start: fresh `node` processes timing their `await import(...)` with `performance.now()` and reporting RSS after; each major's baseline imports exactly the bare specifiers reachable from its entry's module graph (relative imports followed), so (entry − baseline) is what effect-clerk's own modules cost on that major. Each entry loads what its index re-exports; the row gives how many of the package's files that is on each line, which differ as long as the two indexes do.",
    "",
    table([
      "Measure",
      `Effect 3 (effect ${r.versions[3]})`,
      `Effect 4 (effect ${r.versions[4]})`,
      "Baseline (per major, same run)",
      "Command"
    ], rows)
  ].join("\n")
  return { summary, body }
}

const redisLabels = (r: RedisBench.RedisResult): Record<RedisBench.CaseKey, string> => ({
  webhookMemory: "(a) a webhook delivery, new id, `deduplicate: true` on `WebhookDeduplication.memory()` — baseline",
  webhookRedis: "(b) the same on `ClerkRedis.deduplication()`: a leased claim (one Lua script) and the processed mark",
  callNone: "(c) `clerk.users.get` on the in-process fake, no `ClerkRateLimiter` — baseline",
  callMemory: "(d) the same under `ClerkRateLimiter.memory(...)`",
  callRedis: "(e) the same under `ClerkRedis.rateLimiter(...)`: one Lua script per call",
  machineLocal:
    "(f) machine token, local cache hit: an API key this instance verified before, `authenticateToken` with `machineTokenCacheTtl` — baseline",
  machineShared:
    "(g) machine token, shared hit on Redis: an API key another instance verified, new to this one: local miss, then `ClerkRedis.machineTokenStore` (HMAC of the token for its key, one GET, the seal's HMAC check, decode)",
  machineMiss:
    "(h) machine token, verified by Clerk (the in-process fake): a key no instance has seen: local miss, GET miss, `apiKeys.verify`, the sealed entry SET on Redis",
  machineDirect:
    "(i) the same `apiKeys.verify` on every call: `ClerkAuth` without `machineTokenCacheTtl` nor store (info)",
  sessionCached: "(j) session token, local cache hit (`tokenCacheSize` at its default) — baseline",
  sessionVerify: "(k) session token, verified locally: RS256 signature and claims, cache off (`tokenCacheSize: 0`)",
  redisGet:
    `(l) one Redis GET of a value of the token's size (${r.session.tokenBytes} bytes) on a \`ClerkRedis\` connection: the least sharing session tokens would cost`
})

/** Section 7: its summary rows and its body. Exported so that `bench/run.ts --only=7` can print it alone. */
export const redisSection = (r: Results["redis"]): { summary: Array<string>; body: string } => {
  const title = "## 7. Shared state on Redis (`effect-clerk/redis`), loopback"
  if (r instanceof Error) return { summary: [], body: `${title}\n\n${failed("redis", r)}` }
  const s = r.stats
  const labels = redisLabels(r)
  // Below 100 µs one decimal, so the cache hits do not round to a few whole microseconds.
  const fine = (x: number) => x < 100 ? fixed(x, 1) : us(x)
  const rounds = (key: RedisBench.CaseKey) => {
    const xs = r.roundMediansUs[key]
    return `${fine(median(xs))} (${fine(Math.min(...xs))}–${fine(Math.max(...xs))})`
  }
  const rows = (Object.keys(labels) as Array<RedisBench.CaseKey>).map((key) => [
    labels[key],
    fine(s[key].meanUs),
    fine(s[key].medianUs),
    fine(s[key].p90Us),
    rounds(key)
  ])
  const claim = s.webhookRedis.medianUs - s.webhookMemory.medianUs
  const limited = s.callRedis.medianUs - s.callNone.medianUs
  const local = s.callMemory.medianUs - s.callNone.medianUs
  const m = (key: RedisBench.CaseKey) => s[key].medianUs
  const sharedOverLocal = m("machineShared") - m("machineLocal")
  const storeOnMiss = m("machineMiss") - m("machineDirect")
  const getOverRsa = m("redisGet") / m("sessionVerify")
  const sharedOverRsa = m("machineShared") / m("sessionVerify")
  // The same round ran both cases: their ratio per round shows how steady the comparison was.
  const perRound = r.roundMediansUs.redisGet.map((get, i) => get / r.roundMediansUs.sessionVerify[i]!)
  const perRoundRatio = `${fixed(median(perRound))} (range ${fixed(Math.min(...perRound))}–${
    fixed(Math.max(...perRound))
  })`
  return {
    summary: [
      `| Redis: added per de-duplicated webhook delivery, loopback (median; info) | ${us(claim)} µs ((b) − (a); ${
        fixed(s.webhookRedis.medianUs / s.webhookMemory.medianUs)
      }×) | — | — |`,
      `| Redis: added per rate-limited Backend API call, loopback (median; info) | ${us(limited)} µs ((e) − (c); ${
        fixed(s.callRedis.medianUs / s.callNone.medianUs)
      }×) | — | — |`,
      `| Redis: a machine token (API key) another instance verified, loopback (median; info) | ${
        fine(m("machineShared"))
      } µs ((g); local cache hit ${fine(m("machineLocal"))} µs, verified by the in-process fake ${
        fine(m("machineMiss"))
      } µs) | — | — |`,
      `| Session token: one Redis GET of its size ÷ verifying it locally (RS256), loopback (median; info) | ${
        fixed(getOverRsa)
      }× (${fine(m("redisGet"))} µs ÷ ${
        fine(m("sessionVerify"))
      } µs, (l) ÷ (k); per round ${perRoundRatio}; a sealed shared hit, (g), ${fixed(sharedOverRsa)}×) | — | — |`
    ],
    body: [
      title,
      "",
      `Informational, no target. Debian's \`redis-server\` ${r.redisVersion}, started by the bench on 127.0.0.1 on a free port (no persistence) and stopped by PID after the section; one \`ClerkRedis.layer\` connection (ioredis) per store. The webhook cases run \`ClerkWebhooksHandler.handler(() => Effect.void, { deduplicate: true })\` through \`HttpApp.toWebHandlerLayer\` in this process; every call is a delivery with an id never seen (signed before timing), so each one claims, runs and marks done: two commands on Redis, none on the memory store. The call cases are \`users.get\` on one seeded \`ClerkTest.layerWith\` fake per case, with the limiter provided to it; the limits (10⁹ a minute) are never reached, so no call waits and what is timed is consulting the budget. Cases run in ${r.rounds} interleaved rounds of ${r.callsPerRound} calls after ${r.warmupCalls} warm-up calls per case, all twelve in the same run; the Redis server shares the machine's cores with the bench, so these are upper bounds for a Redis on its own host.`,
      "",
      `The machine-token cases, (f) to (i), are instances of one fleet: each a \`ClerkAuth.layer({ acceptsToken: "api_key", machineTokenCacheTtl: "${r.machine.ttl}" })\` with \`ClerkRedis.machineTokenStore\` on a connection of its own and \`ClerkConfig\` holding the fleet's (fake) secret key, which seals the entries; every call is \`runPromise(authenticateToken(token))\` and must sign in. They ask the in-process \`ClerkTest\` fake, whose \`apiKeys.verify\` handler answers every key as valid. Before timing, instance A verified ${
        r.machine.sharedTokens.toLocaleString("en-US")
      } distinct API keys with the fake and stored them on Redis (${
        fixed(r.machine.prestoreMs / 1_000, 1)
      } s; ${r.machine.entryBytes} bytes an entry): one per call of (g), which runs on instance B, so each key misses B's own cache and is found on Redis. B asks a fake of its own, which received ${r.machine.sharedInstanceFakeCalls} \`apiKeys.verify\` calls in the whole run: every (g) was a shared hit. (h) is a key never seen, one per call. **The fake answers in this process, so (h) and (i) are floors: a real call to Clerk over the Internet costs tens of milliseconds more.**`,
      "",
      `The session-token cases, (j) and (k), are section 4's token (RS256, ${r.session.tokenBytes} bytes, v1 organization claims) and \`ClerkAuth.layerWithJwks\` on a fixed key set, called the same way; (l) is one GET on a \`ClerkRedis\` connection, through \`runPromise\` like the others, of a value as long as the token, the least a shared verification would cost (an entry's HMAC check and decode, which (g) pays, come on top).`,
      "",
      table(["Case", "mean µs", "median µs", "p90 µs", "per-round median µs, median (range)"], rows),
      "",
      `**Sharing de-duplication through Redis adds ${
        us(claim)
      } µs per delivery** by median ((b) − (a)), **and the shared budget ${
        us(limited)
      } µs per Backend API call** ((e) − (c); the in-memory budget ${
        us(local)
      } µs, (d) − (c)). Against a real Backend API call (tens of milliseconds over the Internet) the budget's round trip is a small share; a delivery's claim is paid once per webhook.`,
      "",
      `**A machine token another instance verified costs ${fine(m("machineShared"))} µs** by median ((g): ${
        fine(sharedOverLocal)
      } µs over a local cache hit, (f), ${fine(m("machineLocal"))} µs), **against ${
        fine(m("machineMiss"))
      } µs to verify it with the in-process fake** ((h)); without a cache or store every call pays ${
        fine(m("machineDirect"))
      } µs ((i)), so on a miss the cache and store add ${
        fine(storeOnMiss)
      } µs ((h) − (i): the token's HMAC, a GET, the seal, a SET, the local cache). With Clerk over the Internet a miss is tens of milliseconds: a shared hit spares every instance but the first that call, once per token and TTL, for one round trip.`,
      "",
      `**Session tokens are not shared: a bare Redis GET of the token's size takes ${fine(m("redisGet"))} µs ((l)), ${
        fixed(getOverRsa)
      }× verifying the token locally (${
        fine(m("sessionVerify"))
      } µs, (k); per round ${perRoundRatio}), and a hit through a sealed store like the machine tokens' would take about ${
        fine(m("machineShared"))
      } µs ((g), ${fixed(sharedOverRsa)}× (k)).** A token seen before is answered from the instance's cache in ${
        fine(m("sessionCached"))
      } µs ((j), ${
        fixed(m("redisGet") / m("sessionCached"), 0)
      }× less than the GET). Verifying needs only the key set, which is shared (\`ClerkRedis.jwksStore\`); sharing verified session tokens would replace a local check by a round trip and a seal check that cost ${
        sharedOverRsa > 1 ? "more" : "about as much"
      }, and make every instance's first request with a session token wait on Redis.`
    ].join("\n")
  }
}

export const render = (results: Results): string => {
  const e = results.env
  const call = callSection(results.callOverhead, results.targets)
  const bundle = bundleSection(results.bundle, results.targets.bundleDeltaKb)
  const typecheck = typecheckSection(results.typecheck, results.targets.typecheckS)
  const coldStart = coldSection(results.coldStart, results.targets.coldStart)
  const auth = authSection(results.auth, results.targets.auth)
  const fake = fakeSection(results.fake)
  const majors = majorsSection(results.majors, results.targets)
  const redis = redisSection(results.redis)
  return [
    "# Benchmarks",
    "",
    "<!-- Written by `npm run bench` (bench/run.ts). Edits here are overwritten by the next run. -->",
    "",
    "Every number below comes from one run of the command below. Timings are only comparable within a run: each is reported next to a baseline measured in the same run.",
    "",
    table(["", ""], [
      ["Command", `\`${e.command}\``],
      ["Date", e.date],
      ["Node", e.node],
      ["Machine", `${e.cores} cores, ${e.cpuModel}, ${e.platform}`],
      [
        "Load average (1/5/15 min) at start → end",
        `${e.loadBefore.map((x) => fixed(x)).join(" / ")} → ${e.loadAfter.map((x) => fixed(x)).join(" / ")}`
      ],
      ["Versions", Object.entries(e.versions).map(([k, v]) => `${k} ${v}`).join(", ")],
      ["Bench duration", `${fixed(e.totalS, 0)} s`]
    ]),
    "",
    "## Summary",
    "",
    "| Measure | Measured | Target | Met |",
    "| --- | --- | --- | --- |",
    ...call.summary,
    ...bundle.summary,
    ...typecheck.summary,
    ...coldStart.summary,
    ...auth.summary,
    ...fake.summary,
    ...majors.summary,
    ...redis.summary,
    "",
    call.body,
    "",
    bundle.body,
    "",
    typecheck.body,
    "",
    coldStart.body,
    "",
    auth.body,
    "",
    fake.body,
    "",
    majors.body,
    "",
    redis.body,
    "",
    "## Not measured",
    "",
    "- Real Clerk latency: the server is on loopback and answers at once, which makes the client's own cost as visible as it can be; over the internet the transport dominates every ratio above.",
    "- Concurrency and throughput: calls run one at a time.",
    "- Bundle sizes with other bundlers (Rollup, webpack); tree shaking of namespace re-exports differs between them.",
    "- Editor (tsserver) responsiveness.",
    "- Request authentication with keys fetched from Clerk (`ClerkJwks.layer`), cookie-borne tokens, and machine tokens verified by Clerk itself: section 4 uses a fixed key set and a Bearer session token only; section 7 verifies API keys against the in-process fake.",
    "- The test kit beyond `users.get`, `users.list` and `users.create`: other routes, handlers, scripts and faults, and fakes shared by concurrent tests."
  ].join("\n") + "\n"
}
