/**
 * Entry of the portable check for workerd, run by `workerd test`: the input is the JSON text
 * binding `PORTABLE_INPUT`, the result one line logged.
 */
import { main } from "./portable.js"

export default {
  async test(_controller: unknown, env: { readonly PORTABLE_INPUT: string }): Promise<void> {
    console.log(await main(JSON.parse(env.PORTABLE_INPUT)))
  }
}
