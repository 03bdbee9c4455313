/**
 * Every built-in route of the fake, merged from the resource modules.
 *
 * @internal
 */
import { organizationRoutes } from "./organizations.js"
import type { Routes } from "./route.js"
import { sessionRoutes } from "./sessions.js"
import { userRoutes } from "./users.js"

/** The operations the fake implements statefully. */
export const builtinRoutes: Routes = {
  ...userRoutes,
  ...organizationRoutes,
  ...sessionRoutes
}
