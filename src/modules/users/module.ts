import { Layer } from "effect"
import { Module } from "../../platform/Module.ts"
import { usersCommand } from "./adapters/cli/UsersCli.ts"
import { UsersConsumers } from "./adapters/events/UsersConsumers.ts"
import { JwtTokenService } from "./adapters/crypto/JwtTokenService.ts"
import { ScryptPasswordHasher } from "./adapters/crypto/ScryptPasswordHasher.ts"
import { TokenAuthentication } from "./adapters/http/TokenAuthentication.ts"
import { UsersApi } from "./adapters/http/UsersApi.ts"
import { UsersHttp } from "./adapters/http/UsersHttp.ts"
import { InMemoryUsers } from "./adapters/memory/InMemoryUsers.ts"
import { addTokenVersion, createUsers } from "./adapters/sql/migrations.ts"
import { seedUsers } from "./adapters/sql/seed.ts"
import { SqlUserDirectory } from "./adapters/sql/SqlUserDirectory.ts"
import { SqlUserRepository } from "./adapters/sql/SqlUserRepository.ts"
import { ProfileCache } from "./application/ProfileCache.ts"
import { UserAccounts } from "./application/UserAccounts.ts"
import { UserDeleted, UserRegistered, UserUpdated } from "./domain/UserEvents.ts"

/** The users module as the composition root sees it. */
export const UsersModule = Module.make({
  name: "users",
  http: { groups: [UsersApi], handlers: UsersHttp },
  useCases: UserAccounts.layer,
  // Other modules put the authentication middleware on their routes, and read profiles through the
  // directory with the profile cache in front (the use cases and consumers invalidate it).
  publishes: Layer.merge(TokenAuthentication.layer, ProfileCache.directory.pipe(Layer.provideMerge(ProfileCache.layer))),
  adapters: {
    sql: Layer.mergeAll(SqlUserRepository.layer, SqlUserDirectory.layer),
    memory: InMemoryUsers.layer,
    services: Layer.mergeAll(ScryptPasswordHasher.layer, JwtTokenService.layer)
  },
  events: { publishes: [UserRegistered, UserUpdated, UserDeleted], consumers: UsersConsumers },
  migrations: { "0001_create_users": createUsers, "0006_users_token_version": addTokenVersion },
  seed: seedUsers,
  commands: [usersCommand]
})
