/**
 * Built-in routes of the fake for users and the identifiers they own: email addresses, phone
 * numbers and web3 wallets live inside the user record, as Clerk returns them, and are found
 * by id across users.
 *
 * @internal
 */
import type * as Schemas from "../../v4/generated/Schemas.js"
import type * as Users from "../../v4/generated/Users.js"
import type { Reply } from "./core.js"
import {
  badRequest,
  checkEmailAddress,
  conflict,
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
import type { RouteContext } from "./route.js"
import { routes } from "./route.js"
import { sessionRevoked } from "./sideEvents.js"
import type { FakeStore } from "./store.js"
import { extensionOf } from "./store.js"

/** How an identifier is created: usable and proven, usable but unproven, or neither. */
type IdentificationStatus = "verified" | "reserved" | "unverified"

/** Where a user sits in creation order, kept after deletion so a cursor on a deleted user still works. */
interface Position {
  readonly createdAt: number
  readonly sequence: number
}

/** What the fake tracks about users beyond the records themselves. */
interface UserState {
  readonly positions: Map<string, Position>
  nextSequence: number
  /** Users whose password was given as a digest: enabled, but not checkable by the fake. */
  readonly digestOnly: Set<string>
  /** Users whose password was flagged compromised (not part of the user object). */
  readonly compromised: Set<string>
  /** Who owns each identifier (`email:…`, `phone:…`, `username:…`, `external:…`, `wallet:…`). */
  readonly owners: Map<string, string>
}

const userStateKey = Symbol("effect-clerk/ClerkTest/users")

const stateOf = (store: FakeStore): UserState =>
  extensionOf<UserState>(store, userStateKey, () => ({
    positions: new Map(),
    nextSequence: 0,
    digestOnly: new Set(),
    compromised: new Set(),
    owners: new Map()
  }))

/** The attempts an instance with lockout enabled allows (Clerk's default). */
const verificationAttempts = 100

const minimumPasswordLength = 8

const e164Pattern = /^\+[1-9]\d{5,14}$/

const defaultImageUrl = (userId: string) => `https://img.clerk.com/fake/default/${userId}`

// ---------------------------------------------------------------------------------------------
// Identifiers

const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** Phone numbers are compared and stored without the separators people type. */
const normalizePhone = (phone: string) => phone.replace(/[\s().-]/g, "")

/** An empty string clears a username or external id, as `null` does. */
const blankToNull = (value: string | null | undefined): string | null | undefined => value === "" ? null : value

const adminVerification = (): Schemas.VerificationAdmin => ({
  object: "verification_admin",
  status: "verified",
  strategy: "admin",
  attempts: null,
  expireAt: null
})

const isVerified = (identifier: { readonly verification: { readonly status: string } | null }) =>
  identifier.verification?.status === "verified"

const makeEmailAddress = (
  context: RouteContext,
  address: string,
  status: IdentificationStatus,
  id?: string
): Schemas.EmailAddress => ({
  id: id ?? context.store.ids.next("idn", context.now),
  object: "email_address",
  emailAddress: address,
  reserved: status === "reserved",
  // Only an admin-verified address carries a verification; a reserved or unverified one has had
  // no verification attempt yet.
  verification: status === "verified" ? adminVerification() : null,
  linkedTo: [],
  matchesSsoConnection: false,
  createdAt: context.now,
  updatedAt: context.now
})

const makePhoneNumber = (
  context: RouteContext,
  phone: string,
  status: IdentificationStatus,
  id?: string
): Schemas.PhoneNumber => ({
  id: id ?? context.store.ids.next("idn", context.now),
  object: "phone_number",
  phoneNumber: phone,
  reservedForSecondFactor: false,
  defaultSecondFactor: false,
  reserved: status === "reserved",
  verification: status === "verified" ? adminVerification() : null,
  linkedTo: [],
  backupCodes: null,
  createdAt: context.now,
  updatedAt: context.now
})

const makeWeb3Wallet = (context: RouteContext, wallet: string): Schemas.Web3Wallet => ({
  id: context.store.ids.next("idn", context.now),
  object: "web3_wallet",
  web3Wallet: wallet,
  verification: adminVerification(),
  createdAt: context.now,
  updatedAt: context.now
})

/** The identifiers a user owns, each as `kind:value` in the form uniqueness is judged on. */
const identifierKeys = (user: Schemas.User): ReadonlyArray<string> => [
  ...user.emailAddresses.map((email) => `email:${email.emailAddress.toLowerCase()}`),
  ...user.phoneNumbers.map((number) => `phone:${normalizePhone(number.phoneNumber)}`),
  ...user.web3Wallets.map((wallet) => `wallet:${wallet.web3Wallet.toLowerCase()}`),
  ...(user.username === null ? [] : [`username:${user.username.toLowerCase()}`]),
  ...(user.externalId === null ? [] : [`external:${user.externalId}`])
]

/** Keeps the identifier index in step with a user being written (`next`) or removed (`undefined`). */
const reindex = (store: FakeStore, previous: Schemas.User | undefined, next: Schemas.User | undefined): void => {
  const { owners } = stateOf(store)
  for (const key of previous === undefined ? [] : identifierKeys(previous)) {
    if (owners.get(key) === previous!.id) owners.delete(key)
  }
  for (const key of next === undefined ? [] : identifierKeys(next)) owners.set(key, next!.id)
}

// Uniqueness is looked up in the index, so creating the n-th user costs the same as the first.
const takenBy = (store: FakeStore, key: string, exceptUserId: string | undefined): boolean => {
  const owner = stateOf(store).owners.get(key)
  return owner !== undefined && owner !== exceptUserId
}

const emailTaken = (store: FakeStore, address: string, exceptUserId?: string): boolean =>
  takenBy(store, `email:${address.toLowerCase()}`, exceptUserId)

const phoneTaken = (store: FakeStore, phone: string, exceptUserId?: string): boolean =>
  takenBy(store, `phone:${phone}`, exceptUserId)

const usernameTaken = (store: FakeStore, username: string, exceptUserId?: string): boolean =>
  takenBy(store, `username:${username.toLowerCase()}`, exceptUserId)

const externalIdTaken = (store: FakeStore, externalId: string, exceptUserId?: string): boolean =>
  takenBy(store, `external:${externalId}`, exceptUserId)

const web3WalletTaken = (store: FakeStore, wallet: string): boolean =>
  takenBy(store, `wallet:${wallet.toLowerCase()}`, undefined)

const checkPhoneFormat = (phone: string): Reply | undefined =>
  e164Pattern.test(phone)
    ? undefined
    : invalidParam(
      "phone_number",
      `${JSON.stringify(phone)} is not a phone number in E.164 format (such as +15555550100).`
    )

const checkPassword = (password: string, skipChecks: boolean | null | undefined): Reply | undefined =>
  skipChecks === true || password.length >= minimumPasswordLength
    ? undefined
    : errorReply(422, {
      code: "form_password_length_too_short",
      message: "is too short",
      longMessage: `Passwords must be ${minimumPasswordLength} characters or more.`,
      meta: { param_name: "password" }
    })

/** Reads an RFC 3339 timestamp parameter as epoch milliseconds. */
/** The statuses of `count` identifiers: all verified unless given one per identifier. */
const identificationStatuses = (
  param: string,
  count: number,
  statuses: ReadonlyArray<"verified" | "reserved"> | undefined
): ReadonlyArray<IdentificationStatus> | Reply => {
  if (statuses === undefined || statuses.length === 0) return Array.from({ length: count }, () => "verified")
  if (statuses.length !== count) {
    return invalidParam(param, `${param} must have exactly one item per identifier (${count}), not ${statuses.length}.`)
  }
  return statuses
}

// ---------------------------------------------------------------------------------------------
// Users

/** Recomputes the two-factor flags after a change to TOTP, backup codes or second-factor phones. */
const withMfa = (user: Schemas.User, now: number): Schemas.User => {
  const enabled = user.totpEnabled || user.backupCodeEnabled ||
    user.phoneNumbers.some((phone) => phone.reservedForSecondFactor === true)
  if (enabled === user.twoFactorEnabled) return user
  return enabled
    ? { ...user, twoFactorEnabled: true, mfaEnabledAt: now }
    : { ...user, twoFactorEnabled: false, mfaDisabledAt: now }
}

/**
 * Stores a user, keeping the identifier index in step. Memberships need no update: they are
 * answered with their user's current data (organizations.ts renders them on every read).
 */
const saveUser = (store: FakeStore, user: Schemas.User): Schemas.User => {
  reindex(store, store.users.get(user.id), user)
  store.users.set(user.id, user)
  return user
}

const revokeSessions = (store: FakeStore, userId: string, now: number): void => {
  for (const [id, session] of store.sessions) {
    if (session.userId === userId && (session.status === "active" || session.status === "pending")) {
      const revoked = { ...session, status: "revoked" as const, updatedAt: now }
      store.sessions.set(id, revoked)
      sessionRevoked(store, revoked)
    }
  }
}

/** Applies a change to a known user, or answers 404. */
const withUser = (
  context: RouteContext,
  userId: string,
  change: (user: Schemas.User) => Schemas.User | Reply
): Schemas.User | Reply => {
  const user = context.store.users.get(userId)
  if (user === undefined) return notFound("user")
  const changed = change(user)
  return isReply(changed) ? changed : saveUser(context.store, changed)
}

const createUser = (params: Users.CreateParams, context: RouteContext): Schemas.User | Reply => {
  const { store, now } = context
  const emails = params.emailAddress ?? []
  const phones = (params.phoneNumber ?? []).map(normalizePhone)
  const wallets = params.web3Wallet ?? []
  const username = blankToNull(params.username) ?? null
  const externalId = blankToNull(params.externalId) ?? null

  const emailStatuses = identificationStatuses(
    "email_address_identification_status",
    emails.length,
    params.emailAddressIdentificationStatus
  )
  if (isReply(emailStatuses)) return emailStatuses
  const phoneStatuses = identificationStatuses(
    "phone_number_identification_status",
    phones.length,
    params.phoneNumberIdentificationStatus
  )
  if (isReply(phoneStatuses)) return phoneStatuses

  for (const [index, address] of emails.entries()) {
    const invalid = checkEmailAddress(address)
    if (invalid !== undefined) return invalid
    if (emailTaken(store, address) || emails.slice(0, index).some((other) => sameText(other, address))) {
      return identifierExists("email_address", "email address")
    }
  }
  for (const [index, phone] of phones.entries()) {
    const invalid = checkPhoneFormat(phone)
    if (invalid !== undefined) return invalid
    if (phoneTaken(store, phone) || phones.slice(0, index).includes(phone)) {
      return identifierExists("phone_number", "phone number")
    }
  }
  for (const [index, wallet] of wallets.entries()) {
    if (web3WalletTaken(store, wallet) || wallets.slice(0, index).some((other) => sameText(other, wallet))) {
      return identifierExists("web3_wallet", "web3 wallet")
    }
  }
  if (username !== null && usernameTaken(store, username)) return identifierExists("username", "username")
  if (externalId !== null && externalIdTaken(store, externalId)) return identifierExists("external_id", "external ID")

  const password = params.password ?? null
  if (password !== null) {
    const weak = checkPassword(password, params.skipPasswordChecks)
    if (weak !== undefined) return weak
  }
  const createdAt = params.createdAt == null ? now : parseTimestamp("created_at", params.createdAt)
  if (isReply(createdAt)) return createdAt
  const legalAcceptedAt = params.legalAcceptedAt == null
    ? null
    : parseTimestamp("legal_accepted_at", params.legalAcceptedAt)
  if (isReply(legalAcceptedAt)) return legalAcceptedAt

  const emailAddresses = emails.map((address, index) => makeEmailAddress(context, address, emailStatuses[index]!))
  const phoneNumbers = phones.map((phone, index) => makePhoneNumber(context, phone, phoneStatuses[index]!))
  const web3Wallets = wallets.map((wallet) => makeWeb3Wallet(context, wallet))
  const id = store.ids.next("user", now)
  const hasDigest = params.passwordDigest != null
  const totpEnabled = params.totpSecret != null && params.totpSecret !== ""
  const backupCodeEnabled = (params.backupCodes ?? []).length > 0
  const locked = params.locked === true

  const user: Schemas.User = {
    id,
    object: "user",
    externalId,
    primaryEmailAddressId: emailAddresses[0]?.id ?? null,
    primaryPhoneNumberId: phoneNumbers[0]?.id ?? null,
    primaryWeb3WalletId: web3Wallets[0]?.id ?? null,
    username,
    firstName: params.firstName ?? null,
    lastName: params.lastName ?? null,
    locale: params.locale ?? null,
    imageUrl: defaultImageUrl(id),
    hasImage: false,
    publicMetadata: params.publicMetadata ?? {},
    privateMetadata: params.privateMetadata ?? {},
    unsafeMetadata: params.unsafeMetadata ?? {},
    emailAddresses,
    phoneNumbers,
    web3Wallets,
    passkeys: [],
    passwordEnabled: password !== null || hasDigest,
    twoFactorEnabled: totpEnabled || backupCodeEnabled,
    totpEnabled,
    backupCodeEnabled,
    mfaEnabledAt: totpEnabled || backupCodeEnabled ? now : null,
    mfaDisabledAt: null,
    passwordLastUpdatedAt: password !== null || hasDigest ? now : null,
    externalAccounts: [],
    samlAccounts: [],
    enterpriseAccounts: [],
    lastSignInAt: null,
    banned: params.banned === true,
    locked,
    // An explicit lock on this fake instance lasts until unlocked: Clerk reports that as null.
    lockoutExpiresInSeconds: null,
    verificationAttemptsRemaining: verificationAttempts,
    updatedAt: now,
    createdAt,
    deleteSelfEnabled: params.deleteSelfEnabled ?? true,
    createOrganizationEnabled: params.createOrganizationEnabled ?? true,
    createOrganizationsLimit: params.createOrganizationsLimit ?? null,
    lastActiveAt: null,
    legalAcceptedAt,
    bypassClientTrust: params.bypassClientTrust ?? false
  }

  const state = stateOf(store)
  state.positions.set(id, { createdAt, sequence: state.nextSequence++ })
  if (password !== null) store.passwords.set(id, password)
  else if (hasDigest) state.digestOnly.add(id)
  return saveUser(store, user)
}

const updateUser = (params: Users.UpdateParams, context: RouteContext): Schemas.User | Reply =>
  withUser(context, params.userId, (user) => {
    const { store, now } = context
    let next: Schemas.User = { ...user, updatedAt: now }

    const username = blankToNull(params.username)
    if (username !== undefined) {
      if (username !== null && usernameTaken(store, username, user.id)) return identifierExists("username", "username")
      next = { ...next, username }
    }
    const externalId = blankToNull(params.externalId)
    if (externalId !== undefined) {
      // Our choice: a taken external id on update is a 409 (the operation declares one), keeping
      // the form_identifier_exists code and param name that users.create answers with a 422.
      if (externalId !== null && externalIdTaken(store, externalId, user.id)) {
        return conflict("form_identifier_exists", "That external ID is taken. Please try another.", "external_id")
      }
      next = { ...next, externalId }
    }
    if (params.firstName !== undefined) next = { ...next, firstName: params.firstName }
    if (params.lastName !== undefined) next = { ...next, lastName: params.lastName }
    if (params.locale !== undefined) next = { ...next, locale: params.locale }

    if (params.primaryEmailAddressId != null) {
      const email = user.emailAddresses.find((entry) => entry.id === params.primaryEmailAddressId)
      if (email === undefined) {
        return invalidParam("primary_email_address_id", "The email address does not belong to this user.")
      }
      if (!isVerified(email)) {
        return invalidParam("primary_email_address_id", "Only a verified email address can be primary.")
      }
      next = { ...next, primaryEmailAddressId: params.primaryEmailAddressId }
    }
    if (params.primaryPhoneNumberId != null) {
      const phone = user.phoneNumbers.find((entry) => entry.id === params.primaryPhoneNumberId)
      if (phone === undefined) {
        return invalidParam("primary_phone_number_id", "The phone number does not belong to this user.")
      }
      if (!isVerified(phone)) {
        return invalidParam("primary_phone_number_id", "Only a verified phone number can be primary.")
      }
      next = { ...next, primaryPhoneNumberId: params.primaryPhoneNumberId }
    }
    if (params.primaryWeb3WalletId != null) {
      if (!user.web3Wallets.some((entry) => entry.id === params.primaryWeb3WalletId)) {
        return invalidParam("primary_web3_wallet_id", "The web3 wallet does not belong to this user.")
      }
      next = { ...next, primaryWeb3WalletId: params.primaryWeb3WalletId }
    }

    let newPassword: string | undefined
    if (params.password != null) {
      const weak = checkPassword(params.password, params.skipPasswordChecks)
      if (weak !== undefined) return weak
      newPassword = params.password
      next = { ...next, passwordEnabled: true, passwordLastUpdatedAt: now }
    } else if (params.passwordDigest !== undefined) {
      next = { ...next, passwordEnabled: true, passwordLastUpdatedAt: now }
    }

    if (params.totpSecret != null && params.totpSecret !== "") next = { ...next, totpEnabled: true }
    if (params.backupCodes !== undefined) next = { ...next, backupCodeEnabled: params.backupCodes.length > 0 }
    next = withMfa(next, now)

    if (params.deleteSelfEnabled != null) next = { ...next, deleteSelfEnabled: params.deleteSelfEnabled }
    if (params.createOrganizationEnabled != null) {
      next = { ...next, createOrganizationEnabled: params.createOrganizationEnabled }
    }
    if (params.createOrganizationsLimit !== undefined) {
      next = { ...next, createOrganizationsLimit: params.createOrganizationsLimit }
    }
    if (params.bypassClientTrust != null) next = { ...next, bypassClientTrust: params.bypassClientTrust }
    if (params.legalAcceptedAt !== undefined) {
      const accepted = params.legalAcceptedAt === null
        ? null
        : parseTimestamp("legal_accepted_at", params.legalAcceptedAt)
      if (isReply(accepted)) return accepted
      next = { ...next, legalAcceptedAt: accepted }
    }
    if (params.createdAt != null) {
      const createdAt = parseTimestamp("created_at", params.createdAt)
      if (isReply(createdAt)) return createdAt
      next = { ...next, createdAt }
    }

    // Every check has passed: only now touch state beyond the user record.
    const state = stateOf(store)
    if (next.createdAt !== user.createdAt) {
      const position = state.positions.get(user.id)
      if (position !== undefined) state.positions.set(user.id, { ...position, createdAt: next.createdAt })
    }
    if (newPassword !== undefined) {
      store.passwords.set(user.id, newPassword)
      state.digestOnly.delete(user.id)
      state.compromised.delete(user.id)
      if (params.signOutOfOtherSessions === true) revokeSessions(store, user.id, now)
    } else if (params.passwordDigest !== undefined) {
      store.passwords.delete(user.id)
      state.digestOnly.add(user.id)
      state.compromised.delete(user.id)
    }
    return next
  })

const deleteUser = (userId: string, { store }: RouteContext): Schemas.DeletedObject | Reply => {
  const user = store.users.get(userId)
  if (user === undefined) return notFound("user")
  reindex(store, user, undefined)
  store.users.delete(userId)
  store.passwords.delete(userId)
  const state = stateOf(store)
  state.digestOnly.delete(userId)
  state.compromised.delete(userId)
  // Organization member counts are computed from the memberships when answered, so dropping
  // the memberships is enough.
  for (const [id, membership] of store.memberships) {
    if (membership.publicUserData?.userId === userId) store.memberships.delete(id)
  }
  for (const [id, session] of store.sessions) {
    if (session.userId === userId) store.sessions.delete(id)
  }
  for (const [id, token] of store.signInTokens) {
    if (token.userId === userId) store.signInTokens.delete(id)
  }
  return { object: "user", id: userId, deleted: true }
}

// ---------------------------------------------------------------------------------------------
// Listing

const fullName = (user: Schemas.User) => [user.firstName, user.lastName].filter((part) => part != null).join(" ")

const before = (value: number | null, limit: number | undefined) =>
  limit === undefined || (value !== null && value < limit)
const after = (value: number | null, limit: number | undefined) =>
  limit === undefined || (value !== null && value > limit)

/** The users matching the filters shared by users.list and users.count, in creation order. */
const filterUsers = (store: FakeStore, params: Users.CountParams): ReadonlyArray<Schemas.User> | Reply => {
  if ((params.provider === undefined) !== (params.providerUserId === undefined)) {
    return invalidParam(
      params.provider === undefined ? "provider" : "provider_user_id",
      "provider and provider_user_id must be given together."
    )
  }
  const checks: Array<(user: Schemas.User) => boolean> = []
  const { emailAddress, phoneNumber, externalId, username, web3Wallet, userId, organizationId } = params
  if (emailAddress !== undefined) {
    checks.push((user) =>
      user.emailAddresses.some((email) => emailAddress.some((wanted) => sameText(wanted, email.emailAddress)))
    )
  }
  if (phoneNumber !== undefined) {
    const wanted = phoneNumber.map(normalizePhone)
    checks.push((user) => user.phoneNumbers.some((phone) => wanted.includes(normalizePhone(phone.phoneNumber))))
  }
  if (username !== undefined) {
    checks.push((user) => user.username !== null && username.some((wanted) => sameText(wanted, user.username!)))
  }
  if (web3Wallet !== undefined) {
    checks.push((user) =>
      user.web3Wallets.some((wallet) => web3Wallet.some((wanted) => sameText(wanted, wallet.web3Wallet)))
    )
  }
  if (externalId !== undefined) {
    const keep = signedFilter(externalId)
    checks.push((user) => keep(user.externalId === null ? [] : [user.externalId]))
  }
  if (userId !== undefined) {
    const keep = signedFilter(userId)
    checks.push((user) => keep([user.id]))
  }
  if (organizationId !== undefined) {
    const keep = signedFilter(organizationId)
    const organizationsOf = new Map<string, Set<string>>()
    for (const membership of store.memberships.values()) {
      const member = membership.publicUserData?.userId
      if (member === undefined) continue
      const set = organizationsOf.get(member) ?? new Set<string>()
      set.add(membership.organization.id)
      organizationsOf.set(member, set)
    }
    checks.push((user) => keep([...(organizationsOf.get(user.id) ?? [])]))
  }
  if (params.provider !== undefined && params.providerUserId !== undefined) {
    const { provider, providerUserId } = params
    checks.push((user) =>
      user.externalAccounts.some((account) =>
        account.provider === provider && providerUserId.includes(account.providerUserId)
      )
    )
  }
  const { query, emailAddressQuery, phoneNumberQuery, usernameQuery, nameQuery } = params
  if (query !== undefined && query !== "") {
    checks.push((user) =>
      [user.id, user.externalId, user.username, user.firstName, user.lastName, fullName(user)].some((value) =>
        contains(value, query)
      ) ||
      user.emailAddresses.some((email) => contains(email.emailAddress, query)) ||
      user.phoneNumbers.some((phone) => contains(phone.phoneNumber, query)) ||
      user.web3Wallets.some((wallet) => contains(wallet.web3Wallet, query))
    )
  }
  if (emailAddressQuery !== undefined) {
    checks.push((user) => user.emailAddresses.some((email) => contains(email.emailAddress, emailAddressQuery)))
  }
  if (phoneNumberQuery !== undefined) {
    checks.push((user) => user.phoneNumbers.some((phone) => contains(phone.phoneNumber, phoneNumberQuery)))
  }
  if (usernameQuery !== undefined) checks.push((user) => contains(user.username, usernameQuery))
  if (nameQuery !== undefined) {
    checks.push((user) => [user.firstName, user.lastName, fullName(user)].some((value) => contains(value, nameQuery)))
  }
  if (params.banned !== undefined) checks.push((user) => user.banned === params.banned)
  checks.push((user) =>
    before(user.createdAt, params.createdAtBefore) && after(user.createdAt, params.createdAtAfter) &&
    before(user.lastActiveAt, params.lastActiveAtBefore) && after(user.lastActiveAt, params.lastActiveAtAfter) &&
    (params.lastActiveAtSince === undefined ||
      (user.lastActiveAt !== null && user.lastActiveAt >= params.lastActiveAtSince)) &&
    before(user.lastSignInAt, params.lastSignInAtBefore) && after(user.lastSignInAt, params.lastSignInAtAfter)
  )
  return byCreation(store, [...store.users.values()].filter((user) => checks.every((check) => check(user))))
}

const positionOf = (store: FakeStore, user: Schemas.User, fallback: number): Position =>
  stateOf(store).positions.get(user.id) ??
    { createdAt: user.createdAt, sequence: Number.MAX_SAFE_INTEGER / 2 + fallback }

const comparePositions = (a: Position, b: Position) => a.createdAt - b.createdAt || a.sequence - b.sequence

/** Oldest first; users created in the same millisecond keep the order they were created in. */
const byCreation = (store: FakeStore, users: ReadonlyArray<Schemas.User>): ReadonlyArray<Schemas.User> =>
  users
    .map((user, index) => ({ user, position: positionOf(store, user, index) }))
    .sort((a, b) => comparePositions(a.position, b.position))
    .map((entry) => entry.user)

const defaultUserOrder = "-created_at"

const primaryEmail = (user: Schemas.User) =>
  user.emailAddresses.find((email) => email.id === user.primaryEmailAddressId)?.emailAddress.toLowerCase()
const primaryPhone = (user: Schemas.User) =>
  user.phoneNumbers.find((phone) => phone.id === user.primaryPhoneNumberId)?.phoneNumber
const primaryWallet = (user: Schemas.User) =>
  user.web3Wallets.find((wallet) => wallet.id === user.primaryWeb3WalletId)?.web3Wallet.toLowerCase()

/** The `order_by` fields users.list accepts, by their wire names. */
const userOrderFields: Readonly<Record<string, (user: Schemas.User) => string | number | null | undefined>> = {
  created_at: (user) => user.createdAt,
  updated_at: (user) => user.updatedAt,
  email_address: primaryEmail,
  web3wallet: primaryWallet,
  first_name: (user) => user.firstName?.toLowerCase(),
  last_name: (user) => user.lastName?.toLowerCase(),
  phone_number: primaryPhone,
  username: (user) => user.username?.toLowerCase(),
  last_active_at: (user) => user.lastActiveAt,
  last_sign_in_at: (user) => user.lastSignInAt
}

/** Sorts users already in creation order; ties break by creation, in the sort's direction. */
const sortUsers = (
  users: ReadonlyArray<Schemas.User>,
  order: string | undefined
): ReadonlyArray<Schemas.User> | Reply => orderBy(users, order, defaultUserOrder, userOrderFields)

const isCreationOrder = (order: string | undefined) => (order ?? defaultUserOrder).replace(/^[+-]/, "") === "created_at"

const listUsers = (params: Users.ListParams, { store }: RouteContext): ReadonlyArray<Schemas.User> | Reply => {
  const matched = filterUsers(store, params)
  if (isReply(matched)) return matched
  const ordered = sortUsers(matched, params.orderBy)
  if (isReply(ordered)) return ordered
  if (params.startingAfter === undefined) return page(ordered, params)

  if ((params.offset ?? 0) !== 0) {
    return invalidParam("starting_after", "starting_after cannot be combined with a non-zero offset.")
  }
  if (!isCreationOrder(params.orderBy)) {
    return invalidParam("starting_after", "starting_after requires ordering by created_at.")
  }
  const cursor = stateOf(store).positions.get(params.startingAfter)
  if (cursor === undefined) return invalidParam("starting_after", `No user ${params.startingAfter} to continue after.`)
  const descending = (params.orderBy ?? defaultUserOrder).startsWith("-")
  const rest = ordered.filter((user, index) => {
    const compared = comparePositions(positionOf(store, user, index), cursor)
    return descending ? compared < 0 : compared > 0
  })
  return page(rest, { limit: params.limit })
}

// ---------------------------------------------------------------------------------------------
// Email addresses and phone numbers

interface Located<A> {
  readonly user: Schemas.User
  readonly item: A
}

/** Finds an identifier by id across every user, in the list `listOf` picks from a user. */
const locate = <A extends { readonly id?: string | undefined }>(
  store: FakeStore,
  id: string,
  listOf: (user: Schemas.User) => ReadonlyArray<A>
): Located<A> | undefined => {
  for (const user of store.users.values()) {
    const item = listOf(user).find((entry) => entry.id === id)
    if (item !== undefined) return { user, item }
  }
  return undefined
}

const findEmailAddress = (store: FakeStore, id: string) => locate(store, id, (user) => user.emailAddresses)

const findPhoneNumber = (store: FakeStore, id: string) => locate(store, id, (user) => user.phoneNumbers)

/** The list with `item` in place of the entry of the same id. */
const replaceById = <A extends { readonly id?: string | undefined }>(
  items: ReadonlyArray<A>,
  item: A
): ReadonlyArray<A> => items.map((entry) => entry.id === item.id ? item : entry)

const verifiedOrNot = <A extends { readonly reserved: boolean; readonly verification: unknown }>(
  item: A,
  verified: boolean | null | undefined
): A =>
  verified == null
    ? item
    : verified
    ? { ...item, reserved: false, verification: adminVerification() }
    : { ...item, verification: null }

const primaryDeletionForbidden = (what: string) =>
  `The primary ${what} cannot be deleted while the user has others; make another one primary first.`

// ---------------------------------------------------------------------------------------------
// Routes

/** The built-in routes for users, their email addresses and their phone numbers. */
export const userRoutes = routes({
  "users.create": (params, context) => createUser(params, context),

  "users.get": (params, { store }) => store.users.get(params.userId) ?? notFound("user"),

  "users.list": (params, context) => listUsers(params, context),

  "users.count": (params, { store }) => {
    const matched = filterUsers(store, params)
    return isReply(matched) ? matched : { object: "total_count", totalCount: matched.length }
  },

  "users.update": (params, context) => updateUser(params, context),

  "users.delete": (params, context) => deleteUser(params.userId, context),

  "users.updateMetadata": (params, context) =>
    withUser(context, params.userId, (user) => ({
      ...user,
      ...mergeMetadataFields(user, params, ["publicMetadata", "privateMetadata", "unsafeMetadata"]),
      updatedAt: context.now
    })),

  "users.replaceMetadata": (params, context) =>
    withUser(context, params.userId, (user) => ({
      ...user,
      publicMetadata: params.publicMetadata ?? user.publicMetadata,
      privateMetadata: params.privateMetadata ?? user.privateMetadata ?? {},
      unsafeMetadata: params.unsafeMetadata ?? user.unsafeMetadata ?? {},
      updatedAt: context.now
    })),

  "users.ban": (params, context) =>
    withUser(context, params.userId, (user) => {
      revokeSessions(context.store, user.id, context.now)
      return { ...user, banned: true, updatedAt: context.now }
    }),

  "users.unban": (params, context) =>
    withUser(context, params.userId, (user) => ({ ...user, banned: false, updatedAt: context.now })),

  "users.bulkBan": (params, context) => bulkSetBanned(params.userIds, true, context),

  "users.bulkUnban": (params, context) => bulkSetBanned(params.userIds, false, context),

  "users.lock": (params, context) =>
    withUser(context, params.userId, (user) => ({
      ...user,
      locked: true,
      lockoutExpiresInSeconds: null,
      updatedAt: context.now
    })),

  "users.unlock": (params, context) =>
    withUser(context, params.userId, (user) => ({
      ...user,
      locked: false,
      lockoutExpiresInSeconds: null,
      verificationAttemptsRemaining: verificationAttempts,
      updatedAt: context.now
    })),

  "users.setProfileImage": (params, context) =>
    withUser(context, params.userId, (user) =>
      params.file === undefined
        ? missingParam("file")
        : {
          ...user,
          hasImage: true,
          imageUrl: `https://img.clerk.com/fake/${user.id}/${context.store.ids.token(16)}`,
          updatedAt: context.now
        }),

  "users.deleteProfileImage": (params, context) =>
    withUser(context, params.userId, (user) => ({
      ...user,
      hasImage: false,
      imageUrl: defaultImageUrl(user.id),
      updatedAt: context.now
    })),

  "users.verifyPassword": (params, { store }) => {
    const user = store.users.get(params.userId)
    if (user === undefined) return notFound("user")
    if (!user.passwordEnabled) return badRequest("password_not_set", "The user has no password to verify.")
    // A password given only as a digest cannot be checked by the fake: it never matches.
    return store.passwords.get(user.id) === params.password
      ? { verified: true }
      : errorReply(422, {
        code: "form_password_incorrect",
        message: "is incorrect",
        longMessage: "The password is incorrect.",
        meta: { param_name: "password" }
      })
  },

  "users.removePassword": (params, context) =>
    withUser(context, params.userId, (user) => {
      if (!user.passwordEnabled) return user
      const { store, now } = context
      store.passwords.delete(user.id)
      stateOf(store).digestOnly.delete(user.id)
      stateOf(store).compromised.delete(user.id)
      if (params.signOutOfOtherSessions === true) revokeSessions(store, user.id, now)
      return { ...user, passwordEnabled: false, passwordLastUpdatedAt: null, updatedAt: now }
    }),

  "users.setPasswordCompromised": (params, context) =>
    withUser(context, params.userId, (user) => {
      if (!user.passwordEnabled) return badRequest("password_not_set", "The user has no password to flag.")
      stateOf(context.store).compromised.add(user.id)
      if (params.revokeAllSessions === true) revokeSessions(context.store, user.id, context.now)
      return { ...user, updatedAt: context.now }
    }),

  "users.unsetPasswordCompromised": (params, context) =>
    withUser(context, params.userId, (user) => {
      stateOf(context.store).compromised.delete(user.id)
      return { ...user, updatedAt: context.now }
    }),

  "emailAddresses.create": (params, context) => {
    const { store, now } = context
    const user = store.users.get(params.userId)
    if (user === undefined) return notFound("user")
    const invalid = checkEmailAddress(params.emailAddress)
    if (invalid !== undefined) return invalid
    if (emailTaken(store, params.emailAddress)) return identifierExists("email_address", "email address")
    const email = makeEmailAddress(context, params.emailAddress, params.verified === true ? "verified" : "unverified")
    const primary = params.primary === true || user.primaryEmailAddressId === null
    saveUser(store, {
      ...user,
      emailAddresses: [...user.emailAddresses, email],
      primaryEmailAddressId: primary ? email.id! : user.primaryEmailAddressId,
      updatedAt: now
    })
    return email
  },

  "emailAddresses.get": (params, { store }) =>
    findEmailAddress(store, params.emailAddressId)?.item ?? notFound("email address"),

  "emailAddresses.update": (params, { store, now }) => {
    const found = findEmailAddress(store, params.emailAddressId)
    if (found === undefined) return notFound("email address")
    const email: Schemas.EmailAddress = { ...verifiedOrNot(found.item, params.verified), updatedAt: now }
    saveUser(store, {
      ...found.user,
      emailAddresses: replaceById(found.user.emailAddresses, email),
      primaryEmailAddressId: params.primary === true ? params.emailAddressId : found.user.primaryEmailAddressId,
      updatedAt: now
    })
    return email
  },

  "emailAddresses.delete": (params, { store, now }) => {
    const found = findEmailAddress(store, params.emailAddressId)
    if (found === undefined) return notFound("email address")
    const { user } = found
    const isPrimary = user.primaryEmailAddressId === params.emailAddressId
    // Our choice: like Clerk's dashboard, the primary address goes last; 409 is declared for this operation.
    if (isPrimary && user.emailAddresses.length > 1) {
      return conflict(
        "primary_identification_deletion_forbidden",
        primaryDeletionForbidden("email address"),
        "email_address_id"
      )
    }
    saveUser(store, {
      ...user,
      emailAddresses: user.emailAddresses.filter((email) => email.id !== params.emailAddressId),
      primaryEmailAddressId: isPrimary ? null : user.primaryEmailAddressId,
      updatedAt: now
    })
    return { object: "email_address", id: params.emailAddressId, deleted: true }
  },

  "emailAddresses.replaceForUser": (params, context) => {
    const { store, now } = context
    const user = store.users.get(params.userId)
    if (user === undefined) return notFound("user")
    const invalid = checkEmailAddress(params.emailAddress)
    if (invalid !== undefined) return invalid
    if (emailTaken(store, params.emailAddress, user.id)) return identifierExists("email_address", "email address")
    // The same address keeps its id, so replacing with the current primary changes nothing but its status.
    const existing = user.emailAddresses.find((email) => sameText(email.emailAddress, params.emailAddress))
    const email = makeEmailAddress(
      context,
      params.emailAddress,
      params.identificationStatus ?? "verified",
      existing?.id
    )
    saveUser(store, { ...user, emailAddresses: [email], primaryEmailAddressId: email.id!, updatedAt: now })
    return email
  },

  "phoneNumbers.create": (params, context) => {
    const { store, now } = context
    const user = store.users.get(params.userId)
    if (user === undefined) return notFound("user")
    const phone = normalizePhone(params.phoneNumber)
    const invalid = checkPhoneFormat(phone)
    if (invalid !== undefined) return invalid
    if (phoneTaken(store, phone)) return identifierExists("phone_number", "phone number")
    const secondFactor = params.reservedForSecondFactor === true
    if (secondFactor && params.verified !== true) {
      return invalidParam(
        "reserved_for_second_factor",
        "Only a verified phone number can be reserved for second factor."
      )
    }
    const created = makePhoneNumber(context, phone, params.verified === true ? "verified" : "unverified")
    const number: Schemas.PhoneNumber = secondFactor
      ? {
        ...created,
        reservedForSecondFactor: true,
        defaultSecondFactor: !user.phoneNumbers.some((entry) => entry.defaultSecondFactor === true)
      }
      : created
    const primary = params.primary === true || user.primaryPhoneNumberId === null
    saveUser(
      store,
      withMfa({
        ...user,
        phoneNumbers: [...user.phoneNumbers, number],
        primaryPhoneNumberId: primary ? number.id! : user.primaryPhoneNumberId,
        updatedAt: now
      }, now)
    )
    return number
  },

  "phoneNumbers.get": (params, { store }) =>
    findPhoneNumber(store, params.phoneNumberId)?.item ?? notFound("phone number"),

  "phoneNumbers.update": (params, { store, now }) => {
    const found = findPhoneNumber(store, params.phoneNumberId)
    if (found === undefined) return notFound("phone number")
    const { user } = found
    let phone: Schemas.PhoneNumber = { ...verifiedOrNot(found.item, params.verified), updatedAt: now }
    if (params.reservedForSecondFactor === true) {
      if (!isVerified(phone)) {
        return badRequest(
          "form_param_format_invalid",
          "Only a verified phone number can be reserved for second factor.",
          "reserved_for_second_factor"
        )
      }
      const hasDefault = user.phoneNumbers.some((entry) => entry.id !== phone.id && entry.defaultSecondFactor === true)
      phone = {
        ...phone,
        reservedForSecondFactor: true,
        defaultSecondFactor: phone.defaultSecondFactor === true || !hasDefault
      }
    } else if (params.reservedForSecondFactor === false) {
      phone = { ...phone, reservedForSecondFactor: false, defaultSecondFactor: false }
    }
    saveUser(
      store,
      withMfa({
        ...user,
        phoneNumbers: replaceById(user.phoneNumbers, phone),
        primaryPhoneNumberId: params.primary === true ? params.phoneNumberId : user.primaryPhoneNumberId,
        updatedAt: now
      }, now)
    )
    return phone
  },

  "phoneNumbers.delete": (params, { store, now }) => {
    const found = findPhoneNumber(store, params.phoneNumberId)
    if (found === undefined) return notFound("phone number")
    const { user } = found
    const isPrimary = user.primaryPhoneNumberId === params.phoneNumberId
    // Same rule as for email addresses, but as a 400: this operation declares no 409.
    if (isPrimary && user.phoneNumbers.length > 1) {
      return badRequest(
        "primary_identification_deletion_forbidden",
        primaryDeletionForbidden("phone number"),
        "phone_number_id"
      )
    }
    saveUser(
      store,
      withMfa({
        ...user,
        phoneNumbers: user.phoneNumbers.filter((phone) => phone.id !== params.phoneNumberId),
        primaryPhoneNumberId: isPrimary ? null : user.primaryPhoneNumberId,
        updatedAt: now
      }, now)
    )
    return { object: "phone_number", id: params.phoneNumberId, deleted: true }
  },

  "phoneNumbers.replaceForUser": (params, context) => {
    const { store, now } = context
    const user = store.users.get(params.userId)
    if (user === undefined) return notFound("user")
    const phone = normalizePhone(params.phoneNumber)
    const invalid = checkPhoneFormat(phone)
    if (invalid !== undefined) return invalid
    if (phoneTaken(store, phone, user.id)) return identifierExists("phone_number", "phone number")
    const existing = user.phoneNumbers.find((entry) => normalizePhone(entry.phoneNumber) === phone)
    // The replacement is never a second factor, so replacing a second-factor number can turn MFA off.
    const number = makePhoneNumber(context, phone, params.identificationStatus ?? "verified", existing?.id)
    saveUser(store, withMfa({ ...user, phoneNumbers: [number], primaryPhoneNumberId: number.id!, updatedAt: now }, now))
    return number
  }
})

const bulkSetBanned = (
  userIds: ReadonlyArray<string>,
  banned: boolean,
  context: RouteContext
): ReadonlyArray<Schemas.User> | Reply => {
  const { store, now } = context
  const changed: Array<Schemas.User> = []
  // Unknown ids are skipped: the answer lists only the users that exist.
  for (const id of new Set(userIds)) {
    const user = store.users.get(id)
    if (user === undefined) continue
    if (banned) revokeSessions(store, id, now)
    changed.push(saveUser(store, { ...user, banned, updatedAt: now }))
  }
  return changed
}
