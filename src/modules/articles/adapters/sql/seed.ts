import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { DEMO_WORDS, rowCount, type SeedStep } from "../../../../platform/sql/Seed.ts"

const TAGS = [
  "effect", "typescript", "postgres", "architecture", "testing", "devops", "kubernetes", "observability",
  "performance", "design", "tutorial", "opinion", "javascript", "node", "sql", "security", "api",
  "frontend", "backend", "career", "dragons", "training", "realworld", "welcome"
]

/** Articles by random demo users with zero to four tags each, and favorites of random demo users. */
export const seedArticles: SeedStep = {
  sizes: {
    articles: { default: 1000, description: "articles, by random demo users, with 0–4 tags each" },
    favorites: { default: 3000, description: "favorites (random user, random article; duplicates dropped)" }
  },
  write: Effect.fn("Seed.articles")(function* ({ run, size, ids }) {
    const sql = yield* SqlClient.SqlClient
    const users = ids.users ?? []
    if (users.length === 0) return { wrote: [{ what: "articles", count: 0 }, { what: "favorites", count: 0 }] }

    // Titles are random words; slugs are the title plus the row number and run token, so unique.
    const rows = yield* sql<{ id: number }>`
      INSERT INTO articles (slug, title, description, body, author_id, created_at, updated_at)
      SELECT lower(replace(title, ' ', '-')) || '-' || ${run} || '-' || n, title,
             'A note about ' || lower(title), body, author_id, created_at, created_at
      FROM (
        SELECT n,
               initcap(w[1 + floor(random() * cardinality(w))::int] || ' ' || w[1 + floor(random() * cardinality(w))::int]
                 || ' ' || w[1 + floor(random() * cardinality(w))::int]) AS title,
               -- \`k * 0\` ties the aggregate to the inner query (over outer columns only, it would
               -- be the outer query's aggregate).
               (SELECT string_agg(w[1 + k * 0 + floor(random() * cardinality(w))::int], ' ')
                  FROM generate_series(1, 40 + n % 60) AS k) || '.' AS body,
               u[1 + floor(random() * cardinality(u))::int] AS author_id,
               now() - random() * interval '365 days' AS created_at
        FROM generate_series(1, ${size.articles ?? 0}) AS n, (SELECT ${DEMO_WORDS}::text[] AS w, ${users}::int[] AS u) AS p
      ) AS draft
      RETURNING id`
    const articles = rows.map((row) => row.id)

    yield* sql`INSERT INTO tags (name) SELECT unnest(${TAGS}::text[]) ON CONFLICT (name) DO NOTHING`
    // Zero to four distinct tags per article, in a random order that becomes their position.
    yield* sql`
      INSERT INTO article_tags (article_id, tag_id, position)
      SELECT a.id, picked.id, picked.position
      FROM unnest(${articles}::int[]) AS a(id)
      CROSS JOIN LATERAL (
        SELECT t.id, (row_number() OVER () - 1)::smallint AS position
        FROM (SELECT id FROM tags WHERE name = ANY(${TAGS}::text[]) AND a.id > 0 ORDER BY random() LIMIT a.id % 5) AS t
      ) AS picked`

    const favorites =
      articles.length === 0
        ? 0
        : yield* sql`
            INSERT INTO favorites (user_id, article_id)
            SELECT u[1 + floor(random() * cardinality(u))::int], a[1 + floor(random() * cardinality(a))::int]
            FROM generate_series(1, ${size.favorites ?? 0}), (SELECT ${users}::int[] AS u, ${articles}::int[] AS a) AS p
            ON CONFLICT DO NOTHING`.raw.pipe(Effect.map(rowCount))

    return {
      wrote: [
        { what: "articles", count: articles.length },
        { what: "favorites", count: favorites }
      ],
      ids: { articles }
    }
  })
}
