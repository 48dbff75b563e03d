import { Context, Effect, Layer, Option } from "effect"
import { EventPublisher, newEvent } from "../../../platform/events/EventPublisher.ts"
import { BusinessMetrics } from "../../../platform/observability/Metrics.ts"
import { Transaction } from "../../../platform/Transaction.ts"
import { ProfileLookup } from "../../profiles/public.ts"
import { UserDirectory, type UserId } from "../../users/public.ts"
import type { ArticleDraft, ArticleEdit, ArticleId, Page } from "../domain/Article.ts"
import { ArticleNotFound, NotArticleAuthor } from "../domain/ArticleErrors.ts"
import { ArticleDeleted, ArticleFavorited, ArticlePublished, ArticleUnfavorited, ArticleUpdated } from "../domain/ArticleEvents.ts"
import { isSlugOf, slugify } from "../domain/Slug.ts"
import {
  type ArticleChanges,
  type ArticleFilter,
  ArticleRepository,
  type ArticleSummaryView,
  type ArticleView,
  FavoriteRepository
} from "../ports/ArticleRepository.ts"
import { ArticleCache } from "./ArticleCache.ts"
import { type Authored, withAuthors } from "./Authors.ts"
import { withFreshSlug } from "./FreshSlug.ts"
import { type ListQuery, selectionOf } from "./ListFilter.ts"

/** An article as a reader sees it: with its author's profile and whether the reader favorited it. */
export type AuthoredArticle = Authored<ArticleView>
export type AuthoredSummary = Authored<ArticleSummaryView>

export interface ArticleList {
  readonly articles: ReadonlyArray<AuthoredSummary>
  readonly articlesCount: number
}

const emptyList: ArticleList = { articles: [], articlesCount: 0 }

/**
 * The articles module's use cases: publish, edit, delete, read and list articles, favorite them, list
 * tags, and remove what a deleted account owned. Every change publishes its event in its transaction.
 */
export class Articles extends Context.Service<
  Articles,
  {
    readonly list: (query: ListQuery, page: Page, viewer: Option.Option<UserId>) => Effect.Effect<ArticleList>
    /** Articles by the users the viewer follows, newest first. */
    readonly feed: (viewer: UserId, page: Page) => Effect.Effect<ArticleList>
    readonly get: (slug: string, viewer: Option.Option<UserId>) => Effect.Effect<AuthoredArticle, ArticleNotFound>
    readonly create: (author: UserId, draft: ArticleDraft) => Effect.Effect<AuthoredArticle>
    readonly update: (
      caller: UserId,
      slug: string,
      edit: ArticleEdit
    ) => Effect.Effect<AuthoredArticle, ArticleNotFound | NotArticleAuthor>
    readonly delete: (caller: UserId, slug: string) => Effect.Effect<void, ArticleNotFound | NotArticleAuthor>
    readonly favorite: (caller: UserId, slug: string) => Effect.Effect<AuthoredArticle, ArticleNotFound>
    readonly unfavorite: (caller: UserId, slug: string) => Effect.Effect<AuthoredArticle, ArticleNotFound>
    readonly tags: Effect.Effect<ReadonlyArray<string>>
    /** Removes a deleted account's favorites and articles (each with an ArticleDeleted); idempotent. */
    readonly removeAccount: (user: UserId, actorId: number | null) => Effect.Effect<void>
  }
