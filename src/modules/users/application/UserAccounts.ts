import { Context, Effect, Layer, Option } from "effect"
import { BusinessMetrics } from "../../../platform/observability/Metrics.ts"
import type { Email, Password, User, UserId, Username } from "../domain/User.ts"
import { type EmailTaken, type HasherBusy, InvalidCredentials, UserNotFound, type UsernameTaken } from "../domain/UserErrors.ts"
import { PasswordHasher } from "../ports/PasswordHasher.ts"
import { TokenService } from "../ports/TokenService.ts"
import { type UserChanges, UserRepository } from "../ports/UserRepository.ts"

export interface Registration {
  readonly username: Username
  readonly email: Email
  readonly password: Password
}

export interface Credentials {
  readonly email: Email
  /** Not checked against the current policy: accounts made under an older one must still log in. */
  readonly password: string
}

/** What a user may change: the stored changes, with a password where the store keeps its hash. */
export type ProfileChanges = Omit<UserChanges, "passwordHash"> & { readonly password?: Password }

/** A user together with a freshly issued token: what register and login answer. */
export interface Session {
  readonly user: User
  readonly token: string
}

/** An updated account; a new token when the change revoked the earlier ones (email or password). */
export interface Updated {
  readonly user: User
  readonly token: Option.Option<string>
}

/** The users module's use cases: register, log in, read and update the current account. */
export class UserAccounts extends Context.Service<
  UserAccounts,
  {
    readonly register: (input: Registration) => Effect.Effect<Session, EmailTaken | UsernameTaken | HasherBusy>
    readonly login: (input: Credentials) => Effect.Effect<Session, InvalidCredentials | HasherBusy>
    readonly current: (id: UserId) => Effect.Effect<User, UserNotFound>
    readonly update: (
      id: UserId,
      changes: ProfileChanges
    ) => Effect.Effect<Updated, EmailTaken | UsernameTaken | UserNotFound | HasherBusy>
  }
>()("app/users/UserAccounts") {
  static readonly layer = Layer.effect(
    UserAccounts,
    Effect.gen(function* () {
      const users = yield* UserRepository
      const hasher = yield* PasswordHasher
      const tokens = yield* TokenService

      const register = Effect.fn("UserAccounts.register")(function* (input: Registration) {
        const passwordHash = yield* hasher.hash(input.password)
        const user = yield* users.insert({ email: input.email, username: input.username, passwordHash })
        yield* BusinessMetrics.increment(BusinessMetrics.usersRegistered)
        return { user, token: yield* tokens.issue(user) }
      })

      const login = Effect.fn("UserAccounts.login")(function* (input: Credentials) {
        const found = yield* users.findByEmail(input.email)
        // Hash even when the email is unknown, so response time does not reveal which emails exist.
        const valid = Option.isSome(found)
          ? yield* hasher.verify(input.password, found.value.passwordHash)
          : yield* Effect.as(hasher.hash(input.password as Password), false)
        if (!valid || Option.isNone(found)) return yield* new InvalidCredentials()
        return { user: found.value, token: yield* tokens.issue(found.value) }
      })

      const current = Effect.fn("UserAccounts.current")(function* (id: UserId) {
        const found = yield* users.findById(id)
        if (Option.isNone(found)) return yield* new UserNotFound()
        return found.value
      })

      const update = Effect.fn("UserAccounts.update")(function* (id: UserId, changes: ProfileChanges) {
        const { password, ...rest } = changes
        const passwordHash = password === undefined ? undefined : yield* hasher.hash(password)
        const before = yield* current(id)
        const user = yield* users.update(id, passwordHash === undefined ? rest : { ...rest, passwordHash })
        const token = user.tokenVersion === before.tokenVersion ? Option.none() : Option.some(yield* tokens.issue(user))
        return { user, token }
      })

      return UserAccounts.of({ register, login, current, update })
    })
  )
}
