/**
 * Bundle entry (e): entry (d) plus `ClerkAuth.authenticateRequest` with a PEM key (`jwtKey`, networkless): the
 * shape of a server that reads users and checks session tokens.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import { checkRequest } from "./authPart.js"
import { fetchUserByHand } from "./handWritten.js"
import { getUserThroughService } from "./servicePart.js"

const program = Effect.all([fetchUserByHand, getUserThroughService, checkRequest])

Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer))).then(console.log, console.error)
