/** What the fake answers for a valid API key in the Redis tests of both lines (the decoded, camelCase form). */
export const verifiedApiKey = {
  object: "api_key",
  id: "ak_id_redis",
  type: "api_key",
  subject: "user_redis",
  name: "fleet key",
  claims: null,
  scopes: ["jobs:run"],
  revoked: false,
  revocationReason: null,
  expired: false,
  expiration: null,
  createdBy: null,
  lastUsedAt: null,
  createdAt: 1,
  updatedAt: 1
} as const
