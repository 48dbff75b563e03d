import { Effect } from "effect"
import { SqlClient } from "effect/sql"

/**
 * Comments hang off an article and an author, and go with either (ON DELETE CASCADE). Needs the
 * `articles` table, so it runs after the articles module's migration.
 */
export const createComments = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`
    CREATE TABLE comments (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      article_id integer NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
      author_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      body text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`
  // An article's comments, newest first, straight from the index; it also serves the article cascade.
  yield* sql`CREATE INDEX comments_article_created_at_idx ON comments (article_id, created_at DESC, id DESC)`
  // Serves the cascade when an author's account is deleted.
  yield* sql`CREATE INDEX comments_author_idx ON comments (author_id)`
})

/**
 * Comments stop hanging off `users` and `articles` by foreign key (neither table is this module's):
 * they go through this module's consumers of UserDeleted and ArticleDeleted.
 */
export const detachComments = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql`ALTER TABLE comments DROP CONSTRAINT IF EXISTS comments_author_id_fkey`
  yield* sql`ALTER TABLE comments DROP CONSTRAINT IF EXISTS comments_article_id_fkey`
})
