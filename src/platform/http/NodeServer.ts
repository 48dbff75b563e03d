import { createServer, type Server, STATUS_CODES } from "node:http"
import type { Duplex } from "node:stream"

/**
 * Node's limits, set explicitly rather than inherited from whichever Node runs the image:
 * 16 KiB of request line and headers (the URL counts), 20 s to send them, 30 s for the whole request,
 * 5 s of idle keep-alive (below the usual 60 s of load balancers, so they never reuse a closed socket).
 */
export const ServerLimits = {
  maxHeaderSize: 16 * 1024,
  headersTimeout: 20_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000
} as const

const contractError = (status: number, field: string, message: string) => {
  const body = JSON.stringify({ errors: { [field]: [message] } })
  return [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    "Content-Type: application/json",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "X-Content-Type-Options: nosniff",
    "Connection: close",
    "",
    body
  ].join("\r\n")
}

/** What Node's parser refused, as the contract's status and envelope. */
const rejection = (code: string | undefined) => {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return contractError(431, "headers", `are too large (maximum is ${ServerLimits.maxHeaderSize} bytes)`)
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return contractError(408, "request", "took too long to arrive")
    default:
      return contractError(400, "request", "could not be parsed")
  }
}

/**
 * Requests Node refuses before the app sees them still get the contract's envelope. The rest of
 * what the client is sending is read and dropped for a moment, so closing does not reset the
 * connection before the client has read the answer.
 */
const answerClientError = (error: Error & { code?: string }, socket: Duplex) => {
  if (error.code === "ECONNRESET" || !socket.writable) return socket.destroy()
  socket.end(rejection(error.code))
  socket.on("error", () => socket.destroy())
  socket.resume()
  setTimeout(() => socket.destroy(), 1_000).unref()
}

/** The HTTP server the process listens with. */
export const makeNodeServer = (): Server => {
  const server = createServer({ ...ServerLimits })
  server.on("clientError", answerClientError)
  return server
}
