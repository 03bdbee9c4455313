/**
 * Built-in routes for organizations, their memberships and invitations, and instance
 * invitations.
 *
 * Memberships and invitations embed data owned by other records (the organization, the
 * member, the inviter); those parts are rebuilt from the current records on every answer, so
 * a renamed user or organization shows up renamed everywhere. Counts (`membersCount`,
 * `pendingInvitationsCount`) and invitation expiry are computed when answering too.
 *
 * @internal
 */
import type * as Schemas from "../../v4/generated/Schemas.js"
import type { Metadata, Reply } from "./core.js"
import {
  badRequest,
  checkEmailAddress,
  contains,
  errorReply,
  identifierExists,
  invalidParam,
  isReply,
  mergeMetadataFields,
  missingParam,
  notFound,
  orderBy,
  page,
  parseTimestamp,
  signedFilter
} from "./core.js"
import type { ParamsOf } from "./route.js"
import { routes } from "./route.js"
import { alsoCaused, emailSent } from "./sideEvents.js"
import type { FakeStore } from "./store.js"

const dayMillis = 86_400_000

// --- small shared helpers ---------------------------------------------------------------

const sameEmail = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase()

const maxAllowedMembershipsOf = (value: number | null | undefined): number | undefined | Reply => {
  if (value === null || value === undefined) return undefined
  return Number.isInteger(value) && value >= 0
    ? value
    : invalidParam("max_allowed_memberships", "max_allowed_memberships must be a whole number, 0 or more.")
}

const expiryOf = (now: number, days: number | null | undefined): number | Reply => {
  const value = days ?? 30
  return Number.isInteger(value) && value >= 1 && value <= 365
    ? now + value * dayMillis
    : invalidParam("expires_in_days", "expires_in_days must be a whole number from 1 to 365.")
}

// Role keys of Clerk organizations always carry the `org:` prefix (custom roles too).
const checkRole = (role: string, param = "role"): Reply | undefined =>
  /^org:[A-Za-z0-9_:-]+$/.test(role)
    ? undefined
    : invalidParam(param, `${role} is not an organization role key (org:...).`)

const systemPermissions: Readonly<Record<string, ReadonlyArray<string>>> = {
  "org:admin": [
    "org:sys_profile:manage",
    "org:sys_profile:delete",
    "org:sys_memberships:read",
    "org:sys_memberships:manage",
    "org:sys_domains:read",
    "org:sys_domains:manage"
  ],
  "org:member": ["org:sys_memberships:read"]
}

/** "org:billing_manager" reads as "Billing manager". */
const roleNameOf = (role: string): string => {
  const words = role.replace(/^org:/, "").replace(/[_:-]+/g, " ").trim()
  return words.length === 0 ? role : words.charAt(0).toUpperCase() + words.slice(1)
}

/** A ticket link like the ones Clerk mails, carrying the redirect when one was given. */
const ticketUrl = (store: FakeStore, redirectUrl: string | null | undefined): string => {
  const base = `https://accounts.clerk.test/v1/tickets/accept?ticket=${store.ids.token(48)}`
  return redirectUrl === null || redirectUrl === undefined || redirectUrl === ""
    ? base
    : `${base}&redirect_url=${encodeURIComponent(redirectUrl)}`
}

const defaultImageUrl = (kind: string, id: string): string => `https://img.clerk.com/fake/${kind}/${id}`

/** A pending invitation past its expiry reads as expired. */
const statusAt = (status: string | undefined, expiresAt: number | null | undefined, now: number): string =>
  (status ?? "pending") === "pending" && typeof expiresAt === "number" && expiresAt <= now
    ? "expired"
    : status ?? "pending"

// --- users, as the organization routes see them ------------------------------------------

const primaryEmailOf = (user: Schemas.User): string | null =>
  user.emailAddresses.find((email) => email.id === user.primaryEmailAddressId)?.emailAddress ??
    user.emailAddresses[0]?.emailAddress ?? null

const primaryPhoneOf = (user: Schemas.User): string | null =>
  user.phoneNumbers.find((phone) => phone.id === user.primaryPhoneNumberId)?.phoneNumber ??
    user.phoneNumbers[0]?.phoneNumber ?? null

/** What Clerk shows for a user in organization lists: the primary email, else phone, username, wallet. */
const identifierOf = (user: Schemas.User): string =>
  primaryEmailOf(user) ?? primaryPhoneOf(user) ?? user.username ?? user.web3Wallets[0]?.web3Wallet ?? ""

const publicUserDataOf = (user: Schemas.User): Schemas.OrganizationMembershipPublicUserData => {
  const imageUrl = user.imageUrl ?? defaultImageUrl("user", user.id)
  return {
    userId: user.id,
    firstName: user.firstName,
    lastName: user.lastName,
    profileImageUrl: user.profileImageUrl ?? imageUrl,
    imageUrl,
    hasImage: user.hasImage,
    identifier: identifierOf(user),
    username: user.username,
    banned: user.banned
  }
}

