import { Context, type Effect, type Option } from "effect"
import type { Bio, Email, Image, PasswordHash, User, UserId, Username } from "../domain/User.ts"
import type { EmailTaken, UserNotFound, UsernameTaken } from "../domain/UserErrors.ts"

export interface NewUser {
  readonly email: Email
  readonly username: Username
  readonly passwordHash: PasswordHash
}

export interface UserChanges {
  readonly email?: Email
  readonly username?: Username
  readonly passwordHash?: PasswordHash
  readonly bio?: typeof Bio.Type
  readonly image?: typeof Image.Type
}

/**
 * Persistence of user accounts. Uniqueness of email and username (both case-insensitive) is enforced
 * here, and so is the token version: an update that changes the email or sets a password bumps it.
 */
export class UserRepository extends Context.Service<
  UserRepository,
  {
    readonly insert: (user: NewUser) => Effect.Effect<User, EmailTaken | UsernameTaken>
    readonly update: (id: UserId, changes: UserChanges) => Effect.Effect<User, EmailTaken | UsernameTaken | UserNotFound>
    readonly findById: (id: UserId) => Effect.Effect<Option.Option<User>>
    readonly findByEmail: (email: Email) => Effect.Effect<Option.Option<User>>
    /** The account's current token version; none when the account does not exist. */
    readonly findTokenVersion: (id: UserId) => Effect.Effect<Option.Option<number>>
  }
>()("app/users/UserRepository") {}
