/**
 * The Effect 4 schemas (src/v4/generated/) come from the same generator as the Effect 3 ones: for
 * every schema, both decode the same wire values to the same value, refuse the same broken ones, and encode
 * back alike; the shared generated decoders agree with the Effect 4 schemas too.
 */
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { describe, expect, it } from "vitest"
import * as Decoders from "../../src/generated/Decoders.js"
import type * as D from "../../src/internal/decode.js"
import * as Schemas4 from "../../src/v4/generated/Schemas.js"
import { Either3, FastCheck3, Schema3 } from "../support/Effect3.js"
import { loadGeneratedSchemas } from "../support/GeneratedSchemas.js"
import { damage, dropKey, validWire } from "../support/WireValues.js"

const runs = { numRuns: 10, seed: 20261207 }
const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/wire/api")

const v4Dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src/v4/generated")
const { entries } = await loadGeneratedSchemas()
const modules4 = new Map<string, Record<string, unknown>>()
// The webhook events are compared on their own, in test/v4/WebhookEvents.test.ts.
for (const file of fs.readdirSync(v4Dir).filter((f) => f.endsWith(".ts") && f !== "WebhookEvents.ts")) {
  modules4.set(path.basename(file, ".ts"), await import(pathToFileURL(path.join(v4Dir, file)).href))
}
// Every schema of the Effect 3 line (components, parameters, group-local responses) but the webhook events.
const pairs = entries.filter((e) => !e.id.startsWith("WebhookEvents.")).map(({ id, schema }) => {
  const [module, name] = id.split(".") as [string, string]
  return { id, module, name, schema3: schema, schema4: modules4.get(module)?.[name] as Schema.Codec<any, any> }
})

const decode4 = (schema: Schema.Codec<any, any>) => {
  const decode = Schema.decodeUnknownExit(schema)
  return (wire: unknown) => decode(wire)
}

describe("Effect 4 schemas", () => {
  it("exist for every Effect 3 schema, under the same name, and no others", () => {
    // The two lines really are two majors here: only Effect 4 has `Schema.Literals`.
    expect("Literals" in Schema).toBe(true)
    expect("Literals" in Schema3).toBe(false)
    expect(pairs.filter((p) => !Schema.isSchema(p.schema4)).map((p) => p.id)).toEqual([])
    const exported4 = [...modules4].flatMap(([module, exports]) =>
      Object.entries(exports).filter(([, value]) => Schema.isSchema(value)).map(([name]) => `${module}.${name}`)
    )
    expect(exported4.sort()).toEqual(pairs.map((p) => p.id).sort())
    expect(pairs.length).toBeGreaterThan(400)
  })

  for (const { id, module, name, schema3, schema4 } of pairs) {
    it(`${id}: decodes and encodes as the Effect 3 schema does`, () => {
      const general3 = Schema3.decodeUnknownEither(schema3, { onExcessProperty: "ignore" })
      const general4 = decode4(schema4)
      const encode4 = Schema.encodeUnknownSync(schema4)
      // The shared decoders exist for the components (a group's own shapes are reached through its operations).
      const generated = module === "Schemas" ? (Decoders as Record<string, D.Decoder>)[name] : undefined
      FastCheck3.assert(
        FastCheck3.property(validWire(schema3), (wire) => {
          const expected = Either3.getOrThrow(general3(wire))
          const decoded = general4(wire)
          if (Exit.isFailure(decoded)) expect.fail(`Effect 4 refused a valid ${id}: ${String(decoded.cause)}`)
          expect(decoded.value).toStrictEqual(expected)
          if (generated !== undefined) expect(generated(wire)).toStrictEqual(decoded.value)
          expect(encode4(decoded.value)).toStrictEqual(Schema3.encodeSync(schema3)(expected))
        }),
        runs
      )
      const broken = FastCheck3.oneof(
        FastCheck3.tuple(validWire(schema3), FastCheck3.jsonValue(), FastCheck3.nat()).map(([w, junk, n]) =>
          damage(w, junk, n)
        ),
        FastCheck3.tuple(validWire(schema3), FastCheck3.nat(), FastCheck3.boolean()).map(([w, n, u]) =>
          dropKey(w, n, u)
        )
      )
      FastCheck3.assert(
        FastCheck3.property(broken, (wire) => {
          const expected = general3(wire)
          const decoded = general4(wire)
          expect(Exit.isSuccess(decoded)).toBe(Either3.isRight(expected))
          if (Exit.isSuccess(decoded) && Either3.isRight(expected)) expect(decoded.value).toStrictEqual(expected.right)
        }),
        runs
      )
    })
  }

  it("decode every recorded Clerk body of a component as Effect 3 does", () => {
    const dirs = fs.readdirSync(fixturesDir).filter((dir) => !dir.includes(".") && dir in Schemas4)
    let bodies = 0
    for (const dir of dirs) {
      const pair = pairs.find((p) => p.id === `Schemas.${dir}`)!
      for (const file of fs.readdirSync(path.join(fixturesDir, dir)).filter((f) => f.endsWith(".json"))) {
        const wire = JSON.parse(fs.readFileSync(path.join(fixturesDir, dir, file), "utf8"))
        const decoded = Schema.decodeUnknownSync(pair.schema4)(wire)
        expect(decoded, `${dir}/${file}`).toStrictEqual(Schema3.decodeUnknownSync(pair.schema3)(wire))
        bodies++
      }
    }
    expect(bodies).toBeGreaterThan(10)
  })
})
