import { Effect } from "effect"
import { invalidateAfter, readCacheShared } from "../../../../platform/cache/ReadCache.ts"
import { eventConsumer } from "../../../../platform/events/Outbox.ts"
import { UserDeleted } from "../../../users/public.ts"
import { ArticleCache, type Stale, TIME_TO_LIVE } from "../../application/ArticleCache.ts"
import { Articles } from "../../application/Articles.ts"
import { ArticleDeleted, ArticleFavorited, ArticlePublished, ArticleUnfavorited, ArticleUpdated } from "../../domain/ArticleEvents.ts"

/** A deleted account's favorites go (every count drops with them), and its articles with their tags and favorites. */
export const RemoveDeletedAccounts = eventConsumer({
  name: "articles.remove-deleted-accounts",
  events: [UserDeleted],
  handler: Effect.gen(function* () {
    const articles = yield* Articles
    return (event: UserDeleted) => articles.removeAccount(event.payload.userId, event.actorId)
  })
})

type ArticleEvent = ArticlePublished | ArticleUpdated | ArticleDeleted | ArticleFavorited | ArticleUnfavorited

/** What each article event makes stale in the cache. */
const staleAfter = (event: ArticleEvent): Stale => {
  switch (event.type) {
    case "article.published":
      return { slugs: [event.payload.slug], tags: event.payload.tagList.length > 0 }
    case "article.updated": {
      const { slug, previousSlug, changed } = event.payload
      return { slugs: previousSlug === undefined ? [slug] : [slug, previousSlug], tags: changed.includes("tagList") }
    }
    case "article.deleted":
      return { slugs: [event.payload.slug], tags: true }
    case "article.favorited":
    case "article.unfavorited":
      return { slugs: [event.payload.slug], tags: false }
  }
}

/**
 * The cached reads an article event made stale, once more and from whichever replica takes it: the
 * use case invalidated them right after its commit (the writer reads its own write at once), and
 * this consumer is what still reaches the shared cache when that replica could not (Redis away
 * for it, or the process gone between commit and invalidation). Retried while Redis is away, until
 * entries older than the change have expired on their own. Runs only with a shared cache: one in
 * process memory cannot miss an invalidation, and then no event row is written for it.
 */
export const RefreshCachedArticles = eventConsumer({
  name: "articles.refresh-cached-articles",
  events: [ArticlePublished, ArticleUpdated, ArticleDeleted, ArticleFavorited, ArticleUnfavorited],
  enabled: readCacheShared,
  handler: Effect.gen(function* () {
    const cache = yield* ArticleCache
    return (event: ArticleEvent) => invalidateAfter(event.occurredAt, TIME_TO_LIVE, cache.invalidate(staleAfter(event)))
  })
})

/** Every consumer the articles module runs. */
export const ArticlesConsumers = [RemoveDeletedAccounts, RefreshCachedArticles] as const
