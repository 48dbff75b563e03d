import { Duration, Effect, Layer, Redacted, Tracer } from "effect"
import { FetchHttpClient, HttpClient, HttpMiddleware } from "effect/http"
import { OtlpExporter, OtlpMetrics, OtlpSerialization, OtlpTracer } from "effect/observability"
import type { OtlpSettings } from "./ObservabilityConfig.ts"
import { withSampler } from "./Sampler.ts"

/** Probes and scrapes would be most of the spans and tell nothing: they are counted, not traced. */
const untracedPaths = new Set(["/health/live", "/health/ready", "/metrics"])
const NoProbeSpans = Layer.succeed(HttpMiddleware.TracerDisabledWhen, (request) =>
  untracedPaths.has(request.url.split("?", 1)[0] ?? request.url)
)

/**
 * The exporters retry, then pause for a minute, and say so only at Debug: one warning per process
 * tells the operator that the collector cannot be reached (its address without credentials).
 */
const reportingClient = (url: string) =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.gen(function* () {
      const client = yield* HttpClient.HttpClient
      const endpoint = URL.parse(url)?.origin ?? "the OTLP endpoint"
      let warned = false
      return client.pipe(
        HttpClient.tapError((error) => {
          if (warned) return Effect.void
          warned = true
          return Effect.logWarning(
            `cannot export telemetry to ${endpoint} (OTEL_EXPORTER_OTLP_ENDPOINT): ${error.message}; the exporters keep retrying, this is logged once`
          )
        })
      )
    })
  ).pipe(Layer.provide(FetchHttpClient.layer))

/**
 * Spans and metrics over OTLP/HTTP to a collector, with effect's own exporters
 * (effect/observability: no OpenTelemetry SDK, no extra packages). Only built when an endpoint is
 * configured: without one the app keeps effect's built-in tracer, which records nothing.
 *
 * Why not @effect/opentelemetry's NodeSdk: it would bring eight @opentelemetry packages for the same
 * OTLP/HTTP payloads, and its per-span bridge costs more than effect's native spans; the two things
 * the SDK adds that matter here (sampler and resource from the standard variables) are read in
 * ObservabilityConfig and applied by Sampler.ts / OtlpResource.
 */
const layer = (settings: OtlpSettings) => {
  const headers = settings.headers === undefined ? undefined : Redacted.value(settings.headers)
  // service.name from OTEL_SERVICE_NAME (default hexa-monolith); OTEL_RESOURCE_ATTRIBUTES is read by the exporters.
  const resource = { serviceName: settings.serviceName }
  const tracer = Layer.effect(
    Tracer.Tracer,
    Effect.map(OtlpTracer.make({ url: settings.tracesUrl, resource, headers }), (tracer) =>
      withSampler(tracer, settings.sampler, settings.samplerRatio)
    )
  )
  const metrics =
    settings.metricsUrl === undefined
      ? Layer.empty
      : OtlpMetrics.layer({
          url: settings.metricsUrl,
          resource,
          headers,
          exportInterval: Duration.millis(settings.metricsInterval)
        })
  return Layer.mergeAll(tracer, metrics, NoProbeSpans).pipe(
    Layer.provideMerge(OtlpExporter.layerFlusher),
    Layer.provide(settings.protocol === "http/json" ? OtlpSerialization.layerJson : OtlpSerialization.layerProtobuf),
    Layer.provide(reportingClient(settings.tracesUrl))
  )
}

export const OtlpExport = { layer }
