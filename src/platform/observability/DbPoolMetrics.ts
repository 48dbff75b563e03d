import { Effect, Layer, Metric, type Tracer } from "effect"
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
 * @effect/sql-pg 4.0.5 keeps its pool's statistics private, so they are derived from the statements
 * themselves: a statement transformer sees each one start (before it asks for a connection) and keeps
 * its span; a statement is in flight until its span has ended. The pool lends one connection per
 * statement, so statements beyond `maxConnections` are the ones waiting. Time a transaction holds its
 * connection between statements is not counted. Ended spans are dropped in sweeps whose cost is
 * spread over the statements (amortised constant), and at read time (scrape or export).
 */
const layer = (maxConnections: number) =>
  Layer.effect(
    Statement.CurrentTransformer,
    Effect.gen(function* () {
      const open = new Set<Tracer.Span>()
      const sweep = () => {
        for (const span of open) if (span.status._tag === "Ended") open.delete(span)
        nextSweep = Math.max(minimumSweep, 2 * open.size)
      }
      const minimumSweep = 4 * maxConnections + 64
      let nextSweep = minimumSweep
      const inFlight = () => {
        sweep()
        return open.size
      }

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
      yield* register(inUseGauge, () => Math.min(inFlight(), maxConnections))
      yield* register(waitingGauge, () => Math.max(0, inFlight() - maxConnections))

      const transformer: Statement.Transformer = (statement, _sql, _fiber, span) => {
        open.add(span)
        if (open.size > nextSweep) sweep()
        return Effect.succeed(statement)
      }
      return transformer
    })
  )

export const DbPoolMetrics = { layer }
