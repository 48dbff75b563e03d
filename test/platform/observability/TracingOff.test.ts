import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Logger, References, Tracer } from "effect"
import { HttpClient } from "effect/http"
import { Observability } from "../../../src/app/Observability.ts"
import { jsonLogger } from "../../../src/platform/observability/Logging.ts"
import { ObservabilityConfig } from "../../../src/platform/observability/ObservabilityConfig.ts"
import { aRegistrationBody } from "../../modules/users/UserMother.ts"
import { call, MemoryAdapters, TestConfig, TestServer } from "../../support/TestApp.ts"

// The app as `main` composes it when no OTLP endpoint is configured (ObservabilityConfig.layerNone:
// `otlp` undefined), with a tracer that records every span it is asked for and the log lines kept.

class Recorded extends Context.Service<Recorded, { readonly spans: Array<Tracer.Span>; readonly lines: Array<string> }>()(
  "test/TracingOff/Recorded"
) {}

const Recording = Layer.unwrap(
  Effect.sync(() => {
    const spans: Array<Tracer.Span> = []
    const lines: Array<string> = []
    const tracer = Tracer.make({
      span: (options) => {
        const span = new Tracer.NativeSpan(options)
        spans.push(span)
        return span
      }
    })
    return Layer.mergeAll(
      Layer.succeed(Recorded, { spans, lines }),
      Layer.succeed(Tracer.Tracer, tracer),
      Logger.layer([jsonLogger((line) => lines.push(line))])
    )
  })
)

// Observability is provided outside the recorder, so the recorder's logger replaces its stdout one
// while its `References.TracerEnabled` reaches the server as in production.
const Server = TestServer(MemoryAdapters).pipe(
  Layer.provideMerge(Recording),
  Layer.provideMerge(Observability.pipe(Layer.provide([TestConfig.layer(), ObservabilityConfig.layerNone])))
)

// The test's own client must not stamp a traceparent of its (disabled) span over the one set by hand.
const send = (...args: Parameters<typeof call>) =>
  call(...args).pipe(Effect.provideService(HttpClient.TracerPropagationEnabled, false))

const accessLine = (lines: ReadonlyArray<string>, requestId: string) =>
  lines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .find((record) => record.request_id === requestId && record.message === "request served")

const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"

layer(Server, { timeout: "30 seconds" })("no OTLP endpoint configured", (it) => {
  it.effect("a request builds no span at all: server, use case and repository spans are skipped", () =>
    Effect.gen(function* () {
      const { spans } = yield* Recorded
      expect(yield* References.TracerEnabled).toBe(false)
      const before = spans.length
      const registered = yield* send("POST", "/api/users", { body: { user: aRegistrationBody() } })
      expect(registered.status).toBe(201)
      const profile = yield* send("GET", `/api/profiles/${registered.body.user.username}`, {
        headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` }
      })
      expect(profile.status).toBe(200)
      expect(spans.slice(before).map((span) => span.name)).toEqual([])
      // The recorder is the tracer in place: with tracing switched back on it sees a span.
      yield* Effect.void.pipe(Effect.withSpan("control"), Effect.withTracerEnabled(true))
      expect(spans.slice(before).map((span) => span.name)).toEqual(["control"])
    }))

  it.effect("the access line carries the incoming traceparent's trace id, and no span id", () =>
    Effect.gen(function* () {
      const { lines } = yield* Recorded
      const reply = yield* send("GET", "/api/profiles/nobody-here", {
        headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, "x-request-id": "off-1" }
      })
      expect(reply.status).toBe(404)
      const access = accessLine(lines, "off-1")
      expect(access).toMatchObject({ route: "/api/profiles/:username", status: 404, trace_id: traceId })
      expect(access).not.toHaveProperty("span_id")
    }))

  it.effect("an invalid traceparent, or none, gives no trace id", () =>
    Effect.gen(function* () {
      const { lines } = yield* Recorded
      const headers = {
        "short trace id": `00-${traceId.slice(1)}-00f067aa0ba902b7-01`,
        "all-zero trace id": `00-${"0".repeat(32)}-00f067aa0ba902b7-01`,
        "bad hex": `00-${traceId.replace("4", "g")}-00f067aa0ba902b7-01`,
        "version ff": `ff-${traceId}-00f067aa0ba902b7-01`,
        "missing flags": `00-${traceId}-00f067aa0ba902b7`
      }
      for (const [name, traceparent] of Object.entries(headers)) {
        yield* send("GET", "/api/profiles/nobody-here", { headers: { traceparent, "x-request-id": `bad-${name.replace(/ /g, "-")}` } })
      }
      yield* send("GET", "/api/profiles/nobody-here", { headers: { "x-request-id": "none" } })
      for (const requestId of [...Object.keys(headers).map((name) => `bad-${name.replace(/ /g, "-")}`), "none"]) {
        const access = accessLine(lines, requestId)
        expect(access, requestId).toMatchObject({ status: 404 })
        expect(access, requestId).not.toHaveProperty("trace_id")
        expect(access, requestId).not.toHaveProperty("span_id")
      }
    }))
})
