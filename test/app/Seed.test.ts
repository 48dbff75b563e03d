import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql"
import { Application } from "../../src/app/Application.ts"
import { ScryptPasswordHasher } from "../../src/modules/users/adapters/crypto/ScryptPasswordHasher.ts"
import { DEMO_PASSWORD } from "../../src/modules/users/adapters/sql/seed.ts"
import type { PasswordHash } from "../../src/modules/users/domain/User.ts"
import { PasswordHasher } from "../../src/modules/users/ports/PasswordHasher.ts"
import { seed as seedWith } from "../../src/platform/sql/Seed.ts"
import { TestDatabase } from "../support/TestDatabase.ts"

const seed = seedWith(Application.seed, Application.migrations)

layer(Layer.merge(TestDatabase.layer, ScryptPasswordHasher.layerTest), { timeout: "60 seconds" })("seed", (it) => {
  it.effect("fills every module's tables in bulk, consistently, in module order, and can run twice", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const size = { users: 30, articles: 120, follows: 4, favorites: 300, comments: 90 }
      const first = yield* seed(size)
      expect(first).toMatchObject({ users: 30, articles: 120, comments: 90 })
      expect(first.follows).toBeGreaterThan(0)
      expect(first.follows).toBeLessThanOrEqual(30 * 4)
      expect(first.favorites).toBeGreaterThan(0)
      const again = yield* seed(size)
      expect(again.users).toBe(30)

      const [counts] = yield* sql<{ users: number; articles: number; comments: number; tagged: number }>`
        SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM articles) AS articles,
               (SELECT count(*)::int FROM comments) AS comments,
               (SELECT count(DISTINCT article_id)::int FROM article_tags) AS tagged`
      expect(counts).toMatchObject({ users: 60, articles: 240, comments: 180 })
      expect(counts?.tagged).toBeGreaterThan(0)
      // Tag positions run 0, 1, 2… within each article, as the repository writes them.
      const gaps = yield* sql`
        SELECT article_id FROM article_tags GROUP BY article_id HAVING max(position) <> count(*) - 1`
      expect(gaps).toEqual([])

      // Every demo account logs in with the documented password.
      const hasher = yield* PasswordHasher
      const [user] = yield* sql<{ passwordHash: string }>`SELECT password_hash FROM users ORDER BY random() LIMIT 1`
      expect(yield* hasher.verify(DEMO_PASSWORD, user?.passwordHash as PasswordHash)).toBe(true)
    }))
})
