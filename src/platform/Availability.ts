import { type Cause, Context, Effect, Layer } from "effect"

/**
 * Whether the dependencies the API needs (the database) can serve now. The storage adapter that
 * knows them implements it; HTTP only asks, and tells it about failures it saw.
 */
export class Availability extends Context.Service<
  Availability,
  {
    /** True while a dependency is known to be down: API requests are refused at once. */
    readonly isDown: () => boolean
    /** Whether this failure means a dependency is unavailable (and records it); false for real bugs. */
    readonly report: (cause: Cause.Cause<unknown>) => Effect.Effect<boolean>
  }
>()("app/platform/Availability") {
  static readonly layerAlways = Layer.succeed(
    Availability,
    Availability.of({ isDown: () => false, report: () => Effect.succeed(false) })
  )
}

