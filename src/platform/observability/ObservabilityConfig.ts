import { Config, Context, Effect, Layer, LogLevel, Redacted, Schema } from "effect"
import { AppConfig, type AppEnv, envOrProduction } from "../config/AppConfig.ts"
import * as Settings from "../config/Settings.ts"

/**
 * Which trace sampler to use, by OpenTelemetry's standard names (OTEL_TRACES_SAMPLER). The
 * `parentbased_*` ones follow an incoming `traceparent`'s sampled flag and apply the named rule only
 * to traces that start here.
 */
export const samplerNames = [
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio"
] as const
export type SamplerName = (typeof samplerNames)[number]

export interface OtlpSettings {
  /** Where spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`. */
  readonly tracesUrl: string
  /**
   * Where metrics go: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, else OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/metrics`;
   * unset with OTEL_METRICS_EXPORTER=none, where Prometheus scrapes `/metrics` instead (one path, not two).
   */
  readonly metricsUrl: string | undefined
  /** OTEL_EXPORTER_OTLP_HEADERS (`key=value,…`): vendor credentials, so kept redacted. */
  readonly headers: Redacted.Redacted<Readonly<Record<string, string>>> | undefined
  readonly protocol: "http/protobuf" | "http/json"
  readonly serviceName: string
  readonly sampler: SamplerName
  /** The ratio for the `*traceidratio` samplers, 0…1. */
  readonly samplerRatio: number
  readonly metricsInterval: number
}

export interface ObservabilitySettings {
  readonly logLevel: LogLevel.LogLevel
  /** JSON lines for machines (the default in production), readable lines for people. */
  readonly logFormat: "json" | "pretty"
  /** Unset when no OTLP endpoint is configured (or OTEL_SDK_DISABLED=true): nothing is exported. */
  readonly otlp: OtlpSettings | undefined
  /** Errors go to Sentry when set; nowhere else otherwise. */
  readonly sentryDsn: Redacted.Redacted<string> | undefined
  /** Also write `app.log` and `error.log` in this folder (stdout stays the main output). */
  readonly logDir: string | undefined
}

const optionalString = (name: string) =>
  Config.String(name).pipe(
    Config.map((value) => (value.trim() === "" ? undefined : value.trim())),
    Config.withDefault(undefined)
  )

/** `base` + `/v1/<signal>`, as the OpenTelemetry spec builds per-signal URLs from the shared endpoint. */
const signalUrl = (base: string, signal: "traces" | "metrics") => `${base.replace(/\/+$/, "")}/v1/${signal}`

const otlpSettings: Config.Config<OtlpSettings | undefined> = Config.all({
  disabled: Config.Boolean("OTEL_SDK_DISABLED").pipe(Config.withDefault(false)),
  endpoint: optionalString("OTEL_EXPORTER_OTLP_ENDPOINT"),
  tracesEndpoint: optionalString("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"),
  metricsEndpoint: optionalString("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"),
  metricsExporter: Config.Literals(["otlp", "none"], "OTEL_METRICS_EXPORTER").pipe(Config.withDefault("otlp" as const)),
  headers: Config.Record(Schema.String, Schema.String, "OTEL_EXPORTER_OTLP_HEADERS").pipe(
    Config.map((record) => Redacted.make(record as Readonly<Record<string, string>>)),
    Config.withDefault(undefined)
  ),
  protocol: Config.Literals(["http/protobuf", "http/json"], "OTEL_EXPORTER_OTLP_PROTOCOL").pipe(
    Config.withDefault("http/protobuf" as const)
  ),
  serviceName: optionalString("OTEL_SERVICE_NAME"),
  sampler: Config.Literals(samplerNames, "OTEL_TRACES_SAMPLER").pipe(Config.withDefault("parentbased_always_on" as const)),
  samplerRatio: Config.Number("OTEL_TRACES_SAMPLER_ARG").pipe(
    Config.mapEffect((ratio) =>
      ratio >= 0 && ratio <= 1 ? Effect.succeed(ratio) : Settings.invalid("OTEL_TRACES_SAMPLER_ARG", `must be between 0 and 1, got ${ratio}`)
    ),
    Config.withDefault(1)
  ),
  metricsInterval: Config.Int("OTEL_METRIC_EXPORT_INTERVAL").pipe(Config.withDefault(60_000))
}).pipe(
  Config.map(({ disabled, endpoint, tracesEndpoint, metricsEndpoint, metricsExporter, serviceName, ...rest }) => {
    const tracesUrl = tracesEndpoint ?? (endpoint && signalUrl(endpoint, "traces"))
    const metricsUrl =
      metricsExporter === "none" ? undefined : (metricsEndpoint ?? (endpoint && signalUrl(endpoint, "metrics")))
    if (disabled || tracesUrl === undefined) return undefined
    return { tracesUrl, metricsUrl, serviceName: serviceName ?? "hexa-monolith", ...rest }
  })
)

