import { Effect, Layer } from "effect"
import { AppConfig } from "../platform/config/AppConfig.ts"
import { Readiness } from "../platform/http/Health.ts"
import { Database, SqlReadiness } from "../platform/sql/Database.ts"
import { Application } from "./Application.ts"

/** PostgreSQL, migrated before anything else touches it unless a separate job owns migrations. */
export const Postgres = Layer.unwrap(
  Effect.gen(function* () {
    const { migrateOnStart } = yield* AppConfig
    return migrateOnStart ? Layer.provideMerge(Database.layerMigrations(Application.migrations), Database.layerConfig) : Database.layerConfig
  })
)

/** Every module's SQL adapters, over whatever SqlClient is provided, and readiness from the database. */
export const SqlAdapters = Layer.merge(Application.sql, SqlReadiness.layer)

export const PostgresPersistence = SqlAdapters.pipe(Layer.provide(Postgres))

/** Every module's in-memory adapters: always ready. */
export const InMemoryPersistence = Layer.merge(Application.memory, Readiness.layerAlways)

/** The one place that picks the storage adapters, from STORAGE. */
export const Persistence = Layer.unwrap(
  Effect.gen(function* () {
    const { storage } = yield* AppConfig
    return storage === "postgres" ? PostgresPersistence : InMemoryPersistence
  })
)

/** Every outbound adapter: storage (picked from config) and the modules' other services. */
export const Infrastructure = Layer.merge(Persistence, Application.services)
