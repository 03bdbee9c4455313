/**
 * Small schema builders the generated modules are written with.
 *
 * @internal
 */
import * as Schema from "effect/Schema"

/** A required property read from (and written to) the wire name `key`. */
export const req = <S extends Schema.Schema.All, const K extends string>(schema: S, key: K) =>
  Schema.propertySignature(schema).pipe(Schema.fromKey(key))

/** An optional property (absent, never `undefined`) read from the wire name `key`. */
export const opt = <S extends Schema.Schema.All, const K extends string>(schema: S, key: K) =>
  Schema.optionalWith(schema, { exact: true }).pipe(Schema.fromKey(key))

/**
 * An optional response property read from the wire name `key`, where a `null` (which the spec does
 * not allow) is read as absent: lenient in, with the decoded type unchanged.
 */
export const optNullAsAbsent = <S extends Schema.Schema.All, const K extends string>(schema: S, key: K) =>
  Schema.optionalWith(schema, { exact: true, nullable: true }).pipe(Schema.fromKey(key))

/**
 * The tag of a union member (its discriminator), optional on the wire but always present once
 * decoded: when Clerk leaves it out, the member that decoded the value supplies it.
 */
export const tag = <const V extends string, const K extends string>(value: V, key: K) =>
  Schema.optionalWith(Schema.Literal(value), { exact: true, default: () => value }).pipe(Schema.fromKey(key))

/**
 * A string enum that also accepts values the spec did not list, so a new
 * value from Clerk decodes instead of failing. The type keeps the known
 * literals for editors.
 */
export const openEnum = <const L extends ReadonlyArray<string>>(
  ...literals: L
): Schema.Schema<L[number] | (string & {}), string> => Schema.Union(Schema.Literal(...literals), Schema.String) as any

/**
 * A free-form object whose keys belong to the user: passed through as it is, in both
 * directions (a record schema would rebuild it key by key and turn a `__proto__` key into
 * the object's prototype).
 */
export const FreeForm: Schema.Schema<{ readonly [key: string]: unknown }> = Schema.declare(
  (u: unknown): u is { readonly [key: string]: unknown } => typeof u === "object" && u !== null && !Array.isArray(u),
  {
    identifier: "FreeForm",
    arbitrary: () => (fc) => fc.dictionary(fc.string(), fc.jsonValue())
  }
)

/** A `Blob` (or `File`) sent as a multipart part. */
export const BlobPart: Schema.Schema<Blob> = Schema.instanceOf(Blob, {
  arbitrary: () => (fc) => fc.uint8Array({ maxLength: 64 }).map((bytes) => new Blob([new Uint8Array(bytes)]))
})

/** Accepts any string not in `known` (the type of an event this client does not know). */
export const otherThan = (known: ReadonlyArray<string>): Schema.Schema<string> => {
  const set = new Set(known)
  return Schema.String.pipe(Schema.filter((value) => !set.has(value), { identifier: "OtherThanKnown" }))
}

/**
 * An event of a type not known to this client: decoded with `type: "unknown"` and the delivered
 * type in `unknownType`, so a `switch (event.type)` over the known types narrows exactly.
 */
export const unknownEvent = <A extends { readonly type: string }, I>(
  wire: Schema.Schema<A, I>,
  known: ReadonlyArray<string>
): Schema.Schema<Omit<A, "type"> & { readonly type: "unknown"; readonly unknownType: string }, I> =>
  Schema.transform(
    wire,
    Schema.extend(
      Schema.typeSchema(wire).pipe(Schema.omit("type")),
      Schema.Struct({ type: Schema.Literal("unknown"), unknownType: otherThan(known) })
    ),
    {
      strict: false,
      decode: ({ type, ...rest }) => ({ ...rest, type: "unknown" as const, unknownType: type }),
      encode: ({ type: _, unknownType, ...rest }: any) => ({ ...rest, type: unknownType })
    }
  ) as any

/**
 * A schema whose structure is built the first time something decodes, encodes or inspects it, so
 * importing a module of hundreds of schemas builds none of them.
 */
export const lazy = <A, I>(build: () => Schema.Schema<A, I>): Schema.Schema<A, I> => Schema.suspend(build)
