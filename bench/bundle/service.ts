/**
 * Bundle entry (d): the baseline plus one call through a `ClerkGroups.Service` naming only the Users group:
 * the documented main path, paying for the groups it names.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import { fetchUserByHand } from "./handWritten.js"
import { getUserThroughService } from "./servicePart.js"

const program = Effect.all([fetchUserByHand, getUserThroughService])

Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer))).then(console.log, console.error)
