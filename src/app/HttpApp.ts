import { ByteSize, Effect, Layer } from "effect"
import { HttpIncomingMessage, HttpRouter } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import { PrometheusMetrics } from "effect/observability"
import { AppConfig } from "../platform/config/AppConfig.ts"
import { Availability } from "../platform/Availability.ts"
import { BodyValidation } from "../platform/http/BodyValidation.ts"
import { DependencyGuard } from "../platform/http/DependencyGuard.ts"
import { DocsPage } from "../platform/http/DocsPage.ts"
import { CurrentDrain } from "../platform/http/Drain.ts"
import { ErrorFallback } from "../platform/http/ErrorFallback.ts"
import { HealthRoutes } from "../platform/http/Health.ts"
import { IdempotentWrites } from "../platform/http/IdempotentWrites.ts"
import { WriteRateLimit } from "../platform/http/RateLimitHttp.ts"
import { RequestObservability } from "../platform/observability/RequestObservability.ts"
import { RequestValidation } from "../platform/http/RequestValidation.ts"
import { SecurityHeaders } from "../platform/http/SecurityHeaders.ts"
import { UrlValidation } from "../platform/http/UrlValidation.ts"
import { Application } from "./Application.ts"
import { ConduitApi, UNKEYED_POSTS } from "./ConduitApi.ts"
import { EventConsumers } from "./Events.ts"

/** Conduit payloads are small: anything over 1 MiB is refused with 413 before it is buffered whole. */
const MaxBodySize = Layer.succeed(HttpIncomingMessage.MaxBodySize, ByteSize.mebibytes(1))

/** Every module's handlers, with the HTTP middleware of the platform. */
const Handlers = Application.handlers.pipe(Layer.provide(RequestValidation.layer))


/** RealWorld front ends run in browsers on other origins. */
const Cors = Layer.unwrap(
  Effect.gen(function* () {
    const { corsOrigins } = yield* AppConfig
    return HttpRouter.cors({
      allowedOrigins: corsOrigins.includes("*") ? [] : corsOrigins,
      allowedHeaders: ["authorization", "content-type", "x-request-id"],
      exposedHeaders: ["x-request-id"],
      maxAge: 600
    })
  })
)

/** Prometheus metrics at `/metrics`: here unless METRICS_PORT gives them a listener of their own (main.ts). */
const MetricsOnPublicPort = Layer.unwrap(
  Effect.gen(function* () {
    const { metricsPort } = yield* AppConfig
    return metricsPort === undefined ? PrometheusMetrics.layerHttp({ path: "/metrics" }) : Layer.empty
  })
)

/**
 * API requests answer 503 at once while the database is down, and never wait past REQUEST_TIMEOUT or
 * a shutdown's deadline (see DependencyGuard).
 */
const Guard = HttpRouter.middleware(
  Effect.gen(function* () {
    const { requestTimeout } = yield* AppConfig
    const drain = yield* CurrentDrain
    return DependencyGuard(yield* Availability, { requestTimeout, onCut: drain.onCut })
  }),
  { global: true }
)

/**
 * Every route the process serves: the API and its OpenAPI document, the docs page, health probes,
 * metrics, and the fallback that keeps even unexpected failures in the contract's error format.
 * Around every route, outermost first (each is installed before those it provides to): CORS (so
 * preflights are answered even while the database is down), the URL check, the dependency guard,
 * the fallback (so whatever fails inside it still answers in the envelope), then the write limits,
 * the strict UTF-8 check of bodies and Idempotency-Key. All of them answer inside the router, so
 * their refusals leave with every response's headers.
 */
export const HttpApp = Layer.mergeAll(
  HttpApiBuilder.layer(ConduitApi, { openapiPath: "/openapi.json" }).pipe(Layer.provide(Handlers)),
  DocsPage(ConduitApi, "/docs"),
  HealthRoutes,
  MetricsOnPublicPort,
  WriteRateLimit,
  BodyValidation,
  // Scoped to the account behind the token, which the users module's published RequestPrincipal tells.
  IdempotentWrites(UNKEYED_POSTS).pipe(Layer.provide(Application.useCases)),
  // The modules' event consumers run beside the server, for as long as it does.
  EventConsumers
).pipe(
  Layer.provideMerge(ErrorFallback),
  Layer.provideMerge(Guard),
  Layer.provideMerge(UrlValidation),
  Layer.provideMerge(Cors)
)

/**
 * The HTTP app served on whatever HttpServer is provided (Node's in production, an ephemeral one in
 * tests). effect's own access logger is replaced by RequestObservability: request id, metrics and one
 * JSON access line per request, around everything, so it sees the response actually sent. Inside it,
 * every response gets the security headers, and a shutdown drains requests truthfully (see Drain).
 */
export const HttpAppServer = Layer.unwrap(
  Effect.gen(function* () {
    const { behindTls } = yield* AppConfig
    const drain = yield* CurrentDrain
    const headers = SecurityHeaders({ behindTls })
    return HttpRouter.serve(HttpApp, {
      disableLogger: true,
      middleware: (app) => RequestObservability(drain.middleware(headers(app)))
    })
  })
).pipe(Layer.provide(MaxBodySize))
