/**
 * Starts the loopback replay server (bench/callOverhead/server.mjs) in a
 * worker thread and hands back its port and a way to stop it.
 */
import { Worker } from "node:worker_threads"

export interface ReplayServer {
  readonly port: number
  readonly url: string
  readonly close: () => Promise<void>
}

/** Serves `usersBody` for any `GET .../users` and a total count for `GET .../users/count`. */
export const startReplayServer = (usersBody: string, count: number): Promise<ReplayServer> =>
  new Promise((resolve, reject) => {
    // execArgv: [] keeps the tsx loader out of the serving thread.
    const worker = new Worker(new URL("./server.mjs", import.meta.url), {
      workerData: { usersBody, count },
      execArgv: []
    })
    let closed = false
    const close = async () => {
      if (closed) return
      closed = true
      await new Promise<void>((done) => {
        const timer = setTimeout(done, 2_000)
        worker.once("message", () => {
          clearTimeout(timer)
          done()
        })
        worker.postMessage("close")
      })
      await worker.terminate()
    }
    worker.once("error", reject)
    worker.once("message", (message: { port: number }) => {
      resolve({ port: message.port, url: `http://127.0.0.1:${message.port}`, close })
    })
  })
