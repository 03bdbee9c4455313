/**
 * Effect 3's modules, for tests below test/v4/ (where `effect` is Effect 4) that compare the two lines.
 */
export * as Duration3 from "effect/Duration"
export * as Effect3 from "effect/Effect"
export * as Either3 from "effect/Either"
export * as FastCheck3 from "effect/FastCheck"
export * as Logger3 from "effect/Logger"
export * as Schema3 from "effect/Schema"
