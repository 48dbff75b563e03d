import { createServer } from "node:net"
import { expect, it } from "@effect/vitest"
import { Effect, Layer, Logger, References } from "effect"
import { jsonLogger } from "../../../src/platform/observability/Logging.ts"
import { OtlpExport } from "../../../src/platform/observability/OtlpExport.ts"

const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

it.live(
  "an unreachable OTLP endpoint is logged once, at warning level, without credentials",
  () =>
    Effect.gen(function* () {
      const port = yield* Effect.promise(closedPort)
      const lines: Array<string> = []
      const exporting = OtlpExport.layer({
        tracesUrl: `http://user:secret@127.0.0.1:${port}/v1/traces`,
        metricsUrl: `http://user:secret@127.0.0.1:${port}/v1/metrics`,
        headers: undefined,
        protocol: "http/json",
        serviceName: "hexa-monolith-test",
        sampler: "always_on",
        samplerRatio: 1,
        metricsInterval: 60_000
      })
      // Spans in two batches; the layer's release flushes whatever is left.
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* Layer.build(exporting).pipe(Effect.flatMap((context) =>
            Effect.gen(function* () {
              yield* Effect.void.pipe(Effect.withSpan("first"))
              yield* Effect.sleep("1200 millis")
              yield* Effect.void.pipe(Effect.withSpan("second"))
            }).pipe(Effect.provideContext(context))
          ))
        })
      ).pipe(
        Effect.provide(
          Layer.mergeAll(
            Logger.layer([jsonLogger((line) => lines.push(line))]),
            Layer.succeed(References.MinimumLogLevel, "Info")
          )
        )
      )
      const warnings = lines.map((line) => JSON.parse(line)).filter((line) => line.level === "warn")
      expect(warnings).toHaveLength(1)
      expect(warnings[0].message).toContain(`cannot export telemetry to http://127.0.0.1:${port}`)
      expect(lines.join("")).not.toContain("secret")
    }),
  { timeout: 30_000 }
)
