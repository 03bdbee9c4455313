/**
 * Small schema builders the Effect 4 generated modules are written with: the Effect 4 forms of
 * src/internal/schema.ts, with the same meaning.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import * as SchemaGetter from "effect/SchemaGetter"
import * as SchemaTransformation from "effect/SchemaTransformation"
import { isRecord } from "../../internal/decode.js"

/**
 * A schema whose structure is built the first time something decodes, encodes or inspects it, so
 * importing a module of hundreds of schemas builds none of them.
 */
export const lazy = <A, I>(build: () => Schema.Codec<A, I>): Schema.Codec<A, I> => Schema.suspend(build)

/**
 * An optional response property where a wire `null` (which the spec does not allow) is read as
 * absent: lenient in, with the decoded type unchanged.
 */
export const optNullAsAbsent = <S extends Schema.Top>(schema: S) =>
  Schema.optionalKey(Schema.NullOr(schema)).pipe(
    Schema.decodeTo(Schema.optionalKey(Schema.toType(schema)), {
      decode: SchemaGetter.transformOptional((value: Option.Option<S["Encoded"] | null>) =>
        Option.filter(value, (v): v is S["Encoded"] => v !== null)
      ),
      encode: SchemaGetter.passthrough()
    })
  )

/**
 * The tag of a union member, optional on the wire but always present once decoded: when Clerk
 * leaves it out, the member that decoded the value supplies it.
 */
export const tag = <const V extends string>(value: V) =>
  Schema.Literal(value).pipe(Schema.withDecodingDefaultKey(Effect.succeed(value)))

/**
 * A string enum that also accepts values the spec did not list, so a new value from Clerk decodes
 * instead of failing. The type keeps the known literals for editors.
 */
export const openEnum = <const L extends ReadonlyArray<string>>(
  ...literals: L
): Schema.Codec<L[number] | (string & {}), string> => Schema.Union([Schema.Literals(literals), Schema.String]) as any

/**
 * A free-form object whose keys belong to the user: passed through as it is, in both directions.
 */
export const FreeForm: Schema.Codec<{ readonly [key: string]: unknown }> = Schema.declare(
  (u: unknown): u is { readonly [key: string]: unknown } => typeof u === "object" && u !== null && !Array.isArray(u),
  {
    // Generated values (the test kit's default answers, property tests) are records of JSON values.
    toCodecArbitrary: () =>
      Schema.link<{ readonly [key: string]: unknown }>()(Schema.Record(Schema.String, Schema.Json), {
        decode: SchemaGetter.transform((record) => record),
        encode: SchemaGetter.transform((record) => record as { readonly [key: string]: Schema.Json })
      })
  }
)

/** A `Blob` (or `File`) sent as a multipart part. */
export const BlobPart: Schema.Codec<Blob> = Schema.instanceOf(Blob, {
  // Generated uploads (property tests, the test kit) are small text blobs.
  toCodecArbitrary: () =>
    Schema.link<Blob>()(Schema.String, {
      decode: SchemaGetter.transform((text: string) => new Blob([text])),
      encode: SchemaGetter.forbiddenEncoding
    })
})

/** Accepts any string not in `known` (the type of an event this client does not know). */
export const otherThan = (known: ReadonlyArray<string>): Schema.Codec<string> => {
  const set = new Set(known)
  return Schema.String.check(
    Schema.makeFilter((value: string) => !set.has(value) || "Expected an event type this client does not know", {
      identifier: "OtherThanKnown"
    })
  )
}

/**
 * An event of a type not known to this client: decoded with `type: "unknown"` and the delivered
 * type in `unknownType`, so a `switch (event.type)` over the known types narrows exactly. The
 * decoded side is checked by a guard rather than a struct: a struct would drop the fields it does
 * not list, and `wire` has already checked every field on the way in.
 */
export const unknownEvent = <A extends { readonly type: string }, I>(
  wire: Schema.Codec<A, I>,
  known: ReadonlyArray<string>
): Schema.Codec<Omit<A, "type"> & { readonly type: "unknown"; readonly unknownType: string }, I> => {
  type Unknown = Omit<A, "type"> & { readonly type: "unknown"; readonly unknownType: string }
  const set = new Set(known)
  const decoded = Schema.declare((u: unknown): u is Unknown =>
    isRecord(u) && u.type === "unknown" && typeof u.unknownType === "string" && !set.has(u.unknownType)
  )
  return wire.pipe(Schema.decodeTo(
    decoded,
    SchemaTransformation.transform<Unknown, A>({
      decode: ({ type, ...rest }) => ({ ...rest, type: "unknown", unknownType: type }) as unknown as Unknown,
      encode: ({ type: _, unknownType, ...rest }) => ({ ...rest, type: unknownType }) as unknown as A
    })
  ))
}

/**
 * A union of lazily built members that picks its member by their literal tags (such as an event's
 * `type`). Effect 4 does not look inside a suspended member for its tags, so it would try every
 * member in turn, and a mismatch would report the first member's tag rather than where the member
 * of that tag failed: each member is unwrapped once, when the union itself is first built.
 */
export const taggedUnion = <const Members extends ReadonlyArray<Schema.Top>>(members: Members): Schema.Union<Members> =>
  Schema.Union(
    members.map((member) =>
      SchemaAST.isSuspend(member.ast) ? Schema.make(member.ast.thunk()) : member
    ) as unknown as Members
  )
