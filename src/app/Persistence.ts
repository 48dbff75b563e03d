import { Effect, Layer } from "effect"
import { InMemoryArticles } from "../modules/articles/adapters/memory/InMemoryArticles.ts"
import { SqlArticleLookup } from "../modules/articles/adapters/sql/SqlArticleLookup.ts"
import { SqlArticleRepository } from "../modules/articles/adapters/sql/SqlArticleRepository.ts"
import { InMemoryComments } from "../modules/comments/adapters/memory/InMemoryComments.ts"
import { SqlCommentRepository } from "../modules/comments/adapters/sql/SqlCommentRepository.ts"
import { InMemoryFollows } from "../modules/profiles/adapters/memory/InMemoryFollows.ts"
import { SqlFollowRepository } from "../modules/profiles/adapters/sql/SqlFollowRepository.ts"
import { InMemoryUsers } from "../modules/users/adapters/memory/InMemoryUsers.ts"
import { SqlUserDirectory } from "../modules/users/adapters/sql/SqlUserDirectory.ts"
import { SqlUserRepository } from "../modules/users/adapters/sql/SqlUserRepository.ts"
import { AppConfig } from "../platform/config/AppConfig.ts"
import { Readiness } from "../platform/Readiness.ts"
import { layerMigrations, PgLive, PgReadiness } from "../platform/sql/Database.ts"
import { migrations } from "./Migrations.ts"

/** PostgreSQL, migrated before anything else touches it unless a separate job owns migrations. */
export const Postgres = Layer.unwrap(
  Effect.gen(function* () {
    const { migrateOnStart } = yield* AppConfig
    return migrateOnStart ? Layer.provideMerge(layerMigrations(migrations), PgLive) : PgLive
  })
)

/** Every SQL adapter, over whatever SqlClient is provided. */
export const SqlAdapters = Layer.mergeAll(
  SqlUserRepository.layer,
  SqlUserDirectory.layer,
  SqlArticleLookup.layer,
  SqlFollowRepository.layer,
  SqlCommentRepository.layer,
  SqlArticleRepository.layer,
  PgReadiness
)

export const PostgresPersistence = SqlAdapters.pipe(Layer.provide(Postgres))

export const InMemoryPersistence = Layer.mergeAll(
  InMemoryUsers.layer,
  InMemoryArticles.layer,
  InMemoryFollows.layer,
  InMemoryComments.layer,
  Readiness.always
)

/** The one place that picks the outbound adapters, from STORAGE. */
export const Persistence = Layer.unwrap(
  Effect.gen(function* () {
    const { storage } = yield* AppConfig
    return storage === "postgres" ? PostgresPersistence : InMemoryPersistence
  })
)
