/**
 * Deterministic seeds for the test-kit benchmark: the params of `users.create`
 * as a test would write them (an email address, names, a username, an external
 * id, a little public metadata; every third user a phone number).
 */
import type { UserSeed } from "../../src/ClerkTest.js"

const firstNames = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Radia", "Ken"]
const lastNames = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Dijkstra",
  "Liskov",
  "Knuth",
  "Allen",
  "Backus",
  "Perlman",
  "Thompson"
]
const plans = ["free", "pro", "team"]

/** The `index`-th seed; `prefix` keeps the identifiers of different batches apart. */
export const userSeed = (index: number, prefix = "seed"): UserSeed => ({
  emailAddress: [`${prefix}${index}@bench.example.com`],
  ...(index % 3 === 0 ? { phoneNumber: [`+1555${String(index).padStart(7, "0")}`] } : {}),
  firstName: firstNames[index % firstNames.length]!,
  lastName: lastNames[Math.floor(index / firstNames.length) % lastNames.length]!,
  username: `${prefix}_user_${index}`,
  externalId: `${prefix}-ext-${index}`,
  publicMetadata: { plan: plans[index % plans.length], seat: index }
})

export const userSeeds = (count: number, prefix = "seed"): ReadonlyArray<UserSeed> =>
  Array.from({ length: count }, (_, i) => userSeed(i, prefix))
