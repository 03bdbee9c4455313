/**
 * Bundle entry (a'), for information: the baseline that also decodes its
 * answer with `effect/Schema`, as a careful hand-written client would. The
 * difference to (a) is the part of effect-clerk's cost that is Schema itself.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { fetchUserByHand } from "./handWritten.js"

const User = Schema.Struct({
  id: Schema.String,
  firstName: Schema.propertySignature(Schema.NullOr(Schema.String)).pipe(Schema.fromKey("first_name")),
  emailAddresses: Schema.propertySignature(
    Schema.Array(
      Schema.Struct({ emailAddress: Schema.propertySignature(Schema.String).pipe(Schema.fromKey("email_address")) })
    )
  ).pipe(
    Schema.fromKey("email_addresses")
  )
})

const program = Effect.flatMap(fetchUserByHand, Schema.decodeUnknown(User))

Effect.runPromise(program.pipe(Effect.provide(FetchHttpClient.layer))).then(console.log, console.error)
