import { Context, type Effect, type Option } from "effect"
import type { UserId, UserSummary } from "../domain/User.ts"

/**
 * The users module's published port for other modules (profiles, articles, comments). Lookups come in
 * batches so a page of N items costs one query, not N.
 */
export class UserDirectory extends Context.Service<
  UserDirectory,
  {
    readonly findByUsername: (username: string) => Effect.Effect<Option.Option<UserSummary>>
    readonly findByIds: (ids: ReadonlyArray<UserId>) => Effect.Effect<ReadonlyMap<UserId, UserSummary>>
  }
>()("app/users/UserDirectory") {}
