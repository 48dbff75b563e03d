import { Context, Effect, Layer, Option, Random } from "effect"
import { BusinessMetrics } from "../../../platform/observability/Metrics.ts"
import { type Profile, ProfileLookup } from "../../profiles/public.ts"
import { UserDirectory, type UserId } from "../../users/public.ts"
import type { ArticleId, Page } from "../domain/Article.ts"
import { ArticleNotFound, NotArticleAuthor, SlugTaken } from "../domain/ArticleErrors.ts"
import { isSlugOf, slugify, withSuffix } from "../domain/Slug.ts"
import {
  type ArticleChanges,
  type ArticleFilter,
  ArticleRepository,
  type ArticleSummary,
  FavoriteRepository,
  type StoredArticle
} from "../ports/ArticleRepository.ts"
import { makeArticleCache } from "./ArticleCache.ts"

export interface Draft {
  readonly title: string
  readonly description: string
  readonly body: string
  readonly tagList?: ReadonlyArray<string>
}

export interface Edit {
  readonly title?: string
  readonly description?: string
  readonly body?: string
  readonly tagList?: ReadonlyArray<string>
}

/** The list filters of `GET /api/articles`, by username as clients send them. */
export interface ListQuery {
  readonly tag?: string
  readonly author?: string
  readonly favorited?: string
}

/** An article as a reader sees it: with its author's profile and whether the reader favorited it. */
export type ArticleView = StoredArticle & { readonly author: Profile }
export type ArticleListItem = ArticleSummary & { readonly author: Profile }

export interface ArticleList {
  readonly articles: ReadonlyArray<ArticleListItem>
  readonly articlesCount: number
}

const emptyList: ArticleList = { articles: [], articlesCount: 0 }

/** How many random suffixes to try when a title's slug is taken before giving up (a defect: 36^6 suffixes). */
const SLUG_ATTEMPTS = 5

const randomSuffix = Effect.map(Random.nextIntBetween(0, 36 ** 6), (n) => n.toString(36).padStart(6, "0"))

/** The articles module's use cases: publish, edit, delete, read and list articles, favorite them, list tags. */
export class Articles extends Context.Service<
  Articles,
  {
    readonly list: (query: ListQuery, page: Page, viewer: Option.Option<UserId>) => Effect.Effect<ArticleList>
    /** Articles by the users the viewer follows, newest first. */
    readonly feed: (viewer: UserId, page: Page) => Effect.Effect<ArticleList>
    readonly get: (slug: string, viewer: Option.Option<UserId>) => Effect.Effect<ArticleView, ArticleNotFound>
    readonly create: (author: UserId, draft: Draft) => Effect.Effect<ArticleView>
    readonly update: (
      caller: UserId,
      slug: string,
      edit: Edit
    ) => Effect.Effect<ArticleView, ArticleNotFound | NotArticleAuthor>
    readonly delete: (caller: UserId, slug: string) => Effect.Effect<void, ArticleNotFound | NotArticleAuthor>
    readonly favorite: (caller: UserId, slug: string) => Effect.Effect<ArticleView, ArticleNotFound>
    readonly unfavorite: (caller: UserId, slug: string) => Effect.Effect<ArticleView, ArticleNotFound>
    readonly tags: Effect.Effect<ReadonlyArray<string>>
  }
