import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Exit, Layer } from "effect"
import { HttpRouter } from "effect/http"
import { PrometheusMetrics } from "effect/observability"
import { HttpAppServer } from "./app/HttpApp.ts"
import { Infrastructure } from "./app/Infrastructure.ts"
import { Observability } from "./app/Observability.ts"
import { AppConfig } from "./platform/config/AppConfig.ts"
import { CurrentDrain, Drain, drainOnShutdown } from "./platform/http/Drain.ts"
import { makeNodeServer } from "./platform/http/NodeServer.ts"
import { ObservabilityConfig } from "./platform/observability/ObservabilityConfig.ts"

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

// A drained shutdown on SIGTERM/SIGINT is a success (exit 0); only real failures exit 1.
Layer.launch(Main).pipe(
  NodeRuntime.runMain({
    teardown: (exit, onExit) => onExit(Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause) ? 1 : 0)
  })
)