const inviterDataOf = (store: FakeStore, inviterId: string | null): Schemas.OrganizationInvitationPublicUserData => {
  const user = inviterId === null ? undefined : store.users.get(inviterId)
  if (user === undefined) return null
  const data = publicUserDataOf(user)
  return {
    userId: data.userId,
    firstName: data.firstName,
    lastName: data.lastName,
    imageUrl: data.imageUrl,
    hasImage: data.hasImage,
    identifier: data.identifier ?? ""
  }
}

// --- organizations ----------------------------------------------------------------------

/** Lower-case, every run of other characters a single dash, no dash at either end. */
const slugify = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")

const slugPattern = /^[a-z0-9-]+$/

const slugTaken = (store: FakeStore, slug: string, exceptId?: string): boolean => {
  for (const organization of store.organizations.values()) {
    if (organization.slug === slug && organization.id !== exceptId) return true
  }
  return false
}

const checkSlug = (store: FakeStore, slug: string, exceptId?: string): Reply | undefined => {
  if (!slugPattern.test(slug)) {
    return invalidParam("slug", "slug can contain only lowercase letters, digits and dashes.")
  }
  return slugTaken(store, slug, exceptId) ? identifierExists("slug", "slug") : undefined
}

const checkName = (name: string | null | undefined): Reply | undefined => {
  if (name === null || name === undefined || name.trim() === "") return missingParam("name")
  return name.length > 256 ? invalidParam("name", "name must be at most 256 characters long.") : undefined
}

/** Live memberships: those whose organization and user both still exist. */
const liveMemberships = (store: FakeStore): ReadonlyArray<Schemas.OrganizationMembership> => {
  const out: Array<Schemas.OrganizationMembership> = []
  for (const membership of store.memberships.values()) {
    const userId = membership.publicUserData?.userId
    if (userId !== undefined && store.users.has(userId) && store.organizations.has(membership.organization.id)) {
      out.push(membership)
    }
  }
  return out
}

const membersOf = (store: FakeStore, organizationId: string): ReadonlyArray<Schemas.OrganizationMembership> =>
  liveMemberships(store).filter((membership) => membership.organization.id === organizationId)

const memberIdsOf = (store: FakeStore, organizationId: string): ReadonlyArray<string> =>
  membersOf(store, organizationId).map((membership) => membership.publicUserData!.userId)

const pendingInvitationsOf = (store: FakeStore, organizationId: string, now: number) =>
  [...store.organizationInvitations.values()].filter((invitation) =>
    invitation.organizationId === organizationId && statusAt(invitation.status, invitation.expiresAt, now) === "pending"
  )

interface OrganizationView {
  readonly counts?: boolean | undefined
  readonly missingAdmin?: boolean | undefined
  readonly now: number
}

/** An organization as answered: stored fields plus the counts the caller asked for. */
const renderOrganization = (
  store: FakeStore,
  organization: Schemas.Organization,
  view: OrganizationView
): Schemas.Organization => {
  const members = view.counts === true || view.missingAdmin === true ? membersOf(store, organization.id) : []
  return {
    ...organization,
    ...(view.counts === true
      ? {
        membersCount: members.length,
        pendingInvitationsCount: pendingInvitationsOf(store, organization.id, view.now).length
      }
      : {}),
    ...(view.missingAdmin === true
      ? { missingMemberWithElevatedPermissions: !members.some((membership) => membership.role === "org:admin") }
      : {})
  }
}

const findOrganization = (store: FakeStore, id: string): Schemas.Organization | undefined => store.organizations.get(id)

// Only `GET /organizations/{id}` accepts a slug in place of the id.
const findOrganizationByIdOrSlug = (store: FakeStore, idOrSlug: string): Schemas.Organization | undefined => {
  const byId = store.organizations.get(idOrSlug)
  if (byId !== undefined) return byId
  for (const organization of store.organizations.values()) {
    if (organization.slug === idOrSlug) return organization
  }
  return undefined
}

// --- memberships ------------------------------------------------------------------------

/** A membership as answered: the current organization and member, not the stored copies. */
const renderMembership = (
  store: FakeStore,
  membership: Schemas.OrganizationMembership
): Schemas.OrganizationMembership => {
  const organization = store.organizations.get(membership.organization.id) ?? membership.organization
  const userId = membership.publicUserData?.userId
  const user = userId === undefined ? undefined : store.users.get(userId)
  return {
    ...membership,
    organization,
    ...(user === undefined ? {} : { publicUserData: publicUserDataOf(user) })
  }
}

const findMembership = (
  store: FakeStore,
  organizationId: string,
  userId: string
): Schemas.OrganizationMembership | undefined =>
  membersOf(store, organizationId).find((membership) => membership.publicUserData?.userId === userId)

const userOf = (store: FakeStore, membership: Schemas.OrganizationMembership): Schemas.User =>
  store.users.get(membership.publicUserData!.userId)!

