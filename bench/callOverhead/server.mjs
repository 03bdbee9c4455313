// Loopback replay server for the call-overhead benchmark, run in a worker
// thread so it answers on the second core instead of competing with the
// clients' event loop. Plain JavaScript: the worker starts without the tsx
// loader (execArgv: []), so nothing is transpiled on the serving side.
import * as http from "node:http"
import { parentPort, workerData } from "node:worker_threads"

const usersBody = Buffer.from(workerData.usersBody, "utf8")
const countBody = Buffer.from(JSON.stringify({ object: "total_count", total_count: workerData.count }), "utf8")
// Exactly "application/json": @clerk/backend only parses the body as JSON when the header is equal to it.
const headersFor = (body) => ({ "content-type": "application/json", "content-length": String(body.length) })

const server = http.createServer((request, response) => {
  // Clients differ in the prefix they put before the path (`/v1` or none), so match on the end.
  const path = (request.url ?? "").split("?")[0].replace(/\/+$/, "")
  const body = request.method !== "GET"
    ? undefined
    : path.endsWith("/users/count")
    ? countBody
    : path.endsWith("/users")
    ? usersBody
    : undefined
  if (body === undefined) {
    response.writeHead(404, { "content-type": "application/json" })
    response.end(
      JSON.stringify({ errors: [{ code: "resource_not_found", message: `no route for ${request.method} ${path}` }] })
    )
    return
  }
  response.writeHead(200, headersFor(body))
  response.end(body)
})
server.keepAliveTimeout = 60_000

server.listen(0, "127.0.0.1", () => {
  parentPort.postMessage({ port: server.address().port })
})

parentPort.on("message", (message) => {
  if (message === "close") {
    server.closeAllConnections()
    server.close(() => parentPort.postMessage("closed"))
  }
})
