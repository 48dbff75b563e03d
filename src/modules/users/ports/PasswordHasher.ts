import { Context, type Effect } from "effect"
import type { Password, PasswordHash } from "../domain/User.ts"

export class PasswordHasher extends Context.Service<
  PasswordHasher,
  {
    readonly hash: (password: Password) => Effect.Effect<PasswordHash>
    /** Constant-time with respect to the hash: never short-circuits on the first differing byte. */
    readonly verify: (password: string, hash: PasswordHash) => Effect.Effect<boolean>
  }
>()("app/users/PasswordHasher") {}
