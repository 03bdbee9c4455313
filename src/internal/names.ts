/**
 * How wire names become the camelCase keys of params and decoded values, shared by the generator (which
 * names the keys) and the fake (which reads params by them).
 *
 * @internal
 */

/** `user_id` → `userId`, `apiKeyID` stays, `x-foo.bar` → `xFooBar`. */
export const camelCase = (wire: string): string => {
  const parts = wire.split(/[^A-Za-z0-9]+/).filter((part) => part.length > 0)
  if (parts.length === 0) return wire
  return parts
    .map((part, i) => (i === 0 ? part[0]!.toLowerCase() + part.slice(1) : part[0]!.toUpperCase() + part.slice(1)))
    .join("")
}
