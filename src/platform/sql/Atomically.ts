import { Effect, Option } from "effect"
import type { SqlClient } from "effect/sql"

/**
 * Runs `effect` as one unit: inside the caller's transaction when one is open (no savepoint, two
 * round trips fewer per write; a failure aborts the caller's transaction, which then rolls back as a
 * whole), in a transaction of its own otherwise. For adapters whose method is several statements.
 */
export const atomically =
  (sql: SqlClient.SqlClient) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(Effect.serviceOption(sql.transactionService), (open) =>
      Option.isSome(open) ? effect : sql.withTransaction(effect)
    ) as Effect.Effect<A, E, R>