// Clerk leaves `max_allowed_memberships` at 0 for "no limit"; any other value caps the members.
const quotaExceeded = (organization: Schemas.Organization, used: number, adding: number): Reply | undefined =>
  organization.maxAllowedMemberships > 0 && used + adding > organization.maxAllowedMemberships
    ? errorReply(403, {
      code: "organization_membership_quota_exceeded",
      message: "membership quota exceeded",
      longMessage: `The organization allows at most ${organization.maxAllowedMemberships} memberships.`
    })
    : undefined

const addMembership = (
  store: FakeStore,
  organization: Schemas.Organization,
  user: Schemas.User,
  role: string,
  metadata: {
    readonly publicMetadata?: Metadata | null | undefined
    readonly privateMetadata?: Metadata | null | undefined
  },
  now: number
): Schemas.OrganizationMembership => {
  const membership: Schemas.OrganizationMembership = {
    id: store.ids.next("orgmem", now),
    object: "organization_membership",
    role,
    roleName: roleNameOf(role),
    permissions: systemPermissions[role] ?? [],
    publicMetadata: metadata.publicMetadata ?? {},
    privateMetadata: metadata.privateMetadata ?? {},
    organization,
    publicUserData: publicUserDataOf(user),
    createdAt: now,
    updatedAt: now
  }
  store.memberships.set(membership.id, membership)
  return membership
}

const notAdmin = (userId: string): Reply =>
  errorReply(403, {
    code: "not_an_admin_in_organization",
    message: "not an admin",
    longMessage: `User ${userId} is not an administrator of the organization.`
  })

/** An acting user (inviter, revoker) must be an admin member of the organization. */
const checkAdmin = (store: FakeStore, organizationId: string, userId: string | null | undefined): Reply | undefined => {
  if (userId === null || userId === undefined) return undefined
  if (!store.users.has(userId)) return notFound("user")
  return findMembership(store, organizationId, userId)?.role === "org:admin" ? undefined : notAdmin(userId)
}

const alreadyMember = (longMessage: string): Reply => badRequest("already_a_member_in_organization", longMessage)

type MembershipOrderFields = Readonly<
  Record<string, (membership: Schemas.OrganizationMembership) => string | number | null | undefined>
>

const membershipOrder = (store: FakeStore): MembershipOrderFields => ({
  created_at: (membership) => membership.createdAt,
  email_address: (membership) => primaryEmailOf(userOf(store, membership)),
  phone_number: (membership) => primaryPhoneOf(userOf(store, membership)),
  first_name: (membership) => userOf(store, membership).firstName,
  last_name: (membership) => userOf(store, membership).lastName,
  username: (membership) => userOf(store, membership).username
})

/** The many filters of `GET /organizations/{id}/memberships`, all on the member. */
const membershipFilter = (params: ParamsOf<"organizationMemberships.list">) => {
  const byUserId = signedFilter(params.userId)
  const anyOf = (wanted: ReadonlyArray<string> | undefined, values: ReadonlyArray<string>, caseless = false) =>
    wanted === undefined || wanted.length === 0 ||
    wanted.some((w) => values.some((v) => (caseless ? v.toLowerCase() === w.toLowerCase() : v === w)))
  return (membership: Schemas.OrganizationMembership, user: Schemas.User): boolean => {
    const emails = user.emailAddresses.map((email) => email.emailAddress)
    const phones = user.phoneNumbers.map((phone) => phone.phoneNumber)
    const wallets = user.web3Wallets.map((wallet) => wallet.web3Wallet)
    const usernames = user.username === null ? [] : [user.username]
    const fullName = [user.firstName, user.lastName].filter((part) => part !== null).join(" ")
    const query = params.query
    const lastActive = user.lastActiveAt
    return byUserId([user.id]) &&
      anyOf(params.emailAddress, emails, true) &&
      anyOf(params.phoneNumber, phones) &&
      anyOf(params.username, usernames, true) &&
      anyOf(params.web3Wallet, wallets, true) &&
      anyOf(params.role, [membership.role]) &&
      (query === undefined || query === "" ||
        [...emails, ...phones, ...wallets, ...usernames, user.id, user.firstName, user.lastName]
          .some((value) => contains(value, query))) &&
      (params.emailAddressQuery === undefined || emails.some((email) => contains(email, params.emailAddressQuery!))) &&
      (params.phoneNumberQuery === undefined || phones.some((phone) => contains(phone, params.phoneNumberQuery!))) &&
      (params.usernameQuery === undefined || contains(user.username, params.usernameQuery)) &&
      (params.nameQuery === undefined || contains(fullName, params.nameQuery)) &&
      (params.lastActiveAtBefore === undefined || (lastActive !== null && lastActive < params.lastActiveAtBefore)) &&
      (params.lastActiveAtAfter === undefined || (lastActive !== null && lastActive > params.lastActiveAtAfter)) &&
      (params.createdAtBefore === undefined || user.createdAt < params.createdAtBefore) &&
      (params.createdAtAfter === undefined || user.createdAt > params.createdAtAfter)
  }
}

