/**
 * Reading Clerk's session claims, both versions, into one shape.
 *
 * @internal
 */

const str = (u: unknown): string | undefined => typeof u === "string" && u !== "" ? u : undefined

const list = (u: unknown): ReadonlyArray<string> =>
  typeof u === "string"
    ? u.split(",").map((s) => s.trim()).filter((s) => s !== "")
    : Array.isArray(u)
    ? u.filter((s): s is string => typeof s === "string")
    : []

/** `admin` → `org:admin`; a role that already has the prefix stays. */
const orgRole = (role: string | undefined) =>
  role === undefined ? undefined : role.startsWith("org:") ? role : `org:${role}`

/** The organization and feature facts of a session token, whatever its claim version. */
export interface SessionClaims {
  readonly orgId: string | undefined
  readonly orgRole: string | undefined
  readonly orgSlug: string | undefined
  readonly orgPermissions: ReadonlyArray<string>
  /** Scoped features, e.g. `o:members`, `u:profile`. */
  readonly features: ReadonlyArray<string>
  /** Scoped plans, e.g. `o:pro`, `u:free`. */
  readonly plans: ReadonlyArray<string>
}

/**
 * v2 packs permissions: `fea` lists scoped features, `o.per` permission names and
 * `o.fpm` one decimal bitmask per organization feature, bit i meaning `per[i]`.
 */
const expandPermissions = (features: ReadonlyArray<string>, per: ReadonlyArray<string>, fpm: ReadonlyArray<string>) => {
  const orgFeatures = features.filter((f) => f.startsWith("o:")).map((f) => f.slice(2))
  const permissions: Array<string> = []
  orgFeatures.forEach((feature, index) => {
    const mask = Number.parseInt(fpm[index] ?? "0", 10)
    if (!Number.isSafeInteger(mask)) return
    per.forEach((permission, bit) => {
      if (bit < 31 ? (mask & (1 << bit)) !== 0 : Math.floor(mask / 2 ** bit) % 2 === 1) {
        permissions.push(`org:${feature}:${permission}`)
      }
    })
  })
  return permissions
}

/** Reads v1 (`org_id`, `org_role`, ...) or v2 (`v: 2`, `o: { id, rol, slg, per, fpm }`, `fea`) claims. */
export const sessionClaims = (payload: Record<string, unknown>): SessionClaims => {
  const features = list(payload.fea)
  const plans = list(payload.pla)
  if (payload.v === 2) {
    const o = typeof payload.o === "object" && payload.o !== null ? payload.o as Record<string, unknown> : {}
    return {
      orgId: str(o.id),
      orgRole: orgRole(str(o.rol)),
      orgSlug: str(o.slg),
      orgPermissions: expandPermissions(features, list(o.per), list(o.fpm)),
      features,
      plans
    }
  }
  return {
    orgId: str(payload.org_id),
    orgRole: orgRole(str(payload.org_role)),
    orgSlug: str(payload.org_slug),
    orgPermissions: list(payload.org_permissions),
    features,
    plans
  }
}

/** Whether a scoped list (`o:x`, `u:y`) holds a name, given bare (`x`, any scope) or scoped (`org:x`, `user:x`). */
export const hasScoped = (scoped: ReadonlyArray<string>, name: string): boolean => {
  const [scope, bare] = name.startsWith("org:")
    ? ["o", name.slice(4)]
    : name.startsWith("user:")
    ? ["u", name.slice(5)]
    : [undefined, name]
  return scoped.some((entry) => {
    const [entryScope, entryName] = entry.includes(":")
      ? [entry.slice(0, entry.indexOf(":")), entry.slice(entry.indexOf(":") + 1)]
      : [undefined, entry]
    return entryName === bare && (scope === undefined || entryScope === undefined || entryScope === scope)
  })
}
