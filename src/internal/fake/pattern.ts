/**
 * Strings for the regular expressions the spec's string schemas carry: a tiny generator for the subset
 * they use (anchors, literals, classes, groups, alternation, quantifiers), deterministic, shared by the
 * fake's generated answers and the tests' request params.
 *
 * @internal
 */

/** A pattern outside the supported subset, or one no string within the length bounds matches. */
export class PatternError extends Error {}

type Node =
  /** The characters that fit, first the one a deterministic expansion takes. */
  | { readonly _tag: "Char"; readonly picks: string }
  | { readonly _tag: "Seq"; readonly items: ReadonlyArray<Node> }
  | { readonly _tag: "Alt"; readonly options: ReadonlyArray<Node> }
  | { readonly _tag: "Repeat"; readonly node: Node; readonly min: number; readonly max: number }

const classPicks = (body: string, negated: boolean): string => {
  const members: Array<(c: string) => boolean> = []
  for (let i = 0; i < body.length; i++) {
    let c = body[i]!
    if (c === "\\") {
      const e = body[++i]!
      const escaped = escapeClass(e)
      if (escaped !== undefined) {
        members.push(escaped)
        continue
      }
      c = e
    }
    if (body[i + 1] === "-" && i + 2 < body.length) {
      const lo = c
      const hi = body[i + 2]!
      members.push((x) => x >= lo && x <= hi)
      i += 2
    } else {
      members.push((x) => x === c)
    }
  }
  const inClass = (x: string) => members.some((m) => m(x))
  const candidates = [..."abcxyzABCXYZ0123456789def_-."].filter((x) => inClass(x) !== negated).join("")
  if (candidates === "") throw new PatternError(`no character fits [${negated ? "^" : ""}${body}]`)
  return candidates
}

const escapeClass = (e: string): ((c: string) => boolean) | undefined => {
  switch (e) {
    case "w":
      return (c) => /\w/.test(c)
    case "d":
      return (c) => /\d/.test(c)
    case "s":
      return (c) => /\s/.test(c)
    case "S":
      return (c) => /\S/.test(c)
    case "W":
      return (c) => /\W/.test(c)
    case "D":
      return (c) => /\D/.test(c)
  }
  return undefined
}

const escapePick: Record<string, string> = {
  w: "abcxyz012_",
  d: "0123456789",
  s: " ",
  S: "abcxyz012",
  W: "-",
  D: "abcxyz"
}

const parsePattern = (source: string): Node => {
  let i = 0
  const parseAlt = (): Node => {
    const options = [parseSeq()]
    while (source[i] === "|") {
      i++
      options.push(parseSeq())
    }
    return options.length === 1 ? options[0]! : { _tag: "Alt", options }
  }
  const parseSeq = (): Node => {
    const items: Array<Node> = []
    while (i < source.length && source[i] !== "|" && source[i] !== ")") {
      const atom = parseAtom()
      if (atom !== undefined) items.push(parseQuantifier(atom))
    }
    return { _tag: "Seq", items }
  }
  const parseAtom = (): Node | undefined => {
    const c = source[i++]!
    switch (c) {
      case "^":
      case "$":
        return undefined
      case "(": {
        if (source[i] === "?") {
          if (source[i + 1] !== ":") throw new PatternError(`unsupported group in /${source}/`)
          i += 2
        }
        const inner = parseAlt()
        if (source[i++] !== ")") throw new PatternError(`unbalanced /${source}/`)
        return inner
      }
      case "[": {
        const negated = source[i] === "^"
        if (negated) i++
        let body = ""
        while (i < source.length && source[i] !== "]") {
          if (source[i] === "\\") body += source[i++]
          body += source[i++]
        }
        i++
        return { _tag: "Char", picks: classPicks(body, negated) }
      }
      case ".":
        return { _tag: "Char", picks: "a" }
      case "\\": {
        const e = source[i++]!
        return { _tag: "Char", picks: escapePick[e] ?? e }
      }
      default:
        return { _tag: "Char", picks: c }
    }
  }
  const parseQuantifier = (node: Node): Node => {
    const c = source[i]
    if (c === "?") return i++, { _tag: "Repeat", node, min: 0, max: 1 }
    if (c === "*") return i++, { _tag: "Repeat", node, min: 0, max: Infinity }
    if (c === "+") return i++, { _tag: "Repeat", node, min: 1, max: Infinity }
    if (c === "{") {
      const close = source.indexOf("}", i)
      const match = /^\{(\d+)(,(\d*))?\}$/.exec(source.slice(i, close + 1))
      if (match === null) throw new PatternError(`unsupported quantifier in /${source}/`)
      i = close + 1
      const min = Number(match[1])
      const max = match[2] === undefined ? min : match[3] === "" ? Infinity : Number(match[3])
      return { _tag: "Repeat", node, min, max }
    }
    return node
  }
  const node = parseAlt()
  if (i !== source.length) throw new PatternError(`cannot parse /${source}/`)
  return node
}

/**
 * Expands a pattern; `extra` repetitions are added to every open-ended or optional quantifier. With
 * `random`, characters and alternatives are drawn from it; without, the first of each is taken.
 */
const expand = (node: Node, extra: number, random: (() => number) | undefined): string => {
  const choose = (count: number) => random === undefined ? 0 : Math.floor(random() * count)
  switch (node._tag) {
    case "Char":
      return node.picks[choose(node.picks.length)]!
    case "Seq":
      return node.items.map((item) => expand(item, extra, random)).join("")
    case "Alt":
      return expand(node.options[choose(node.options.length)]!, extra, random)
    case "Repeat": {
      const count = Math.min(node.max, node.min + extra)
      return Array.from({ length: count }, () => expand(node.node, extra, random)).join("")
    }
  }
}

/**
 * A string matching `pattern` within the length bounds, or a `PatternError`: the same one on every call,
 * or, with `random`, one drawn from it.
 */
export const stringForPattern = (
  pattern: string,
  minLength = 0,
  maxLength = Infinity,
  random?: () => number
): string => {
  const regex = new RegExp(pattern, "u")
  const node = parsePattern(pattern)
  for (let extra = 0; extra <= 64; extra++) {
    const candidate = expand(node, extra, random)
    if (candidate.length > maxLength) break
    if (candidate.length >= minLength && regex.test(candidate)) return candidate
  }
  throw new PatternError(`no value of length ${minLength}..${maxLength} found for /${pattern}/`)
}
