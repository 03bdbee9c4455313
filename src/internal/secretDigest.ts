/**
 * What a shared store is keyed by for one Clerk instance: a digest of its secret key, so the secret itself is
 * never written to a shared store nor shown in a key listing. No Effect in it.
 *
 * @internal
 */

/**
 * A SHA-256 prefix of a secret key (24 hex digits).
 */
export const digestOfSecret = async (secretKey: string): Promise<string> => {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secretKey))
  return [...new Uint8Array(digest).slice(0, 12)].map((byte) => byte.toString(16).padStart(2, "0")).join("")
}

const digests = new Map<string, Promise<string>>()

/** {@link digestOfSecret}, computed once per secret key for the life of the process. */
export const digestOfSecretOnce = (secretKey: string): Promise<string> => {
  let digest = digests.get(secretKey)
  if (digest === undefined) digests.set(secretKey, digest = digestOfSecret(secretKey))
  return digest
}
