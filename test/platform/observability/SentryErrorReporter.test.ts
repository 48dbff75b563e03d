import { expect, it } from "@effect/vitest"
import { Cause, Effect, Layer, Redacted } from "effect"
import { ErrorReporter } from "../../../src/platform/observability/ErrorReporter.ts"
import { SentryErrorReporter } from "../../../src/platform/observability/SentryErrorReporter.ts"
import { OtlpReceiver } from "./OtlpReceiver.ts"

it.effect("the Sentry adapter sends a defect to the DSN's envelope endpoint with its request id and trace", () =>
  Effect.gen(function* () {
    const receiver = yield* OtlpReceiver
    const dsn = Redacted.make(`${receiver.url.replace("http://", "http://publickey@")}/42`)
    yield* Effect.gen(function* () {
      const reporter = yield* ErrorReporter
      yield* reporter.report(Cause.die(new Error("relation \"users\" does not exist")), {
        requestId: "req-7",
        method: "POST",
        route: "/api/users/login",
        traceId: "a".repeat(32),
        spanId: "b".repeat(16)
      })
    }).pipe(Effect.provide(SentryErrorReporter.layer({ dsn, environment: "test" }))) // closing flushes

    const envelope = receiver.requests.find((request) => request.path.startsWith("/api/42/envelope/"))!
    expect(envelope).toBeDefined()
    expect(String(envelope.headers["x-sentry-auth"] ?? envelope.path)).toContain("publickey")
    const event = JSON.parse(envelope.body.split("\n")[2]!)
    expect(event.exception.values[0]).toMatchObject({ type: "Error", value: "relation \"users\" does not exist" })
    expect(event.exception.values[0].stacktrace.frames.length).toBeGreaterThan(0)
    expect(event.tags).toMatchObject({ request_id: "req-7", "http.route": "/api/users/login" })
    expect(event.contexts.trace).toMatchObject({ trace_id: "a".repeat(32), span_id: "b".repeat(16) })
    expect(event.environment).toBe("test")
  }).pipe(Effect.provide(Layer.fresh(OtlpReceiver.layer))))
