/**
 * Emitting the decoders: one plain function per response declaration, written from the same facts as
 * its schema (see src/internal/decode.ts for what they may and may not decide).
 */
import type { Dec, DecField, Declaration } from "./schemas.js"

// Keys every plain object inherits: reading one that is absent would find the inherited value.
const inheritedKeys: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype))

const identifierPattern = /^[A-Za-z_$][A-Za-z0-9_$]*$/

const indent = (text: string) => text.replace(/^/gm, "  ")

/** Whether a check refuses `undefined` on its own (so a missing key needs no test of its own). */
const rejectsUndefined = (dec: Dec): boolean =>
  dec.kind === "string" || dec.kind === "number" || dec.kind === "boolean" || dec.kind === "freeForm" ||
  dec.kind === "literal" || dec.kind === "array" || dec.kind === "record" ||
  (dec.kind === "nullOr" && rejectsUndefined(dec.of))

/**
 * For a shape whose decoded value is the wire value itself, the condition under which it is accepted
 * (`true`: always); `undefined` for a shape that builds a new value.
 */
const acceptance = (dec: Dec, value: string): string | true | undefined => {
  switch (dec.kind) {
    case "string":
    case "number":
    case "boolean":
      return `typeof ${value} === "${dec.kind}"`
    case "unknown":
      return true
    case "freeForm":
      return `D.isRecord(${value})`
    case "literal":
      return dec.values.map((v) => `${value} === ${JSON.stringify(v)}`).join(" || ")
    case "nullOr": {
      const inner = acceptance(dec.of, value)
      return inner === undefined || inner === true ? inner : `${value} === null || ${inner}`
    }
    default:
      return undefined
  }
}

const access = (object: string, key: string) =>
  identifierPattern.test(key) ? `${object}.${key}` : `${object}[${JSON.stringify(key)}]`

/** The name of a declaration's decoder function in the module that declares it. */
export const localDecoderName = (declaration: string) => `decode${declaration}`

/**
 * Writes the decoders of one module. `componentRef` names a component's decoder from this module
 * (bare in Decoders.ts, `Decoders.X` elsewhere); declarations of this module are named by
 * `localRef`. Composite steps used as items or members are hoisted as functions, once per shape.
 */
export class DecoderWriter {
  private readonly hoisted = new Map<string, string>()
  private readonly bodies = new Map<string, string>()
  private readonly parts: Array<string> = []

  private readonly localNames = new Set<string>()

  constructor(
    private readonly componentRef: (name: string) => string,
    private readonly localRef: (name: string) => string,
    /** Whether the hoisted steps are exported too, for a decoders module read from other modules. */
    private readonly exportSteps = false
  ) {}

  /** Whether any decoder written so far refers to a component decoder from outside Decoders.ts. */
  usesComponents = false

  /** An expression of a decoder function for `dec`. */
  step(dec: Dec): string {
    switch (dec.kind) {
      case "string":
      case "number":
      case "boolean":
      case "unknown":
      case "freeForm":
      case "none":
        return `D.${dec.kind}`
      case "ref":
        return this.ref(dec)
      default:
        return this.hoist(`return ${this.apply(dec, "u")}`)
    }
  }

  /** A module-level function with this body, written once however often it is asked for. */
  private hoist(body: string): string {
    const known = this.hoisted.get(body)
    if (known !== undefined) return known
    const name = `step${this.hoisted.size + 1}`
    this.hoisted.set(body, name)
    this.localNames.add(name)
    this.parts.push(
      `${
        this.exportSteps
          ? "/**\n * A decoding step of this module's decoders.\n *\n * @category decoders\n * @since 0.2.0\n */\nexport "
          : ""
      }function ${name}(u: unknown): unknown {\n  ${body}\n}`
    )
    return name
  }

  /** A hoisted function trying each member in the order the schema lists them: the first that accepts wins. */
  private union(members: ReadonlyArray<Dec>): string {
    const tries = members.map((member) => `d = ${this.step(member)}(u)\n  if (d !== D.rejected) return d`)
    return this.hoist(`let d: unknown\n  ${tries.join("\n  ")}\n  return D.rejected`)
  }

  /** Like {@link step}, for a module that reads this one's functions as `<namespace>.<name>`. */
  stepFrom(dec: Dec, namespace: string): string {
    const step = this.step(dec)
    return this.localNames.has(step) ? `${namespace}.${step}` : step
  }

  private ref(dec: Extract<Dec, { kind: "ref" }>): string {
    if (!dec.component) {
      const name = this.localRef(dec.name)
      this.localNames.add(name)
      return name
    }
    const ref = this.componentRef(dec.name)
    if (ref !== dec.name) this.usesComponents = true
    return ref
  }