>()("app/articles/Articles") {
  static readonly layer = Layer.effect(
    Articles,
    Effect.gen(function* () {
      const articles = yield* ArticleRepository
      const favorites = yield* FavoriteRepository
      const profiles = yield* ProfileLookup
      const directory = yield* UserDirectory
      const cache = yield* makeArticleCache(articles)

      /**
       * Tries the title's own slug, then random suffixes. The database's unique index decides, so two
       * writers racing for the same title both succeed with different slugs.
       */
      const withFreshSlug = <A, E>(title: string, write: (slug: string) => Effect.Effect<A, E>) => {
        const base = slugify(title)
        const attempt = (n: number, slug: string): Effect.Effect<A, Exclude<E, SlugTaken>> =>
          Effect.catchIf(
            write(slug),
            (error): error is Extract<E, SlugTaken> => error instanceof SlugTaken,
            (taken) =>
              n >= SLUG_ATTEMPTS
                ? Effect.die(taken)
                : Effect.flatMap(randomSuffix, (suffix) => attempt(n + 1, withSuffix(base, suffix)))
          ) as Effect.Effect<A, Exclude<E, SlugTaken>>
        return attempt(0, base)
      }

      /** One batched profile lookup for a whole page: never one per article. */
      const withAuthors = Effect.fnUntraced(function* <A extends { readonly authorId: UserId }>(
        items: ReadonlyArray<A>,
        viewer: Option.Option<UserId>
      ) {
        if (items.length === 0) return []
        const authors = yield* profiles.forUsers([...new Set(items.map((item) => item.authorId))], viewer)
        // An author removed between the two reads takes their articles along (ON DELETE CASCADE): skip.
        return items.flatMap((item) => {
          const author = authors.get(item.authorId)
          return author === undefined ? [] : [{ ...item, author }]
        })
      })

      const view = Effect.fnUntraced(function* (article: StoredArticle, viewer: Option.Option<UserId>) {
        const [withAuthor] = yield* withAuthors([article], viewer)
        if (withAuthor === undefined) return yield* new ArticleNotFound()
        return withAuthor
      })

      const found = Effect.fnUntraced(function* (slug: string, viewer: Option.Option<UserId>) {
        const article = yield* articles.findBySlug(slug, viewer)
        if (Option.isNone(article)) return yield* new ArticleNotFound()
        return article.value
      })

      const owned = Effect.fnUntraced(function* (caller: UserId, slug: string) {
        const article = yield* found(slug, Option.some(caller))
        if (article.authorId !== caller) return yield* new NotArticleAuthor()
        return article
      })

      /** The viewer's own `favorited` on articles read as anyone sees them (one statement for the lot). */
      const asSeenBy = Effect.fnUntraced(function* <A extends { readonly id: ArticleId }>(
        items: ReadonlyArray<A>,
        viewer: Option.Option<UserId>
      ) {
        if (Option.isNone(viewer) || items.length === 0) return items
        const mine = yield* favorites.favoritedAmong(viewer.value, items.map((item) => item.id))
        return items.map((item) => ({ ...item, favorited: mine.has(item.id) }))
      })

      /** For reading only: the cached anonymous article with the viewer's fields laid over it. */
      const read = Effect.fnUntraced(function* (slug: string, viewer: Option.Option<UserId>) {
        if (!cache.enabled) return yield* found(slug, viewer)
        const article = yield* cache.bySlug(slug)
        if (Option.isNone(article)) return yield* new ArticleNotFound()
        const [seen] = yield* asSeenBy([article.value], viewer)
        return seen ?? article.value
      })

      const page = Effect.fnUntraced(function* (filter: ArticleFilter, bounds: Page, viewer: Option.Option<UserId>) {
        const cached = cache.enabled && Object.keys(filter).length === 0 ? cache.firstPage(bounds) : undefined
        const result =
          cached === undefined
            ? yield* articles.list(filter, bounds, viewer)
            : yield* Effect.flatMap(cached, ({ articles, total }) =>
                Effect.map(asSeenBy(articles, viewer), (seen) => ({ articles: seen, total }))
              )
        return { articles: yield* withAuthors(result.articles, viewer), articlesCount: result.total }
      })

      /** A username that names nobody matches no article: an empty list, not an error. */
      const userId = (username: string | undefined) =>
        username === undefined
          ? Effect.succeed(Option.some(undefined))
          : Effect.map(directory.findByUsername(username), Option.map((user) => user.id))

      const list = Effect.fn("Articles.list")(function* (query: ListQuery, bounds: Page, viewer: Option.Option<UserId>) {
        const author = yield* userId(query.author)
        const fan = yield* userId(query.favorited)
        if (Option.isNone(author) || Option.isNone(fan)) return emptyList
        return yield* page(
          {
            ...(query.tag === undefined ? {} : { tag: query.tag }),
            ...(author.value === undefined ? {} : { authorIds: [author.value] }),
            ...(fan.value === undefined ? {} : { favoritedBy: fan.value })
          },
          bounds,
          viewer
        )
      })

      const feed = Effect.fn("Articles.feed")(function* (viewer: UserId, bounds: Page) {
        const followed = yield* profiles.followedBy(viewer)
        if (followed.length === 0) return emptyList
        return yield* page({ authorIds: followed }, bounds, Option.some(viewer))
      })

      const get = Effect.fn("Articles.get")(function* (slug: string, viewer: Option.Option<UserId>) {
        return yield* view(yield* read(slug, viewer), viewer)
      })

      const create = Effect.fn("Articles.create")(function* (author: UserId, draft: Draft) {
        const article = yield* withFreshSlug(draft.title, (slug) =>
          articles.insert({ ...draft, tagList: draft.tagList ?? [], slug, authorId: author })
        )
        yield* cache.changed([article.slug], { tags: article.tagList.length > 0 })
        yield* BusinessMetrics.increment(BusinessMetrics.articlesPublished)
        return yield* view({ ...article, favoritesCount: 0, favorited: false }, Option.some(author)).pipe(Effect.orDie)
      })

      const update = Effect.fn("Articles.update")(function* (caller: UserId, slug: string, edit: Edit) {
        const current = yield* owned(caller, slug)
        const stats = { favoritesCount: current.favoritesCount, favorited: current.favorited }
        // The slug follows the title (it is made from it), unless the new title makes the same slug.
        const retitled = edit.title !== undefined && !isSlugOf(current.slug, slugify(edit.title))
        const write = (changes: ArticleChanges) => articles.update(current.id, changes)
        const updated = retitled
          ? yield* withFreshSlug(edit.title ?? "", (newSlug) => write({ ...edit, slug: newSlug }))
          : yield* write(edit).pipe(Effect.catchTag("SlugTaken", Effect.die))
        yield* cache.changed([current.slug, updated.slug], { tags: edit.tagList !== undefined })
        return yield* view({ ...updated, ...stats }, Option.some(caller))
      })

      const remove = Effect.fn("Articles.delete")(function* (caller: UserId, slug: string) {
        const article = yield* owned(caller, slug)
        yield* articles.delete(article.id)
        yield* cache.changed([article.slug], { tags: article.tagList.length > 0 })
      })

      // The article as read before the write, with the write applied: one read, not two.
      const favorite = Effect.fn("Articles.favorite")(function* (caller: UserId, slug: string) {
        const article = yield* found(slug, Option.some(caller))
        if (article.favorited) return yield* view(article, Option.some(caller))
        yield* favorites.add(caller, article.id)
        yield* cache.changed([article.slug], { tags: false })
        return yield* view({ ...article, favorited: true, favoritesCount: article.favoritesCount + 1 }, Option.some(caller))
      })

      const unfavorite = Effect.fn("Articles.unfavorite")(function* (caller: UserId, slug: string) {
        const article = yield* found(slug, Option.some(caller))
        if (!article.favorited) return yield* view(article, Option.some(caller))
        yield* favorites.remove(caller, article.id)
        yield* cache.changed([article.slug], { tags: false })
        return yield* view({ ...article, favorited: false, favoritesCount: article.favoritesCount - 1 }, Option.some(caller))
      })

      return Articles.of({
        list,
        feed,
        get,
        create,
        update,
        delete: remove,
        favorite,
        unfavorite,
        tags: cache.tags.pipe(Effect.withSpan("Articles.tags"))
      })
    })
  )
}
