/**
 * Starting and stopping Stoplight Prism (the pinned `@stoplight/prism-cli`) as
 * a spec-validating mock (or proxy) of the Backend API, bound to 127.0.0.1 on a free port.
 *
 * Prism is run with node directly, never through npx, so the PID held here is
 * Prism's own and killing it really stops the server.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import { spawn } from "node:child_process"
import * as net from "node:net"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { exited, stopChild, track, tracked, untrack } from "./ChildProcesses.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const prismCli = path.join(repoRoot, "node_modules/@stoplight/prism-cli/dist/index.js")

/** How to run one Prism: static placeholders, dynamic data from a seed, or a validating proxy. */
export interface PrismOptions {
  readonly spec: string
  /** Present: `-d --seed N`. Absent: static mode. */
  readonly seed?: number | undefined
  /**
   * Present: `proxy` mode in front of this server instead of a mock. Each request is validated and
   * forwarded; each response is checked against the spec and passed on with an `sl-violations`
   * header listing what does not conform.
   */
  readonly upstream?: string | undefined
  /** How long Prism may take to answer its first request. Default 120 s (startup takes ~3 s on an idle machine, far longer on a loaded one). */
  readonly startupTimeoutMs?: number | undefined
}

/** A running Prism. */
export interface Prism {
  readonly url: string
  readonly port: number
  readonly pid: number
  /** The last few kilobytes Prism wrote to stderr, for failure messages. */
  readonly stderr: () => string
  /** Stops this Prism (SIGTERM, then SIGKILL after a grace period); resolves once it has exited. */
  readonly stop: () => Promise<void>
}

/** A port free at the time of asking, on 127.0.0.1. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => (port === 0 ? reject(new Error("no port assigned")) : resolve(port)))
    })
  })

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Whether Prism answers on the port yet. Any answer would do, except that a port taken by some
 * other server between {@link freePort} and Prism's bind must not pass for Prism: so the answer
 * must be Prism's own "no path matched" problem document for `/` (a proxy: its "route not found" warning).
 */
const prismAnswers = async (url: string, proxy: boolean): Promise<boolean> => {
  try {
    const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(2_000) })
    const body = await response.text()
    // A proxy forwards the unmatched `/` upstream and passes the answer on; only its
    // `sl-violations` warning says Prism (and not some other server) answered.
    return proxy
      ? (response.headers.get("sl-violations") ?? "").includes("Selected route not found")
      : body.includes("stoplight.io/prism/errors")
  } catch {
    return false
  }
}

const startOnce = async (options: PrismOptions, port: number): Promise<Prism> => {
  const args = [
    prismCli,
    options.upstream === undefined ? "mock" : "proxy",
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    "-v",
    "silent"
  ]
  if (options.seed !== undefined) args.push("-d", "--seed", String(options.seed))
  args.push(options.spec)
  if (options.upstream !== undefined) args.push(options.upstream)
  const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], cwd: repoRoot })
  track(child)
  // The tail is what matters: on a failed start Prism prints its usage first and the reason last.
  let stderr = ""
  child.stderr?.setEncoding("utf8")
  child.stderr?.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000)
  })
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + (options.startupTimeoutMs ?? 120_000)
  while (Date.now() < deadline) {
    if (exited(child)) {
      untrack(child)
      await Promise.race([closed, sleep(1_000)])
      throw new Error(
        `Prism exited during startup (code ${child.exitCode}, signal ${child.signalCode}): ${
          stderr.trim().slice(-1_000)
        }`
      )
    }
    if ((await prismAnswers(url, options.upstream !== undefined)) && !exited(child)) {
      return { url, port, pid: child.pid!, stderr: () => stderr, stop: () => stopChild(child) }
    }
    await sleep(100)
  }
  await stopChild(child)
  throw new Error(
    `Prism did not answer on ${url} within ${options.startupTimeoutMs ?? 120_000} ms: ${stderr.trim().slice(-1_000)}`
  )
}

/**
 * Starts Prism and waits until it answers on its port. A port taken between asking and
 * binding makes Prism exit with EADDRINUSE; that is tried again on a new port, up to three times.
 */
export const startPrism = async (options: PrismOptions): Promise<Prism> => {
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options, await freePort())
    } catch (error) {
      lastError = error
      if (!(error instanceof Error) || !error.message.includes("EADDRINUSE")) throw error
    }
  }
  throw lastError
}

/** Stops every Prism this module started that is still running. */
export const stopAll = (): Promise<void> => Promise.all(tracked().map(stopChild)).then(() => undefined)

/** One entry of Prism's `sl-violations` header. */
export interface Violation {
  readonly location: ReadonlyArray<string>
  readonly severity: string
  readonly code?: string | number | undefined
  readonly message: string
}

/** One answer as our client received it through Prism. */
export interface Exchange {
  /** The operation the request belongs to, when the recorder was told how to name it. */
  readonly operation: string | undefined
  readonly method: string
  /** Path and query. */
  readonly url: string
  readonly status: number
  readonly contentType: string
  /** The `sl-violations` header, parsed (unparseable text kept as one violation). */
  readonly violations: ReadonlyArray<Violation>
  /** The body of a non-2xx answer or of a problem document, for failure messages. */
  readonly errorBody: string | undefined
}

/** Parses an `sl-violations` header; unreadable text is still reported, as one violation. */
export const parseViolations = (header: string | undefined): ReadonlyArray<Violation> => {
  if (header === undefined) return []
  try {
    const parsed: unknown = JSON.parse(header)
    if (Array.isArray(parsed)) return parsed as ReadonlyArray<Violation>
  } catch {
    // fall through
  }
  return [{ location: ["unparsed"], severity: "Error", code: "unparsed", message: header }]
}

/** An `HttpClient` transform recording every answer into `exchanges`, naming it with `operationOf`. */
export const recording = (
  exchanges: Array<Exchange>,
  operationOf: (method: string, path: string) => string | undefined = () => undefined
) =>
(client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.tap(client, (response) => {
    const contentType = response.headers["content-type"] ?? ""
    const ok = response.status >= 200 && response.status < 300 && !contentType.includes("problem+json")
    const url = new URL(response.request.url)
    // The response caches its text, so reading it here leaves it for the client's decoding.
    return Effect.map(
      ok ? Effect.succeed(undefined) : Effect.orElseSucceed(response.text, () => "<unreadable>"),
      (errorBody) => {
        exchanges.push({
          operation: operationOf(response.request.method, url.pathname),
          method: response.request.method,
          url: `${url.pathname}${url.search}`,
          status: response.status,
          contentType,
          violations: parseViolations(response.headers["sl-violations"]),
          errorBody
        })
      }
    )
  })
