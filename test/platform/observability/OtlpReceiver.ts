import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import { Context, Effect, Layer } from "effect"

/** A span as OTLP/HTTP JSON carries it (the fields the tests read). */
export interface ReceivedSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  readonly kind: number
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: Record<string, unknown> }>
  readonly events: ReadonlyArray<{ readonly name: string; readonly attributes: ReadonlyArray<{ key: string; value: unknown }> }>
}

export interface ReceivedRequest {
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/**
 * An in-process stand-in for an OpenTelemetry collector (OTLP/HTTP JSON) that also records any other
 * request it gets, e.g. Sentry envelopes or calls made to check `traceparent` propagation.
 */
export class OtlpReceiver extends Context.Service<
  OtlpReceiver,
  {
    readonly url: string
    readonly requests: Array<ReceivedRequest>
    readonly spans: () => ReadonlyArray<ReceivedSpan>
  }
>()("test/OtlpReceiver") {
  static readonly layer = Layer.effect(
    OtlpReceiver,
    Effect.gen(function* () {
      const requests: Array<ReceivedRequest> = []
      const server = yield* Effect.acquireRelease(
        Effect.callback<ReturnType<typeof createServer>>((resume) => {
          const server = createServer((req, res) => {
            const chunks: Array<Buffer> = []
            req.on("data", (chunk: Buffer) => chunks.push(chunk))
            req.on("end", () => {
              requests.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") })
              res.writeHead(200, { "content-type": "application/json" }).end("{}")
            })
          })
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) =>
          Effect.callback<void>((resume) => {
            server.close(() => resume(Effect.void))
            server.closeAllConnections()
          })
      )
      const { port } = server.address() as AddressInfo
      return OtlpReceiver.of({
        url: `http://127.0.0.1:${port}`,
        requests,
        spans: () =>
          requests
            .filter((request) => request.path === "/v1/traces")
            .flatMap((request) => JSON.parse(request.body).resourceSpans)
            .flatMap((resource: any) => resource.scopeSpans)
            .flatMap((scope: any) => scope.spans)
      })
    })
  )
}

export const attribute = (span: ReceivedSpan, key: string): unknown => {
  const value = span.attributes.find((entry) => entry.key === key)?.value
  return value === undefined ? undefined : Object.values(value)[0]
}
