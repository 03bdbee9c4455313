/**
 * A real `redis-server` for the tests: started on 127.0.0.1 on a free port, without persistence, and
 * stopped by its PID (SIGTERM, then SIGKILL). `.ci/run` installs Debian's `redis-server` when it is
 * missing; where it cannot be started, {@link redisUnavailable} says why and the tests that need it skip.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import * as net from "node:net"
import { stopChild, track } from "./ChildProcesses.js"
import { freePort } from "./Prism.js"

/** A running server. */
export interface RedisServer {
  readonly port: number
  readonly pid: number
  readonly url: string
  /** Stops it; resolves once it has exited. */
  readonly stop: () => Promise<void>
  /** Starts it again on the same port (after {@link stop}), as a restarted server. */
  readonly restart: () => Promise<void>
}

const binary = process.env.REDIS_SERVER ?? "redis-server"

/** Why no server can be started here, or `undefined` when one can. */
export const redisUnavailable = (): string | undefined => {
  const probe = spawnSync(binary, ["--version"], { encoding: "utf8" })
  if (probe.error !== undefined || probe.status !== 0) {
    return `Redis tests skipped: ${binary} could not be run (${probe.error?.message ?? probe.stderr.trim()}); ` +
      "install Debian's redis-server (.ci/run does when it is missing) or set REDIS_SERVER"
  }
  return undefined
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Whether a server answers `PING` on the port. */
const answersPing = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once("error", () => done(false))
    socket.once("connect", () => socket.write("PING\r\n"))
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")))
  })

const launch = async (port: number): Promise<ChildProcess> => {
  const child = spawn(binary, [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--protected-mode",
    "yes"
  ], { stdio: ["ignore", "pipe", "pipe"] })
  track(child)
  let output = ""
  child.stdout?.on("data", (chunk) => (output = (output + String(chunk)).slice(-4_000)))
  child.stderr?.on("data", (chunk) => (output = (output + String(chunk)).slice(-4_000)))
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited during startup: ${output.trim()}`)
    if (await answersPing(port)) return child
    await sleep(50)
  }
  await stopChild(child)
  throw new Error(`redis-server did not answer on ${port} within 10 s: ${output.trim()}`)
}

/** Starts a server on a free port of 127.0.0.1 (another port if that one was taken meanwhile). */
export const startRedis = async (): Promise<RedisServer> => {
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    try {
      let child = await launch(port)
      return {
        port,
        get pid() {
          return child.pid!
        },
        url: `redis://127.0.0.1:${port}`,
        stop: () => stopChild(child),
        restart: async () => {
          child = await launch(port)
        }
      }
    } catch (error) {
      lastError = error
    }
  }
  throw lastError
}