/** `info`, `INFO` and `Info` alike: operators write levels in whatever case their other tools use. */
const logLevel = Settings.setting(
  "LOG_LEVEL",
  `one of ${LogLevel.values.join(", ")} (any case)`,
  Config.String("LOG_LEVEL").pipe(
    Config.withDefault("Info"),
    Config.mapEffect((raw) => {
      const level = LogLevel.values.find((candidate) => candidate.toLowerCase() === raw.trim().toLowerCase())
      return level === undefined
        ? Settings.invalid("LOG_LEVEL", `must be one of ${LogLevel.values.join(", ")} (any case), got ${JSON.stringify(raw)}`)
        : Effect.succeed(level)
    })
  )
)

const logFormat = (env: AppEnv) =>
  Settings.setting(
    "LOG_FORMAT",
    `"json" or "pretty"`,
    Config.Literals(["json", "pretty"], "LOG_FORMAT").pipe(Config.withDefault(env === "production" ? "json" : "pretty"))
  )

/**
 * The log format for reporting a failed start: LOG_FORMAT when valid, else what APP_ENV implies.
 * Never fails, so even a configuration error reaches the log pipeline as a JSON line.
 */
export const startupLogFormat: Config.Config<"json" | "pretty"> = envOrProduction.pipe(
  Config.flatMap((env) =>
    logFormat(env).pipe(Config.orElse(() => Config.succeed<"json" | "pretty">(env === "production" ? "json" : "pretty")))
  )
)

/** Every telemetry setting: logs, traces and metrics export, error reporting; all problems at once. */
export const observabilitySettings = (env: AppEnv): Config.Config<ObservabilitySettings> => Settings.all({
  logLevel,
  logFormat: logFormat(env),
  otlp: otlpSettings,
  sentryDsn: Config.Redacted("SENTRY_DSN").pipe(
    Config.map((dsn) => (Redacted.value(dsn).trim() === "" ? undefined : dsn)),
    Config.withDefault(undefined)
  ),
  logDir: optionalString("LOG_DIR")
})

/**
 * Telemetry settings, read once at start-up from the standard OpenTelemetry variables and our own:
 * the one place any of them is read.
 */
export class ObservabilityConfig extends Context.Service<ObservabilityConfig, ObservabilitySettings>()(
  "app/platform/ObservabilityConfig"
) {
  static readonly layer = Layer.effect(
    ObservabilityConfig,
    Effect.gen(function* () {
      const { env } = yield* AppConfig
      return yield* observabilitySettings(env)
    })
  )

  /** Nothing exported, nothing reported, stdout only: what tests and a bare `make run` get. */
  static readonly layerNone = Layer.succeed(ObservabilityConfig, {
    logLevel: "Info",
    logFormat: "pretty",
    otlp: undefined,
    sentryDsn: undefined,
    logDir: undefined
  })
}