const membershipPage = (
  store: FakeStore,
  memberships: ReadonlyArray<Schemas.OrganizationMembership>,
  params: {
    readonly orderBy?: string | undefined
    readonly limit?: number | undefined
    readonly offset?: number | undefined
  }
): Schemas.OrganizationMemberships | Reply => {
  // Clerk documents no default order for memberships; newest first matches its other lists.
  const sorted = orderBy(memberships, params.orderBy, "-created_at", membershipOrder(store))
  if (isReply(sorted)) return sorted
  return {
    data: page(sorted, params).map((membership) => renderMembership(store, membership)),
    totalCount: sorted.length
  }
}

// --- organization invitations -----------------------------------------------------------

const renderOrganizationInvitation = (
  store: FakeStore,
  invitation: Schemas.OrganizationInvitation,
  now: number
): Schemas.OrganizationInvitation => ({
  ...invitation,
  status: statusAt(invitation.status, invitation.expiresAt, now),
  publicInviterData: inviterDataOf(store, invitation.inviterId)
})

const withPublicOrganizationData = (
  store: FakeStore,
  invitation: Schemas.OrganizationInvitation,
  now: number
): Schemas.OrganizationInvitationWithPublicOrganizationData => {
  const organization = invitation.organizationId === undefined
    ? undefined
    : store.organizations.get(invitation.organizationId)
  return {
    ...renderOrganizationInvitation(store, invitation, now),
    ...(organization === undefined ? {} : {
      publicOrganizationData: {
        id: organization.id,
        name: organization.name,
        slug: organization.slug,
        ...(organization.imageUrl === undefined ? {} : { imageUrl: organization.imageUrl }),
        hasImage: organization.hasImage
      }
    })
  }
}

const organizationInvitationOrder = {
  created_at: (invitation: Schemas.OrganizationInvitation) => invitation.createdAt,
  email_address: (invitation: Schemas.OrganizationInvitation) => invitation.emailAddress
}

type OrganizationInvitationInput = ParamsOf<"organizationInvitations.bulkCreate">["invitations"][number]

/**
 * Checks and builds (without storing) organization invitations, all or none. `pending` holds
 * the emails already invited and still pending, so duplicates within a batch are refused too.
 */
const prepareOrganizationInvitations = (
  store: FakeStore,
  organization: Schemas.Organization,
  inputs: ReadonlyArray<OrganizationInvitationInput>,
  now: number
): ReadonlyArray<Schemas.OrganizationInvitation> | Reply => {
  const pending = pendingInvitationsOf(store, organization.id, now).map((invitation) => invitation.emailAddress)
  const members = membersOf(store, organization.id)
  const memberEmails = members.flatMap((membership) =>
    userOf(store, membership).emailAddresses.map((email) => email.emailAddress)
  )
  // A pending invitation holds a seat: members plus pending invitations may not pass the cap.
  const quota = quotaExceeded(organization, members.length + pending.length, inputs.length)
  if (quota !== undefined) return quota
  const out: Array<Schemas.OrganizationInvitation> = []
  for (const input of inputs) {
    const email = input.emailAddress.trim()
    const refused = checkEmailAddress(email.trim()) ?? checkRole(input.role) ??
      checkAdmin(store, organization.id, input.inviterUserId)
    if (refused !== undefined) return refused
    if (memberEmails.some((known) => sameEmail(known, email))) {
      return alreadyMember(`${email} already belongs to a member of the organization.`)
    }
    // Clerk refuses a second pending invitation to the same address; we answer 422 duplicate_record.
    if (pending.some((known) => sameEmail(known, email))) {
      return errorReply(422, {
        code: "duplicate_record",
        message: "duplicate invitation",
        longMessage: `There is already a pending invitation for ${email} in this organization.`,
        meta: { param_name: "email_address" }
      })
    }
    const expiresAt = expiryOf(now, input.expiresInDays)
    if (isReply(expiresAt)) return expiresAt
    pending.push(email)
    out.push({
      object: "organization_invitation",
      id: store.ids.next("orginv", now),
      emailAddress: email,
      role: input.role,
      roleName: roleNameOf(input.role),
      organizationId: organization.id,
      inviterId: input.inviterUserId ?? null,
      publicInviterData: null,
      status: "pending",
      publicMetadata: input.publicMetadata ?? {},
      privateMetadata: input.privateMetadata ?? {},
      url: ticketUrl(store, input.redirectUrl),
      expiresAt,
      createdAt: now,
      updatedAt: now
    })
  }
  return out
}

/** The email Clerk sends with an invitation (unless told not to), reported as `email.created`. */
const invitationEmail = (store: FakeStore, now: number, to: string, slug: string, url: string | null | undefined) =>
  emailSent(store, now, { to, slug, subject: "You have been invited", data: { action_url: url ?? null } })

// --- instance invitations ---------------------------------------------------------------

type InvitationInput = NonNullable<ParamsOf<"invitations.bulkCreate">["invitations"]>[number]

