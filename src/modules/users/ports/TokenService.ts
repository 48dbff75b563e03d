import { Context, type Effect, type Redacted } from "effect"
import type { UserId } from "../domain/User.ts"
import type { InvalidToken } from "../domain/UserErrors.ts"

/** Issues and checks the bearer tokens clients send as `Authorization: Token <jwt>`. */
export class TokenService extends Context.Service<
  TokenService,
  {
    readonly issue: (userId: UserId) => Effect.Effect<string>
    readonly verify: (token: Redacted.Redacted<string>) => Effect.Effect<UserId, InvalidToken>
  }
>()("app/users/TokenService") {}
