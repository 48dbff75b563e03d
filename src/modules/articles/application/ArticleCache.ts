import { Effect, Option, Schema } from "effect"
import { ReadCache } from "../../../platform/cache/ReadCache.ts"
import type { Page } from "../domain/Article.ts"
import { ArticlePage, type ArticleRepository, ArticleView } from "../ports/ArticleRepository.ts"

// What the articles module caches, and the one place that says which writes make it stale. Entries
// hold what every reader sees alike (no viewer: favorited is false); the use cases lay a signed-in
// reader's own `favorited` over them from PostgreSQL, and join authors' profiles (with `following`)
// on after the cache, so nothing per user is ever cached and a profile edit needs no invalidation here.


/** The first pages front ends ask for most (the RealWorld clients use 10, the API's default is 20). */
const CACHED_FIRST_PAGES = [10, 20]

/** An upper bound on how long an entry lives should an invalidation be lost (Redis away during a write). */
const TIME_TO_LIVE = "1 minute"

export const makeArticleCache = Effect.fnUntraced(function* (articles: ArticleRepository["Service"]) {
  const cache = yield* ReadCache
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
  const pagesStale = Effect.forEach(CACHED_FIRST_PAGES, (limit) => firstPages.invalidate(String(limit)), {
    discard: true
  })

  return {
    /** Whether entries are kept at all (READ_CACHE=false keeps none: then read PostgreSQL as before). */
    enabled: cache.keeps,
    /** The article as an anonymous reader sees it. */
    bySlug: (slug: string): Effect.Effect<Option.Option<ArticleView>> => bySlug.get(slug),
    /** The unfiltered first page as anyone sees it, from the cache when it is one of the common sizes. */
    firstPage: (bounds: Page): Effect.Effect<ArticlePage> | undefined =>
      bounds.offset === 0 && CACHED_FIRST_PAGES.includes(bounds.limit) ? firstPages.get(String(bounds.limit)) : undefined,
    tags: tags.get("all"),
    /**
     * After a write to articles, favorites or tags: the articles under these slugs (a new slug too,
     * so nothing remembers it as missing), the first pages, and the tags when they may have changed.
     */
    changed: (slugs: ReadonlyArray<string>, options: { readonly tags: boolean }) =>
      Effect.all(
        [
          Effect.forEach(slugs, bySlug.invalidate, { discard: true }),
          pagesStale,
          options.tags ? tags.invalidate("all") : Effect.void
        ],
        { concurrency: "unbounded", discard: true }
      )
  }
})

export type ArticleCache = Effect.Success<ReturnType<typeof makeArticleCache>>
