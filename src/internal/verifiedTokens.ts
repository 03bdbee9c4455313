/**
 * A bounded cache of verified tokens, keyed by the whole token, with a segmented LRU admission policy: a token
 * enters a small probation segment when first verified and moves to the protected segment on its first hit. A
 * flood of tokens seen once (a server answering many users, each token used a single time) churns probation
 * only, so it never pushes out the tokens that are being reused.
 */
export class VerifiedTokens<A extends { readonly generation: number }> {
  private readonly probation = new Map<string, A>()
  private readonly protected = new Map<string, A>()
  private readonly probationCapacity: number
  private readonly protectedCapacity: number

  constructor(readonly capacity: number) {
    const total = Math.max(0, Math.floor(capacity))
    // A fifth for newcomers, at least one slot; the rest for tokens that have been used again.
    this.probationCapacity = total === 0 ? 0 : Math.max(1, Math.ceil(total / 5))
    this.protectedCapacity = total - this.probationCapacity
  }

  /** Whether the cache keeps anything at all. */
  get enabled(): boolean {
    return this.probationCapacity > 0
  }

  /** How many tokens are remembered now, never more than `capacity`. */
  get size(): number {
    return this.probation.size + this.protected.size
  }

  /** Cheap test before the generation is read: whether the token is remembered under any generation. */
  has(token: string): boolean {
    return this.protected.has(token) || this.probation.has(token)
  }

  /**
   * The entry for a token verified under the current key generation, counted as a use; an entry from an
   * older generation is dropped.
   */
  get(token: string, generation: number): A | undefined {
    const kept = this.protected.get(token)
    if (kept !== undefined) {
      this.protected.delete(token)
      if (kept.generation !== generation) return undefined
      this.protected.set(token, kept)
      return kept
    }
    const fresh = this.probation.get(token)
    if (fresh === undefined) return undefined
    this.probation.delete(token)
    if (fresh.generation !== generation) return undefined
    this.promote(token, fresh)
    return fresh
  }

  /** Remembers a token just verified: in probation, or in place if it is already protected. */
  set(token: string, entry: A): void {
    if (!this.enabled) return
    if (this.protected.has(token)) {
      this.protected.delete(token)
      this.protected.set(token, entry)
      return
    }
    this.probation.delete(token)
    this.probation.set(token, entry)
    if (this.probation.size > this.probationCapacity) this.probation.delete(this.probation.keys().next().value!)
  }

  private promote(token: string, entry: A): void {
    if (this.protectedCapacity === 0) {
      this.probation.set(token, entry)
      return
    }
    this.protected.set(token, entry)
    if (this.protected.size > this.protectedCapacity) {
      // The least recently used protected token goes back to probation rather than out: one more chance.
      const [oldest, demoted] = this.protected.entries().next().value!
      this.protected.delete(oldest)
      this.set(oldest, demoted)
    }
  }
}
