/**
 * Small schema builders the Effect 4 generated modules are written with: the Effect 4 forms of
 * src/internal/schema.ts, with the same meaning.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as SchemaGetter from "effect/SchemaGetter"

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
  (u: unknown): u is { readonly [key: string]: unknown } => typeof u === "object" && u !== null && !Array.isArray(u)
)

/** A `Blob` (or `File`) sent as a multipart part. */
export const BlobPart: Schema.Codec<Blob> = Schema.instanceOf(Blob)
