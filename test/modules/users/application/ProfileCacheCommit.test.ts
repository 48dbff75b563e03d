import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Option } from "effect"
import { SqlClient } from "effect/sql"
import { ProfileCache } from "../../../../src/modules/users/application/ProfileCache.ts"
import { UserAccounts } from "../../../../src/modules/users/application/UserAccounts.ts"
import { ReadCache } from "../../../../src/platform/cache/ReadCache.ts"
import { PostgresAdapters, TestConfig, TestServices } from "../../../support/TestApp.ts"
import { aRegistration } from "../UserMother.ts"

// A write inside an enclosing transaction (an Idempotency-Key's, an event consumer's inbox) has
// committed nothing when its use case returns: the cache is invalidated after the outermost commit,
// so a read racing the commit (which still sees the old row) cannot keep the old value.

const services = Layer.provideMerge(
  UserAccounts.layer,
  ProfileCache.layer.pipe(Layer.provide(ReadCache.layerMemory), Layer.provideMerge(Layer.mergeAll(PostgresAdapters, TestServices)))
).pipe(Layer.provide(TestConfig.layer()))

layer(services, { timeout: "60 seconds" })("profile cache and the enclosing transaction", (it) => {
  it.effect("a read between the write and the outer commit leaves no stale entry behind", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const accounts = yield* UserAccounts
      const profiles = yield* ProfileCache
      const { user } = yield* accounts.register(aRegistration())
      const bio = (found: Option.Option<{ readonly bio: string | null }>) => Option.map(found, (account) => account.bio)
      // A reader outside the transaction, on a connection of its own.
      const outside = profiles
        .byUsername(user.username)
        .pipe(Effect.updateContext(Context.omit(sql.transactionService))) as ReturnType<typeof profiles.byUsername>

      yield* sql.withTransaction(
        Effect.gen(function* () {
          yield* accounts.update(user.id, { bio: "after" })
          expect(bio(yield* outside)).toEqual(Option.some(null))
        })
      )
      expect(bio(yield* profiles.byUsername(user.username))).toEqual(Option.some("after"))
    }))
})
