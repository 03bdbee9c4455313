/**
 * Runs the portable check inside the edge runtime's VM (`@edge-runtime/vm`, the sandbox of
 * Vercel's Edge Runtime): `tsx test/runtimes/edge.ts BUNDLE` with the input JSON in
 * `PORTABLE_INPUT`. The bundle is a script that defines the global `Portable`; only the
 * result crosses back, printed as one line.
 */
import { EdgeVM } from "@edge-runtime/vm"
import * as Fs from "node:fs"

const bundle = process.argv[2]
const input = process.env.PORTABLE_INPUT
if (bundle === undefined || input === undefined) throw new Error("usage: PORTABLE_INPUT=... edge.ts BUNDLE")
const vm = new EdgeVM()
vm.evaluate(Fs.readFileSync(bundle, "utf8"))
const line: string = await vm.evaluate(`Portable.main(${input})`)
console.log(line)
