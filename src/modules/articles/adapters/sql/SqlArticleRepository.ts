import { Context, Effect, Layer, Option, Schema } from "effect"
import { SqlClient, type SqlError, SqlSchema } from "effect/sql"
import type { UserId } from "../../../users/public.ts"
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


export const makeSqlArticles = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient

  // Tags, favorites count and "favorited by the viewer" are correlated subqueries over indexed
  // tables: a page of any size is one statement, not one per article.
  const tagList = sql.literal(`COALESCE((
      SELECT array_agg(t.name ORDER BY at.position) FROM article_tags at JOIN tags t ON t.id = at.tag_id
      WHERE at.article_id = a.id), '{}') AS tag_list`)
  const favoritesCount = sql.literal("(SELECT count(*)::int FROM favorites f WHERE f.article_id = a.id) AS favorites_count")
  const favorited = (viewer: Option.Option<UserId>) =>
    sql`EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id AND f.user_id = ${Option.getOrNull(viewer)}::int) AS favorited`
  const summaryColumns = sql.literal("a.id, a.slug, a.title, a.description, a.author_id, a.created_at, a.updated_at")

  /**
   * Replaces an article's tags, keeping their order. Two statements on purpose: the tag insert waits for
   * a concurrent writer of the same new tag, and the second statement then sees its row. Sorted
   * inserts keep two such writers from deadlocking.
   */
  const setTags = (articleId: ArticleId, tags: ReadonlyArray<string>) =>
    Effect.gen(function* () {
      yield* sql`DELETE FROM article_tags WHERE article_id = ${articleId}`
      if (tags.length === 0) return
      yield* sql`
        INSERT INTO tags (name) SELECT name FROM unnest(${tags}::text[]) AS input(name) ORDER BY name
        ON CONFLICT (name) DO NOTHING`
      yield* sql`
        INSERT INTO article_tags (article_id, tag_id, position)
        SELECT ${articleId}, t.id, input.position - 1
        FROM unnest(${tags}::text[]) WITH ORDINALITY AS input(name, position) JOIN tags t ON t.name = input.name`
    })

  const insertArticle = SqlSchema.findOne({
    Request: Schema.Any,
    Result: Schema.Struct({ id: ArticleId }),
    execute: ({ tagList: _, ...row }: NewArticle) => sql`INSERT INTO articles ${sql.insert(row)} RETURNING id`
  })
  const updateArticle = (id: ArticleId, { tagList: _, ...changes }: ArticleChanges) =>
    sql`UPDATE articles SET ${sql.update({ ...changes, updatedAt: new Date() })} WHERE id = ${id} RETURNING id`

  const byId = SqlSchema.findOne({
    Request: ArticleId,
    Result: Article,
    execute: (id) =>
      sql`SELECT ${summaryColumns}, a.body, ${tagList} FROM articles a WHERE a.id = ${id}`
  })
  const bySlug = SqlSchema.findOneOption({
    Request: Schema.Any,
    Result: ArticleView,
    execute: ({ slug, viewer }: { slug: string; viewer: Option.Option<UserId> }) =>
      sql`SELECT ${summaryColumns}, a.body, ${tagList}, ${favoritesCount}, ${favorited(viewer)}
          FROM articles a WHERE a.slug = ${slug}`
  })

  const isUnfiltered = (filter: ArticleFilter) =>
    filter.authorIds === undefined && filter.favoritedBy === undefined && filter.tag === undefined
  const where = (filter: ArticleFilter) =>
    sql.and([
      ...(filter.authorIds === undefined ? [] : [sql`a.author_id = ANY(${filter.authorIds}::int[])`]),
      ...(filter.favoritedBy === undefined
        ? []
        : [sql`a.id IN (SELECT article_id FROM favorites WHERE user_id = ${filter.favoritedBy})`]),
      ...(filter.tag === undefined
        ? []
        : [sql`a.id IN (SELECT at.article_id FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE t.name = ${filter.tag})`])
    ])
  const count = SqlSchema.findOne({
    Request: Schema.Any,
    Result: Schema.Struct({ total: Schema.Int }),
    execute: (filter: ArticleFilter) =>
      isUnfiltered(filter)
        ? sql`SELECT total::int AS total FROM article_count` // kept by triggers (migration 0005)
        : sql`SELECT count(*)::int AS total FROM articles a WHERE ${where(filter)}`
  })
  const page = SqlSchema.findAll({
    Request: Schema.Any,
    Result: ArticleSummaryView,
    execute: ({ filter, limit, offset, viewer }: { filter: ArticleFilter; limit: number; offset: number; viewer: Option.Option<UserId> }) =>
      // The page is cut first, so the subqueries run for its rows only, not for every row an
      // OFFSET skips.
      sql`SELECT ${summaryColumns}, ${tagList}, ${favoritesCount}, ${favorited(viewer)}
          FROM (SELECT * FROM articles a WHERE ${where(filter)}
                ORDER BY a.created_at DESC, a.id DESC LIMIT ${limit} OFFSET ${offset}) AS a
          ORDER BY a.created_at DESC, a.id DESC`
  })
  const tags = SqlSchema.findAll({
    Request: Schema.Void,
    Result: Schema.Struct({ name: Schema.String }),
    execute: () =>
      // One index probe per tag, not a count over every article's tags: clients load this list on
      // every home page.
      sql`SELECT t.name FROM tags t WHERE EXISTS (SELECT 1 FROM article_tags at WHERE at.tag_id = t.id)
          ORDER BY t.name COLLATE "C"`
  })

  const articles = ArticleRepository.of({
    insert: (input) =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            const { id } = yield* insertArticle(input)
            yield* setTags(id, input.tagList)
            return yield* byId(id)
          })
        )
        .pipe(
          Effect.catchTags({ SqlError: slugTaken, SchemaError: Effect.die, NoSuchElementError: Effect.die }),
          Effect.withSpan("ArticleRepository.insert")
        ),
    update: (id, changes) =>
      sql
        .withTransaction(
          Effect.gen(function* () {
            const updated = yield* updateArticle(id, changes)
            if (updated.length === 0) return yield* new ArticleNotFound()
            if (changes.tagList !== undefined) yield* setTags(id, changes.tagList)
            return yield* byId(id)
          })
        )
        .pipe(
          Effect.catchTags({ SqlError: slugTaken, SchemaError: Effect.die, NoSuchElementError: Effect.die }),
          Effect.withSpan("ArticleRepository.update")
        ),
    delete: (id) =>
      sql`DELETE FROM articles WHERE id = ${id}`.pipe(Effect.asVoid, Effect.orDie, Effect.withSpan("ArticleRepository.delete")),
    findBySlug: (slug, viewer) =>
      bySlug({ slug, viewer }).pipe(Effect.orDie, Effect.withSpan("ArticleRepository.findBySlug")),
    list: (filter, { limit, offset }, viewer) =>
      Effect.all(
        { total: Effect.map(count(filter), (row) => row.total), articles: page({ filter, limit, offset, viewer }) },
        { concurrency: 2 }
      ).pipe(Effect.orDie, Effect.withSpan("ArticleRepository.list")),
    tags: tags().pipe(
      Effect.map((rows) => rows.map((row) => row.name)),
      Effect.orDie,
      Effect.withSpan("ArticleRepository.tags")
    )
  })

  const favorites = FavoriteRepository.of({
    // An article deleted meanwhile makes the insert a foreign-key violation: nothing to favorite.
    add: (userId, articleId) =>
      sql`INSERT INTO favorites ${sql.insert({ userId, articleId })} ON CONFLICT DO NOTHING`.pipe(
        Effect.asVoid,
        Effect.catchTag("SqlError", (error) => (error.reason._tag === "ConstraintError" ? Effect.void : Effect.die(error))),
        Effect.withSpan("FavoriteRepository.add")
      ),
    remove: (userId, articleId) =>
      sql`DELETE FROM favorites WHERE user_id = ${userId} AND article_id = ${articleId}`.pipe(
        Effect.asVoid,
        Effect.orDie,
        Effect.withSpan("FavoriteRepository.remove")
      )
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
