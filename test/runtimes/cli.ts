/**
 * Entry of the portable check for runtimes that run a file (Node, Bun, Deno): the input is the
 * JSON in `PORTABLE_INPUT`, the result one line on stdout.
 */
import { main } from "./portable.js"

const global = globalThis as any
const text: string | undefined = typeof global.Deno === "object"
  ? global.Deno.env.get("PORTABLE_INPUT")
  : global.process?.env?.PORTABLE_INPUT
if (text === undefined) throw new Error("PORTABLE_INPUT is not set")
console.log(await main(JSON.parse(text)))
