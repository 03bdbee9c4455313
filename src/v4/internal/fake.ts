/**
 * For Effect 4. The Effect 4 side of the fake: the line's operations and schemas given to the
 * shared instance (internal/fake/instance.ts), and the interpreter running the instance's programs
 * on Effect 4 (its `Clock`, `Random` and fibers).
 *
 * @internal
 */
import * as Arbitrary from "effect/Arbitrary"
import * as Clock from "effect/Clock"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import type * as SchemaIssue from "effect/SchemaIssue"
import { FakeInstance, interpreter, perDescriptor } from "../../internal/fake/instance.js"
import type { Issue, Kind } from "../../internal/fake/params.js"
import { commonKind, literalKind } from "../../internal/fake/params.js"
import { makeRouter } from "../../internal/fake/routing.js"
import type { Checked, EffectOps, Instruction, Line, Program } from "../../internal/fake/types.js"
import type { Descriptor } from "../ClerkDescriptor.js"
import type { OperationName } from "../generated/Operations.js"
import { operations, successStatus } from "../generated/Operations.js"
import type { FakeRequest, Handler } from "./fakeTypes.js"
import { firstIssue } from "./parseIssue.js"

const kindOf = (ast: SchemaAST.AST): Kind => {
  switch (ast._tag) {
    case "Number":
      return "number"
    case "Boolean":
      return "boolean"
    case "String":
    case "TemplateLiteral":
      return "string"
    case "Literal":
      return literalKind(ast.literal)
    case "Suspend":
      return kindOf(ast.thunk())
    case "Arrays": {
      const element = ast.rest[0] ?? ast.elements[0]
      return { array: element === undefined ? "string" : kindOf(element) }
    }
    case "Union":
      return commonKind(ast.types.filter((t) => t._tag !== "Undefined" && t._tag !== "Null").map(kindOf))
    default:
      return "unknown"
  }
}

const kinds = perDescriptor((descriptor: Descriptor): ReadonlyMap<string, Kind> => {
  const kinds = new Map<string, Kind>()
  if (descriptor.params !== undefined) {
    let encoded = SchemaAST.toEncoded(descriptor.params.ast)
    while (encoded._tag === "Suspend") encoded = SchemaAST.toEncoded(encoded.thunk())
    if (encoded._tag === "Objects") {
      for (const property of encoded.propertySignatures) kinds.set(String(property.name), kindOf(property.type))
    }
  }
  return kinds
})

/** Whether the first problem of an issue is a missing key (`errors: "first"` keeps one chain). */
const isMissing = (issue: SchemaIssue.Issue): boolean => {
  switch (issue._tag) {
    case "MissingKey":
      return true
    case "Pointer":
    case "Filter":
    case "Encoding":
      return isMissing(issue.issue)
    case "Composite":
    case "AnyOf": {
      const first = issue.issues[0]
      return first !== undefined && isMissing(first)
    }
    default:
      return false
  }
}

const paramsDecoder = perDescriptor((descriptor: Descriptor) =>
  Schema.decodeUnknownExit(descriptor.params ?? Schema.Unknown, { errors: "first", onExcessProperty: "ignore" })
)

const decodeParams = (descriptor: Descriptor, wire: Record<string, unknown>): Checked<unknown, Issue> => {
  const exit = paramsDecoder(descriptor)(wire)
  if (Exit.isSuccess(exit)) return { ok: true, value: exit.value }
  const error = Exit.findErrorOption(exit)
  if (error._tag === "None") throw new Error(`ClerkTest: decoding the params of ${descriptor.name} died`)
  return { ok: false, error: { ...firstIssue(error.value), missing: isMissing(error.value.issue) } }
}

const successEncoder = perDescriptor((descriptor: Descriptor) =>
  Schema.encodeUnknownExit(typeof descriptor.success === "string" ? Schema.Unknown : descriptor.success, {
    errors: "first"
  })
)

const successDecoder = perDescriptor((descriptor: Descriptor) =>
  Schema.decodeUnknownExit(typeof descriptor.success === "string" ? Schema.Unknown : descriptor.success, {
    errors: "first"
  })
)

const decodeSuccess = (descriptor: Descriptor, wire: unknown): Checked<unknown, string> => {
  const exit = successDecoder(descriptor)(wire)
  if (Exit.isSuccess(exit)) return { ok: true, value: exit.value }
  const error = Exit.findErrorOption(exit)
  return { ok: false, error: error._tag === "Some" ? error.value.message : "the decoder died" }
}

const encodeSuccess = (descriptor: Descriptor, value: unknown): Checked<unknown, string> => {
  const exit = successEncoder(descriptor)(value)
  if (Exit.isSuccess(exit)) return { ok: true, value: exit.value }
  const error = Exit.findErrorOption(exit)
  return { ok: false, error: error._tag === "Some" ? error.value.message : "the encoder died" }
}

const arbitrary = perDescriptor((descriptor: Descriptor) =>
  Arbitrary.schema(typeof descriptor.success === "string" ? Schema.Unknown : descriptor.success)
)

/** The Effect 4 line as the shared instance sees it. */
const line: Line<OperationName, Descriptor> = {
  operations,
  router: makeRouter<OperationName, Descriptor>(operations),
  successStatus,
  kinds,
  decodeParams,
  decodeSuccess,
  encodeSuccess
}

/** A fake instance answering the Effect 4 operations with Effect 4 handlers. */
export type FakeEngine = FakeInstance<OperationName, Descriptor, Handler<any>>

/** A new fake instance (not started: run its `start` program). */
export const makeEngine = (keys: FakeEngine["keys"], options: FakeEngine["options"]): FakeEngine =>
  new FakeInstance(line, keys, options)

const perform = (instruction: Instruction<Handler<any>>): Effect.Effect<unknown> => {
  switch (instruction._tag) {
    case "Now":
      return Clock.currentTimeMillis
    case "Sleep":
      return Effect.sleep(instruction.duration as Duration.Input)
    case "Random":
      return Random.next
    case "Handle":
      return Effect.catch(
        instruction.handler(instruction.params as never, instruction.request as FakeRequest),
        Effect.succeed
      )
    case "Await":
      return Effect.promise(() => instruction.promise)
    case "Fork":
      // Detached: a delivery's retries outlive the request that caused the event.
      return Effect.asVoid(Effect.forkDetach(run(instruction.program)))
    case "Sample":
      return Effect.map(
        Effect.orDie(
          Arbitrary.sampleEffect(arbitrary(instruction.descriptor as Descriptor), { seed: instruction.seed, count: 1 })
        ),
        (values) => values[0]
      )
  }
}

/** Effect 4's constructors, for the shared wiring. */
export const ops: EffectOps<Effect.Effect<unknown>> = {
  suspend: Effect.suspend,
  sync: Effect.sync,
  succeed: Effect.succeed,
  flatMap: (self, f) => Effect.flatMap(self, f)
}

/** Runs a program of the instance on Effect 4; an error it throws is a defect. */
export const run = interpreter(ops, perform) as <A>(
  program: () => Program<Handler<any>, A>
) => Effect.Effect<A>
