/**
 * Effect 3's schema modules, for tests below test/v4/ (where `effect` is Effect 4) that compare the two lines.
 */
export * as Either3 from "effect/Either"
export * as FastCheck3 from "effect/FastCheck"
export * as Schema3 from "effect/Schema"
