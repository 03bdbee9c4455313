/**
 * Built-in routes of the fake (being written).
 *
 * @internal
 */
import { routes } from "./core.js"

/** Built-in routes of this resource family. */
export const organizationRoutes = routes({})
