import { Context, Duration, Effect, Layer } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"

/** What readiness depends on (the database, when there is one). Liveness depends on nothing. */
export class Readiness extends Context.Service<Readiness, { readonly check: Effect.Effect<void, unknown> }>()(
  "app/platform/Readiness"
) {
  static readonly layerAlways = Layer.succeed(Readiness, Readiness.of({ check: Effect.void }))
}

const json = (status: number, body: unknown) => HttpServerResponse.jsonUnsafe(body, { status })

/** `/health/live` says the process serves; `/health/ready` says it can do useful work (503 otherwise). */
export const HealthRoutes = HttpRouter.use(
  Effect.fnUntraced(function* (router) {
    const readiness = yield* Readiness
    yield* router.add("GET", "/health/live", Effect.succeed(json(200, { status: "ok" })))
    yield* router.add(
      "GET",
      "/health/ready",
      readiness.check.pipe(
        Effect.timeout(Duration.seconds(2)),
        Effect.as(json(200, { status: "ready" })),
        Effect.catchCause(() => Effect.succeed(json(503, { status: "unavailable" })))
      )
    )
  })
)
