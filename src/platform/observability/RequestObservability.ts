import { Cause, Context, Effect, Exit, Tracer } from "effect"
import {
  HttpEffect,
  HttpRouter,
  HttpServerError,
  HttpServerRequest,
  HttpServerResponse
} from "effect/http"
import { recordRequest } from "./Metrics.ts"
import { CurrentRequestId, requestIdFrom } from "./RequestId.ts"

/** Routes that orchestrators and scrapers call every few seconds: their access lines go to Debug. */
const quietRoutes = new Set(["/health/live", "/health/ready", "/metrics"])

/** Status for requests that never produced one: the client went away (nginx's 499) or a bug (500). */
const statusOf = (exit: Exit.Exit<HttpServerResponse.HttpServerResponse, unknown>): number => {
  if (Exit.isSuccess(exit)) return exit.value.status
  if (Cause.hasInterruptsOnly(exit.cause)) return 499
  return HttpServerError.causeResponseStripped(exit.cause)[0].status
}

/**
 * The matched route template. The router leaves the matched route in the request fiber's context
 * until the request ends, which is why this middleware reads it on exit, inside its own scope.
 * Unmatched requests (404s, CORS preflights) share one label so paths never become label values.
 */
const routeOf = (context: Context.Context<never>): string =>
  Context.getOrUndefined(context, HttpRouter.RouteContext)?.route.path ?? "unmatched"

/**
 * OpenTelemetry names server spans `{method} {route}`. The span starts before routing, named after
 * the method alone; the router records the matched template as `http.route` on spans it exports, and
 * the name is completed from it here, before the span ends.
 */
const nameServerSpan = (context: Context.Context<never>, method: string) => {
  const span = Context.getOrUndefined(context, Tracer.ParentSpan)
  if (span?._tag !== "Span" || span.kind !== "server") return
  const route = span.attributes.get("http.route")
  if (typeof route === "string") (span as { name: string }).name = `${method} ${route}`
}

/**
 * Wraps the whole server (pass it as `HttpRouter.serve`'s `middleware`) so it sees the response
 * actually sent, whatever produced it. Per request it:
 * - takes the caller's `X-Request-Id` or makes one, returns it, and annotates every log line with it;
 * - counts the request and its duration by method, route template and status;
 * - writes one access log line (route, status, duration).
 */
export const RequestObservability = <E, R>(
  app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest> =>
  Effect.withFiber((fiber) => {
    const request = Context.getUnsafe(fiber.context, HttpServerRequest.HttpServerRequest)
    const requestId = requestIdFrom(request.headers["x-request-id"])
    const started = performance.now()
    HttpEffect.appendPreResponseHandlerUnsafe(fiber.context, (_, response) =>
      Effect.succeed(HttpServerResponse.setHeader(response, "x-request-id", requestId))
    )
    return app.pipe(
      Effect.onExit((exit) =>
        Effect.withFiber((current) => {
          const seconds = (performance.now() - started) / 1000
          const status = statusOf(exit)
          const route = routeOf(current.context)
          recordRequest(current.context, request.method, route, status, seconds)
          nameServerSpan(current.context, request.method)
          const fields = {
            method: request.method,
            route,
            path: request.url.split("?", 1)[0],
            status,
            duration_ms: Math.round(seconds * 100_000) / 100
          }
          if (status >= 500) return Effect.logError("request failed", fields)
          if (quietRoutes.has(route)) return Effect.logDebug("request served", fields)
          return Effect.logInfo("request served", fields)
        })
      ),
      Effect.annotateLogs("request_id", requestId),
      Effect.provideService(CurrentRequestId, requestId)
    )
  })
