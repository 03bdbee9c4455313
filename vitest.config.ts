import { fileURLToPath } from "node:url"
import type { Plugin } from "vitest/config"
import { defineConfig } from "vitest/config"

/**
 * Tests under test/v4/ use the very copy of Effect 4 that src/v4/ runs on (npm installs one copy per
 * workspace, and two copies do not share their registries: a `Redacted` made by one cannot be read by the
 * other). test/v4/'s own install only gives the type checker the same version.
 */
const effect4Importer = fileURLToPath(new URL("./src/v4/internal/schema.ts", import.meta.url))
const oneEffect4: Plugin = {
  name: "effect-clerk:one-effect-4",
  enforce: "pre",
  resolveId(id, importer) {
    if (importer === undefined || !importer.includes("/test/v4/")) return null
    if (id !== "effect" && !id.startsWith("effect/")) return null
    return this.resolve(id, effect4Importer, { skipSelf: true })
  }
}

/**
 * Files that start servers or child processes, or sweep the whole spec: the `slow` project. Everything else
 * is `unit`, so a new test file is fast by default. `npm test` runs both; `npm run test:unit` the first.
 */
const slow = [
  "test/Conformance.test.ts", // Stoplight Prism validating requests and responses against the spec
  "test/fake/SpecConformance.test.ts", // the fake's answers against the spec, through Prism
  "test/Package.test.ts", // build, pack, publint, attw, a consumer project compiled with tsc
  "test/DocsExamples.test.ts", // every code block of the docs type-checked
  "test/Demo.test.ts", // the demo run as a child process
  "test/Runtimes.test.ts", // a portable script bundled and run on Node, Bun, Deno, the edge VM and workerd
  "test/Generator.test.ts", // regenerates from the spec and compares with the committed output
  "test/Schemas.test.ts", // every schema of the spec, encoded and decoded
  "test/Decoders.test.ts", // the generated decoders against Schema on every response schema
  "test/v4/Schemas.test.ts", // the Effect 4 schemas against the Effect 3 ones on every schema
  "test/v4/Conformance.test.ts" // the Effect 4 line against Stoplight Prism
]

const shared = { testTimeout: 30_000, hookTimeout: 60_000, pool: "forks" } as const

export default defineConfig({
  test: {
    projects: [
      { plugins: [oneEffect4], test: { ...shared, name: "unit", include: ["test/**/*.test.ts"], exclude: slow } },
      { plugins: [oneEffect4], test: { ...shared, name: "slow", include: slow } }
    ]
  }
})
