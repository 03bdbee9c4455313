/**
 * The Effect 3 line's Redis de-duplication, run from a promise: lets the Effect 4 tests (where `effect`
 * resolves to 4.x) check that both lines share the same keys and scripts on one Redis.
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { ClerkRedis, deduplication } from "../../src/ClerkRedis.js"
import { WebhookDeduplication } from "../../src/ClerkWebhooksHandler.js"

/** Claims `id` through the Effect 3 store on its own connection, then closes it. */
export const claimWithEffect3 = (url: string, keyPrefix: string, id: string): Promise<boolean | "busy"> =>
  Effect.runPromise(
    Effect.flatMap(WebhookDeduplication, (store) => store.claim(id)).pipe(
      Effect.provide(deduplication().pipe(Layer.provide(ClerkRedis.layer({ url: Redacted.make(url), keyPrefix }))))
    )
  )
