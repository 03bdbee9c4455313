/** A `node:http` server on 127.0.0.1 for tests that need real sockets, closed by the scope. */
import * as Effect from "effect/Effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

export type Handler = (request: http.IncomingMessage, url: URL, body: string) => {
  readonly status?: number
  readonly headers?: Record<string, string>
  readonly body?: unknown
}

/** Starts a server answering with `handler`; yields its base URL. */
export const localServer = (handler: Handler) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly server: http.Server }>((resume) => {
      const server = http.createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          const url = new URL(request.url ?? "/", "http://127.0.0.1")
          const answer = handler(request, url, Buffer.concat(chunks).toString("utf8"))
          const body = answer.body === undefined
            ? ""
            : typeof answer.body === "string"
            ? answer.body
            : JSON.stringify(answer.body)
          response.writeHead(answer.status ?? 200, { "content-type": "application/json", ...answer.headers })
          response.end(body)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, server }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )
