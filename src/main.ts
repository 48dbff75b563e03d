import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Cause, Config, Effect, Exit, Layer } from "effect"
import { HttpRouter } from "effect/http"
import { PrometheusMetrics } from "effect/observability"
import { HttpAppServer } from "./app/HttpApp.ts"
import { Infrastructure } from "./app/Infrastructure.ts"
import { Observability } from "./app/Observability.ts"
import { AppConfig, appSettings, envOrProduction } from "./platform/config/AppConfig.ts"
import * as Settings from "./platform/config/Settings.ts"
import { CurrentDrain, Drain, drainOnShutdown } from "./platform/http/Drain.ts"
import { makeNodeServer } from "./platform/http/NodeServer.ts"
import { Logging } from "./platform/observability/Logging.ts"
import { ObservabilityConfig, observabilitySettings, startupLogFormat } from "./platform/observability/ObservabilityConfig.ts"
import { reportStartupFailure } from "./platform/observability/StartupFailure.ts"
import { databaseSettings } from "./platform/sql/Database.ts"

/**
 * The app on Node's HTTP server. On SIGTERM the drain runs first (its layer is built after the app,
 * so it is released before it): stop accepting, finish what is in flight, cut the rest at SHUTDOWN_TIMEOUT.
 */
const Serving = Layer.unwrap(
  Effect.gen(function* () {
    const { host, port, shutdownTimeout } = yield* AppConfig
    const server = makeNodeServer()
    const drain = new Drain()
    const NodeServer = Layer.merge(
      NodeHttpServer.layer(() => server, { host, port, gracefulShutdownTimeout: shutdownTimeout }),
      Layer.succeed(CurrentDrain, drain)
    )
    return drainOnShutdown(drain, server, shutdownTimeout).pipe(Layer.provide(HttpAppServer), Layer.provide(NodeServer))
  })
)

/** With METRICS_PORT set, `/metrics` gets its own listener, which the public Ingress never routes to. */
const MetricsServer = Layer.unwrap(
  Effect.gen(function* () {
    const { host, metricsPort } = yield* AppConfig
    if (metricsPort === undefined) return Layer.empty
    return HttpRouter.serve(PrometheusMetrics.layerHttp({ path: "/metrics" }), { disableLogger: true }).pipe(
      Layer.provide(NodeHttpServer.layer(makeNodeServer, { host, port: metricsPort }))
    )
  })
)

// The port opens only once the pool is up and migrations ran: NodeHttpServer listens when its layer
// is built, and a request that arrives before the routes are installed is never answered.
const Main = Layer.mergeAll(Serving, MetricsServer).pipe(
  Layer.provide(Infrastructure),
  Layer.provideMerge(Observability),
  Layer.provide(ObservabilityConfig.layer),
  Layer.provideMerge(AppConfig.layer)
)

/** Every key the server reads, checked together before anything starts, so one start names every problem. */
const everySetting = Settings.all({
  app: appSettings,
  observability: envOrProduction.pipe(Config.flatMap(observabilitySettings)),
  database: Config.String("STORAGE").pipe(
    Config.withDefault("postgres"),
    Config.flatMap((storage) => (storage === "memory" ? Config.succeed(undefined) : databaseSettings))
  )
})

/** Start-up failures are logged in the format the server logs in (JSON lines in production). */
const StartupLogging = Layer.unwrap(
  Effect.map(startupLogFormat, (format) => Logging.layer({ format, level: "Info", dir: undefined }))
)

// A drained shutdown on SIGTERM/SIGINT is a success (exit 0); only real failures exit 1.
Effect.andThen(everySetting, Layer.launch(Main)).pipe(
  Effect.tapCause((cause) => (Cause.hasInterruptsOnly(cause) ? Effect.void : reportStartupFailure(cause))),
  Effect.provide(StartupLogging),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    teardown: (exit, onExit) => onExit(Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause) ? 1 : 0)
  })
)
