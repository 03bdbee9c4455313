/**
 * The routing of the Effect 3 line's operations (the matching itself is shared: routing.ts).
 *
 * @internal
 */
import type { Descriptor } from "../../ClerkDescriptor.js"
import type { OperationName } from "../../generated/Operations.js"
import { operations } from "../../generated/Operations.js"
import type * as Routing from "./routing.js"
import { makeRouter } from "./routing.js"

/** A routed request: the operation, its descriptor and its path parameters (decoded). */
export type Match = Routing.Match<OperationName, Descriptor>

/** The router of the Effect 3 operations. */
export const router: Routing.Router<OperationName, Descriptor> = makeRouter<OperationName, Descriptor>(operations)

/** The operation at `method` and `path` (relative to the API base), if any. */
export const match = router.match

/** Whether `path` exists under another method (for 405-style answers). */
export const pathExists = router.pathExists
