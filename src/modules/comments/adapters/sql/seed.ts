import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { DEMO_WORDS, rowCount, type SeedStep } from "../../../../platform/sql/Seed.ts"

/** Short comments by random demo users on random demo articles, over the past half year. */
export const seedComments: SeedStep = {
  sizes: { comments: { default: 2000, description: "comments on random demo articles" } },
  write: Effect.fn("Seed.comments")(function* ({ size, ids }) {
    const sql = yield* SqlClient.SqlClient
    const [users, articles] = [ids.users ?? [], ids.articles ?? []]
    const comments =
      users.length === 0 || articles.length === 0
        ? 0
        : yield* sql`
            INSERT INTO comments (article_id, author_id, body, created_at, updated_at)
            SELECT article_id, author_id, body, created_at, created_at FROM (
              SELECT a[1 + floor(random() * cardinality(a))::int] AS article_id,
                     u[1 + floor(random() * cardinality(u))::int] AS author_id,
                     initcap(w[1 + floor(random() * cardinality(w))::int]) || ' ' || w[1 + floor(random() * cardinality(w))::int]
                       || ', ' || w[1 + floor(random() * cardinality(w))::int] || '!' AS body,
                     now() - random() * interval '180 days' AS created_at
              FROM generate_series(1, ${size.comments ?? 0}),
                   (SELECT ${users}::int[] AS u, ${articles}::int[] AS a, ${DEMO_WORDS}::text[] AS w) AS p
            ) AS c`.raw.pipe(Effect.map(rowCount))
    return { wrote: [{ what: "comments", count: comments }] }
  })
}
