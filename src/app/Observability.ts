import { Effect, Layer } from "effect"
import { AppConfig } from "../platform/config/AppConfig.ts"
import { ErrorReporter } from "../platform/observability/ErrorReporter.ts"
import { Logging } from "../platform/observability/Logging.ts"
import { ObservabilityConfig } from "../platform/observability/ObservabilityConfig.ts"
import { OtlpExport } from "../platform/observability/OtlpExport.ts"
import { SentryErrorReporter } from "../platform/observability/SentryErrorReporter.ts"

/**
 * Logs (JSON lines or pretty, optional files), OTLP export of spans and metrics when an endpoint is
 * set, and the ErrorReporter adapter: Sentry when SENTRY_DSN is set, none otherwise. Provided
 * outermost, so every fiber of the server logs, traces and reports through it.
 */
export const Observability = Layer.unwrap(
  Effect.gen(function* () {
    const { env } = yield* AppConfig
    const { logFormat, logLevel, logDir, otlp, sentryDsn } = yield* ObservabilityConfig
    return Layer.mergeAll(
      Logging.layer({ format: logFormat, level: logLevel, dir: logDir }),
      otlp === undefined ? Layer.empty : OtlpExport.layer(otlp),
      sentryDsn === undefined
        ? ErrorReporter.layerNone
        : SentryErrorReporter.layer({ dsn: sentryDsn, environment: env })
    )
  })
)
