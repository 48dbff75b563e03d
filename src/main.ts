import { createServer } from "node:http"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { HttpAppServer } from "./app/HttpApp.ts"
import { Infrastructure, Logging } from "./app/Infrastructure.ts"
import { AppConfig } from "./platform/config/AppConfig.ts"

/** Node's HTTP server; on SIGTERM it stops accepting and drains in-flight requests for SHUTDOWN_TIMEOUT. */
const NodeServer = Layer.unwrap(
  Effect.gen(function* () {
    const { host, port, shutdownTimeout } = yield* AppConfig
    return NodeHttpServer.layer(createServer, { host, port, gracefulShutdownTimeout: shutdownTimeout })
  })
)

const Main = HttpAppServer.pipe(
  Layer.provide(Infrastructure),
  Layer.provide(NodeServer),
  Layer.provideMerge(Logging),
  Layer.provide(AppConfig.layer)
)

Layer.launch(Main).pipe(NodeRuntime.runMain)
