import { Cause, Context, Effect } from "effect"
import { HttpRouter, HttpServerError, HttpServerRequest, HttpServerResponse } from "effect/http"
import { ErrorReporter } from "../observability/ErrorReporter.ts"
import { Availability } from "../Availability.ts"
import { unavailable } from "./DependencyGuard.ts"
import { CurrentRequestId } from "../observability/RequestId.ts"
import { recordedSpan } from "../observability/Spans.ts"

const body = (status: number, field: string, message: string) =>
  HttpServerResponse.jsonUnsafe({ errors: { [field]: [message] } }, { status })

const requestParseReason = (error: unknown) =>
  HttpServerError.isHttpServerError(error) && error.reason._tag === "RequestParseError" ? error.reason : undefined

/**
 * The last line of defence, around every route: whatever escapes the handlers still leaves in the
 * contract's error envelope. Unknown routes get 404, oversized bodies 413, anything else a 500 that
 * carries the request id and no internals, while the failure is logged and sent to the ErrorReporter;
 * a failure that means a dependency is unavailable is a 503 with Retry-After instead.
 */
export const ErrorFallback = HttpRouter.middleware(
  Effect.map(Effect.all([Effect.service(ErrorReporter), Effect.service(Availability)]), ([reporter, availability]) => (httpEffect) =>
    httpEffect.pipe(
      // effect answers an unsupported content type in plain text; clients expect the envelope.
      Effect.map((response) =>
        response.status === 415 ? body(415, "body", "must be sent as application/json") : response
      ),
      Effect.catchCause((cause) => {
        if (Cause.hasInterruptsOnly(cause)) return Effect.failCause(cause)
        const error = Cause.squash(cause)
        if (HttpServerError.isHttpServerError(error) && error.reason._tag === "RouteNotFound")
          return Effect.succeed(body(404, "route", "not found"))
        const parse = requestParseReason(error)
        if (parse?.reason === "BodyTooLarge") return Effect.succeed(body(413, "body", "is too large"))
        if (parse !== undefined) return Effect.succeed(body(400, "body", "could not be read"))
        // A dependency that is down is a 503 the client may retry, logged once per outage, not per request.
        return Effect.flatMap(availability.report(cause), (outage) =>
          outage
            ? Effect.map(Effect.service(HttpServerRequest.HttpServerRequest), (request) => unavailable(request.method, true))
            : unexpected(reporter, cause)
        )
      })
    )
  ),
  { global: true }
)

/** A 500 in the envelope plus `requestId`, so a user's report can be matched to the logs and the error report. */
const unexpected = (reporter: ErrorReporter["Service"], cause: Cause.Cause<unknown>) =>
  Effect.withFiber((fiber) => {
    const requestId = fiber.getRef(CurrentRequestId)
    const request = Context.getUnsafe(fiber.context, HttpServerRequest.HttpServerRequest)
    const span = recordedSpan(fiber.cache.span)
    return Effect.logError("unhandled failure", cause).pipe(
      Effect.andThen(
        reporter.report(cause, {
          requestId,
          method: request.method,
          route: Context.getOrUndefined(fiber.context, HttpRouter.RouteContext)?.route.path,
          traceId: span?.traceId,
          spanId: span?.spanId
        })
      ),
      Effect.as(
        HttpServerResponse.jsonUnsafe(
          { errors: { server: ["an unexpected error occurred"] }, ...(requestId === undefined ? {} : { requestId }) },
          { status: 500 }
        )
      )
    )
  })
