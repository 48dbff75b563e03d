import { NodeHttpServer } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Logger, References } from "effect"
import { FetchHttpClient, HttpClient } from "effect/http"
import { OtlpExporter } from "effect/observability"
import { SqlClient } from "effect/sql"
import { HttpAppServer } from "../../../src/app/HttpApp.ts"
import { ErrorReporter, type FailureContext } from "../../../src/platform/observability/ErrorReporter.ts"
import { jsonLogger } from "../../../src/platform/observability/Logging.ts"
import { OtlpExport } from "../../../src/platform/observability/OtlpExport.ts"
import { call, PostgresAdapters, TestConfig, TestServices, TestSharedState } from "../../support/TestApp.ts"
import { aRegistrationBody } from "../../modules/users/UserMother.ts"
import { attribute, OtlpReceiver, type ReceivedSpan } from "./OtlpReceiver.ts"

/** Every log line the app writes, as written. */
class LogLines extends Context.Service<LogLines, Array<string>>()("test/LogLines") {
  static readonly layer = Layer.effectContext(
    Effect.sync(() => {
      const lines: Array<string> = []
      return Context.make(LogLines, lines)
    })
  )
}
const CapturedLogs = Layer.unwrap(
  Effect.map(Effect.service(LogLines), (lines) =>
    Layer.mergeAll(
      Logger.layer([jsonLogger((line) => lines.push(line))]),
      Layer.succeed(References.MinimumLogLevel, "Info")
    )
  )
)

/** What reached the ErrorReporter port. */
class Reports extends Context.Service<Reports, Array<FailureContext>>()("test/Reports") {}
const RecordingReporter = Layer.unwrap(
  Effect.sync(() => {
    const reports: Array<FailureContext> = []
    return Layer.merge(
      Layer.succeed(Reports, reports),
      Layer.succeed(ErrorReporter, ErrorReporter.of({ report: (_, context) => Effect.sync(() => reports.push(context)) }))
    )
  })
)

const Export = Layer.unwrap(
  Effect.map(Effect.service(OtlpReceiver), ({ url }) =>
    OtlpExport.layer({
      tracesUrl: `${url}/v1/traces`,
      metricsUrl: `${url}/v1/metrics`,
      headers: undefined,
      protocol: "http/json",
      serviceName: "hexa-monolith-test",
      sampler: "parentbased_always_on",
      samplerRatio: 1,
      metricsInterval: 60_000
    })
  )
)

const TracedServer = HttpAppServer.pipe(
  Layer.provide([TestServices, RecordingReporter, TestSharedState.layer()]),
  Layer.provideMerge(RecordingReporter),
  Layer.provideMerge(PostgresAdapters),
  Layer.provideMerge(NodeHttpServer.layerTest),
  Layer.provideMerge(TestConfig.layer()),
  Layer.provideMerge(Export),
  Layer.provideMerge(CapturedLogs),
  Layer.provideMerge(LogLines.layer),
  Layer.provideMerge(OtlpReceiver.layer)
)

// The test's own requests are not traced, so the server's spans are roots or continue the
// `traceparent` a test sets by hand.
const untraced = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.withTracerEnabled(false), Effect.provideService(HttpClient.TracerPropagationEnabled, false))

/** Flushes the exporter until a span matching `predicate` arrived (request spans end just after the reply). */
const exportedSpans = (predicate: (span: ReceivedSpan) => boolean) =>
  Effect.gen(function* () {
    const receiver = yield* OtlpReceiver
    const flusher = yield* OtlpExporter.Flusher
    for (let attempt = 0; attempt < 20; attempt++) {
      yield* flusher.flush
      if (receiver.spans().some(predicate)) return receiver.spans()
      yield* Effect.sleep("20 millis")
    }
    return receiver.spans()
  })

const ancestors = (spans: ReadonlyArray<ReceivedSpan>, span: ReceivedSpan): Array<ReceivedSpan> => {
  const chain: Array<ReceivedSpan> = []
  let current: ReceivedSpan | undefined = span
  while (current?.parentSpanId) {
    const parentId: string = current.parentSpanId
    current = spans.find((candidate) => candidate.spanId === parentId)
    if (current !== undefined) chain.push(current)
  }
  return chain
}

const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
const upstreamSpanId = "00f067aa0ba902b7"

