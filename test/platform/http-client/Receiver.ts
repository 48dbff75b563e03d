import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, type Scope } from "effect"

// A real HTTP server on loopback that answers from a script, one step per request, and records
// what it received. Past the script's end it answers 204.

export type Step =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  | "hang"

export interface Received {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
  readonly at: number
}

export interface Receiver {
  readonly url: string
  readonly origin: string
  readonly received: Array<Received>
  /** Steps for the requests still to come. */
  readonly script: Array<Step>
}

export const receiver = (...script: Array<Step>): Effect.Effect<Receiver, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<{ receiver: Receiver; close: () => void }>((resume) => {
      const received: Array<Received> = []
      const steps = [...script]
      const server = createServer((request, response) => {
        const chunks: Array<Buffer> = []
        request.on("data", (chunk: Buffer) => chunks.push(chunk))
        request.on("end", () => {
          received.push({
            method: request.method ?? "",
            url: request.url ?? "",
            headers: request.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            at: Date.now()
          })
          const step = steps.shift() ?? { status: 204 }
          if (step === "hang") return
          response.writeHead(step.status, step.headers)
          response.end(step.body)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        const origin = `http://127.0.0.1:${port}`
        resume(
          Effect.succeed({
            receiver: { url: `${origin}/hooks/conduit`, origin, received, script: steps },
            close: () => {
              server.closeAllConnections()
              server.close()
            }
          })
        )
      })
    }),
    ({ close }) => Effect.sync(close)
  ).pipe(Effect.map(({ receiver }) => receiver))
