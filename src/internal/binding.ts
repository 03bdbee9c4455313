/**
 * How operations and groups are bound to a client, without Effect: both lines pass their own
 * `provideService` for effects and for streams.
 *
 * @internal
 */

/** A member of a group module: an operation, or a stream (which carries `pages`). */
type Member = (...args: Array<any>) => unknown

/** Binds every operation and stream of a group: each call's result gets the client through `provide`. */
export const bindMembers = <Api>(
  members: Record<string, Function>,
  provideEffect: (effect: any) => unknown,
  provideStream: (stream: any) => unknown
): Api => {
  const bound: Record<string, unknown> = {}
  for (const [key, member] of Object.entries(members) as Array<[string, Member]>) {
    const provide = "pages" in member ? provideStream : provideEffect
    bound[key] = (...args: Array<any>) => provide(member(...args))
  }
  return bound as Api
}

/** Binds each named group module to a client, under the name the program gave it. */
export const bindGroups = <Client, Api>(
  groups: Record<string, { readonly bind: (client: Client) => unknown }>,
  client: Client
): Api => {
  const api: Record<string, unknown> = {}
  for (const [name, group] of Object.entries(groups)) api[name] = group.bind(client)
  return api as Api
}
