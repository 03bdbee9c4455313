/**
 * Where the generator and the tests look for Clerk's specs. The default is the shared checkout beside the
 * repository (`../shared/clerk-openapi/`); `CLERK_OPENAPI_SPEC` points at another Backend API spec, such as
 * `bapi/2026-05-12.yml` in a clone of Clerk's public `openapi-specs` repository. The webhook events spec is
 * found beside it, either under the shared name or in that repository's own layout.
 */
import * as fs from "node:fs"
import * as path from "node:path"

/** The Backend API spec version the committed code was generated from. */
export const specVersion = "2026-05-12"

/** The webhook events spec version the committed code was generated from. */
export const webhooksVersion = "2025-04-15"

/** `$CLERK_OPENAPI_SPEC`, else the shared checkout beside the repository at `root`. */
export const defaultSpecPath = (root: string): string =>
  process.env["CLERK_OPENAPI_SPEC"] ?? path.resolve(root, `../shared/clerk-openapi/bapi-${specVersion}.yml`)

/**
 * The webhook events spec for a Backend API spec: `webhooks-<version>.yml` beside it (the shared layout), or
 * `../webhooks/<version>.yml` (the layout of Clerk's `openapi-specs` repository). The first when neither exists.
 */
export const webhooksSpecFor = (specPath: string): string => {
  const dir = path.dirname(specPath)
  const candidates = [
    path.join(dir, `webhooks-${webhooksVersion}.yml`),
    path.resolve(dir, "../webhooks", `${webhooksVersion}.yml`)
  ]
  return candidates.find((candidate) => fs.existsSync(candidate)) ?? candidates[0]!
}
