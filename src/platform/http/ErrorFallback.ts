import { Cause, Effect } from "effect"
import { HttpRouter, HttpServerError, HttpServerResponse } from "effect/http"

const body = (status: number, field: string, message: string) =>
  HttpServerResponse.jsonUnsafe({ errors: { [field]: [message] } }, { status })

const requestParseReason = (error: unknown) =>
  HttpServerError.isHttpServerError(error) && error.reason._tag === "RequestParseError" ? error.reason : undefined

/**
 * The last line of defence, around every route: whatever escapes the handlers still leaves in the
 * contract's error envelope. Unknown routes get 404, oversized bodies 413, anything else a logged 500
 * that carries no internals.
 */
export const ErrorFallback = HttpRouter.middleware(
  (httpEffect) =>
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
        return Effect.logError("unhandled failure", cause).pipe(
          Effect.as(body(500, "server", "an unexpected error occurred"))
        )
      })
    ),
  { global: true }
)
