import { Clock, Context, Effect, Layer, Option } from "effect"
import type { UserId } from "../../../users/public.ts"
import { type Article, ArticleId } from "../../domain/Article.ts"
import { ArticleNotFound, SlugTaken } from "../../domain/ArticleErrors.ts"
import { ArticleLookup } from "../../ports/ArticleLookup.ts"
import {
  type ArticleFilter,
  ArticleRepository,
  type ArticleSummaryView,
  type ArticleView,
  FavoriteRepository
} from "../../ports/ArticleRepository.ts"

const newestFirst = (a: Article, b: Article) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id

/**
 * A process-local store with the same rules as the SQL adapters (all pass the same contract suite).
 * One store serves the three ports, as the same tables do in SQL.
 */
export const makeInMemoryArticles = Effect.sync(() => {
  const rows = new Map<ArticleId, Article>()
  const bySlug = new Map<string, ArticleId>()
  /** Who favorited each article. */
  const favorites = new Map<ArticleId, Set<UserId>>()
  let nextId = 1

  const slugTaken = (slug: string, except?: ArticleId) => {
    const owner = bySlug.get(slug)
    return owner !== undefined && owner !== except
  }
  const findBySlug = (slug: string) => {
    const id = bySlug.get(slug)
    return Option.fromUndefinedOr(id === undefined ? undefined : rows.get(id))
  }
  const favoritedBy = (userId: UserId, articleId: ArticleId) => favorites.get(articleId)?.has(userId) ?? false
  const stats = (article: Article, viewer: Option.Option<UserId>) => ({
    favoritesCount: favorites.get(article.id)?.size ?? 0,
    favorited: Option.isSome(viewer) && favoritedBy(viewer.value, article.id)
  })
  const matches = (filter: ArticleFilter) => (article: Article) =>
    (filter.tag === undefined || article.tagList.includes(filter.tag)) &&
    (filter.authorIds === undefined || filter.authorIds.includes(article.authorId)) &&
    (filter.favoritedBy === undefined || favoritedBy(filter.favoritedBy, article.id))

  const articles = ArticleRepository.of({
    insert: Effect.fn("ArticleRepository.insert")(function* (input) {
      if (slugTaken(input.slug)) return yield* new SlugTaken()
      const now = new Date(yield* Clock.currentTimeMillis)
      const article: Article = { ...input, tagList: [...input.tagList], id: ArticleId.make(nextId++), createdAt: now, updatedAt: now }
      rows.set(article.id, article)
      bySlug.set(article.slug, article.id)
      return article
    }),
    update: Effect.fn("ArticleRepository.update")(function* (id, changes) {
      const existing = rows.get(id)
      if (existing === undefined) return yield* new ArticleNotFound()
      if (changes.slug !== undefined && slugTaken(changes.slug, id)) return yield* new SlugTaken()
      const updatedAt = new Date(yield* Clock.currentTimeMillis)
      const article: Article = { ...existing, ...changes, updatedAt }
      rows.set(id, article)
      bySlug.delete(existing.slug)
      bySlug.set(article.slug, id)
      return article
    }),
    delete: (id) => Effect.sync(() => remove(id)),
    deleteByAuthor: (authorId) =>
      Effect.sync(() =>
        [...rows.values()]
          .filter((article) => article.authorId === authorId)
          .map(({ id, slug }) => {
            remove(id)
            return { id, slug }
          })
      ),
    findBySlug: (slug, viewer) =>
      Effect.sync(() =>
        Option.map(findBySlug(slug), (article): ArticleView => ({ ...article, ...stats(article, viewer) }))
      ),
    list: (filter, page, viewer) =>
      Effect.sync(() => {
        const matching = [...rows.values()].filter(matches(filter)).sort(newestFirst)
        const articles = matching
          .slice(page.offset, page.offset + page.limit)
          .map(({ body: _, ...article }): ArticleSummaryView => ({ ...article, ...stats(article as Article, viewer) }))
        return { articles, total: matching.length }
      }),
    tags: Effect.sync(() => {
      const inUse = new Set<string>()
      for (const article of rows.values()) for (const tag of article.tagList) inUse.add(tag)
      return [...inUse].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    })
  })

  function remove(id: ArticleId) {
    const existing = rows.get(id)
    if (existing !== undefined) bySlug.delete(existing.slug)
    rows.delete(id)
    favorites.delete(id)
  }

  const favoriteRepository = FavoriteRepository.of({
    add: (userId, articleId) =>
      Effect.sync(() => {
        if (!rows.has(articleId)) return false
        const fans = favorites.get(articleId) ?? new Set<UserId>()
        const added = !fans.has(userId)
        favorites.set(articleId, fans.add(userId))
        return added
      }),
    remove: (userId, articleId) => Effect.sync(() => favorites.get(articleId)?.delete(userId) ?? false),
    removeAllBy: (userId) =>
      Effect.sync(() => {
        const slugs: Array<string> = []
        for (const [articleId, fans] of favorites) {
          const slug = rows.get(articleId)?.slug
          if (fans.delete(userId) && slug !== undefined) slugs.push(slug)
        }
        return slugs
      }),
    favoritedAmong: (userId, articleIds) =>
      Effect.sync(() => new Set(articleIds.filter((id) => favorites.get(id)?.has(userId) === true)))
  })

  const lookup = ArticleLookup.of({
    findBySlug: (slug) =>
      Effect.sync(() => Option.map(findBySlug(slug), ({ id, authorId }) => ({ id, authorId })))
  })

  return { articles, favorites: favoriteRepository, lookup }
})

export const InMemoryArticles = {
  layer: Layer.effectContext(
    Effect.map(makeInMemoryArticles, ({ articles, favorites, lookup }) =>
      Context.make(ArticleRepository, articles).pipe(
        Context.add(FavoriteRepository, favorites),
        Context.add(ArticleLookup, lookup)
      )
    )
  )
}
