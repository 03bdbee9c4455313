/**
 * The comma lists of environment settings, read the same way by both lines' `Config`s.
 *
 * @internal
 */

/** Splits `a, b,c` into its non-empty, trimmed entries. */
export const splitList = (text: string): Array<string> =>
  text.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "")
