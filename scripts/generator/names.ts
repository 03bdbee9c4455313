/** Naming rules shared by the generator. */

const reserved = new Set([
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "import",
  "in",
  "instanceof",
  "new",
  "null",
  "return",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "var",
  "void",
  "while",
  "with",
  "yield",
  "let",
  "static",
  "implements",
  "interface",
  "package",
  "private",
  "protected",
  "public",
  "await"
])

/** `user_id` → `userId`, `apiKeyID` stays, `x-foo.bar` → `xFooBar`. */
export const camelCase = (wire: string): string => {
  const parts = wire.split(/[^A-Za-z0-9]+/).filter((part) => part.length > 0)
  if (parts.length === 0) return wire
  return parts
    .map((part, i) => (i === 0 ? part[0]!.toLowerCase() + part.slice(1) : part[0]!.toUpperCase() + part.slice(1)))
    .join("")
}

/** `verification_otp` → `VerificationOtp`, `JWKS.ed25519.PublicKey` → `JWKSEd25519PublicKey`. */
export const pascalCase = (name: string): string => {
  const camel = camelCase(name)
  const result = camel[0]!.toUpperCase() + camel.slice(1)
  return /^[0-9]/.test(result) ? `N${result}` : result
}

/** Whether a name can stand unquoted as a property key. */
export const isIdentifier = (name: string): boolean => /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)

/** A property key as written in source. */
export const propertyKey = (name: string): string => (isIdentifier(name) ? name : JSON.stringify(name))

/** A name usable as a binding (module-level const). */
export const safeBinding = (name: string): string => (reserved.has(name) ? `${name}_` : name)
