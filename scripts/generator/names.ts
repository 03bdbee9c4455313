/** Naming rules shared by the generator. */
import { camelCase } from "../../src/internal/names.js"

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

export { camelCase }

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
