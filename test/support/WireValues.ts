/** Wire values for property tests of the decoders: valid bodies of a schema, and the same with one part broken. */
import * as Arbitrary from "effect/Arbitrary"
import * as Schema from "effect/Schema"

/** Wire values of a schema: arbitrary typed values, encoded. */
export const validWire = (schema: Schema.Schema<any, any>) => {
  const encode = Schema.encodeSync(schema)
  return Arbitrary.make(schema).map((value) => encode(value) as unknown)
}

/** Replaces one nested value (the n-th met, depth first) with junk. */
export const damage = (wire: unknown, junk: unknown, n: number): unknown => {
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

/** Removes one key (of the n-th object met, depth first), or sets it to `undefined` when `undefine` is set. */
export const dropKey = (wire: unknown, n: number, undefine: boolean): unknown => {
  let countdown = n % 12
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit)
    if (value !== null && typeof value === "object" && !(value instanceof Blob)) {
      const entries = Object.entries(value)
      if (entries.length > 0 && countdown-- === 0) {
        const [first, ...rest] = entries
        return Object.fromEntries(undefine ? [[first![0], undefined], ...rest] : rest)
      }
      return Object.fromEntries(entries.map(([k, v]) => [k, visit(v)]))
    }
    return value
  }
  return visit(wire)
}
