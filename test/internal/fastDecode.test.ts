/**
 * The compiled decoder must agree with the general one: the same value for
 * every wire body it accepts, and a rejection (so the general decoder reports
 * the error) for every body the general decoder refuses.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as Schemas from "../../src/generated/Schemas.js"
import * as FastDecode from "../../src/internal/fastDecode.js"
import { wireUser } from "../support/Fixtures.js"
import { loadGeneratedSchemas } from "../support/GeneratedSchemas.js"

const { entries } = await loadGeneratedSchemas()
const options = { onExcessProperty: "ignore", errors: "first" } as const

/** Wire values of a schema: arbitrary typed values, encoded. */
const validWire = (schema: Schema.Schema<any, any>) => {
  const encode = Schema.encodeSync(schema)
  return Arbitrary.make(schema).map((value) => encode(value) as unknown)
}

/** Replaces one nested value (the n-th met, depth first) with junk. */
const damage = (wire: unknown, junk: unknown, n: number): unknown => {
  let countdown = n % 12
  const visit = (value: unknown): unknown => {
    if (countdown-- === 0) return junk
    if (Array.isArray(value)) return value.map(visit)
    if (value !== null && typeof value === "object" && !(value instanceof Blob)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v)]))
    }
    return value
  }
  return visit(wire)
}

describe("fastDecode", () => {
  it("compiles every generated schema", () => {
    const unsupported = entries.filter((e) => FastDecode.compile(e.schema) === undefined).map((e) => e.id)
    expect(unsupported).toEqual([])
    expect(entries.length).toBeGreaterThan(400)
  })

  for (const { id, schema } of entries) {
    it(`${id}: decodes valid bodies to the general decoder's value, and rejects what it refuses`, () => {
      const fast = FastDecode.compile(schema)!
      const general = Schema.decodeUnknownEither(schema, options)
      FastCheck.assert(
        FastCheck.property(validWire(schema), (wire) => {
          expect(fast(wire)).toStrictEqual(Either.getOrThrow(general(wire)))
        }),
        { numRuns: 15, seed: 20261126 }
      )
      FastCheck.assert(
        FastCheck.property(validWire(schema), FastCheck.jsonValue(), FastCheck.nat(), (wire, junk, n) => {
          const damaged = damage(wire, junk, n)
          const expected = general(damaged)
          const actual = fast(damaged)
          // Accepting less than the general decoder only costs speed; accepting more, or differently, is a bug.
          if (Either.isLeft(expected)) expect(actual).toBe(FastDecode.rejected)
          else if (actual !== FastDecode.rejected) expect(actual).toStrictEqual(expected.right)
        }),
        { numRuns: 15, seed: 20261126 }
      )
    })
  }

  it("accepts an ordinary user body on the fast path, ignoring unknown fields", () => {
    const fast = FastDecode.compile(Schemas.User)!
    const wire = wireUser({ public_metadata: { "Some Key": 1 }, field_from_the_future: true })
    const decoded = fast(wire)
    expect(decoded).not.toBe(FastDecode.rejected)
    expect(decoded).toStrictEqual(Schema.decodeUnknownSync(Schemas.User, options)(wire))
  })

  it("keeps a typed record's __proto__ key as data", () => {
    const fast = FastDecode.compile(Schema.Record({ key: Schema.String, value: Schema.Number }))!
    const decoded = fast(JSON.parse("{\"__proto__\": 1, \"a\": 2}")) as Record<string, unknown>
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
    expect(Object.keys(decoded).sort()).toEqual(["__proto__", "a"])
  })

  it("sees through a suspended schema, a recursive one included", () => {
    interface Node {
      readonly name: string
      readonly children: ReadonlyArray<Node>
    }
    const Node: Schema.Schema<Node> = Schema.suspend(() =>
      Schema.Struct({ name: Schema.String, children: Schema.Array(Node) })
    )
    const fast = FastDecode.compile(Node)!
    const tree = { name: "a", children: [{ name: "b", children: [] }] }
    expect(fast(tree)).toStrictEqual(tree)
    expect(fast({ name: "a", children: [{ name: 1, children: [] }] })).toBe(FastDecode.rejected)
  })

  it("hands other transformations to the general decoder, and refuses to compile shapes it does not know", () => {
    const delegated = FastDecode.compile(Schema.Struct({ n: Schema.NumberFromString }))!
    expect(delegated({ n: "12" })).toEqual({ n: 12 })
    expect(delegated({ n: "twelve" })).toBe(FastDecode.rejected)
    expect(FastDecode.compile(Schema.Tuple(Schema.String))).toBeUndefined()
  })
})
