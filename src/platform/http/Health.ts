import { Duration, Effect } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { Readiness } from "../Readiness.ts"

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
