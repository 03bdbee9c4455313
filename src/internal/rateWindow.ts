/**
 * The request budget's arithmetic, with no Effect in it: a sliding window log per key (at most `limit`
 * admissions in any `window` milliseconds) and a hold (after Clerk answered 429 with `Retry-After`, nothing
 * goes out under the key until it ends). The Redis store runs the same rules in one Lua script.
 *
 * @internal
 */

/** The budgets of one process, by key. */
export interface RateWindows {
  /**
   * Admits one request under `key` at `now` (milliseconds) and answers 0, or answers how many milliseconds to
   * wait before asking again (nothing admitted).
   */
  readonly tryAcquire: (key: string, now: number) => number
  /** Holds `key` until `until` (milliseconds): later than any hold already there, never shorter. */
  readonly hold: (key: string, until: number) => void
}

/** Refuses a limit that is not a positive integer and a window that is not a positive duration. */
export const checkBudget = (limit: number, windowMillis: number, where: string): void => {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`${where}: limit must be a positive integer`)
  if (!(windowMillis > 0) || !Number.isFinite(windowMillis)) {
    throw new RangeError(`${where}: window must be a finite duration longer than zero`)
  }
}

/** In-process windows: admissions kept per key, oldest first, dropped once they leave the window. */
export const rateWindows = (limit: number, windowMillis: number): RateWindows => {
  const admitted = new Map<string, Array<number>>()
  const holds = new Map<string, number>()
  return {
    tryAcquire: (key, now) => {
      const held = holds.get(key)
      if (held !== undefined) {
        if (held > now) return held - now
        holds.delete(key)
      }
      let log = admitted.get(key)
      if (log === undefined) admitted.set(key, log = [])
      while (log.length > 0 && log[0]! <= now - windowMillis) log.shift()
      if (log.length < limit) {
        log.push(now)
        return 0
      }
      return Math.max(1, log[0]! + windowMillis - now)
    },
    hold: (key, until) => {
      holds.set(key, Math.max(holds.get(key) ?? 0, until))
    }
  }
}
