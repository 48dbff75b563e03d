import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import { HealthRoutes } from "../../../src/platform/http/Health.ts"
import { Readiness } from "../../../src/platform/Readiness.ts"

const probe = (readiness: Layer.Layer<Readiness>, path: string) =>
  Effect.acquireUseRelease(
    Effect.sync(() => HttpRouter.toWebHandler(HealthRoutes.pipe(Layer.provide(readiness)), { disableLogger: true })),
    ({ handler }) => Effect.promise(() => handler(new Request(`http://localhost${path}`))),
    ({ dispose }) => Effect.promise(dispose)
  )

const failing = Layer.succeed(Readiness, Readiness.of({ check: Effect.fail(new Error("connection refused")) }))
const hanging = Layer.succeed(Readiness, Readiness.of({ check: Effect.never }))

describe("health probes", () => {
  it.effect("ready answers 200 when its dependencies answer", () =>
    Effect.gen(function* () {
      expect((yield* probe(Readiness.layerAlways, "/health/ready")).status).toBe(200)
    }))

  it.effect("ready answers 503 when the database fails, and live stays 200", () =>
    Effect.gen(function* () {
      expect((yield* probe(failing, "/health/ready")).status).toBe(503)
      expect((yield* probe(failing, "/health/live")).status).toBe(200)
    }))

  it.live("ready answers 503 instead of hanging when the database does not answer", () =>
    Effect.gen(function* () {
      expect((yield* probe(hanging, "/health/ready")).status).toBe(503)
    }))
})
