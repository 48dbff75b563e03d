import { Console, Effect, Random } from "effect"
import { Command, Flag } from "effect/cli"
import { SqlClient } from "effect/sql"
import { Password } from "../modules/users/domain/User.ts"
import { PasswordHasher } from "../modules/users/ports/PasswordHasher.ts"
import { runMigrations } from "../platform/sql/Database.ts"
import { migrations } from "./Migrations.ts"

// Demo data for local use (`make seed`) and the benchmark: users, follows, articles with tags,
// favorites and comments. It writes every module's tables directly with set-based SQL
// (INSERT … SELECT over generate_series and arrays), a handful of statements whatever the size, so
// tens of thousands of rows take seconds; going through the use cases would cost a password hash
// and several round trips per row. It lives in the composition root because it is the one place
// allowed to know every module's tables.

export interface SeedSize {
  readonly users: number
  readonly articles: number
  /** Follows per user (random followees, never oneself). */
  readonly follows: number
  readonly favorites: number
  readonly comments: number
}

/** Every demo account logs in with this password (documented in the README). */
export const DEMO_PASSWORD = "conduit-demo"

const WORDS = (
  "effect typescript postgres hexagon module port adapter schema layer fiber stream query index " +
  "cache deploy kubernetes trace metric span test contract domain event monolith service router " +
  "migration transaction slug dragon train believe craft build ship learn review design pattern " +
  "latency throughput scale queue batch resolver feature release refactor quality"
).split(" ")

const TAGS = [
  "effect", "typescript", "postgres", "architecture", "testing", "devops", "kubernetes", "observability",
  "performance", "design", "tutorial", "opinion", "javascript", "node", "sql", "security", "api",
  "frontend", "backend", "career", "dragons", "training", "realworld", "welcome"
]

