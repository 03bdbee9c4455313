/**
 * Bundle entry (a), the baseline: an app that talks to Clerk with only
 * `effect` and `@effect/platform` - builds an authenticated request, runs it
 * on `FetchHttpClient` and reads the JSON.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import { fetchUserByHand } from "./handWritten.js"

Effect.runPromise(fetchUserByHand.pipe(Effect.provide(FetchHttpClient.layer))).then(console.log, console.error)
