/**
 * A small timing harness: warm every case up, then run interleaved rounds
 * (each round runs every case for a batch of calls, in an order that rotates
 * from round to round) so that drift on a shared machine - other processes,
 * GC pressure, CPU frequency - lands on all cases alike instead of on
 * whichever ran last.
 */

export interface Case {
  readonly key: string
  readonly run: () => unknown
}

export interface Stats {
  readonly key: string
  readonly samples: number
  readonly meanUs: number
  readonly medianUs: number
  readonly p90Us: number
}

export interface RoundsOptions {
  readonly warmupCalls: number
  readonly rounds: number
  readonly callsPerRound: number
  /** Stops starting new rounds after this long; the rounds already done still count. */
  readonly budgetMs: number
}

const quantile = (sorted: ReadonlyArray<number>, q: number): number => {
  if (sorted.length === 0) return Number.NaN
  const position = (sorted.length - 1) * q
  const lower = Math.floor(position)
  const upper = Math.ceil(position)
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower)
}

export const summarize = (key: string, samplesMs: ReadonlyArray<number>): Stats => {
  const sorted = [...samplesMs].sort((a, b) => a - b)
  const mean = sorted.reduce((sum, x) => sum + x, 0) / sorted.length
  return {
    key,
    samples: sorted.length,
    meanUs: mean * 1_000,
    medianUs: quantile(sorted, 0.5) * 1_000,
    p90Us: quantile(sorted, 0.9) * 1_000
  }
}

/** Per case, the median of each round's calls (µs), in round order: how much a case moved during the run. */
export type RoundMedians = Readonly<Record<string, ReadonlyArray<number>>>

/** Runs the cases in interleaved rounds, timing each call on its own. Calls are awaited one at a time. */
export const interleaved = async (
  cases: ReadonlyArray<Case>,
  options: RoundsOptions
): Promise<
  { readonly stats: ReadonlyArray<Stats>; readonly rounds: number; readonly roundMediansUs: RoundMedians }
> => {
  for (let i = 0; i < options.warmupCalls; i++) {
    for (const c of cases) await c.run()
  }
  const samples = new Map<string, Array<number>>(cases.map((c) => [c.key, []]))
  const roundMedians = new Map<string, Array<number>>(cases.map((c) => [c.key, []]))
  const started = performance.now()
  let rounds = 0
  while (rounds < options.rounds && performance.now() - started < options.budgetMs) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + rounds) % cases.length]!
      const into = samples.get(c.key)!
      const from = into.length
      for (let i = 0; i < options.callsPerRound; i++) {
        const t0 = performance.now()
        await c.run()
        into.push(performance.now() - t0)
      }
      roundMedians.get(c.key)!.push(summarize(c.key, into.slice(from)).medianUs)
    }
    rounds++
  }
  return {
    stats: cases.map((c) => summarize(c.key, samples.get(c.key)!)),
    rounds,
    roundMediansUs: Object.fromEntries(roundMedians)
  }
}