/**
 * Checks and builds (without storing) instance invitations, all or none. An address that
 * belongs to a user is refused (422 form_identifier_exists), as is one with a pending
 * invitation (422 duplicate_record) unless `ignoreExisting`; the single create also lets
 * `ignoreExisting` pass an address that belongs to a user, the bulk one never does.
 */
const prepareInvitations = (
  store: FakeStore,
  inputs: ReadonlyArray<InvitationInput>,
  now: number,
  ignoreExistingSkipsUsers: boolean
): ReadonlyArray<Schemas.Invitation> | Reply => {
  const pending = [...store.invitations.values()]
    .filter((invitation) => statusAt(invitation.status, invitation.expiresAt, now) === "pending")
    .map((invitation) => invitation.emailAddress)
  const userEmails = [...store.users.values()].flatMap((user) => user.emailAddresses.map((email) => email.emailAddress))
  const out: Array<Schemas.Invitation> = []
  for (const input of inputs) {
    const email = input.emailAddress.trim()
    const refused = checkEmailAddress(email.trim())
    if (refused !== undefined) return refused
    const ignoreExisting = input.ignoreExisting === true
    if ((!ignoreExisting || !ignoreExistingSkipsUsers) && userEmails.some((known) => sameEmail(known, email))) {
      return identifierExists("email_address", "email address")
    }
    if (!ignoreExisting && pending.some((known) => sameEmail(known, email))) {
      return errorReply(422, {
        code: "duplicate_record",
        message: "duplicate invitation",
        longMessage: `There is already a pending invitation for ${email}.`,
        meta: { param_name: "email_address" }
      })
    }
    const expiresAt = expiryOf(now, input.expiresInDays)
    if (isReply(expiresAt)) return expiresAt
    pending.push(email)
    out.push({
      object: "invitation",
      id: store.ids.next("inv", now),
      emailAddress: email,
      publicMetadata: input.publicMetadata ?? {},
      revoked: false,
      status: "pending",
      url: ticketUrl(store, input.redirectUrl),
      expiresAt,
      createdAt: now,
      updatedAt: now
    })
  }
  return out
}

const renderInvitation = (invitation: Schemas.Invitation, now: number): Schemas.Invitation => ({
  ...invitation,
  status: statusAt(invitation.status, invitation.expiresAt, now)
})

const checkBatch = (param: string, items: ReadonlyArray<unknown> | undefined): Reply | undefined => {
  if (items === undefined || items.length === 0) return missingParam(param)
  return items.length > 10 ? invalidParam(param, "At most 10 invitations can be created per request.") : undefined
}

// --- routes -----------------------------------------------------------------------------

