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
