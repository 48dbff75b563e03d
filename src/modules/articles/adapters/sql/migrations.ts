import { Effect } from "effect"
import { SqlClient } from "effect/sql"

/**
 * Articles, their tags (normalised, with the position each was given in) and favorites. Every row
 * hangs off `users` with ON DELETE CASCADE: removing an account removes what it wrote and favorited.
 */
export const createArticles = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE articles (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      slug text NOT NULL,
      title text NOT NULL,
      description text NOT NULL,
      body text NOT NULL,
      author_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`
  yield* sql`CREATE UNIQUE INDEX articles_slug_key ON articles (slug)`
  // Lists are newest first (id breaks ties), globally or per author (the author filter and the feed).
  yield* sql`CREATE INDEX articles_created_at_idx ON articles (created_at DESC, id DESC)`
  yield* sql`CREATE INDEX articles_author_created_at_idx ON articles (author_id, created_at DESC, id DESC)`

  yield* sql`
    CREATE TABLE tags (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL
    )`
  yield* sql`CREATE UNIQUE INDEX tags_name_key ON tags (name)`
  yield* sql`
    CREATE TABLE article_tags (
      article_id integer NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
      tag_id integer NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
      position smallint NOT NULL,
      PRIMARY KEY (article_id, tag_id)
    )`
  // The tag filter goes from a tag to its articles.
  yield* sql`CREATE INDEX article_tags_tag_idx ON article_tags (tag_id, article_id)`

  yield* sql`
    CREATE TABLE favorites (
      user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      article_id integer NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, article_id)
    )`
  // The primary key serves "favorited by a user"; this one serves counts per article.
  yield* sql`CREATE INDEX favorites_article_idx ON favorites (article_id)`
})

/**
 * `articlesCount` of the unfiltered list, kept exact by statement-level triggers in the same
 * transaction as every insert and delete (cascades included). Counting 50,000 rows per request cost
 * 8 ms of database CPU and bound the busiest endpoint; reading one row costs microseconds. The price:
 * concurrent publishers queue briefly on this one row until they commit.
 */
export const countArticles = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE article_count (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      total bigint NOT NULL
    )`
  yield* sql`INSERT INTO article_count (total) SELECT count(*) FROM articles`
  yield* sql`
    CREATE FUNCTION article_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE article_count SET total = total + (SELECT count(*) FROM inserted);
      RETURN NULL;
    END $$`
  yield* sql`
    CREATE FUNCTION article_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE article_count SET total = total - (SELECT count(*) FROM deleted);
      RETURN NULL;
    END $$`
  yield* sql`
    CREATE TRIGGER articles_counted_on_insert AFTER INSERT ON articles
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION article_count_inserted()`
  yield* sql`
    CREATE TRIGGER articles_counted_on_delete AFTER DELETE ON articles
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION article_count_deleted()`
})

/** How many counter rows share the unfiltered total: more than the writers that commit at once. */
const COUNT_SHARDS = 32

/**
 * The unfiltered `articlesCount` spread over counter rows summed on read, still exact and in the
 * same transaction as every insert and delete. One row serialized every publisher in the database
 * behind the previous one's commit; now each statement takes the first shard no other transaction
 * holds (starting from one picked by its backend, so connections spread out), and waits only when
 * every shard is held at once. Summing 32 rows costs the reader microseconds.
 */
export const shardArticleCount = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Writers wait while the total moves over, so it is exact at the switch.
  yield* sql`LOCK TABLE articles IN SHARE ROW EXCLUSIVE MODE`
  yield* sql`
    CREATE TABLE article_count_shards (
      shard smallint PRIMARY KEY,
      total bigint NOT NULL
    )`
  yield* sql`
    INSERT INTO article_count_shards (shard, total)
    SELECT shard, CASE WHEN shard = 0 THEN (SELECT count(*) FROM articles) ELSE 0 END
    FROM generate_series(0, ${sql.literal(String(COUNT_SHARDS - 1))}) AS shard`
  yield* sql`
    CREATE FUNCTION article_count_add(delta bigint) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE article_count_shards SET total = total + delta
      WHERE shard = (
        SELECT shard FROM article_count_shards
        ORDER BY (shard + pg_backend_pid()) % ${sql.literal(String(COUNT_SHARDS))}
        LIMIT 1 FOR UPDATE SKIP LOCKED);
      IF NOT FOUND THEN
        UPDATE article_count_shards SET total = total + delta
        WHERE shard = pg_backend_pid() % ${sql.literal(String(COUNT_SHARDS))};
      END IF;
    END $$`
  yield* sql`
    CREATE OR REPLACE FUNCTION article_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM article_count_add((SELECT count(*) FROM inserted));
      RETURN NULL;
    END $$`
  yield* sql`
    CREATE OR REPLACE FUNCTION article_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM article_count_add(-(SELECT count(*) FROM deleted));
      RETURN NULL;
    END $$`
  yield* sql`DROP TABLE article_count`
})

/**
 * Articles and favorites stop hanging off `users` by foreign key: the users module's table is not
 * this module's, and a deleted account's articles and favorites go through this module's consumer
 * of UserDeleted instead of a cascade reaching across modules. Tags and favorites still go with
 * their article (ON DELETE CASCADE within the module).
 */
export const detachArticlesFromUsers = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE articles DROP CONSTRAINT IF EXISTS articles_author_id_fkey`
  yield* sql`ALTER TABLE favorites DROP CONSTRAINT IF EXISTS favorites_user_id_fkey`
})

/**
 * A tag's articles newest first, straight from an index: each `article_tags` row carries its
 * article's `created_at` (copied by a trigger on insert; an article's creation time never changes),
 * indexed by (tag_id, created_at DESC, article_id DESC), so a tag's page is a range of that index.
 * Before, it walked every article newest first and probed each for the tag: cheap for a common tag,
 * a walk past all of them for a tag the newest articles lack.
 */
export const indexTagsByRecency = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE article_tags ADD COLUMN created_at timestamptz`
  yield* sql`UPDATE article_tags at SET created_at = a.created_at FROM articles a WHERE a.id = at.article_id`
  yield* sql`ALTER TABLE article_tags ALTER COLUMN created_at SET NOT NULL`
  yield* sql`
    CREATE FUNCTION article_tags_created_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.created_at := (SELECT created_at FROM articles WHERE id = NEW.article_id);
      RETURN NEW;
    END $$`
  yield* sql`
    CREATE TRIGGER article_tags_created_at BEFORE INSERT ON article_tags
    FOR EACH ROW EXECUTE FUNCTION article_tags_created_at()`
  yield* sql`CREATE INDEX article_tags_recency_idx ON article_tags (tag_id, created_at DESC, article_id DESC)`
})
