import { Context, Effect, Layer } from "effect"

/**
 * What readiness depends on (the database, when there is one). Liveness depends on nothing. Adapters
 * provide it (platform/sql for PostgreSQL); the health routes ask it.
 */
export class Readiness extends Context.Service<Readiness, { readonly check: Effect.Effect<void, unknown> }>()(
  "app/platform/Readiness"
) {
  static readonly layerAlways = Layer.succeed(Readiness, Readiness.of({ check: Effect.void }))
}
