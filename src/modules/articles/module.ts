import { Layer } from "effect"
import { Module } from "../../platform/Module.ts"
import { ArticlesApi, TagsApi } from "./adapters/http/ArticlesApi.ts"
import { ArticlesHttp, TagsHttp } from "./adapters/http/ArticlesHttp.ts"
import { InMemoryArticles } from "./adapters/memory/InMemoryArticles.ts"
import { ArticlesConsumers } from "./adapters/events/ArticlesConsumers.ts"
import {
  countArticles,
  createArticles,
  detachArticlesFromUsers,
  indexTagsByRecency,
  shardArticleCount
} from "./adapters/sql/migrations.ts"
import { seedArticles } from "./adapters/sql/seed.ts"
import { SqlArticleLookup } from "./adapters/sql/SqlArticleLookup.ts"
import { SqlArticleRepository } from "./adapters/sql/SqlArticleRepository.ts"
import { ArticleCache } from "./application/ArticleCache.ts"
import { Articles } from "./application/Articles.ts"
import { ArticleDeleted, ArticleFavorited, ArticlePublished, ArticleUnfavorited, ArticleUpdated } from "./domain/ArticleEvents.ts"

/** The articles module as the composition root sees it. */
export const ArticlesModule = Module.make({
  name: "articles",
  http: { groups: [ArticlesApi, TagsApi], handlers: Layer.mergeAll(ArticlesHttp, TagsHttp) },
  // The cache is the use cases' and, for invalidations retried through the outbox, the consumers'.
  useCases: Articles.layer.pipe(Layer.provideMerge(ArticleCache.layer)),
  publishes: Layer.empty,
  adapters: {
    sql: Layer.mergeAll(SqlArticleRepository.layer, SqlArticleLookup.layer),
    memory: InMemoryArticles.layer,
    services: Layer.empty
  },
  events: {
    publishes: [ArticlePublished, ArticleUpdated, ArticleDeleted, ArticleFavorited, ArticleUnfavorited],
    consumers: ArticlesConsumers
  },
  migrations: {
    "0002_create_articles": createArticles,
    "0005_count_articles": countArticles,
    "0007_shard_article_count": shardArticleCount,
    "0010_detach_articles_from_users": detachArticlesFromUsers,
    "0014_index_tags_by_recency": indexTagsByRecency
  },
  seed: seedArticles,
  commands: []
})
