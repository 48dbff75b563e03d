import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { RefreshCachedArticles } from "../../../../../src/modules/articles/adapters/events/ArticlesConsumers.ts"
import { ArticleCache } from "../../../../../src/modules/articles/application/ArticleCache.ts"
import { ArticleId } from "../../../../../src/modules/articles/domain/Article.ts"
import { ArticleFavorited, ArticleUpdated } from "../../../../../src/modules/articles/domain/ArticleEvents.ts"
import { ArticleRepository } from "../../../../../src/modules/articles/ports/ArticleRepository.ts"
import { UserId } from "../../../../../src/modules/users/public.ts"
import type { CacheUnavailable } from "../../../../../src/platform/cache/ReadCache.ts"
import { Transaction } from "../../../../../src/platform/Transaction.ts"
import { recordingReadCache } from "../../../../support/RecordingReadCache.ts"

// Which cached reads each article event makes stale, as the consumer retrying invalidations through
// the outbox drops them (no read runs here, so the repository is never called).

/** The handler as the runner calls it, typed for the events under test. */
type Handler = (event: ArticleUpdated | ArticleFavorited) => Effect.Effect<void, CacheUnavailable>

const setUp = () => {
  const cache = recordingReadCache()
  const layer = ArticleCache.layer.pipe(Layer.provide([cache.layer, Transaction.layerMemory, Layer.succeed(ArticleRepository, ArticleRepository.of({} as never))]))
  return { cache, layer }
}

const ref = { articleId: ArticleId.make(3), authorId: UserId.make(5) }
const pages = ["articles-first-page:10", "articles-first-page:20"]

describe("articles.refresh-cached-articles", () => {
  it.effect("a retitled article under its old and new slug, the first pages, and the tags when they changed", () => {
    const { cache, layer } = setUp()
    return Effect.gen(function* () {
      const handle = (yield* RefreshCachedArticles.handler) as Handler
      yield* handle(
        ArticleUpdated.make({
          id: crypto.randomUUID(),
          occurredAt: new Date(),
          actorId: 5,
          payload: { ...ref, slug: "new-title", previousSlug: "old-title", changed: ["tagList", "title"] }
        })
      )
      expect(cache.state.invalidated.sort()).toEqual(
        ["articles-by-slug:new-title", "articles-by-slug:old-title", ...pages, "tags:all"].sort()
      )
      cache.state.invalidated.length = 0
      yield* handle(
        ArticleFavorited.make({
          id: crypto.randomUUID(),
          occurredAt: new Date(),
          actorId: 9,
          payload: { articleId: ref.articleId, slug: "new-title", userId: UserId.make(9) }
        })
      )
      expect(cache.state.invalidated.sort()).toEqual(["articles-by-slug:new-title", ...pages].sort())
    }).pipe(Effect.provide(layer))
  })
})
