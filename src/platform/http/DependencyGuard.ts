import { Context, Duration, Effect, type Exit, Option } from "effect"
import { HttpEffect, HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { ServiceUnavailable } from "./ContractErrors.ts"
import type { Availability } from "../Availability.ts"

/** How long a client should wait before retrying, in seconds. */
export const RETRY_AFTER_SECONDS = 1

const isSafe = (method: string) => method === "GET" || method === "HEAD" || method === "OPTIONS"

/**
 * 503 + Retry-After in the contract's envelope. What the client may conclude depends on whether the
 * request ran: refused before running, nothing changed; cut or failed while running, a write may or
 * may not have been applied (a connection lost during COMMIT leaves even the server unsure).
 */
export const unavailable = (method: string, ran: boolean) =>
  HttpServerResponse.jsonUnsafe(
    {
      errors: {
        service: [
          !ran
            ? "is unavailable: nothing was changed, retry later"
            : isSafe(method)
              ? "is unavailable, retry later"
              : "became unavailable while handling this request: it may or may not have been applied, check before retrying"
        ]
      }
    },
    { status: 503, headers: { "retry-after": String(RETRY_AFTER_SECONDS) } }
  )

/** A refusal for load (too many waiting for a scarce resource) as the contract's 503 with Retry-After. */
export const overloaded = (field: string) =>
  HttpEffect.appendPreResponseHandler((_, response) =>
    Effect.succeed(HttpServerResponse.setHeader(response, "retry-after", String(RETRY_AFTER_SECONDS)))
  ).pipe(Effect.andThen(Effect.fail(new ServiceUnavailable({ errors: { [field]: ["are too many at the moment, retry later"] } }))))

export interface DependencyGuardOptions {
  /** An API request still unanswered after this gets a 503 (a pool that never frees up, a frozen database). */
  readonly requestTimeout: Duration.Duration
  /** Calls the listener when a shutdown's deadline has come (requests still running get a 503 too), at once and unregistered if it has; returns its removal. */
  readonly onCut: (listener: () => void) => () => void
}

const isApi = (url: string) => url.startsWith("/api/") || url === "/api"

/**
 * Middleware for API routes, around every route (inside the router, so its 503s leave with the headers
 * every response gets: security, CORS, request id, `Connection: close` while draining): while a
 * dependency is down they answer 503 at once instead of queueing, and none waits longer than the
 * request timeout or past a shutdown's deadline. The cut work is interrupted in the background, so
 * the answer never waits for a stuck connection to give up.
 */
export const DependencyGuard = (availability: Availability["Service"], options: DependencyGuardOptions) => {
  const timeoutMillis = Duration.toMillis(options.requestTimeout)
  return <E, R>(app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
    Effect.withFiber<HttpServerResponse.HttpServerResponse, E, R | HttpServerRequest.HttpServerRequest>((fiber) => {
      const request = Context.getUnsafe(fiber.context, HttpServerRequest.HttpServerRequest)
      if (!isApi(request.url)) return app
      if (availability.isDown()) return Effect.succeed(unavailable(request.method, false))
      return Effect.gen(function* () {
        const running = yield* Effect.forkDetach(app)
        // One observer and one timer, no racing fibers: the first of the request's end, its timeout
        // and the cut wins. Interruptible, as the router's own middleware region is not.
        const exit = yield* Effect.callback<Option.Option<Exit.Exit<HttpServerResponse.HttpServerResponse, E>>>(
          (resume) => {
            let settled = false
            let stopListening = () => {}
            let stopObserving = () => {}
            const release = () => {
              settled = true
              clearTimeout(timer)
              stopListening()
              stopObserving()
            }
            const settle = (outcome: Option.Option<Exit.Exit<HttpServerResponse.HttpServerResponse, E>>) => {
              if (settled) return
              release()
              resume(Effect.succeed(outcome))
            }
            // A wall-clock deadline, like the client's own: a timer, not a fiber sleeping on the Clock.
            const timer = setTimeout(() => settle(Option.none()), timeoutMillis)
            stopListening = options.onCut(() => settle(Option.none()))
            stopObserving = running.addObserver((done) => settle(Option.some(done)))
            return Effect.sync(() => {
              release()
              running.interruptUnsafe()
            })
          }
        ).pipe(Effect.interruptible)
        if (Option.isSome(exit)) {
          // The router put the matched route in the worker's context; the access log reads it from this one.
          const route = Context.getOption(running.context, HttpRouter.RouteContext)
          if (Option.isSome(route)) fiber.setContext(Context.add(fiber.context, HttpRouter.RouteContext, route.value))
          return yield* exit.value
        }
        running.interruptUnsafe()
        yield* Effect.logWarning("request cut: timed out or shutting down", {
          timeout: Duration.format(options.requestTimeout)
        })
        return unavailable(request.method, true)
      })
    })
}
