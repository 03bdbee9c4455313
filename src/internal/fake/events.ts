/**
 * The webhook events a fake instance records as its state changes, as Clerk would send them: an event
 * envelope (`object: "event"`, `type`, `timestamp`, `instance_id`) around the wire form of the resource the
 * operation answered. Nothing here depends on Effect.
 *
 * @internal
 */

/** A recorded event, in the wire form a webhook delivery carries. */
export interface FakeEvent {
  readonly object: "event"
  readonly type: string
  /** Milliseconds since the epoch, from the line's `Clock`. */
  readonly timestamp: number
  readonly instance_id: string
  readonly data: unknown
}

/** The instance id every fake's events carry. */
export const fakeInstanceId = "ins_fake"

/** How many of the latest events a fake keeps. */
export const maxRecordedEvents = 10_000

const resourceEvents = (operationGroup: string, event: string, verbs: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(verbs).map(([verb, outcome]) => [`${operationGroup}.${verb}`, `${event}.${outcome}`])
  )

/** The event a successful operation causes, by operation name. */
export const eventOf: Readonly<Record<string, string | undefined>> = {
  ...resourceEvents("users", "user", {
    create: "created",
    update: "updated",
    updateMetadata: "updated",
    replaceMetadata: "updated",
    ban: "updated",
    unban: "updated",
    lock: "updated",
    unlock: "updated",
    setProfileImage: "updated",
    deleteProfileImage: "updated",
    removePassword: "updated",
    setPasswordCompromised: "updated",
    unsetPasswordCompromised: "updated",
    delete: "deleted"
  }),
  ...resourceEvents("organizations", "organization", {
    create: "created",
    update: "updated",
    mergeMetadata: "updated",
    replaceMetadata: "updated",
    delete: "deleted"
  }),
  ...resourceEvents("organizationMemberships", "organizationMembership", {
    create: "created",
    update: "updated",
    updateMetadata: "updated",
    delete: "deleted"
  }),
  ...resourceEvents("organizationInvitations", "organizationInvitation", { create: "created", revoke: "revoked" }),
  ...resourceEvents("organizationDomains", "organizationDomain", {
    create: "created",
    update: "updated",
    delete: "deleted"
  }),
  ...resourceEvents("organizationRoles", "role", { create: "created", update: "updated", delete: "deleted" }),
  ...resourceEvents("organizationPermissions", "permission", {
    create: "created",
    update: "updated",
    delete: "deleted"
  }),
  ...resourceEvents("sessions", "session", { create: "created", revoke: "revoked" }),
  ...resourceEvents("waitlistEntries", "waitlistEntry", { create: "created" })
}

/** The event of an answered operation, or `undefined` when it changes nothing Clerk reports. */
export const eventFor = (operation: string, body: unknown, at: number): FakeEvent | undefined => {
  const type = eventOf[operation]
  return type === undefined ? undefined : eventOfType(type, body, at)
}

/** An event of `type` around `data` (a resource's wire form), or `undefined` when `data` is not an object. */
export const eventOfType = (type: string, data: unknown, at: number): FakeEvent | undefined =>
  typeof data !== "object" || data === null || Array.isArray(data)
    ? undefined
    : { object: "event", type, timestamp: at, instance_id: fakeInstanceId, data }
