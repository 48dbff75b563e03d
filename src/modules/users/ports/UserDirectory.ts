import { Context, type Effect, type Option } from "effect"
import type { UserId } from "../domain/User.ts"

/** The public face of an account: what other modules may know about a user. */
export interface UserSummary {
  readonly id: UserId
  readonly username: string
  readonly bio: string | null
  readonly image: string | null
}

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
