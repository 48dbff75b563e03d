import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { DEMO_WORDS, type SeedStep } from "../../../../platform/sql/Seed.ts"
import { Password } from "../../domain/User.ts"
import { PasswordHasher } from "../../ports/PasswordHasher.ts"

/** Every demo account logs in with this password (documented in the README). */
export const DEMO_PASSWORD = "conduit-demo"

/** Demo accounts `demo-<run>-1` … `demo-<run>-N` (emails `…@example.com`), created over the past year. */
export const seedUsers: SeedStep<PasswordHasher> = {
  sizes: { users: { default: 100, description: "demo users to create" } },
  write: Effect.fn("Seed.users")(function* ({ run, size }) {
    const sql = yield* SqlClient.SqlClient
    // One scrypt hash shared by every demo account: hashing thousands of passwords at ~50 ms each
    // would take minutes, and all these accounts share one published password anyway, so a shared
    // salt reveals nothing that is not already known.
    const passwordHash = yield* Effect.orDie((yield* PasswordHasher).hash(Password.make(DEMO_PASSWORD)))
    const rows = yield* sql<{ id: number }>`
      INSERT INTO users (email, username, password_hash, bio, image, created_at)
      SELECT 'demo-' || ${run} || '-' || n || '@example.com', 'demo-' || ${run} || '-' || n, ${passwordHash},
             CASE WHEN n % 3 = 0 THEN NULL ELSE 'Writes about ' || (${DEMO_WORDS}::text[])[1 + n % ${DEMO_WORDS.length}] END,
             NULL, now() - random() * interval '400 days'
      FROM generate_series(1, ${size.users ?? 0}) AS n
      RETURNING id`
    const users = rows.map((row) => row.id)
    return {
      wrote: [
        {
          what: "users",
          count: users.length,
          note: `demo-${run}-1 … demo-${run}-${users.length}, password "${DEMO_PASSWORD}"`
        }
      ],
      ids: { users }
    }
  })
}
