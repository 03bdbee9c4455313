/**
 * The key set's side of a shared store, for both lines' `ClerkJwks`: which stored document to take instead of
 * fetching, and the documents a `KeyValueStore` keeps with their expiry. No Effect in it.
 *
 * @internal
 */

/** A JWKS document as the key set reads it. */
export type StoredJwks = { readonly keys?: ReadonlyArray<unknown> | undefined }

/** A stored document, if it is a JWKS (anything else, a corrupt or foreign value, is ignored). */
export const storedJwks = (text: string): StoredJwks | undefined => {
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed === "object" && parsed !== null && Array.isArray((parsed as { keys?: unknown }).keys)
      ? parsed as StoredJwks
      : undefined
  } catch {
    return undefined
  }
}

/**
 * What one instance knows of the shared document: the one its current set was built from, and whether a
 * refresh for an unknown `kid` is running (a stored document like the current one is then stale).
 */
export class SharedKeySet {
  private lastText: string | undefined
  forcing = false

  /** The stored document to build the set from, or `undefined` to fetch the keys instead. */
  take(stored: string | undefined): StoredJwks | undefined {
    if (stored === undefined) return undefined
    const jwks = storedJwks(stored)
    if (jwks === undefined || (this.forcing && stored === this.lastText)) return undefined
    this.lastText = stored
    return jwks
  }

  /** The text to store for a set just fetched. */
  fetched(jwks: StoredJwks): string {
    this.lastText = JSON.stringify({ keys: jwks.keys ?? [] })
    return this.lastText
  }
}

/** A document with the time it expires, for a store without expiry of its own (a `KeyValueStore`). */
export const expiring = (jwks: string, expiresAt: number): string => JSON.stringify({ expiresAt, jwks })

/** The document of {@link expiring}'s text while it has not expired at `now`, else `undefined`. */
export const unexpired = (text: string, now: number): string | undefined => {
  try {
    const parsed = JSON.parse(text) as { readonly expiresAt?: unknown; readonly jwks?: unknown }
    return typeof parsed.expiresAt === "number" && typeof parsed.jwks === "string" && parsed.expiresAt > now
      ? parsed.jwks
      : undefined
  } catch {
    return undefined
  }
}
