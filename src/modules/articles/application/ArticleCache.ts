import { Context, Effect, Layer, Option, Schema } from "effect"
import { type CacheUnavailable, invalidateEach, ReadCache } from "../../../platform/cache/ReadCache.ts"
import { Transaction } from "../../../platform/Transaction.ts"
import type { Page } from "../domain/Article.ts"
import { ArticlePage, ArticleRepository, ArticleView } from "../ports/ArticleRepository.ts"

// What the articles module caches, and the one place that says which writes make it stale. Entries
// hold what every reader sees alike (no viewer: favorited is false); the use cases lay a signed-in
// reader's own `favorited` over them from PostgreSQL, and join authors' profiles (with `following`)
// on after the cache, so nothing per user is ever cached and a profile edit needs no invalidation here.

/** The first pages front ends ask for most (the RealWorld clients use 10, the API's default is 20). */
const CACHED_FIRST_PAGES = [10, 20]

/** An upper bound on how long an entry lives should an invalidation be lost (Redis away during a write). */
export const TIME_TO_LIVE = "1 minute"

/** What a write made stale: the articles under these slugs (a new slug too, so nothing remembers it as missing), and the tags or not. */
export interface Stale {
  readonly slugs: ReadonlyArray<string>
  readonly tags: boolean
}

export class ArticleCache extends Context.Service<
  ArticleCache,
  {
    /** Whether entries are kept at all (READ_CACHE=false keeps none: then read PostgreSQL as before). */
    readonly enabled: boolean
    /** The article as an anonymous reader sees it. */
    readonly bySlug: (slug: string) => Effect.Effect<Option.Option<ArticleView>>
    /** The unfiltered first page as anyone sees it, from the cache when it is one of the common sizes. */
    readonly firstPage: (bounds: Page) => Effect.Effect<ArticlePage> | undefined
    readonly tags: Effect.Effect<ReadonlyArray<string>>
    /**
     * After a write, by the use case that made it: these articles, the first pages, and the tags when
     * asked. It runs once the outermost unit of work has committed (at once outside one), before the
     * response, so the writer reads its own write and a read racing the commit cannot keep the old
     * value. A shared store that is away is the event consumer's to retry (`invalidate`), so this
     * never fails.
     */
    readonly changed: (stale: Stale) => Effect.Effect<void>
    /** The same from an event consumer: fails while the shared store is away, so the outbox retries it. */
    readonly invalidate: (stale: Stale) => Effect.Effect<void, CacheUnavailable>
  }
>()("app/articles/ArticleCache") {
  static readonly layer = Layer.effect(
    ArticleCache,
    Effect.gen(function* () {
      const articles = yield* ArticleRepository
      const cache = yield* ReadCache
      const transaction = yield* Transaction
      const bySlug = yield* cache.make({
        name: "articles-by-slug",
        schema: Schema.Option(ArticleView),
        lookup: (slug) => articles.findBySlug(slug, Option.none()),
        timeToLive: TIME_TO_LIVE,
        keep: Option.isSome
      })
      const firstPages = yield* cache.make({
        name: "articles-first-page",
        schema: ArticlePage,
        lookup: (limit) => articles.list({}, { limit: Number(limit), offset: 0 }, Option.none()),
        timeToLive: TIME_TO_LIVE
      })
      const tags = yield* cache.make({
        name: "tags",
        schema: Schema.Array(Schema.String),
        lookup: () => articles.tags,
        timeToLive: TIME_TO_LIVE
      })
      const invalidate = (stale: Stale) =>
        invalidateEach([
          ...stale.slugs.map(bySlug.invalidate),
          ...CACHED_FIRST_PAGES.map((limit) => firstPages.invalidate(String(limit))),
          ...(stale.tags ? [tags.invalidate("all")] : [])
        ])
      return ArticleCache.of({
        enabled: cache.keeps,
        bySlug: bySlug.get,
        firstPage: (bounds) =>
          bounds.offset === 0 && CACHED_FIRST_PAGES.includes(bounds.limit) ? firstPages.get(String(bounds.limit)) : undefined,
        tags: tags.get("all"),
        changed: (stale) => transaction.afterCommit(Effect.ignore(invalidate(stale))),
        invalidate
      })
    })
  )
}
