import { Context, Effect, Layer, Option, Schema, Struct } from "effect"
import { SqlClient, type SqlError, SqlSchema } from "effect/sql"
import { atomically } from "../../../../platform/sql/Atomically.ts"
import { UserId } from "../../../users/public.ts"
import { Article, ArticleId } from "../../domain/Article.ts"
import { ArticleNotFound, SlugTaken } from "../../domain/ArticleErrors.ts"
import {
  type ArticleChanges,
  type ArticleFilter,
  ArticleRepository,
  ArticleSummaryView,
  ArticleView,
  FavoriteRepository,
  type NewArticle
} from "../../ports/ArticleRepository.ts"

// Infrastructure failures are defects (a logged 500); only a taken slug means something to the use cases.

const slugTaken = (error: SqlError.SqlError): Effect.Effect<never, SlugTaken> =>
  error.reason._tag === "UniqueViolation" && error.reason.constraint.includes("slug")
    ? Effect.fail(new SlugTaken())
    : Effect.die(error)

const Tags = Schema.Array(Schema.String)
const Viewer = Schema.Option(UserId)
const Filter = Schema.Struct({
  tag: Schema.optionalKey(Schema.String),
  authorIds: Schema.optionalKey(Schema.Array(UserId)),
  favoritedBy: Schema.optionalKey(UserId)
})

// Rows derive from the domain's schemas: the stored article, and the views with one viewer's
// favorite stats.
const NewArticleRow = Article.mapFields(Struct.pick(["slug", "title", "description", "body", "authorId"]))
const Inserted = Schema.Struct({ id: ArticleId, createdAt: Schema.Date, updatedAt: Schema.Date })
const Changes = Schema.Struct({
  id: ArticleId,
  changes: Article.mapFields((fields) => Struct.map(Struct.pick(fields, ["slug", "title", "description", "body"]), Schema.optionalKey))
})
const TagsOf = Schema.Struct({ articleId: ArticleId, tags: Tags })
const Favorite = Schema.Struct({ userId: UserId, articleId: ArticleId })
/** A row per favorite a write changed (RETURNING), so writes tell whether they did anything. */
const Changed = Schema.Struct({ changed: Schema.Int })
const Total = Schema.Struct({ total: Schema.Int })

