/** Wire-form (snake_case) bodies shared by tests. */
import type * as Schemas from "../../src/generated/Schemas.js"

/** A valid `User` as Clerk sends it, with the given fields replaced. */
export const wireUser = (overrides: Partial<Record<keyof Schemas.User.Encoded | (string & {}), unknown>> = {}) => ({
  id: "user_1",
  object: "user",
  username: null,
  first_name: "Ada",
  last_name: null,
  image_url: "https://img.test/1",
  has_image: false,
  primary_email_address_id: null,
  primary_phone_number_id: null,
  primary_web3_wallet_id: null,
  password_enabled: false,
  two_factor_enabled: false,
  totp_enabled: false,
  backup_code_enabled: false,
  email_addresses: [],
  phone_numbers: [],
  web3_wallets: [],
  passkeys: [],
  external_accounts: [],
  saml_accounts: [],
  enterprise_accounts: [],
  public_metadata: {},
  private_metadata: {},
  unsafe_metadata: {},
  external_id: null,
  last_sign_in_at: null,
  banned: false,
  locked: false,
  lockout_expires_in_seconds: null,
  verification_attempts_remaining: null,
  created_at: 1,
  updated_at: 2,
  delete_self_enabled: true,
  create_organization_enabled: true,
  last_active_at: null,
  mfa_enabled_at: null,
  mfa_disabled_at: null,
  legal_accepted_at: null,
  ...overrides
})

/** A valid `Organization` as Clerk sends it, with the given fields replaced. */
export const wireOrganization = (
  overrides: Partial<Record<keyof Schemas.Organization.Encoded | (string & {}), unknown>> = {}
) => ({
  object: "organization",
  id: "org_1",
  name: "Acme",
  slug: "acme",
  has_image: false,
  max_allowed_memberships: 5,
  admin_delete_enabled: true,
  public_metadata: {},
  created_at: 1,
  updated_at: 1,
  ...overrides
})
