import { Effect, Layer, Metric } from "effect"
import { Statement } from "effect/sql"

const inUseGauge = Metric.gauge("db_pool_connections_in_use", {
  description: "Database pool connections running a statement"
})
const waitingGauge = Metric.gauge("db_pool_connections_waiting", {
  description: "Statements waiting for a free database pool connection"
})

const ignoreInput = () => {}

/**
 * `db_pool_connections_in_use` and `db_pool_connections_waiting` for a pool of `maxConnections`.
 *
 * @effect/sql-pg 4.0.5 keeps its pool's statistics private, so they are derived: every statement
 * is counted from the moment it asks for a connection until its span ends (a statement transformer
 * sees the first, the span's end the second). The pool lends one connection per statement, so
 * statements beyond `maxConnections` are the ones waiting. Time a transaction holds its connection
 * between statements is not counted. Read at scrape/export time, so a statement costs two integer
 * updates.
 */
const layer = (maxConnections: number) =>
  Layer.effect(
    Statement.CurrentTransformer,
    Effect.gen(function* () {
      let inFlight = 0
      const context = yield* Effect.context<never>()
      const register = (gauge: typeof inUseGauge, value: () => number) =>
        Effect.acquireRelease(
          Effect.sync(() =>
            Metric.registerUnsafe(gauge, context, {
              get: () => ({ value: value() }),
              update: ignoreInput,
              modify: ignoreInput
            })
          ),
          (registration) => Effect.sync(() => registration.remove())
        )
      yield* register(inUseGauge, () => Math.min(inFlight, maxConnections))
      yield* register(waitingGauge, () => Math.max(0, inFlight - maxConnections))

      const transformer: Statement.Transformer = (statement, _sql, _fiber, span) => {
        inFlight++
        const end = span.end
        let ended = false
        span.end = (endTime, exit) => {
          if (!ended) {
            ended = true
            inFlight--
          }
          end.call(span, endTime, exit)
        }
        return Effect.succeed(statement)
      }
      return transformer
    })
  )

export const DbPoolMetrics = { layer }
