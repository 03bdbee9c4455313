/**
 * For Effect 4. The failures of the in-memory Clerk (`ClerkTest`) itself: a refused seed, a refused
 * operation run by the test kit, a server that could not listen.
 *
 * @since 0.2.0
 */
import * as Schema from "effect/Schema"

/**
 * Seeding failed: a seed was refused the way the API would refuse it (a taken email, an
 * unknown member...).
 *
 * @since 0.2.0
 * @category errors
 */
export class ClerkTestSeedError extends Schema.TaggedError<ClerkTestSeedError>()("ClerkTestSeedError", {
  operation: Schema.String,
  status: Schema.Number,
  message: Schema.String
}) {}

/**
 * A fake operation run by the test kit itself (such as creating the session behind a minted
 * token) was refused.
 *
 * @since 0.2.0
 * @category errors
 */
export class ClerkTestError extends Schema.TaggedError<ClerkTestError>()("ClerkTestError", {
  operation: Schema.String,
  status: Schema.Number,
  message: Schema.String
}) {}

/**
 * The fake could not listen on the requested address.
 *
 * @since 0.2.0
 * @category errors
 */
export class ClerkTestServeError extends Schema.TaggedError<ClerkTestServeError>()("ClerkTestServeError", {
  message: Schema.String
}) {}