  /** An expression of the decoded value of `value` (a variable), or `D.rejected`. */
  apply(dec: Dec, value: string): string {
    const accepts = acceptance(dec, value)
    if (accepts === true) return value
    if (accepts !== undefined) return `${accepts} ? ${value} : D.rejected`
    switch (dec.kind) {
      case "ref":
        return `${this.ref(dec)}(${value})`
      case "nullOr":
        return `${value} === null ? null : ${this.step(dec.of)}(${value})`
      case "array":
        return `D.array(${value}, ${this.step(dec.of)})`
      case "record":
        return `D.record(${value}, ${this.step(dec.of)})`
      case "union":
        return `${this.union(dec.of)}(${value})`
      default:
        return "D.rejected"
    }
  }

  /** Statements that check `v` against `dec` and store its decoded value with `store` (or return). */
  private check(dec: Dec, store: (value: string) => string): string {
    const accepts = acceptance(dec, "v")
    if (accepts === true) return store("v")
    if (accepts !== undefined) return `if (!(${accepts})) return D.rejected\n${store("v")}`
    return `const d = ${this.apply(dec, "v")}\nif (d === D.rejected) return D.rejected\n${store("d")}`
  }

  private field(field: DecField): string {
    const wireKey = JSON.stringify(field.wire)
    const read = inheritedKeys.has(field.wire)
      ? `(D.hasOwn(u, ${wireKey}) ? ${access("u", field.wire)} : undefined)`
      : access("u", field.wire)
    const store = (value: string) =>
      field.name === "__proto__"
        ? `D.put(out, ${JSON.stringify(field.name)}, ${value})`
        : `${access("out", field.name)} = ${value}`
    const present = indent(this.check(field.dec, store))
    switch (field.presence) {
      case "required":
        // A check that refuses `undefined` also refuses an absent key; the others must tell them apart.
        return rejectsUndefined(field.dec)
          ? `const v = ${read}\n${this.check(field.dec, store)}`
          : `const v = ${read}\nif (v === undefined && !D.hasOwn(u, ${wireKey})) return D.rejected\n${
            this.check(field.dec, store)
          }`
      // A key holding `undefined` is present: the field's own check decides it, as the schema's does.
      case "optional":
        return `const v = ${read}\nif (v !== undefined || D.hasOwn(u, ${wireKey})) {\n${present}\n}`
      case "nullAsAbsent":
        return `const v = ${read}\nif (v !== null && (v !== undefined || D.hasOwn(u, ${wireKey}))) {\n${present}\n}`
      case "tag":
        return `const v = ${read}\nif (v !== undefined || D.hasOwn(u, ${wireKey})) {\n${present}\n} else ${
          store(JSON.stringify(field.tagValue))
        }`
    }
  }

  /** Writes the decoder of a declaration under `name`, exported or not. */
  declaration(
    declaration: Declaration,
    name: string,
    exported: boolean,
    schemaName = `Schemas.${declaration.name}`
  ): void {
    const decoder = declaration.decoder
    if (decoder === undefined) return
    const head = `${exported ? "export " : ""}function ${name}(u: unknown): unknown {`
    const doc = exported
      ? `/**\n * Decoder of \`${schemaName}\`.\n *\n * @category decoders\n * @since 0.2.0\n */`
      : `/** Decoder of \`${declaration.name}\`. */`
    const body = decoder.kind === "value"
      ? `  return ${this.apply(decoder.dec, "u")}`
      : (decoder.fields.length === 0
        ? ["  if (!D.isPlain(u)) return D.rejected", "  return {}"]
        : [
          "  if (!D.isPlain(u)) return D.rejected",
          "  const out: Record<string, unknown> = {}",
          ...decoder.fields.map((field) => `  {\n${indent(indent(this.field(field)))}\n  }`),
          "  return out"
        ]).join("\n")
    // Declarations of the same shape (the spec repeats some) share one body; a forwarding function, hoisted
    // like the others, keeps each name usable before the module has finished evaluating.
    const same = this.bodies.get(body)
    if (same !== undefined) {
      this.parts.push(`${doc}\n${head}\n  return ${same}(u)\n}`)
      return
    }
    this.bodies.set(body, name)
    this.parts.push(`${doc}\n${head}\n${body}\n}`)
  }

  /** Everything written, in order. */
  text(): string {
    return this.parts.join("\n\n")
  }
}

/** `src/generated/Decoders.ts`: the decoder of every component, exported under the component's name. */
export const decodersModule = (declarations: Iterable<Declaration>, banner: string): string => {
  const writer = new DecoderWriter((name) => name, (name) => name)
  for (const declaration of declarations) writer.declaration(declaration, declaration.name, true)
  return [
    banner,
    `/**\n * The decoders of the component schemas, one per schema under the same name: plain functions that\n * check and rename a wire value in one pass, or return\n * \`Symbol.for("effect-clerk/decode/rejected")\` for the schema to decide. Operations carry theirs in their descriptor's \`decode\`.\n *\n * @since 0.2.0\n */`,
    `import * as D from "../internal/decode.js"`,
    "",
    writer.text(),
    ""
  ].join("\n")
}
