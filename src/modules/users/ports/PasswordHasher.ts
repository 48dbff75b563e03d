import { Context, type Effect } from "effect"
import type { Password, PasswordHash } from "../domain/User.ts"
import type { HasherBusy } from "../domain/UserErrors.ts"

export class PasswordHasher extends Context.Service<
  PasswordHasher,
  {
    /** Fails with HasherBusy when its bounded queue is full, rather than making the caller wait for seconds. */
    readonly hash: (password: Password) => Effect.Effect<PasswordHash, HasherBusy>
    /** Constant-time with respect to the hash: never short-circuits on the first differing byte. */
    readonly verify: (password: string, hash: PasswordHash) => Effect.Effect<boolean, HasherBusy>
  }
>()("app/users/PasswordHasher") {}
