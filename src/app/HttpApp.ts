import { ByteSize, Effect, Layer } from "effect"
import { HttpIncomingMessage, HttpRouter } from "effect/http"
import { HttpApiBuilder, HttpApiScalar } from "effect/http-api"
import { PrometheusMetrics } from "effect/observability"
import { ArticlesHttp, TagsHttp } from "../modules/articles/adapters/http/ArticlesHttp.ts"
import { Articles } from "../modules/articles/application/Articles.ts"
import { CommentsHttp } from "../modules/comments/adapters/http/CommentsHttp.ts"
import { Comments } from "../modules/comments/application/Comments.ts"
import { ProfilesHttp } from "../modules/profiles/adapters/http/ProfilesHttp.ts"
import { ProfileLookupLive } from "../modules/profiles/application/ProfileLookupLive.ts"
import { Profiles } from "../modules/profiles/application/Profiles.ts"
import { UserAccounts } from "../modules/users/application/UserAccounts.ts"
import { AuthenticationLive, OptionalAuthenticationLive } from "../modules/users/adapters/http/AuthenticationLive.ts"
import { UsersHttp } from "../modules/users/adapters/http/UsersHttp.ts"
import { AppConfig } from "../platform/config/AppConfig.ts"
import { ErrorFallback } from "../platform/http/ErrorFallback.ts"
import { HealthRoutes } from "../platform/http/Health.ts"
import { RequestObservability } from "../platform/observability/RequestObservability.ts"
import { RequestValidationLive } from "../platform/http/RequestValidation.ts"
import { ConduitApi } from "./ConduitApi.ts"

/** Conduit payloads are small: anything over 1 MiB is refused with 413 before it is buffered whole. */
const MaxBodySize = Layer.succeed(HttpIncomingMessage.MaxBodySize, ByteSize.mebibytes(1))

/** Cross-cutting HTTP middleware every module's handlers use. */
const HttpMiddleware = Layer.mergeAll(AuthenticationLive, OptionalAuthenticationLive, RequestValidationLive)

/**
 * Ports modules publish to each other that are built over other ports rather than storage (every
 * module's use cases may need them, so they are merged in, not just provided).
 */
const ModulePorts = Layer.mergeAll(ProfileLookupLive)

/** Use cases, one layer per module, over whatever ports the composition root provides. */
const UseCases = Layer.mergeAll(UserAccounts.layer, Profiles.layer, Articles.layer, Comments.layer).pipe(
  Layer.provideMerge(ModulePorts)
)

const Handlers = Layer.mergeAll(UsersHttp, ProfilesHttp, ArticlesHttp, TagsHttp, CommentsHttp).pipe(
  Layer.provide([UseCases, HttpMiddleware])
)

/** RealWorld front ends run in browsers on other origins. */
const Cors = Layer.unwrap(
  Effect.gen(function* () {
    const { corsOrigins } = yield* AppConfig
    return HttpRouter.cors({
      allowedOrigins: corsOrigins,
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
 * Every route the process serves: the API and its OpenAPI document, the docs page, health probes,
 * metrics, and the fallback that keeps even unexpected failures in the contract's error format.
 */
export const HttpApp = Layer.mergeAll(
  HttpApiBuilder.layer(ConduitApi, { openapiPath: "/openapi.json" }).pipe(Layer.provide(Handlers)),
  HttpApiScalar.layer(ConduitApi, { path: "/docs" }),
  HealthRoutes,
  MetricsOnPublicPort,
  ErrorFallback,
  Cors
)

/**
 * The HTTP app served on whatever HttpServer is provided (Node's in production, an ephemeral one in
 * tests). effect's own access logger is replaced by RequestObservability: request id, metrics and one
 * JSON access line per request, around everything, so it sees the response actually sent.
 */
export const HttpAppServer = HttpRouter.serve(HttpApp, { disableLogger: true, middleware: RequestObservability }).pipe(
  Layer.provide(MaxBodySize)
)