/** Built-in routes of organizations, memberships, organization and instance invitations. */
export const organizationRoutes = routes({
  "organizations.create": (params, { now, store }) => {
    const refused = checkName(params.name)
    if (refused !== undefined) return refused
    const createdBy = params.createdBy ?? undefined
    const creator = createdBy === undefined ? undefined : store.users.get(createdBy)
    if (createdBy !== undefined && creator === undefined) {
      return invalidParam("created_by", `created_by must be the id of an existing user; ${createdBy} is not.`)
    }
    let slug: string
    if (params.slug !== null && params.slug !== undefined) {
      const slugRefused = checkSlug(store, params.slug)
      if (slugRefused !== undefined) return slugRefused
      slug = params.slug
    } else {
      // Names need not be unique, so a derived slug that is taken gets a random suffix
      // instead of refusing the organization.
      const base = slugify(params.name)
      slug = base === "" ? store.ids.token(8) : base
      while (slugTaken(store, slug)) slug = `${base === "" ? "org" : base}-${store.ids.token(6)}`
    }
    const maxAllowedMemberships = maxAllowedMembershipsOf(params.maxAllowedMemberships)
    if (isReply(maxAllowedMemberships)) return maxAllowedMemberships
    const createdAt = params.createdAt == null ? now : parseTimestamp("created_at", params.createdAt)
    if (isReply(createdAt)) return createdAt
    const id = store.ids.next("org", now)
    const organization: Schemas.Organization = {
      object: "organization",
      id,
      name: params.name,
      slug,
      imageUrl: defaultImageUrl("organization", id),
      hasImage: false,
      maxAllowedMemberships: maxAllowedMemberships ?? 0,
      adminDeleteEnabled: true,
      publicMetadata: params.publicMetadata ?? {},
      privateMetadata: params.privateMetadata ?? {},
      ...(createdBy === undefined ? {} : { createdBy }),
      createdAt,
      updatedAt: now,
      roleSetKey: params.roleSetKey ?? null
    }
    store.organizations.set(organization.id, organization)
    if (creator !== undefined) addMembership(store, organization, creator, "org:admin", {}, now)
    return renderOrganization(store, organization, { now })
  },

  "organizations.get": (params, { now, store }) => {
    const organization = findOrganizationByIdOrSlug(store, params.organizationId)
    if (organization === undefined) return notFound("organization")
    return renderOrganization(store, organization, {
      now,
      counts: params.includeMembersCount,
      missingAdmin: params.includeMissingMemberWithElevatedPermissions
    })
  },

  "organizations.list": (params, { now, store }) => {
    const byOrganizationId = signedFilter(params.organizationId)
    const byMember = signedFilter(params.userId)
    const query = params.query
    const candidates = [...store.organizations.values()].filter((organization) =>
      byOrganizationId([organization.id]) &&
      byMember(memberIdsOf(store, organization.id)) &&
      (query === undefined || query === "" || organization.id === query || contains(organization.name, query) ||
        contains(organization.slug, query))
    )
    const sorted = orderBy(candidates, params.orderBy, "-created_at", {
      created_at: (organization) => organization.createdAt,
      name: (organization) => organization.name,
      members_count: (organization) => membersOf(store, organization.id).length
    })
    if (isReply(sorted)) return sorted
    const view = {
      now,
      counts: params.includeMembersCount,
      missingAdmin: params.includeMissingMemberWithElevatedPermissions
    }
    return {
      data: page(sorted, params).map((organization) => renderOrganization(store, organization, view)),
      totalCount: sorted.length
    }
  },

  "organizations.update": (params, { now, store }) => {
    const organization = findOrganization(store, params.organizationId)
    if (organization === undefined) return notFound("organization")
    if (params.name !== undefined && params.name !== null) {
      const refused = checkName(params.name)
      if (refused !== undefined) return refused
    }
    if (params.slug !== undefined && params.slug !== null) {
      const refused = checkSlug(store, params.slug, organization.id)
      if (refused !== undefined) return refused
    }
    const maxAllowedMemberships = maxAllowedMembershipsOf(params.maxAllowedMemberships)
    if (isReply(maxAllowedMemberships)) return maxAllowedMemberships
    const createdAt = params.createdAt == null ? organization.createdAt : parseTimestamp("created_at", params.createdAt)
    if (isReply(createdAt)) return createdAt
    const updated: Schemas.Organization = {
      ...organization,
      ...(params.name === undefined || params.name === null ? {} : { name: params.name }),
      ...(params.slug === undefined || params.slug === null ? {} : { slug: params.slug }),
      ...(maxAllowedMemberships === undefined ? {} : { maxAllowedMemberships }),
      ...(params.adminDeleteEnabled === undefined || params.adminDeleteEnabled === null
        ? {}
        : { adminDeleteEnabled: params.adminDeleteEnabled }),
      ...(params.roleSetKey === undefined ? {} : { roleSetKey: params.roleSetKey }),
      createdAt,
      updatedAt: now
    }
    store.organizations.set(updated.id, updated)
    return renderOrganization(store, updated, { now })
  },

  "organizations.mergeMetadata": (params, { now, store }) => {
    const organization = findOrganization(store, params.organizationId)
    if (organization === undefined) return notFound("organization")
    const updated: Schemas.Organization = {
      ...organization,
      ...mergeMetadataFields(organization, params, ["publicMetadata", "privateMetadata"]),
      updatedAt: now
    }
    store.organizations.set(updated.id, updated)
    return renderOrganization(store, updated, { now })
  },

  "organizations.replaceMetadata": (params, { now, store }) => {
    const organization = findOrganization(store, params.organizationId)
    if (organization === undefined) return notFound("organization")
    const updated: Schemas.Organization = {
      ...organization,
      ...(params.publicMetadata === undefined ? {} : { publicMetadata: params.publicMetadata }),
      ...(params.privateMetadata === undefined ? {} : { privateMetadata: params.privateMetadata }),
      updatedAt: now
    }
    store.organizations.set(updated.id, updated)
    return renderOrganization(store, updated, { now })
  },

  "organizations.delete": (params, { store }) => {
    const organization = findOrganization(store, params.organizationId)
    if (organization === undefined) return notFound("organization")
    store.organizations.delete(organization.id)
    for (const [id, membership] of store.memberships) {
      if (membership.organization.id === organization.id) store.memberships.delete(id)
    }
    for (const [id, invitation] of store.organizationInvitations) {
      if (invitation.organizationId === organization.id) store.organizationInvitations.delete(id)
    }
    return { object: "organization", id: organization.id, slug: organization.slug, deleted: true }
  },

  "organizationMemberships.create": (params, { now, store }) => {
    const organization = findOrganization(store, params.organizationId)
    if (organization === undefined) return notFound("organization")
    const user = store.users.get(params.userId)
    if (user === undefined) return notFound("user")
    const refused = checkRole(params.role)
    if (refused !== undefined) return refused
    // Clerk answers 400 already_a_member_in_organization for a second membership.
    if (findMembership(store, organization.id, user.id) !== undefined) {
      return alreadyMember(`User ${user.id} is already a member of organization ${organization.id}.`)
    }
    // Only members count here; pending invitations count when inviting.
    const quota = quotaExceeded(organization, membersOf(store, organization.id).length, 1)
    if (quota !== undefined) return quota
    const membership = addMembership(store, organization, user, params.role, params, now)
    return renderMembership(store, membership)
  },

  "organizationMemberships.list": (params, { store }) => {
    if (findOrganization(store, params.organizationId) === undefined) return notFound("organization")
    const matches = membershipFilter(params)
    const memberships = membersOf(store, params.organizationId).filter((membership) =>
      matches(membership, userOf(store, membership))
    )
    return membershipPage(store, memberships, params)
  },

  "organizationMemberships.update": (params, { now, store }) => {
    if (findOrganization(store, params.organizationId) === undefined) return notFound("organization")
    const membership = findMembership(store, params.organizationId, params.userId)
    if (membership === undefined) return notFound("organization membership")
    const refused = checkRole(params.role)
    if (refused !== undefined) return refused
    const updated: Schemas.OrganizationMembership = {
      ...membership,
      role: params.role,
      roleName: roleNameOf(params.role),
      permissions: systemPermissions[params.role] ?? [],
      updatedAt: now
    }
    store.memberships.set(updated.id, updated)
    return renderMembership(store, updated)
  },

  "organizationMemberships.updateMetadata": (params, { now, store }) => {
    if (findOrganization(store, params.organizationId) === undefined) return notFound("organization")
    const membership = findMembership(store, params.organizationId, params.userId)
    if (membership === undefined) return notFound("organization membership")
    const updated: Schemas.OrganizationMembership = {
      ...membership,
      ...mergeMetadataFields(membership, params, ["publicMetadata", "privateMetadata"]),
      updatedAt: now
    }
    store.memberships.set(updated.id, updated)
    return renderMembership(store, updated)
  },

  "organizationMemberships.delete": (params, { store }) => {
    if (findOrganization(store, params.organizationId) === undefined) return notFound("organization")
    const membership = findMembership(store, params.organizationId, params.userId)
    if (membership === undefined) return notFound("organization membership")
    const answer = renderMembership(store, membership)
    store.memberships.delete(membership.id)
    return answer
  },

  // The spec declares no 404 here, so an unknown user simply has no memberships.
  "users.getOrganizationMemberships": (params, { store }) =>
    membershipPage(
      store,
      liveMemberships(store).filter((membership) => membership.publicUserData?.userId === params.userId),
      params
    ),

  "users.getInstanceOrganizationMemberships": (params, { store }) =>
    membershipPage(store, liveMemberships(store), params),

  "users.getOrganizationInvitations": (params, { now, store }) => {
    const user = store.users.get(params.userId)
    if (user === undefined) return notFound("user")
    const emails = user.emailAddresses.map((email) => email.emailAddress)
    const invitations = [...store.organizationInvitations.values()].filter((invitation) =>
      emails.some((email) => sameEmail(email, invitation.emailAddress)) &&
      (params.status === undefined || statusAt(invitation.status, invitation.expiresAt, now) === params.status)
    )
    const sorted = [...invitations].reverse()
    return {
      data: page(sorted, params).map((invitation) => withPublicOrganizationData(store, invitation, now)),
      totalCount: sorted.length
    }
  },

  "organizationInvitations.create": (params, { now, store }) => {
    const organization = findOrganization(store, params.organizationId)
    if (organization === undefined) return notFound("organization")
    const prepared = prepareOrganizationInvitations(store, organization, [params], now)
    if (isReply(prepared)) return prepared
    const invitation = prepared[0]!
    store.organizationInvitations.set(invitation.id, invitation)
    invitationEmail(store, now, invitation.emailAddress, "organization_invitation", invitation.url)
    return renderOrganizationInvitation(store, invitation, now)
  },

  "organizationInvitations.bulkCreate": (params, { now, store }) => {
    const organization = findOrganization(store, params.organizationId)
    if (organization === undefined) return notFound("organization")
    const refused = checkBatch("invitations", params.invitations)
    if (refused !== undefined) return refused
    const prepared = prepareOrganizationInvitations(store, organization, params.invitations, now)
    if (isReply(prepared)) return prepared
    for (const invitation of prepared) {
      store.organizationInvitations.set(invitation.id, invitation)
      // The batch answers a list, which names no single event: each invitation reports its own.
      alsoCaused(
        store,
        "organizationInvitation.created",
        "organizationInvitations.get",
        renderOrganizationInvitation(store, invitation, now)
      )
      invitationEmail(store, now, invitation.emailAddress, "organization_invitation", invitation.url)
    }
    return {
      data: prepared.map((invitation) => renderOrganizationInvitation(store, invitation, now)),
      totalCount: prepared.length
    }
  },

  "organizationInvitations.list": (params, { now, store }) => {
    if (findOrganization(store, params.organizationId) === undefined) return notFound("organization")
    const emailAddress = params.emailAddress
    const invitations = [...store.organizationInvitations.values()].filter((invitation) =>
      invitation.organizationId === params.organizationId &&
      (params.status === undefined || statusAt(invitation.status, invitation.expiresAt, now) === params.status) &&
      (emailAddress === undefined || sameEmail(invitation.emailAddress, emailAddress))
    )
    const sorted = orderBy(invitations, params.orderBy, "-created_at", organizationInvitationOrder)
    if (isReply(sorted)) return sorted
    return {
      data: page(sorted, params).map((invitation) => renderOrganizationInvitation(store, invitation, now)),
      totalCount: sorted.length
    }
  },

  "organizationInvitations.listPending": (params, { now, store }) => {
    if (findOrganization(store, params.organizationId) === undefined) return notFound("organization")
    const sorted = [...pendingInvitationsOf(store, params.organizationId, now)].reverse()
    return {
      data: page(sorted, params).map((invitation) => renderOrganizationInvitation(store, invitation, now)),
      totalCount: sorted.length
    }
  },

  "organizationInvitations.getAll": (params, { now, store }) => {
    const query = params.query
    const invitations = [...store.organizationInvitations.values()].filter((invitation) =>
      (params.status === undefined || statusAt(invitation.status, invitation.expiresAt, now) === params.status) &&
      (query === undefined || query === "" || contains(invitation.emailAddress, query))
    )
    const sorted = orderBy(invitations, params.orderBy, "-created_at", organizationInvitationOrder)
    if (isReply(sorted)) return sorted
    return {
      data: page(sorted, params).map((invitation) => withPublicOrganizationData(store, invitation, now)),
      totalCount: sorted.length
    }
  },

  "organizationInvitations.get": (params, { now, store }) => {
    if (findOrganization(store, params.organizationId) === undefined) return notFound("organization")
    const invitation = store.organizationInvitations.get(params.invitationId)
    if (invitation === undefined || invitation.organizationId !== params.organizationId) {
      return notFound("organization invitation")
    }
    return renderOrganizationInvitation(store, invitation, now)
  },

  "organizationInvitations.revoke": (params, { now, store }) => {
    if (findOrganization(store, params.organizationId) === undefined) return notFound("organization")
    const invitation = store.organizationInvitations.get(params.invitationId)
    if (invitation === undefined || invitation.organizationId !== params.organizationId) {
      return notFound("organization invitation")
    }
    const refused = checkAdmin(store, params.organizationId, params.requestingUserId)
    if (refused !== undefined) return refused
    const status = statusAt(invitation.status, invitation.expiresAt, now)
    // Only pending invitations can be revoked; anything else is a 400.
    if (status !== "pending") {
      return badRequest(
        "organization_invitation_not_pending",
        `The invitation is ${status}; only pending invitations can be revoked.`
      )
    }
    const revoked: Schemas.OrganizationInvitation = { ...invitation, status: "revoked", updatedAt: now }
    store.organizationInvitations.set(revoked.id, revoked)
    return renderOrganizationInvitation(store, revoked, now)
  },

  "invitations.create": (params, { now, store }) => {
    const prepared = prepareInvitations(store, [params], now, true)
    if (isReply(prepared)) return prepared
    const invitation = prepared[0]!
    store.invitations.set(invitation.id, invitation)
    if (params.notify !== false) invitationEmail(store, now, invitation.emailAddress, "invitation", invitation.url)
    return invitation
  },

  "invitations.bulkCreate": (params, { now, store }) => {
    const refused = checkBatch("invitations", params.invitations)
    if (refused !== undefined) return refused
    const prepared = prepareInvitations(store, params.invitations ?? [], now, false)
    if (isReply(prepared)) return prepared
    for (const [i, invitation] of prepared.entries()) {
      store.invitations.set(invitation.id, invitation)
      if (params.invitations?.[i]?.notify !== false) {
        invitationEmail(store, now, invitation.emailAddress, "invitation", invitation.url)
      }
    }
    return prepared
  },

  "invitations.list": (params, { now, store }) => {
    const query = params.query
    const rendered = [...store.invitations.values()].map((invitation) => renderInvitation(invitation, now))
    const invitations = rendered.filter((invitation) =>
      // Without a status filter Clerk lists the invitations that were not revoked.
      (params.status === undefined ? invitation.status !== "revoked" : invitation.status === params.status) &&
      (query === undefined || query === "" || contains(invitation.emailAddress, query) ||
        contains(invitation.id, query))
    )
    const sorted = orderBy(invitations, params.orderBy, "-created_at", {
      created_at: (invitation) => invitation.createdAt,
      email_address: (invitation) => invitation.emailAddress,
      expires_at: (invitation) => invitation.expiresAt
    })
    if (isReply(sorted)) return sorted
    return page(sorted, params)
  },

  "invitations.revoke": (params, { now, store }) => {
    const invitation = store.invitations.get(params.invitationId)
    if (invitation === undefined) return notFound("invitation")
    const status = statusAt(invitation.status, invitation.expiresAt, now)
    if (status !== "pending") {
      return badRequest(
        "invitation_not_pending",
        `The invitation is ${status}; only pending invitations can be revoked.`
      )
    }
    const revoked: Schemas.Invitation = { ...invitation, revoked: true, status: "revoked", updatedAt: now }
    store.invitations.set(revoked.id, revoked)
    return { ...revoked, status: "revoked" }
  }
})
