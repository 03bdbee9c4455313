/**
 * The servers the tests start as child processes (Prism, redis-server): tracked so that every one still
 * running is killed when the test process ends, and stopped by PID (SIGTERM, then SIGKILL after a grace period).
 */
import type { ChildProcess } from "node:child_process"

const live = new Set<ChildProcess>()
let exitHookInstalled = false

/**
 * Kills every tracked child still running when the test process ends, whatever the reason: a normal
 * exit, or a signal (after which the signal is raised again, so the process still ends as asked).
 */
const installExitHook = () => {
  if (exitHookInstalled) return
  exitHookInstalled = true
  const killAll = () => {
    for (const child of live) child.kill("SIGKILL")
  }
  process.once("exit", killAll)
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      killAll()
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
    })
  }
}

/** Tracks a started child, so that it is killed with the test process if nothing stops it first. */
export const track = (child: ChildProcess): void => {
  live.add(child)
  installExitHook()
}

/** Stops tracking a child that has exited by itself. */
export const untrack = (child: ChildProcess): void => {
  live.delete(child)
}

/** The children still tracked. */
export const tracked = (): Array<ChildProcess> => [...live]

/** Whether the child has exited. */
export const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null

/** Stops a child (SIGTERM, then SIGKILL after 3 s); resolves once it has exited. */
export const stopChild = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (exited(child)) {
      live.delete(child)
      return resolve()
    }
    const force = setTimeout(() => child.kill("SIGKILL"), 3_000)
    child.once("exit", () => {
      clearTimeout(force)
      live.delete(child)
      resolve()
    })
    child.kill("SIGTERM")
  })