export const seed = Effect.fn("Seed.run")(function* (size: SeedSize) {
  const sql = yield* SqlClient.SqlClient
  const hasher = yield* PasswordHasher
  yield* runMigrations(migrations)

  // One scrypt hash shared by every demo account: hashing thousands of passwords at ~50 ms each
  // would take minutes, and all these accounts share one published password anyway, so a shared
  // salt reveals nothing that is not already known.
  const passwordHash = yield* hasher.hash(Password.make(DEMO_PASSWORD))
  // Names and slugs of this run carry a random token, so seeding twice adds data instead of failing.
  const run = (yield* Random.nextIntBetween(0, 36 ** 4)).toString(36).padStart(4, "0")
  const started = Date.now()

  return yield* sql.withTransaction(
    Effect.gen(function* () {
      const users = yield* sql<{ id: number }>`
        INSERT INTO users (email, username, password_hash, bio, image, created_at)
        SELECT 'demo-' || ${run} || '-' || n || '@example.com', 'demo-' || ${run} || '-' || n, ${passwordHash},
               CASE WHEN n % 3 = 0 THEN NULL ELSE 'Writes about ' || (${WORDS}::text[])[1 + n % ${WORDS.length}] END,
               NULL, now() - random() * interval '400 days'
        FROM generate_series(1, ${size.users}) AS n
        RETURNING id`
      const userIds = users.map((row) => row.id)
      if (userIds.length === 0) return { users: 0, follows: 0, articles: 0, favorites: 0, comments: 0 }

      const follows = yield* sql`
        INSERT INTO follows (follower_id, followee_id)
        SELECT follower, followee FROM (
          SELECT u.id AS follower, ids[1 + floor(random() * cardinality(ids))::int] AS followee
          FROM unnest(${userIds}::int[]) AS u(id), generate_series(1, ${size.follows}) AS k,
               (SELECT ${userIds}::int[] AS ids) AS p
        ) AS pairs
        WHERE follower <> followee
        ON CONFLICT DO NOTHING`.raw.pipe(Effect.map(rowCount))

      // Titles are random words; slugs are the title plus the row number and run token, so unique.
      const articles = yield* sql<{ id: number }>`
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
          FROM generate_series(1, ${size.articles}) AS n, (SELECT ${WORDS}::text[] AS w, ${userIds}::int[] AS u) AS p
        ) AS draft
        RETURNING id`
      const articleIds = articles.map((row) => row.id)

      yield* sql`INSERT INTO tags (name) SELECT unnest(${TAGS}::text[]) ON CONFLICT (name) DO NOTHING`
      // Zero to four distinct tags per article, in a random order that becomes their position.
      yield* sql`
        INSERT INTO article_tags (article_id, tag_id, position)
        SELECT a.id, picked.id, picked.position
        FROM unnest(${articleIds}::int[]) AS a(id)
        CROSS JOIN LATERAL (
          SELECT t.id, (row_number() OVER () - 1)::smallint AS position
          FROM (SELECT id FROM tags WHERE name = ANY(${TAGS}::text[]) AND a.id > 0 ORDER BY random() LIMIT a.id % 5) AS t
        ) AS picked`

      const favorites =
        articleIds.length === 0
          ? 0
          : yield* sql`
              INSERT INTO favorites (user_id, article_id)
              SELECT u[1 + floor(random() * cardinality(u))::int], a[1 + floor(random() * cardinality(a))::int]
              FROM generate_series(1, ${size.favorites}), (SELECT ${userIds}::int[] AS u, ${articleIds}::int[] AS a) AS p
              ON CONFLICT DO NOTHING`.raw.pipe(Effect.map(rowCount))

      const comments =
        articleIds.length === 0
          ? 0
          : yield* sql`
              INSERT INTO comments (article_id, author_id, body, created_at, updated_at)
              SELECT article_id, author_id, body, created_at, created_at FROM (
                SELECT a[1 + floor(random() * cardinality(a))::int] AS article_id,
                       u[1 + floor(random() * cardinality(u))::int] AS author_id,
                       initcap(w[1 + floor(random() * cardinality(w))::int]) || ' ' || w[1 + floor(random() * cardinality(w))::int]
                         || ', ' || w[1 + floor(random() * cardinality(w))::int] || '!' AS body,
                       now() - random() * interval '180 days' AS created_at
                FROM generate_series(1, ${size.comments}),
                     (SELECT ${userIds}::int[] AS u, ${articleIds}::int[] AS a, ${WORDS}::text[] AS w) AS p
              ) AS c`.raw.pipe(Effect.map(rowCount))

      return { users: userIds.length, follows, articles: articleIds.length, favorites, comments }
    })
  ).pipe(
    Effect.tap((counts) =>
      Console.log(
        `seeded ${counts.users} users (demo-${run}-1 … demo-${run}-${counts.users}, password "${DEMO_PASSWORD}"), ` +
          `${counts.follows} follows, ${counts.articles} articles, ${counts.favorites} favorites, ` +
          `${counts.comments} comments in ${((Date.now() - started) / 1000).toFixed(1)} s`
      )
    )
  )
})

/** Rows affected, from the driver's raw result (`INSERT` without `RETURNING`). */
const rowCount = (raw: unknown) =>
  typeof raw === "object" && raw !== null && "rowCount" in raw && typeof raw.rowCount === "number" ? raw.rowCount : 0

const count = (name: string, fallback: number, description: string) =>
  Flag.Int(name).pipe(
    Flag.withDescription(description),
    Flag.withDefault(fallback),
    Flag.filter(
      (n) => n >= 0 && n <= 10_000_000,
      (n) => `--${name} must be from 0 to 10000000, got ${n}`
    )
  )

/** `seed`: fills the database (migrated first) with demo data of the given size. */
export const seedCommand = Command.make(
  "seed",
  {
    users: count("users", 100, "demo users to create"),
    articles: count("articles", 1000, "articles, by random demo users, with 0–4 tags each"),
    follows: count("follows", 10, "follows per demo user (random demo users)"),
    favorites: count("favorites", 3000, "favorites (random user, random article; duplicates dropped)"),
    comments: count("comments", 2000, "comments on random demo articles")
  },
  seed
).pipe(Command.withDescription("Fill the database with demo users, follows, articles, tags, favorites and comments"))