layer(TracedServer, { timeout: "60 seconds" })("telemetry of real requests", (it) => {
  it.effect("one request exports HTTP → use case → repository → SQL spans, continuing the incoming traceparent", () =>
    Effect.gen(function* () {
      const user = aRegistrationBody()
      const reply = yield* untraced(
        call("POST", "/api/users", { body: { user }, headers: { traceparent: `00-${traceId}-${upstreamSpanId}-01` } })
      )
      expect(reply.status).toBe(201)
      const token: string = reply.body.user.token

      const spans = (yield* exportedSpans((span) => span.traceId === traceId && span.kind === 2)).filter(
        (span) => span.traceId === traceId
      )
      const server = spans.find((span) => span.kind === 2)!
      expect(server).toBeDefined()
      expect(server.name).toBe("POST /api/users")
      expect(server.parentSpanId).toBe(upstreamSpanId)
      expect(attribute(server, "http.route")).toBe("/api/users")
      expect(attribute(server, "http.request.method")).toBe("POST")
      expect(Number(attribute(server, "http.response.status_code"))).toBe(201)

      const sql = spans.filter((span) => attribute(span, "db.system.name") === "postgresql")
      const insert = sql.find((span) => String(attribute(span, "db.query.text")).startsWith("INSERT INTO"))!
      expect(insert).toBeDefined()
      expect(insert.kind).toBe(3) // client
      const chain = ancestors(spans, insert).map((span) => span.name)
      expect(chain).toEqual(expect.arrayContaining(["UserRepository.insert", "UserAccounts.register", "POST /api/users"]))
      expect(chain.indexOf("UserRepository.insert")).toBeLessThan(chain.indexOf("UserAccounts.register"))
      expect(chain.indexOf("UserAccounts.register")).toBeLessThan(chain.indexOf("POST /api/users"))

      // Bound values stay out of spans: no password, token or header anywhere in names, attributes or events.
      const everything = JSON.stringify(spans)
      expect(everything).not.toContain(user.password)
      expect(everything).not.toContain(token)
      expect(everything).not.toContain(user.email)
    }))

  it.effect("a failed login's spans hold neither the password tried nor any token", () =>
    Effect.gen(function* () {
      const user = aRegistrationBody()
      yield* untraced(call("POST", "/api/users", { body: { user } }))
      const reply = yield* untraced(
        call("POST", "/api/users/login", {
          body: { user: { email: user.email, password: `${user.password}-wrong` } },
          headers: { traceparent: `00-${"1".repeat(32)}-${upstreamSpanId}-01` }
        })
      )
      expect(reply.status).toBe(401)
      const spans = yield* exportedSpans((span) => span.traceId === "1".repeat(32) && span.kind === 2)
      expect(spans.some((span) => span.traceId === "1".repeat(32))).toBe(true)
      expect(JSON.stringify(spans)).not.toContain(user.password)
    }))

  it.effect("log lines are JSON and carry their request's trace id and request id", () =>
    Effect.gen(function* () {
      const lines = yield* LogLines
      const reply = yield* untraced(
        call("GET", "/api/profiles/nobody-here", {
          headers: { traceparent: `00-${"2".repeat(32)}-${upstreamSpanId}-01`, "x-request-id": "req-42" }
        })
      )
      expect(reply.headers["x-request-id"]).toBe("req-42")
      const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
      const access = records.find((record) => record.request_id === "req-42")!
      expect(access).toMatchObject({
        level: "info",
        message: "request served",
        method: "GET",
        route: "/api/profiles/:username",
        status: reply.status,
        trace_id: "2".repeat(32)
      })
      expect(typeof access.timestamp).toBe("string")
      expect(typeof access.span_id).toBe("string")
      expect(typeof access.duration_ms).toBe("number")
    }))

  it.effect("a request without X-Request-Id gets one, and an unsafe one is replaced", () =>
    Effect.gen(function* () {
      const generated = yield* untraced(call("GET", "/health/live"))
      expect(generated.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/)
      const unsafe = yield* untraced(call("GET", "/health/live", { headers: { "x-request-id": "a\"b c" } }))
      expect(unsafe.headers["x-request-id"]).not.toBe("a\"b c")
    }))

  it.effect("an unexpected failure answers 500 with the request id, no internals, and reaches the ErrorReporter", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const reports = yield* Reports
      const lines = yield* LogLines
      const user = aRegistrationBody()
      yield* untraced(call("POST", "/api/users", { body: { user } }))
      // Lose the table under the running app: the next login fails in SQL, a defect.
      yield* sql`ALTER TABLE users RENAME TO users_gone`
      const reply = yield* untraced(
        call("POST", "/api/users/login", {
          body: { user: { email: user.email, password: user.password } },
          headers: { "x-request-id": "req-500" }
        })
      ).pipe(Effect.ensuring(Effect.orDie(sql`ALTER TABLE users_gone RENAME TO users`)))
      expect(reply.status).toBe(500)
      expect(reply.body).toEqual({ errors: { server: ["an unexpected error occurred"] }, requestId: "req-500" })
      expect(reports).toContainEqual(
        expect.objectContaining({ requestId: "req-500", method: "POST", route: "/api/users/login" })
      )
      const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>)
      expect(records.filter((record) => record.request_id === "req-500").map((record) => record.level)).toEqual(
        expect.arrayContaining(["error"])
      )
      expect(lines.join("\n")).not.toContain(user.password)
    }))

  it.effect("/metrics holds the request histogram by route after some traffic", () =>
    Effect.gen(function* () {
      yield* untraced(call("GET", "/api/profiles/someone"))
      yield* untraced(call("GET", "/health/ready"))
      const reply = yield* untraced(call("GET", "/metrics"))
      expect(reply.status).toBe(200)
      const text: string = reply.body
      expect(text).toMatch(/^# TYPE http_server_request_duration_seconds histogram$/m)
      expect(text).toMatch(
        /^http_server_request_duration_seconds_bucket\{method="GET",route="\/api\/profiles\/:username",status="\d{3}",le="0\.005"\} \d+$/m
      )
      expect(text).toMatch(/^http_server_requests_total\{method="GET",route="\/health\/ready",status="200"\} \d+$/m)
      expect(text).toMatch(/^users_registered_total \d+$/m)
      expect(text).toMatch(/^db_pool_connections_in_use \d+$/m)
      expect(text).toMatch(/^db_pool_connections_waiting \d+$/m)
    }))

  it.effect("outgoing HTTP calls carry a traceparent of the current trace", () =>
    Effect.gen(function* () {
      const receiver = yield* OtlpReceiver
      const span = yield* Effect.currentSpan
      yield* HttpClient.get(`${receiver.url}/outgoing`).pipe(Effect.provide(FetchHttpClient.layer))
      const outgoing = receiver.requests.find((request) => request.path === "/outgoing")!
      expect(outgoing.headers.traceparent).toMatch(new RegExp(`^00-${span.traceId}-[0-9a-f]{16}-01$`))
    }).pipe(Effect.withSpan("test.outgoing")))
})
