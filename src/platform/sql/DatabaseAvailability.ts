import { Cause, Context, Duration, Effect, Fiber, Layer, Option } from "effect"
import { SqlClient, SqlError } from "effect/sql"
import { Availability } from "../Availability.ts"
import { Readiness } from "../Readiness.ts"

/**
 * SQLSTATEs of a server that is going away or not there yet: admin/crash shutdown, starting up,
 * too many connections. effect/sql classifies them as unknown; for clients they are a 503.
 */
const unavailableStates = new Set(["57P01", "57P02", "57P03", "53300"])

const sqlStateOf = (reason: SqlError.SqlError["reason"]): string | undefined => {
  const cause = reason.cause as { code?: unknown } | undefined
  return typeof cause?.code === "string" ? cause.code : undefined
}

/** The database, not the request, is the problem: it cannot be reached, or it is going away. */
const isOutage = (error: unknown) =>
  SqlError.isSqlError(error) &&
  (error.reason._tag === "ConnectionError" || unavailableStates.has(sqlStateOf(error.reason) ?? ""))

/** The database is up but too slow for this one request: a 503 for it, not an outage for everyone. */
const isTimeout = (error: unknown) =>
  SqlError.isSqlError(error) && (error.reason._tag === "StatementTimeoutError" || error.reason._tag === "LockTimeoutError")

const briefly = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 200)

export interface ProbeOptions {
  /** Between probes while the database answers. */
  readonly every: Duration.Duration
  /** Between probes while it is down: how soon a recovery is noticed. */
  readonly whileDown: Duration.Duration
  /** A probe not answered by then counts as down (a frozen server accepts connections and says nothing). */
  readonly timeout: Duration.Duration
}

export const defaultProbe: ProbeOptions = {
  every: Duration.seconds(1),
  whileDown: Duration.millis(200),
  timeout: Duration.seconds(2)
}

/**
 * Knows whether PostgreSQL is reachable, from a `SELECT 1` probe and from the failures requests
 * report, and logs one line per change (down with the reason, back with the outage's length)
 * instead of a stack per failed request. Readiness follows the same state, so it answers at once.
 */
const make = Effect.fnUntraced(function* (options: ProbeOptions) {
  const sql = yield* SqlClient.SqlClient
  let downSince: number | undefined

  const markDown = (reason: string) =>
    downSince === undefined
      ? Effect.suspend(() => {
          downSince = Date.now()
          return Effect.logWarning("database unreachable: API requests answer 503 until it is back", { reason })
        })
      : Effect.void
  const markUp = Effect.suspend(() => {
    if (downSince === undefined) return Effect.void
    const outage_ms = Date.now() - downSince
    downSince = undefined
    return Effect.logInfo("database reachable again", { outage_ms })
  })

  // Awaited without waiting for a stuck statement to be interrupted: it finishes in the background.
  const probeOnce = Effect.gen(function* () {
    const fiber = yield* Effect.forkDetach(Effect.asVoid(sql`SELECT 1`))
    const exit = yield* Effect.timeoutOption(Fiber.await(fiber), options.timeout)
    if (Option.isNone(exit)) {
      fiber.interruptUnsafe()
      return yield* markDown(`no answer within ${Duration.format(options.timeout)}`)
    }
    if (exit.value._tag === "Success") return yield* markUp
    return yield* markDown(briefly(Cause.squash(exit.value.cause)))
  })

  yield* Effect.forkScoped(
    Effect.forever(
      Effect.andThen(
        probeOnce,
        Effect.suspend(() => Effect.sleep(downSince === undefined ? options.every : options.whileDown))
      )
    )
  )

  const availability = Availability.of({
    isDown: () => downSince !== undefined,
    report: (cause) =>
      Effect.suspend(() => {
        const error = Cause.squash(cause)
        if (isOutage(error)) return Effect.as(markDown(briefly(error)), true)
        return Effect.succeed(isTimeout(error))
      })
  })
  const readiness = Readiness.of({
    check: Effect.suspend(() => (downSince === undefined ? Effect.void : Effect.fail(new Error("database unreachable"))))
  })
  return { availability, readiness }
})

/** Availability and readiness of a service over PostgreSQL, probed in the background. */
export const DatabaseAvailability = {
  layer: (options: ProbeOptions = defaultProbe) =>
    Layer.effectContext(
      Effect.map(make(options), ({ availability, readiness }) =>
        Context.make(Availability, availability).pipe(Context.add(Readiness, readiness))
      )
    )
}
