/**
 * The fake's wire shapes: every operation's success body can be drawn from its shape, the draw fits the
 * shape, decodes with the client's schema, and (bar the spec's own defects) still fits once re-encoded;
 * the checker refuses what breaks a shape, so a clean check means something.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Schema from "effect/Schema"
import { operations } from "../../src/generated/Operations.js"
import * as WireShapes from "../../src/generated/WireShapes.js"
import type { WireShape } from "../../src/generated/WireShapes.js"
import { stringForPattern } from "../../src/internal/fake/pattern.js"
import { seededRandom } from "../../src/internal/fake/store.js"
import { checkShape, sampleShape } from "../../src/internal/fake/wireShape.js"

type Name = keyof typeof operations

/**
 * Components whose `required` list names properties they never define (a spec defect): the client's schema
 * has no field for them, so they do not survive a decode and re-encode.
 */
const undefinedRequired = new Set(["SAMLConnection", "EnterpriseConnection"])
const reaches = (shape: WireShape, seen = new Set<string>()): boolean => {
  if (shape.ref !== undefined) {
    if (undefinedRequired.has(shape.ref)) return true
    if (seen.has(shape.ref)) return false
    seen.add(shape.ref)
    return reaches(WireShapes.components[shape.ref]!, seen)
  }
  return [
    ...Object.values(shape.properties ?? {}),
    ...(shape.items === undefined ? [] : [shape.items]),
    ...(shape.oneOf ?? []),
    ...(shape.anyOf ?? []),
    ...(shape.allOf ?? [])
  ].some((child) => reaches(child, seen))
}

describe("wire shapes", () => {
  const names = Object.keys(WireShapes.responses).sort() as Array<Name>

  it("cover every operation with a JSON success body", () => {
    const json = (Object.keys(operations) as Array<Name>).filter((name) =>
      typeof operations[name].descriptor.success !== "string"
    )
    expect(names).toEqual(json.sort())
    expect(names.length).toBeGreaterThan(200)
  })

  it("draw, for every operation and several seeds, a body that fits, decodes and re-encodes", () => {
    const problems: Array<string> = []
    for (const name of names) {
      const shape = WireShapes.responses[name]!
      const schema = operations[name].descriptor.success as Schema.Schema<unknown, unknown>
      for (const seed of [1, 2, 3, 42, 1_000]) {
        const wire = sampleShape(shape, WireShapes.components, seed)
        if (wire === undefined) {
          problems.push(`${name} (seed ${seed}): nothing drawn`)
          continue
        }
        const fit = checkShape(shape, WireShapes.components, wire)
        if (fit !== undefined) problems.push(`${name} (seed ${seed}): drawn, ${fit}`)
        const decoded = Schema.decodeUnknownEither(schema)(wire)
        if (decoded._tag === "Left") {
          problems.push(`${name} (seed ${seed}): does not decode: ${decoded.left.message.slice(0, 200)}`)
          continue
        }
        const again = checkShape(shape, WireShapes.components, Schema.encodeSync(schema)(decoded.right))
        if (again !== undefined && !reaches(shape)) problems.push(`${name} (seed ${seed}): re-encoded, ${again}`)
      }
    }
    expect(problems).toEqual([])
  })

  it("draw the same body from the same seed, and differing bodies from others", () => {
    const shape = WireShapes.responses["users.get"]!
    const a = sampleShape(shape, WireShapes.components, 7)
    expect(sampleShape(shape, WireShapes.components, 7)).toEqual(a)
    expect(sampleShape(shape, WireShapes.components, 8)).not.toEqual(a)
  })

  describe("the checker refuses what breaks a shape", () => {
    const components = {
      Verification: { type: "object", properties: { status: { type: "string" } }, required: ["status"] }
    } as const
    const cases: ReadonlyArray<readonly [string, WireShape, unknown, RegExp]> = [
      ["a fraction for an integer", { type: "integer" }, 1.5, /not an integer/],
      ["an unsafe int64", { type: "integer", format: "int64" }, 2 ** 60, /safe int64/],
      ["a value outside the enum", { type: "string", enum: ["a", "b"] }, "c", /not in the enum/],
      ["a malformed email", { type: "string", format: "email" }, "nobody", /email/],
      ["a malformed date-time", { type: "string", format: "date-time" }, "yesterday", /date-time/],
      ["a pattern miss", { type: "string", pattern: "^ak_[0-9a-f]{4}$" }, "ak_zz", /does not match/],
      ["null where not nullable", { type: "string" }, null, /not nullable/],
      [
        "null in a nullable node whose allOf member is not",
        { type: "object", nullable: true, allOf: [{ ref: "Verification" }] },
        null,
        /not nullable/
      ],
      ["a missing required property", { type: "object", required: ["id"], properties: {} }, {}, /required id/],
      ["an additional property", { type: "object", properties: {}, additionalProperties: false }, { x: 1 }, /has x/],
      [
        "a value fitting two oneOf members",
        { oneOf: [{ type: "object" }, { type: "object", properties: { a: { type: "string" } } }] },
        { a: "x" },
        /fits 2 of the 2/
      ],
      ["an item of the wrong type", { type: "array", items: { type: "string" } }, ["a", 1], /\[1\].*not a string/],
      ["too few items", { type: "array", minItems: 2 }, [1], /minItems/],
      ["below the minimum", { type: "integer", minimum: 1 }, 0, /below minimum/]
    ]
    for (const [title, shape, value, message] of cases) {
      it(title, () => {
        expect(checkShape(shape, components, value)).toMatch(message)
      })
    }

    it("and accepts what fits", () => {
      expect(checkShape({ type: "object", nullable: true, allOf: [{ ref: "Verification" }] }, components, {
        status: "verified"
      })).toBeUndefined()
      expect(checkShape({ type: "string", nullable: true }, components, null)).toBeUndefined()
      expect(checkShape({ type: "integer", format: "int64" }, components, 1_700_000_000_000)).toBeUndefined()
    })
  })

  it("patterns: a drawn string matches, differs by seed, and the deterministic one is stable", () => {
    const pattern = "^(ak|api_key)_[0-9A-Fa-f]{32}$"
    const one = stringForPattern(pattern, 0, Infinity, seededRandom(1))
    const two = stringForPattern(pattern, 0, Infinity, seededRandom(2))
    expect(one).toMatch(new RegExp(pattern))
    expect(two).toMatch(new RegExp(pattern))
    expect(one).not.toBe(two)
    expect(stringForPattern(pattern)).toBe(stringForPattern(pattern))
  })
})