>()("app/articles/Articles") {
  static readonly layer = Layer.effect(
    Articles,
    Effect.gen(function* () {
      const articles = yield* ArticleRepository
      const favorites = yield* FavoriteRepository
      const profiles = yield* ProfileLookup
      const directory = yield* UserDirectory
      const transaction = yield* Transaction
      const events = yield* EventPublisher
      const cache = yield* ArticleCache

      const authored = withAuthors(profiles)
      const select = selectionOf(directory)

      const publish = <C extends Parameters<typeof newEvent>[0]>(
        eventClass: C,
        actorId: number | null,
        payload: Parameters<C["make"]>[0]["payload"]
      ) => Effect.flatMap(newEvent(eventClass, { actorId, payload } as unknown as Parameters<typeof newEvent<C>>[1]), events.publish)

      const view = Effect.fnUntraced(function* (article: ArticleView, viewer: Option.Option<UserId>) {
        const [withAuthor] = yield* authored([article], viewer)
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
        return { articles: yield* authored(result.articles, viewer), articlesCount: result.total }
      })

      const list = Effect.fn("Articles.list")(function* (query: ListQuery, bounds: Page, viewer: Option.Option<UserId>) {
        const selection = yield* select(query)
        if (selection._tag === "Nothing") return emptyList
        return yield* page(selection.filter, bounds, viewer)
      })

      const feed = Effect.fn("Articles.feed")(function* (viewer: UserId, bounds: Page) {
        const followed = yield* profiles.followedBy(viewer)
        if (followed.length === 0) return emptyList
        return yield* page({ authorIds: followed }, bounds, Option.some(viewer))
      })

      const get = Effect.fn("Articles.get")(function* (slug: string, viewer: Option.Option<UserId>) {
        return yield* view(yield* read(slug, viewer), viewer)
      })

      const create = Effect.fn("Articles.create")(function* (author: UserId, draft: ArticleDraft) {
        // One transaction per attempt: a unique violation aborts the transaction it happens in.
        const article = yield* withFreshSlug(draft.title, (slug) =>
          transaction.run(
            Effect.tap(articles.insert({ ...draft, tagList: draft.tagList ?? [], slug, authorId: author }), (article) =>
              publish(ArticlePublished, author, {
                articleId: article.id,
                slug: article.slug,
                authorId: author,
                title: article.title,
                tagList: article.tagList
              })
            )
          )
        ).pipe(Effect.catchTag("SlugTaken", Effect.die))
        yield* cache.changed({ slugs: [article.slug], tags: article.tagList.length > 0 })
        yield* BusinessMetrics.increment(BusinessMetrics.articlesPublished)
        return yield* view({ ...article, favoritesCount: 0, favorited: false }, Option.some(author)).pipe(Effect.orDie)
      })

      const update = Effect.fn("Articles.update")(function* (caller: UserId, slug: string, edit: ArticleEdit) {
        const current = yield* owned(caller, slug)
        const stats = { favoritesCount: current.favoritesCount, favorited: current.favorited }
        // The slug follows the title (it is made from it), unless the new title makes the same slug.
        const retitled = edit.title !== undefined && !isSlugOf(current.slug, slugify(edit.title))
        const write = (changes: ArticleChanges) =>
          transaction.run(
            Effect.tap(articles.update(current.id, changes), (article) =>
              publish(ArticleUpdated, caller, {
                articleId: article.id,
                slug: article.slug,
                ...(article.slug === current.slug ? {} : { previousSlug: current.slug }),
                authorId: article.authorId,
                changed: Object.keys(edit).sort()
              })
            )
          )
        const updated = yield* (
          retitled ? withFreshSlug(edit.title ?? "", (newSlug) => write({ ...edit, slug: newSlug })) : write(edit)
        ).pipe(Effect.catchTag("SlugTaken", Effect.die))
        yield* cache.changed({ slugs: [current.slug, updated.slug], tags: edit.tagList !== undefined })
        return yield* view({ ...updated, ...stats }, Option.some(caller))
      })

      const remove = Effect.fn("Articles.delete")(function* (caller: UserId, slug: string) {
        const article = yield* owned(caller, slug)
        yield* transaction.run(
          Effect.andThen(
            articles.delete(article.id),
            publish(ArticleDeleted, caller, { articleId: article.id, slug: article.slug, authorId: article.authorId })
          )
        )
        yield* cache.changed({ slugs: [article.slug], tags: article.tagList.length > 0 })
      })

      // The article as read before the write, with the write applied: one read, not two.
      const favorite = Effect.fn("Articles.favorite")(function* (caller: UserId, slug: string) {
        const article = yield* found(slug, Option.some(caller))
        if (article.favorited) return yield* view(article, Option.some(caller))
        const added = yield* transaction.run(
          Effect.tap(favorites.add(caller, article.id), (added) =>
            added ? publish(ArticleFavorited, caller, { articleId: article.id, slug: article.slug, userId: caller }) : Effect.void
          )
        )
        yield* cache.changed({ slugs: [article.slug], tags: false })
        return yield* view({ ...article, favorited: true, favoritesCount: article.favoritesCount + (added ? 1 : 0) }, Option.some(caller))
      })

      const unfavorite = Effect.fn("Articles.unfavorite")(function* (caller: UserId, slug: string) {
        const article = yield* found(slug, Option.some(caller))
        if (!article.favorited) return yield* view(article, Option.some(caller))
        const removed = yield* transaction.run(
          Effect.tap(favorites.remove(caller, article.id), (removed) =>
            removed ? publish(ArticleUnfavorited, caller, { articleId: article.id, slug: article.slug, userId: caller }) : Effect.void
          )
        )
        yield* cache.changed({ slugs: [article.slug], tags: false })
        return yield* view({ ...article, favorited: false, favoritesCount: article.favoritesCount - (removed ? 1 : 0) }, Option.some(caller))
      })

      const removeAccount = Effect.fn("Articles.removeAccount")(function* (user: UserId, actorId: number | null) {
        const changed = yield* transaction.run(
          Effect.gen(function* () {
            const favorited = yield* favorites.removeAllBy(user)
            const written = yield* articles.deleteByAuthor(user)
            for (const article of written)
              yield* publish(ArticleDeleted, actorId, { articleId: article.id, slug: article.slug, authorId: user })
            return [...favorited, ...written.map((article) => article.slug)]
          })
        )
        yield* cache.changed({ slugs: changed, tags: true })
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
        tags: cache.tags.pipe(Effect.withSpan("Articles.tags")),
        removeAccount
      })
    })
  )
}
