/**
 * What a generated operation is made of: its method, path, parameter schemas and answer, as data
 * the executor ({@link ClerkClient}) reads. Tools that work on every operation at once (the
 * in-memory fake, conformance tests) read the same descriptors.
 *
 * @since 0.1.0
 */
import type * as Schema from "effect/Schema"
import type { BodyKind, DescriptorOf, PageSpec } from "./ClerkDescriptorShape.js"

/**
 * How an operation's request body is sent.
 *
 * @since 0.1.0
 * @category models
 */
export type { BodyKind }

/**
 * Everything the runtime needs to send one operation and read its answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface Descriptor extends DescriptorOf<Schema.Schema<any, any>> {}

/**
 * How a list operation's pages look.
 *
 * @since 0.1.0
 * @category models
 */
export type { PageSpec }
