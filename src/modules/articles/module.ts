import { Layer } from "effect"
import { Module } from "../../platform/Module.ts"
import { ArticlesApi, TagsApi } from "./adapters/http/ArticlesApi.ts"
import { ArticlesHttp, TagsHttp } from "./adapters/http/ArticlesHttp.ts"
import { InMemoryArticles } from "./adapters/memory/InMemoryArticles.ts"
import { countArticles, createArticles, shardArticleCount } from "./adapters/sql/migrations.ts"
import { seedArticles } from "./adapters/sql/seed.ts"
import { SqlArticleLookup } from "./adapters/sql/SqlArticleLookup.ts"
import { SqlArticleRepository } from "./adapters/sql/SqlArticleRepository.ts"
import { Articles } from "./application/Articles.ts"

/** The articles module as the composition root sees it. */
export const ArticlesModule = Module.make({
  name: "articles",
  http: { groups: [ArticlesApi, TagsApi], handlers: Layer.mergeAll(ArticlesHttp, TagsHttp) },
  useCases: Articles.layer,
  publishes: Layer.empty,
  adapters: {
    sql: Layer.mergeAll(SqlArticleRepository.layer, SqlArticleLookup.layer),
    memory: InMemoryArticles.layer,
    services: Layer.empty
  },
  migrations: {
    "0002_create_articles": createArticles,
    "0005_count_articles": countArticles,
    "0007_shard_article_count": shardArticleCount
  },
  seed: seedArticles,
  commands: []
})
