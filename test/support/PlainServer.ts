/**
 * A `node:http` server on 127.0.0.1 from plain promises, for tests of code that does not run on Effect 3
 * (the Effect 4 line): it records every request, answers with a handler, and can serve a web handler.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"

/** A request as the handler sees it. */
export interface SeenRequest {
  readonly method: string
  readonly path: string
  readonly authorization: string | undefined
  readonly body: unknown
}

/** An answer: a status (default 200) and a JSON body. */
export interface PlainAnswer {
  readonly status?: number
  readonly body?: unknown
}

/** A started server. */
export interface PlainServer {
  readonly url: string
  readonly requests: Array<SeenRequest>
  readonly close: () => Promise<void>
}

const listen = async (server: http.Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const closer = (server: http.Server) => () =>
  new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  })

const readBody = (request: http.IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
  })

/** Serves JSON answers from `handler` on a free port of 127.0.0.1. */
export const startServer = async (handler: (request: SeenRequest) => PlainAnswer): Promise<PlainServer> => {
  const requests: Array<SeenRequest> = []
  const server = http.createServer(async (request, response) => {
    const text = await readBody(request)
    const seen: SeenRequest = {
      method: request.method ?? "GET",
      path: new URL(request.url ?? "/", "http://127.0.0.1").pathname,
      authorization: request.headers.authorization,
      body: text === "" ? undefined : JSON.parse(text)
    }
    requests.push(seen)
    const answer = handler(seen)
    response.writeHead(answer.status ?? 200, { "content-type": "application/json" })
    response.end(answer.body === undefined ? "" : JSON.stringify(answer.body))
  })
  return { url: await listen(server), requests, close: closer(server) }
}

/** Serves a web handler (`Request` in, `Response` out) on a free port of 127.0.0.1. */
export const serveWebHandler = async (
  handler: (request: Request) => Promise<Response>
): Promise<{ readonly url: string; readonly close: () => Promise<void> }> => {
  const server = http.createServer(async (request, response) => {
    const body = await readBody(request)
    const headers = new Headers()
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === "string") headers.set(name, value)
    }
    const answer = await handler(
      new Request(new URL(request.url ?? "/", "http://127.0.0.1"), {
        method: request.method ?? "GET",
        headers,
        ...(body === "" ? {} : { body })
      })
    )
    response.writeHead(answer.status, Object.fromEntries(answer.headers))
    response.end(Buffer.from(await answer.arrayBuffer()))
  })
  return { url: await listen(server), close: closer(server) }
}
