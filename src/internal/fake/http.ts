/**
 * The fake's HTTP edges, for both Effect lines: reading request bodies (of a client request or a
 * web `Request`), writing a reply as a web `Response`, and listening on 127.0.0.1 with Node's
 * `node:http`, loaded on first use.
 *
 * @internal
 */
import type { Reply } from "./core.js"
import { errorReply, malformedRequest } from "./core.js"
import type { RawRequest } from "./types.js"

/** Reads a request body: JSON by content type or by sniffing, form data as is, empty as undefined. */
export const parseBody = (contentType: string, text: string): unknown => {
  if (text.length === 0) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return malformedRequest(
      `The request body could not be read as JSON (content type ${contentType === "" ? "none" : contentType}).`
    )
  }
}

/** A client request's body, in the shape both lines' `HttpBody` variants have. */
type ClientBody =
  | { readonly _tag: "Empty" }
  | { readonly _tag: "Uint8Array"; readonly body: Uint8Array; readonly contentType: string }
  | { readonly _tag: "Raw"; readonly body: unknown; readonly contentType?: string | undefined }
  | { readonly _tag: "FormData"; readonly formData: FormData }
  | { readonly _tag: "Stream" }

/** A client request's body as the fake reads it: parsed JSON, form data, undefined, or the reply refusing it. */
const clientBody = (body: ClientBody): unknown => {
  switch (body._tag) {
    case "Empty":
      return undefined
    case "Uint8Array":
      return parseBody(body.contentType, new TextDecoder().decode(body.body))
    case "Raw":
      return typeof body.body === "string" ? parseBody(body.contentType ?? "", body.body) : body.body
    case "FormData":
      return body.formData
    case "Stream":
      return malformedRequest("The in-process fake does not read streamed request bodies.")
  }
}

/** The body of a web `Request`: form data for form content types, else as {@link parseBody} reads it. */
const webBody = async (request: Request): Promise<unknown> => {
  const contentType = request.headers.get("content-type") ?? ""
  if (contentType.startsWith("multipart/form-data") || contentType.startsWith("application/x-www-form-urlencoded")) {
    try {
      return await request.formData()
    } catch {
      return malformedRequest("The form body could not be read.")
    }
  }
  return parseBody(contentType, await request.text())
}

/** A web `Request`'s headers as the fake reads them (lower-case names). */
const webHeaders = (headers: Headers): Record<string, string> => {
  const record: Record<string, string> = {}
  headers.forEach((value, key) => {
    record[key] = value
  })
  return record
}

/** A web `Request` as the fake reads it, its body read. */
export const fromWebRequest = async (request: Request): Promise<RawRequest> => ({
  method: request.method,
  url: new URL(request.url),
  headers: webHeaders(request.headers),
  body: await webBody(request)
})

/** A client request of either line (its headers already lower-case) as the fake reads it. */
export const fromClientRequest = (
  request: { readonly method: string; readonly headers: Readonly<Record<string, string>>; readonly body: ClientBody },
  url: URL
): RawRequest => ({ method: request.method, url, headers: request.headers, body: clientBody(request.body) })

/** A reply as a web `Response`. */
export const toWebResponse = (answer: Reply): Response => {
  const headers = new Headers(answer.headers)
  if (answer.body === undefined || answer.status === 204) return new Response(null, { status: answer.status, headers })
  if (typeof answer.body === "string") {
    if (!headers.has("content-type")) headers.set("content-type", "text/plain; charset=utf-8")
    return new Response(answer.body, { status: answer.status, headers })
  }
  if (!headers.has("content-type")) headers.set("content-type", "application/json")
  return new Response(JSON.stringify(answer.body), { status: answer.status, headers })
}

/** 500 for a defect of the fake while answering, naming it when it is an `Error`. */
export const defectResponse = (defect: unknown): Response =>
  toWebResponse(errorReply(500, {
    code: "fake_defect",
    message: "fake defect",
    longMessage: defect instanceof Error ? defect.message : "The fake failed while answering."
  }))

/** 400 for a server request whose body could not be read. */
export const unreadableResponse = (): Response => toWebResponse(malformedRequest("The request could not be read."))

/** A fake listening on 127.0.0.1, and how to stop it. */
export interface Listening {
  readonly port: number
  /** Stops listening and drops open connections. */
  readonly close: () => Promise<void>
}

/** Why a fake could not listen; the message is the one the line's serve error carries. */
export class ListenError extends Error {}

/**
 * Serves `answer` on 127.0.0.1 (`port` 0 picks a free one). Rejects with a {@link ListenError}
 * when Node's `node:http` is missing or the port cannot be taken.
 */
export const listen = async (port: number, answer: (request: Request) => Promise<Response>): Promise<Listening> => {
  const http = await (import(nodeHttpModule) as Promise<NodeHttp>).catch(() => {
    throw new ListenError("node:http is not available here; serve ClerkTest.httpApp instead")
  })
  const server = http.createServer((incoming, outgoing) => {
    const chunks: Array<Uint8Array> = []
    incoming.on("data", (chunk) => chunks.push(chunk))
    incoming.on("end", () => {
      const headers = new Headers()
      for (const [key, value] of Object.entries(incoming.headers)) {
        if (typeof value === "string") headers.set(key, value)
        else if (Array.isArray(value)) { for (const item of value) headers.append(key, item) }
      }
      const method = incoming.method ?? "GET"
      const body = chunks.length === 0 || method === "GET" || method === "HEAD" ? null : concat(chunks)
      const request = new Request(`http://127.0.0.1${incoming.url ?? "/"}`, { method, headers, body })
      answer(request).then(async (response) => {
        const responseHeaders: Record<string, string> = {}
        response.headers.forEach((value, key) => {
          responseHeaders[key] = value
        })
        outgoing.writeHead(response.status, responseHeaders)
        outgoing.end(new Uint8Array(await response.arrayBuffer()))
      }, () => {
        outgoing.writeHead(500)
        outgoing.end()
      })
    })
  })
  const bound = await new Promise<number>((resolve, reject) => {
    server.once("error", (error) => reject(new ListenError(`Cannot listen: ${error.message}`)))
    server.listen(port, "127.0.0.1", () => {
      const address = server.address()
      resolve(typeof address === "object" && address !== null ? address.port : 0)
    })
  })
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

// The parts of `node:http` that `listen` uses, declared here so the library builds (and loads)
// without Node: the module is imported only when a fake is served.
const nodeHttpModule = "node:http"

interface NodeHttp {
  readonly createServer: (listener: (incoming: NodeIncoming, outgoing: NodeOutgoing) => void) => NodeServer
}

interface NodeIncoming {
  readonly method?: string | undefined
  readonly url?: string | undefined
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  on(event: "data", listener: (chunk: Uint8Array) => void): void
  on(event: "end", listener: () => void): void
}

interface NodeOutgoing {
  writeHead(status: number, headers?: Record<string, string>): void
  end(body?: Uint8Array): void
}

interface NodeServer {
  listen(port: number, host: string, listener: () => void): void
  once(event: "error", listener: (error: Error) => void): void
  address(): { readonly port: number } | string | null
  close(listener: () => void): void
  closeAllConnections(): void
}

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    out.set(chunk, offset)
    offset += chunk.length
  }
  return out
}