export const makeSqlArticles = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  // Reads name their columns as the rows are typed, so no row goes through the snake_case →
  // camelCase result transform (a walk over every key of every row, nested into the tag arrays).
  const read = sql.withoutTransforms()
  const unit = atomically(sql)

  // Tags, favorites count and "favorited by the viewer" are correlated subqueries over indexed
  // tables: a page of any size is one statement, not one per article.
  const tagList = sql.literal(`COALESCE((
      SELECT array_agg(t.name ORDER BY at.position) FROM article_tags at JOIN tags t ON t.id = at.tag_id
      WHERE at.article_id = a.id), '{}') AS "tagList"`)
  const favoritesCount = sql.literal(`(SELECT count(*)::int FROM favorites f WHERE f.article_id = a.id) AS "favoritesCount"`)
  const favorited = (viewer: Option.Option<number>) =>
    sql`EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id AND f.user_id = ${Option.getOrNull(viewer)}::int) AS favorited`
  const summaryColumns = sql.literal(
    'a.id, a.slug, a.title, a.description, a.author_id AS "authorId", a.created_at AS "createdAt", a.updated_at AS "updatedAt"'
  )

  /**
   * Gives an article its tags, in order. Two statements on purpose: the tag insert waits for a
   * concurrent writer of the same new tag, and the second statement then sees its row. Sorted inserts
   * keep two such writers from deadlocking.
   */
  const addTags = SqlSchema.void({
    Request: TagsOf,
    execute: ({ articleId, tags }) =>
      Effect.andThen(
        sql`
          INSERT INTO tags (name) SELECT name FROM unnest(${tags}::text[]) AS input(name) ORDER BY name
          ON CONFLICT (name) DO NOTHING`,
        sql`
          INSERT INTO article_tags (article_id, tag_id, position)
          SELECT ${articleId}, t.id, input.position - 1
          FROM unnest(${tags}::text[]) WITH ORDINALITY AS input(name, position) JOIN tags t ON t.name = input.name`
      )
  })
  const clearTags = SqlSchema.void({
    Request: ArticleId,
    execute: (articleId) => sql`DELETE FROM article_tags WHERE article_id = ${articleId}`
  })

  // The insert returns what the database assigned; everything else the caller already has.
  const insertArticle = SqlSchema.findOne({
    Request: NewArticleRow,
    Result: Inserted,
    execute: (row) => sql`INSERT INTO articles ${sql.insert(row)} RETURNING id, created_at, updated_at`
  })
  const updateArticle = SqlSchema.findAll({
    Request: Changes,
    Result: Schema.Struct({ id: ArticleId }),
    execute: ({ id, changes }) =>
      sql`UPDATE articles SET ${sql.update({ ...changes, updatedAt: new Date() })} WHERE id = ${id} RETURNING id`
  })
  const deleteArticle = SqlSchema.void({
    Request: ArticleId,
    execute: (id) => sql`DELETE FROM articles WHERE id = ${id}`
  })

  const byId = SqlSchema.findOne({
    Request: ArticleId,
    Result: Article,
    execute: (id) => read`SELECT ${summaryColumns}, a.body, ${tagList} FROM articles a WHERE a.id = ${id}`
  })
  const bySlug = SqlSchema.findOneOption({
    Request: Schema.Struct({ slug: Schema.String, viewer: Viewer }),
    Result: ArticleView,
    execute: ({ slug, viewer }) =>
      read`SELECT ${summaryColumns}, a.body, ${tagList}, ${favoritesCount}, ${favorited(viewer)}
          FROM articles a WHERE a.slug = ${slug}`
  })

  // A tag's articles are probed through the (article_id, tag_id) key, one lookup per candidate row.
  const hasTag = (tag: string) =>
    sql`EXISTS (SELECT 1 FROM article_tags at WHERE at.article_id = a.id AND at.tag_id = (SELECT id FROM tags WHERE name = ${tag}))`
  const where = (filter: typeof Filter.Encoded) =>
    sql.and([
      ...(filter.authorIds === undefined ? [] : [sql`a.author_id = ANY(${filter.authorIds}::int[])`]),
      ...(filter.favoritedBy === undefined
        ? []
        : [sql`a.id IN (SELECT article_id FROM favorites WHERE user_id = ${filter.favoritedBy})`]),
      ...(filter.tag === undefined ? [] : [hasTag(filter.tag)])
    ])
  const count = SqlSchema.findOne({
    Request: Filter,
    Result: Total,
    execute: (filter) => {
      const { tag, authorIds, favoritedBy } = filter
      if (authorIds === undefined && favoritedBy === undefined) {
        // Sharded counter rows kept by triggers (shardArticleCount): exact, and no single hot row.
        if (tag === undefined) return read`SELECT sum(total)::int AS total FROM article_count_shards`
        // (article_id, tag_id) is the key of article_tags: one index entry per tagged article.
        return read`SELECT count(*)::int AS total FROM article_tags WHERE tag_id = (SELECT id FROM tags WHERE name = ${tag})`
      }
      return read`SELECT count(*)::int AS total FROM articles a WHERE ${where(filter)}`
    }
  })
  const page = SqlSchema.findAll({
    Request: Schema.Struct({ filter: Filter, limit: Schema.Int, offset: Schema.Int, viewer: Viewer }),
    Result: ArticleSummaryView,
    execute: ({ filter, limit, offset, viewer }) =>
      // The page is cut first, so the subqueries run for its rows only, not for every row an
      // OFFSET skips. A tag alone reads its page off article_tags_recency_idx (created_at is the
      // article's), whatever the tag.
      filter.tag !== undefined && filter.authorIds === undefined && filter.favoritedBy === undefined
        ? read`SELECT ${summaryColumns}, ${tagList}, ${favoritesCount}, ${favorited(viewer)}
          FROM (SELECT a.* FROM article_tags t JOIN articles a ON a.id = t.article_id
                WHERE t.tag_id = (SELECT id FROM tags WHERE name = ${filter.tag})
                ORDER BY t.created_at DESC, t.article_id DESC LIMIT ${limit} OFFSET ${offset}) AS a
          ORDER BY a.created_at DESC, a.id DESC`
        : read`SELECT ${summaryColumns}, ${tagList}, ${favoritesCount}, ${favorited(viewer)}
          FROM (SELECT * FROM articles a WHERE ${where(filter)}
                ORDER BY a.created_at DESC, a.id DESC LIMIT ${limit} OFFSET ${offset}) AS a
          ORDER BY a.created_at DESC, a.id DESC`
  })
  const tagsInUse = SqlSchema.findAll({
    Request: Schema.Void,
    Result: Schema.Struct({ name: Schema.String }),
    execute: () =>
      // One index probe per tag, not a count over every article's tags: clients load this list on
      // every home page.
      read`SELECT t.name FROM tags t WHERE EXISTS (SELECT 1 FROM article_tags at WHERE at.tag_id = t.id)
          ORDER BY t.name COLLATE "C"`
  })

  const articles = ArticleRepository.of({
    insert: Effect.fn("ArticleRepository.insert")(
      ({ tagList, ...row }: NewArticle) =>
        unit(
          Effect.gen(function* () {
            const inserted = yield* insertArticle(row)
            if (tagList.length > 0) yield* addTags({ articleId: inserted.id, tags: tagList })
            return { ...row, ...inserted, tagList }
          })
        ),
      Effect.catchTags({ SqlError: slugTaken, SchemaError: Effect.die, NoSuchElementError: Effect.die })
    ),
    update: Effect.fn("ArticleRepository.update")(
      (id: ArticleId, { tagList, ...changes }: ArticleChanges) =>
        unit(
          Effect.gen(function* () {
            const updated = yield* updateArticle({ id, changes })
            if (updated.length === 0) return yield* new ArticleNotFound()
            if (tagList !== undefined) {
              yield* clearTags(id)
              if (tagList.length > 0) yield* addTags({ articleId: id, tags: tagList })
            }
            return yield* byId(id)
          })
        ),
      Effect.catchTags({ SqlError: slugTaken, SchemaError: Effect.die, NoSuchElementError: Effect.die })
    ),
    delete: Effect.fn("ArticleRepository.delete")((id: ArticleId) => deleteArticle(id), Effect.orDie),
    deleteByAuthor: Effect.fn("ArticleRepository.deleteByAuthor")(
      (authorId: UserId) => sql<{ id: ArticleId; slug: string }>`DELETE FROM articles WHERE author_id = ${authorId} RETURNING id, slug`,
      Effect.orDie
    ),
    findBySlug: Effect.fn("ArticleRepository.findBySlug")(
      (slug: string, viewer: Option.Option<UserId>) => bySlug({ slug, viewer }),
      Effect.orDie
    ),
    list: Effect.fn("ArticleRepository.list")(
      (filter: ArticleFilter, { limit, offset }, viewer: Option.Option<UserId>) =>
        Effect.all(
          { total: Effect.map(count(filter), (row) => row.total), articles: page({ filter, limit, offset, viewer }) },
          { concurrency: 2 }
        ),
      Effect.orDie
    ),
    tags: tagsInUse().pipe(
      Effect.map((rows) => rows.map((row) => row.name)),
      Effect.orDie,
      Effect.withSpan("ArticleRepository.tags")
    )
  })

  const add = SqlSchema.findAll({
    Request: Favorite,
    Result: Changed,
    execute: (favorite) => sql`INSERT INTO favorites ${sql.insert(favorite)} ON CONFLICT DO NOTHING RETURNING 1 AS changed`
  })
  const remove = SqlSchema.findAll({
    Request: Favorite,
    Result: Changed,
    execute: ({ userId, articleId }) =>
      sql`DELETE FROM favorites WHERE user_id = ${userId} AND article_id = ${articleId} RETURNING 1 AS changed`
  })
  const favorites = FavoriteRepository.of({
    // An article deleted meanwhile makes the insert a foreign-key violation: nothing to favorite.
    add: Effect.fn("FavoriteRepository.add")(
      (userId: UserId, articleId: ArticleId) => Effect.map(add({ userId, articleId }), (rows) => rows.length > 0),
      Effect.catchTags({
        SqlError: (error) => (error.reason._tag === "ConstraintError" ? Effect.succeed(false) : Effect.die(error)),
        SchemaError: Effect.die
      })
    ),
    remove: Effect.fn("FavoriteRepository.remove")(
      (userId: UserId, articleId: ArticleId) => Effect.map(remove({ userId, articleId }), (rows) => rows.length > 0),
      Effect.orDie
    ),
    removeAllBy: Effect.fn("FavoriteRepository.removeAllBy")(
      (userId: UserId) =>
        Effect.map(
          sql<{ slug: string }>`
            DELETE FROM favorites f USING articles a WHERE f.user_id = ${userId} AND a.id = f.article_id RETURNING a.slug`,
          (rows) => rows.map((row) => row.slug)
        ),
      Effect.orDie
    ),
    favoritedAmong: Effect.fn("FavoriteRepository.favoritedAmong")(function* (userId: UserId, articleIds: ReadonlyArray<ArticleId>) {
      if (articleIds.length === 0) return new Set<ArticleId>()
      const rows = yield* sql<{ readonly articleId: ArticleId }>`SELECT article_id FROM favorites WHERE user_id = ${userId} AND article_id = ANY(${articleIds}::int[])`.pipe(
        Effect.orDie
      )
      return new Set(rows.map((row) => row.articleId))
    })
  })

  return { articles, favorites }
})

export const SqlArticleRepository = {
  layer: Layer.effectContext(
    Effect.map(makeSqlArticles, ({ articles, favorites }) =>
      Context.make(ArticleRepository, articles).pipe(Context.add(FavoriteRepository, favorites))
    )
  )
}
