import { Context, Effect, Layer } from "effect"
import { SqlClient, SqlError } from "effect/sql"

/**
 * A unit of work: everything a use case does inside `run` commits together or not at all. On
 * PostgreSQL it is one database transaction, so a change and the events describing it (the outbox
 * rows) land together; the in-memory stores have no rollback and just run the effect.
 */
export class Transaction extends Context.Service<
  Transaction,
  {
    readonly run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
    /** Runs `effect` once the enclosing unit of work has committed (at once outside one). */
    readonly afterCommit: (effect: Effect.Effect<void>) => Effect.Effect<void>
  }
>()("app/platform/Transaction") {
  static readonly layerSql = Layer.effect(
    Transaction,
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      return Transaction.of({
        // A lost connection or a failed COMMIT is not a domain outcome: it becomes a defect (a 500).
        run: (effect) => sql.withTransaction(effect).pipe(Effect.catchIf(SqlError.isSqlError, Effect.die)) as typeof effect,
        afterCommit: sql.afterCommit
      })
    })
  )

  static readonly layerMemory = Layer.succeed(Transaction, Transaction.of({ run: (effect) => effect, afterCommit: (effect) => effect }))
}
