/**
 * The Effect 3 side of the fake: the line's operations and schemas given to the shared instance
 * (instance.ts): the wire kind of each param, read from the params schema's encoded AST (for
 * coercing path and query strings), decoding params and encoding success values; and the
 * interpreter running the instance's programs on Effect 3 (its `Clock`, `Random` and fibers).
 *
 * @internal
 */
import * as Arbitrary from "effect/Arbitrary"
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as ParseResult from "effect/ParseResult"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import type { Descriptor } from "../../ClerkDescriptor.js"
import type { OperationName } from "../../generated/Operations.js"
import { operations, successStatus } from "../../generated/Operations.js"
import { firstIssue } from "../parseIssue.js"
import type { FakeRequest, Handler } from "./engine.js"
import { FakeInstance, interpreter, perDescriptor } from "./instance.js"
import type { Issue, Kind } from "./params.js"
import { commonKind, literalKind } from "./params.js"
import { router } from "./router.js"
import type { Checked, EffectOps, Instruction, Line, Program } from "./types.js"

const kindOf = (ast: AST.AST): Kind => {
  switch (ast._tag) {
    case "NumberKeyword":
      return "number"
    case "BooleanKeyword":
      return "boolean"
    case "StringKeyword":
    case "TemplateLiteral":
      return "string"
    case "Literal":
      return literalKind(ast.literal)
    case "Refinement":
      return kindOf(ast.from)
    case "Transformation":
      return kindOf(ast.from)
    case "Suspend":
      return kindOf(ast.f())
    case "TupleType": {
      const element = ast.rest[0]?.type ?? ast.elements[0]?.type
      return { array: element === undefined ? "string" : kindOf(element) }
    }
    case "Union":
      return commonKind(
        ast.types.filter((t) => t._tag !== "UndefinedKeyword" && !(t._tag === "Literal" && t.literal === null))
          .map(kindOf)
      )
    default:
      return "unknown"
  }
}

/** The wire kind of each param of an operation, by wire name. */
const kinds = perDescriptor((descriptor: Descriptor): ReadonlyMap<string, Kind> => {
  const kinds = new Map<string, Kind>()
  if (descriptor.params !== undefined) {
    let encoded = AST.encodedAST(descriptor.params.ast)
    while (encoded._tag === "Suspend") encoded = encoded.f()
    if (encoded._tag === "TypeLiteral") {
      for (const property of encoded.propertySignatures) kinds.set(String(property.name), kindOf(property.type))
    }
  }
  return kinds
})

const paramsDecoder = perDescriptor((descriptor: Descriptor) =>
  Schema.decodeUnknownEither(descriptor.params ?? Schema.Unknown, { errors: "first", onExcessProperty: "ignore" })
)

/** Decodes wire params with the operation's params schema. */
const decodeParams = (descriptor: Descriptor, wire: Record<string, unknown>): Checked<unknown, Issue> =>
  Either.match(paramsDecoder(descriptor)(wire), {
    onLeft: (error) => ({ ok: false, error: firstIssue(error) }),
    onRight: (value) => ({ ok: true, value })
  })

const successEncoder = perDescriptor((descriptor: Descriptor) =>
  Schema.encodeUnknownEither(
    typeof descriptor.success === "string" ? Schema.Unknown : descriptor.success,
    { errors: "first" }
  )
)

const successDecoder = perDescriptor((descriptor: Descriptor) =>
  Schema.decodeUnknownEither(typeof descriptor.success === "string" ? Schema.Unknown : descriptor.success, {
    errors: "first"
  })
)

/** Decodes a wire success body with the operation's success schema. */
const decodeSuccess = (descriptor: Descriptor, wire: unknown): Checked<unknown, string> =>
  Either.match(successDecoder(descriptor)(wire), {
    onLeft: (error) => ({ ok: false, error: ParseResult.TreeFormatter.formatErrorSync(error) }),
    onRight: (value) => ({ ok: true, value })
  })

/** Encodes a success value with the operation's success schema. */
const encodeSuccess = (descriptor: Descriptor, value: unknown): Checked<unknown, string> =>
  Either.match(successEncoder(descriptor)(value), {
    onLeft: (error) => ({ ok: false, error: ParseResult.TreeFormatter.formatErrorSync(error) }),
    onRight: (wire) => ({ ok: true, value: wire })
  })

const arbitrary = perDescriptor((descriptor: Descriptor) =>
  Arbitrary.make(typeof descriptor.success === "string" ? Schema.Unknown : descriptor.success)
)

/** The Effect 3 line as the shared instance sees it. */
const line: Line<OperationName, Descriptor> = {
  operations,
  router,
  successStatus,
  kinds,
  decodeParams,
  decodeSuccess,
  encodeSuccess
}

/** A fake instance answering the Effect 3 operations with Effect 3 handlers. */
export type FakeEngine = FakeInstance<OperationName, Descriptor, Handler<any>>

/** A new fake instance (not started: run its `start` program). */
export const makeEngine = (keys: FakeEngine["keys"], options: FakeEngine["options"]): FakeEngine =>
  new FakeInstance(line, keys, options)

const perform = (instruction: Instruction<Handler<any>>): Effect.Effect<unknown> => {
  switch (instruction._tag) {
    case "Now":
      return Clock.currentTimeMillis
    case "Sleep":
      return Effect.sleep(instruction.duration as Duration.DurationInput)
    case "Random":
      return Random.next
    case "Handle":
      return Effect.merge(instruction.handler(instruction.params as never, instruction.request as FakeRequest))
    case "Await":
      return Effect.promise(() => instruction.promise)
    case "Fork":
      // Detached: a delivery's retries outlive the request that caused the event.
      return Effect.asVoid(Effect.forkDaemon(run(instruction.program)))
    case "Sample":
      return Effect.sync(() =>
        FastCheck.sample(arbitrary(instruction.descriptor as Descriptor), { seed: instruction.seed, numRuns: 1 })[0]
      )
  }
}

/** Effect 3's constructors, for the shared wiring. */
export const ops: EffectOps<Effect.Effect<unknown>> = {
  suspend: Effect.suspend,
  sync: Effect.sync,
  succeed: Effect.succeed,
  flatMap: (self, f) => Effect.flatMap(self, f)
}

/** Runs a program of the instance on Effect 3; an error it throws is a defect. */
export const run = interpreter(ops, perform) as <A>(program: () => Program<Handler<any>, A>) => Effect.Effect<A>
