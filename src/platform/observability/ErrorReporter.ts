import { type Cause, Context, Effect, Layer } from "effect"

/** What is known about where an unexpected failure happened; never request bodies or headers. */
export interface FailureContext {
  readonly requestId?: string | undefined
  readonly method?: string | undefined
  readonly route?: string | undefined
  readonly traceId?: string | undefined
  readonly spanId?: string | undefined
}

/**
 * Where unexpected failures (defects, 500s) are sent for people to look at. Reporting never fails
 * and never delays the answer: adapters send in the background.
 */
export class ErrorReporter extends Context.Service<
  ErrorReporter,
  { readonly report: (cause: Cause.Cause<unknown>, context: FailureContext) => Effect.Effect<void> }
>()("app/platform/ErrorReporter") {
  /** Reports nowhere (no SENTRY_DSN): the failure is still logged with its request id. */
  static readonly layerNone = Layer.succeed(ErrorReporter, ErrorReporter.of({ report: () => Effect.void }))
}
