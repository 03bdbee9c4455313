/**
 * The `x-clerk-auth-*` debug headers of a signed-out request, shared by `SignedOut` and
 * `ClerkUnauthorized` without either module importing the other.
 *
 * @internal
 */

/** Header values must be printable ASCII; a message may quote fields of the token's (unverified) header. */
const headerSafe = (text: string): string =>
  text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).slice(0, 512)

/** `x-clerk-auth-status`, `-reason` and `-message`, as Clerk's SDKs send them. */
export const signedOutHeaders = (reason: string, message: string): Record<string, string> => ({
  "x-clerk-auth-status": "signed-out",
  "x-clerk-auth-reason": reason,
  "x-clerk-auth-message": headerSafe(message)
})
