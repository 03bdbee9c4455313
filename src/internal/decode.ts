/**
 * What the generated decoders (src/generated/Decoders.ts and the group modules) are written with.
 *
 * A generated decoder is a plain function per schema, emitted by the generator from the same spec
 * facts as the schema: straight-line reads of the wire keys, the checks of each field's type, the
 * camelCase renames. It never decides a failure: for a value it does not accept it returns
 * {@link rejected}, and the caller hands the same input to the schema's own decoder, which returns
 * the exact value or error it always would. Nothing here depends on Effect, so both Effect lines can
 * share the decoders.
 *
 * The decoders read plain objects only (those `JSON.parse` builds: `Object.prototype` or no prototype),
 * so a property read is an own property or nothing; anything else is rejected and left to the schema.
 *
 * @internal
 */

/** What a decoder returns for a value it does not accept. */
export const rejected: unique symbol = Symbol.for("effect-clerk/decode/rejected")

/** A decoder: the decoded value, or {@link rejected}. */
export type Decoder = (wire: unknown) => unknown

const objectPrototype = Object.prototype
const ownProperty = Object.prototype.hasOwnProperty

/** Whether a value is an object `JSON.parse` could have built (not an array, not a class instance). */
export const isPlain = (u: unknown): u is Record<string, any> => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false
  const proto = Object.getPrototypeOf(u)
  return proto === objectPrototype || proto === null
}

/** Whether a value is an object that is not an array (a free-form object, passed on as it is). */
export const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** Whether `key` is an own property of `u` (an absent key and a key holding `undefined` differ). */
export const hasOwn = (u: object, key: string): boolean => ownProperty.call(u, key)

/** Sets a key as data even when it is `__proto__`. */
export const put = (target: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  } else target[key] = value
}

/** Accepts a string. */
export const string: Decoder = (u) => typeof u === "string" ? u : rejected

/** Accepts a number. */
export const number: Decoder = (u) => typeof u === "number" ? u : rejected

/** Accepts a boolean. */
export const boolean: Decoder = (u) => typeof u === "boolean" ? u : rejected

/** Accepts anything. */
export const unknown: Decoder = (u) => u

/** Accepts a free-form object, returned as it is. */
export const freeForm: Decoder = (u) => isRecord(u) ? u : rejected

/** Accepts nothing: the schema's own decoder decides every value. */
export const none: Decoder = () => rejected

/** An array whose every item the item decoder accepts, decoded item by item into a new array. */
export const array = (u: unknown, item: Decoder): unknown => {
  if (!Array.isArray(u)) return rejected
  const out = new Array(u.length)
  for (let i = 0; i < u.length; i++) {
    const value = item(u[i])
    if (value === rejected) return rejected
    out[i] = value
  }
  return out
}

/** A string-keyed record whose every value the value decoder accepts, decoded into a new object. */
export const record = (u: unknown, value: Decoder): unknown => {
  if (!isRecord(u)) return rejected
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(u)) {
    const decoded = value(u[key])
    if (decoded === rejected) return rejected
    put(out, key, decoded)
  }
  return out
}
