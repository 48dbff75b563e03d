import { Context, type Effect, type Redacted } from "effect"
import type { UserId } from "../domain/User.ts"
import type { InvalidToken } from "../domain/UserErrors.ts"

/** Whom a token speaks for, and which version of their credentials it was issued under. */
export interface TokenSubject {
  readonly id: UserId
  readonly tokenVersion: number
}

/** Issues and checks the bearer tokens clients send as `Authorization: Token <jwt>`. */
export class TokenService extends Context.Service<
  TokenService,
  {
    readonly issue: (subject: TokenSubject) => Effect.Effect<string>
    /** The signature and expiry only: whether the account still exists at that version is the caller's check. */
    readonly verify: (token: Redacted.Redacted<string>) => Effect.Effect<TokenSubject, InvalidToken>
  }
>()("app/users/TokenService") {}
