import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Option, Redacted, Tracer } from "effect"
import { Observability } from "../../../src/app/Observability.ts"
import { ObservabilityConfig, observabilitySettings } from "../../../src/platform/observability/ObservabilityConfig.ts"
import { withSampler } from "../../../src/platform/observability/Sampler.ts"
import type { AppEnv } from "../../../src/platform/config/AppConfig.ts"
import { TestConfig } from "../../support/TestApp.ts"

const read = (env: Record<string, string>, appEnv: AppEnv = "development") =>
  Effect.provide(
    Effect.gen(function* () {
      return yield* observabilitySettings(appEnv)
    }),
    ConfigProvider.layer(ConfigProvider.fromUnknown(env))
  )

describe("observability settings", () => {
  it.effect("nothing set: nothing exported, no Sentry, stdout only", () =>
    Effect.gen(function* () {
      expect(yield* read({})).toEqual({
        logLevel: "Info",
        logFormat: "pretty",
        otlp: undefined,
        sentryDsn: undefined,
        logDir: undefined
      })
    }))

  it.effect("logs: JSON lines by default in production, levels in any case, an unknown level names the key", () =>
    Effect.gen(function* () {
      expect(yield* read({}, "production")).toMatchObject({ logFormat: "json" })
      expect(yield* read({ LOG_FORMAT: "pretty" }, "production")).toMatchObject({ logFormat: "pretty" })
      expect((yield* read({ LOG_LEVEL: "debug" })).logLevel).toBe("Debug")
      expect((yield* read({ LOG_LEVEL: "WARN" })).logLevel).toBe("Warn")
      expect(String(yield* Effect.flip(read({ LOG_LEVEL: "loud" })))).toContain("LOG_LEVEL")
    }))

  it.effect("OTEL_EXPORTER_OTLP_ENDPOINT gives the per-signal URLs, service name and the standard sampler defaults", () =>
    Effect.gen(function* () {
      const { otlp } = yield* read({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" })
      expect(otlp).toMatchObject({
        tracesUrl: "http://collector:4318/v1/traces",
        metricsUrl: "http://collector:4318/v1/metrics",
        serviceName: "hexa-monolith",
        sampler: "parentbased_always_on",
        samplerRatio: 1,
        protocol: "http/protobuf"
      })
    }))

  it.effect("per-signal endpoints, sampler, headers (redacted) and OTEL_SDK_DISABLED", () =>
    Effect.gen(function* () {
      const { otlp } = yield* read({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://tempo:4318/v1/traces",
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "0.1",
        OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer abc",
        OTEL_SERVICE_NAME: "conduit"
      })
      expect(otlp?.tracesUrl).toBe("http://tempo:4318/v1/traces")
      expect(otlp?.sampler).toBe("parentbased_traceidratio")
      expect(otlp?.samplerRatio).toBe(0.1)
      expect(otlp?.serviceName).toBe("conduit")
      expect(String(otlp?.headers)).not.toContain("abc")
      expect(Redacted.value(otlp!.headers!)).toEqual({ authorization: "Bearer abc" })
      const disabled = yield* read({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "true" })
      expect(disabled.otlp).toBeUndefined()
    }))

  it.effect("OTEL_METRICS_EXPORTER=none keeps traces on OTLP and leaves metrics to the /metrics scrape", () =>
    Effect.gen(function* () {
      const { otlp } = yield* read({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_METRICS_EXPORTER: "none" })
      expect(otlp?.tracesUrl).toBe("http://collector:4318/v1/traces")
      expect(otlp?.metricsUrl).toBeUndefined()
      const unknown = yield* Effect.flip(read({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_METRICS_EXPORTER: "prometheus" }))
      expect(String(unknown)).toContain("OTEL_METRICS_EXPORTER")
    }))

  it.effect("a sampler ratio outside 0…1 or an unknown sampler stops start-up naming the key", () =>
    Effect.gen(function* () {
      const ratio = yield* Effect.flip(read({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_TRACES_SAMPLER_ARG: "2" }))
      expect(String(ratio)).toContain("OTEL_TRACES_SAMPLER_ARG")
      const sampler = yield* Effect.flip(read({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_TRACES_SAMPLER: "jaeger" }))
      expect(String(sampler)).toContain("OTEL_TRACES_SAMPLER")
    }))

  it.effect("SENTRY_DSN is redacted; LOG_DIR is read", () =>
    Effect.gen(function* () {
      const settings = yield* read({ SENTRY_DSN: "https://key@sentry.example/1", LOG_DIR: "/tmp/logs" })
      expect(String(settings.sentryDsn)).not.toContain("key@")
      expect(settings.logDir).toBe("/tmp/logs")
    }))

  it.effect("without an endpoint the app keeps effect's built-in tracer (no exporter, no sampler)", () =>
    Effect.gen(function* () {
      const tracer = yield* Effect.tracer
      expect(tracer).toBe(Tracer.nativeTracer)
    }).pipe(Effect.provide(Observability.pipe(Layer.provide([TestConfig.layer(), ObservabilityConfig.layerNone])))))
})

const collecting = () => {
  const decisions: Array<boolean> = []
  const inner = Tracer.make({
    span: (options) => {
      decisions.push(options.sampled)
      return new Tracer.NativeSpan(options)
    }
  })
  return { decisions, inner }
}
const spanOptions = (parent: Tracer.AnySpan | undefined) => ({
  name: "GET",
  parent: parent === undefined ? Option.none() : Option.some(parent),
  annotations: Tracer.externalSpan({ spanId: "x", traceId: "y" }).annotations,
  links: [],
  startTime: 0n,
  kind: "server" as const,
  root: false,
  sampled: true
})
const remote = (sampled: boolean) => Tracer.externalSpan({ traceId: "f".repeat(32), spanId: "1".repeat(16), sampled })

describe("samplers (OTEL_TRACES_SAMPLER)", () => {
  it("parentbased_* follow an incoming traceparent's flag", () => {
    const { decisions, inner } = collecting()
    const tracer = withSampler(inner, "parentbased_always_off", 1)
    tracer.span(spanOptions(remote(true)))
    tracer.span({ ...spanOptions(remote(false)), sampled: false })
    tracer.span(spanOptions(undefined))
    expect(decisions).toEqual([true, false, false])
  })

  it("traceidratio keeps about the given share of new traces, 0 none and 1 all", () => {
    const { decisions, inner } = collecting()
    const tenth = withSampler(inner, "parentbased_traceidratio", 0.1)
    for (let i = 0; i < 10_000; i++) tenth.span(spanOptions(undefined))
    const kept = decisions.filter(Boolean).length
    expect(kept).toBeGreaterThan(800)
    expect(kept).toBeLessThan(1200)
    decisions.length = 0
    withSampler(inner, "traceidratio", 0).span(spanOptions(undefined))
    withSampler(inner, "traceidratio", 1).span(spanOptions(undefined))
    expect(decisions).toEqual([false, true])
  })

  it("a span whose parent is local follows it, so traces are kept or dropped whole", () => {
    const { decisions, inner } = collecting()
    const tracer = withSampler(inner, "traceidratio", 0)
    const kept = new Tracer.NativeSpan({ ...spanOptions(undefined), sampled: true })
    tracer.span({ ...spanOptions(kept), kind: "internal" })
    expect(decisions).toEqual([true])
  })
})
