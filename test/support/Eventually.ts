import { type Cause, type Duration, Effect, Schedule } from "effect"

/**
 * Retries `check` (an assertion that fails or throws until the system catches up) every 50 ms until
 * it passes or `within` runs out, then fails with its last cause. Deadlines are generous: the machine
 * running the suite may be busy.
 */
export const eventually = <A, E, R>(check: Effect.Effect<A, E, R>, within: Duration.Input = "20 seconds") =>
  Effect.suspend(() => check).pipe(
    Effect.catchCause((cause) => Effect.fail(cause)),
    Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo({ duration: within }))),
    Effect.catch((cause: Cause.Cause<E>) => Effect.failCause(cause))
  )
