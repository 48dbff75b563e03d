import { expect, layer } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option } from "effect"
import { SqlClient } from "effect/sql"
import { ArticleRepository } from "../../../../src/modules/articles/ports/ArticleRepository.ts"
import { UserRepository } from "../../../../src/modules/users/ports/UserRepository.ts"
import { PostgresAdapters } from "../../../support/TestApp.ts"
import { PasswordHash } from "../../../../src/modules/users/domain/User.ts"
import { aRegistration } from "../../users/UserMother.ts"
import { aNewArticle } from "../ArticleMother.ts"

// The unfiltered articlesCount comes from counter rows kept by triggers. It must stay exact through
// concurrent inserts and deletes, and one publisher's open transaction must not hold up the next.

const aNewUser = () => {
  const { username, email } = aRegistration()
  return { username, email, passwordHash: PasswordHash.make("scrypt$1$1$1$salt$key") }
}

layer(PostgresAdapters, { timeout: "60 seconds" })("articlesCount counter (PostgreSQL)", (it) => {
  const total = Effect.gen(function* () {
    const articles = yield* ArticleRepository
    return (yield* articles.list({}, { limit: 1, offset: 0 }, Option.none())).total
  })

  it.effect("stays equal to the number of articles through concurrent inserts and deletes", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const users = yield* UserRepository
      const articles = yield* ArticleRepository
      const author = yield* users.insert(aNewUser())
      const inserted = yield* Effect.forEach(
        Array.from({ length: 24 }, () => aNewArticle(author.id)),
        (article) => articles.insert(article),
        { concurrency: 8 }
      )
      yield* Effect.forEach(inserted.slice(0, 9), (article) => articles.delete(article.id), { concurrency: 8 })
      const rows = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM articles`
      expect(yield* total).toBe(rows[0]?.n)
    }))

  it.effect("an insert does not wait for another publisher's uncommitted insert", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const users = yield* UserRepository
      const author = yield* users.insert(aNewUser())
      const insert = (title: string) =>
        sql`INSERT INTO articles ${sql.insert({ slug: `${title}-${author.id}`, title, description: "d", body: "b", authorId: author.id })}`
      // The first transaction holds its counter row until it ends; the second, on another
      // connection, gives up after 2 s if it has to wait for that row (a single counter row would).
      const inserted = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const first = yield* Effect.gen(function* () {
        yield* insert("first")
        yield* Deferred.succeed(inserted, undefined)
        yield* Deferred.await(release)
      }).pipe(sql.withTransaction, Effect.forkChild)
      yield* Deferred.await(inserted)
      const outcome = yield* Effect.gen(function* () {
        yield* sql`SET LOCAL lock_timeout = '2s'`
        yield* insert("second")
      }).pipe(sql.withTransaction, Effect.result)
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(first)
      expect(outcome._tag).toBe("Success")
    }))
})
