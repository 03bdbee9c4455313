/**
 * The generated decoders must agree with the schemas they were generated beside: the same value for
 * every wire body they accept, and a rejection (so the schema reports the error) for every body the
 * schema refuses. Checked for every component, and for every operation's success decoder, group-local
 * response shapes included.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import type { Descriptor } from "../src/ClerkDescriptor.js"
import * as Decoders from "../src/generated/Decoders.js"
import { operations } from "../src/generated/Operations.js"
import * as Schemas from "../src/generated/Schemas.js"
import * as D from "../src/internal/decode.js"
import { wireUser } from "./support/Fixtures.js"
import { damage, dropKey, validWire } from "./support/WireValues.js"

const options = { onExcessProperty: "ignore", errors: "first" } as const
const runs = { numRuns: 12, seed: 20261207 }

const schemaExports = Object.entries(Schemas).filter(([, value]) => Schema.isSchema(value)) as Array<
  [string, Schema.Schema<any, any>]
>
const decoderExports = Object.entries(Decoders) as Array<[string, D.Decoder]>

/** Property checks of one decoder against its schema. */
const agrees = (schema: Schema.Schema<any, any>, decode: D.Decoder) => {
  const general = Schema.decodeUnknownEither(schema, options)
  FastCheck.assert(
    FastCheck.property(validWire(schema), (wire) => {
      expect(decode(wire)).toStrictEqual(Either.getOrThrow(general(wire)))
    }),
    runs
  )
  const broken = FastCheck.oneof(
    FastCheck.tuple(validWire(schema), FastCheck.jsonValue(), FastCheck.nat()).map(([w, junk, n]) =>
      damage(w, junk, n)
    ),
    FastCheck.tuple(validWire(schema), FastCheck.nat(), FastCheck.boolean()).map(([w, n, u]) => dropKey(w, n, u))
  )
  FastCheck.assert(
    FastCheck.property(broken, (wire) => {
      const expected = general(wire)
      const actual = decode(wire)
      // Accepting less than the schema only costs speed; accepting more, or differently, is a bug.
      if (Either.isLeft(expected)) expect(actual).toBe(D.rejected)
      else if (actual !== D.rejected) expect(actual).toStrictEqual(expected.right)
    }),
    runs
  )
}

describe("generated decoders", () => {
  it("exist for every component schema, under its name", () => {
    expect(decoderExports.map(([name]) => name).sort()).toEqual(schemaExports.map(([name]) => name).sort())
    expect(decoderExports.length).toBeGreaterThan(200)
  })

  it("are given to every operation that answers JSON", () => {
    const descriptors = Object.values(operations).map((op) => op.descriptor as Descriptor)
    const json = descriptors.filter((d) => typeof d.success !== "string")
    expect(json.filter((d) => typeof d.decode !== "function").map((d) => d.name)).toEqual([])
    expect(descriptors.filter((d) => typeof d.success === "string" && d.decode !== undefined)).toEqual([])
    console.info(`Decoders.test: ${decoderExports.length} component decoders, ${json.length} operation decoders`)
  })

  for (const [name, schema] of schemaExports) {
    it(`Decoders.${name} agrees with Schemas.${name}`, () => {
      agrees(schema, (Decoders as Record<string, D.Decoder>)[name]!)
    })
  }

  // Success shapes declared in a group module (and arrays of components) are reached through the descriptors.
  const local = Object.values(operations)
    .map((op) => op.descriptor as Descriptor)
    .filter((d) => typeof d.success !== "string" && !schemaExports.some(([, schema]) => schema === d.success))
  for (const descriptor of local) {
    it(`${descriptor.name}: the success decoder agrees with the success schema`, () => {
      agrees(descriptor.success as Schema.Schema<any, any>, descriptor.decode!)
    })
  }

  it("decodes an ordinary user body, renaming its keys and ignoring unknown fields", () => {
    const wire = { ...wireUser(), surprise: { nested: true } }
    const decoded = Decoders.User(wire)
    expect(decoded).toStrictEqual(Schema.decodeUnknownSync(Schemas.User, options)(wire))
    expect(decoded).toHaveProperty("firstName")
    expect(decoded).not.toHaveProperty("surprise")
  })

  it("refuses what is not a plain object, so a class instance or an inherited key goes to the schema", () => {
    class Body {
      get id() {
        return "user_1"
      }
    }
    expect(Decoders.User(new Body())).toBe(D.rejected)
    expect(Decoders.User(Object.create({ ...wireUser() }))).toBe(D.rejected)
    expect(Decoders.User([wireUser()])).toBe(D.rejected)
    expect(Decoders.User({ ...Object.setPrototypeOf({ ...wireUser() }, null) })).not.toBe(D.rejected)
  })

  it("tells an absent optional key from one holding undefined (which the schema refuses)", () => {
    const { locale: _, ...withoutLocale } = wireUser({ locale: "fr" })
    expect(Decoders.User(withoutLocale)).not.toHaveProperty("locale")
    expect(Decoders.User({ ...withoutLocale, locale: undefined })).toBe(D.rejected)
    expect(Either.isLeft(Schema.decodeUnknownEither(Schemas.User)({ ...withoutLocale, locale: undefined }))).toBe(true)
  })

  it("keeps a metadata key named __proto__ as data, and a record's too", () => {
    const wire = { ...wireUser(), public_metadata: JSON.parse("{\"__proto__\": {\"admin\": true}}") }
    const decoded = Decoders.User(wire) as Schemas.User
    expect(Object.getPrototypeOf(decoded.publicMetadata)).toBe(Object.prototype)
    expect(Object.keys(decoded.publicMetadata)).toEqual(["__proto__"])
    const record = D.record(JSON.parse("{\"__proto__\": 1, \"a\": 2}"), D.number) as Record<string, unknown>
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype)
    expect(Object.keys(record).sort()).toEqual(["__proto__", "a"])
  })
})
