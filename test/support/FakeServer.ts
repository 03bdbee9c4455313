/**
 * The in-memory fake served on 127.0.0.1 from plain promises, for tests of code that does not run on
 * Effect 3 (the Effect 4 line): start it, read `apiUrl`, close it.
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { ClerkTest } from "../../src/ClerkTest.js"

/** A served fake and how to stop it. */
export interface ServedFake {
  readonly apiUrl: string
  readonly close: () => Promise<void>
}

/** Serves a fresh fake on a free port of 127.0.0.1; with `secretKey`, it answers 401 to any other key. */
export const startFake = async (options: { readonly secretKey?: string } = {}): Promise<ServedFake> => {
  const scope = await Effect.runPromise(Scope.make())
  const server = await Effect.runPromise(
    ClerkTest.serve().pipe(Effect.provide(ClerkTest.layerWith(options)), Scope.extend(scope))
  )
  return { apiUrl: server.apiUrl, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}
