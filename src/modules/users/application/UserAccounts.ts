import { Context, Effect, Layer, Option } from "effect"
import { EventPublisher, newEvent } from "../../../platform/events/EventPublisher.ts"
import { BusinessMetrics } from "../../../platform/observability/Metrics.ts"
import { Transaction } from "../../../platform/Transaction.ts"
import type { Email, Password, User, UserId, Username } from "../domain/User.ts"
import { type EmailTaken, type HasherBusy, InvalidCredentials, UserNotFound, type UsernameTaken } from "../domain/UserErrors.ts"
import { UserDeleted, UserRegistered, UserUpdated } from "../domain/UserEvents.ts"
import { PasswordHasher } from "../ports/PasswordHasher.ts"
import { TokenService } from "../ports/TokenService.ts"
import { type UserChanges, UserRepository } from "../ports/UserRepository.ts"
import { PROFILE_FIELDS, ProfileCache } from "./ProfileCache.ts"

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

/** The users module's use cases: register, log in, read, update and delete an account. */
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
    /**
     * Deletes the account at once (its tokens and login stop working with the commit) and publishes
     * UserDeleted with it; the other modules remove what the account owned in their consumers.
     * `actor` is who asked: the account itself over HTTP, none for an operator.
     */
    readonly delete: (id: UserId, actor: Option.Option<UserId>) => Effect.Effect<User, UserNotFound>
  }
>()("app/users/UserAccounts") {
  static readonly layer = Layer.effect(
    UserAccounts,
    Effect.gen(function* () {
      const users = yield* UserRepository
      const hasher = yield* PasswordHasher
      const tokens = yield* TokenService
      const transaction = yield* Transaction
      const events = yield* EventPublisher
      const profiles = yield* ProfileCache

      const register = Effect.fn("UserAccounts.register")(function* (input: Registration) {
        const passwordHash = yield* hasher.hash(input.password)
        const user = yield* transaction.run(
          Effect.tap(users.insert({ email: input.email, username: input.username, passwordHash }), (user) =>
            Effect.flatMap(
              newEvent(UserRegistered, { actorId: user.id, payload: { userId: user.id, username: user.username } }),
              events.publish
            )
          )
        )
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
        const stored = passwordHash === undefined ? rest : { ...rest, passwordHash }
        const user = yield* transaction.run(
          Effect.tap(users.update(id, stored), (user) =>
            Object.keys(changes).length === 0
              ? Effect.void
              : Effect.flatMap(
                  newEvent(UserUpdated, {
                    actorId: id,
                    payload: {
                      userId: id,
                      username: user.username,
                      ...(user.username === before.username ? {} : { previousUsername: before.username }),
                      changed: Object.keys(changes).sort()
                    }
                  }),
                  events.publish
                )
          )
        )
        if (PROFILE_FIELDS.some((field) => field in changes)) yield* profiles.changed([before.username, user.username])
        const token = user.tokenVersion === before.tokenVersion ? Option.none() : Option.some(yield* tokens.issue(user))
        return { user, token }
      })

      const remove = Effect.fn("UserAccounts.delete")(function* (id: UserId, actor: Option.Option<UserId>) {
        return yield* transaction.run(
          Effect.gen(function* () {
            const deleted = yield* users.delete(id)
            if (Option.isNone(deleted)) return yield* new UserNotFound()
            const user = deleted.value
            yield* events.publish(
              yield* newEvent(UserDeleted, {
                actorId: Option.getOrNull(actor),
                payload: { userId: user.id, username: user.username }
              })
            )
            return user
          })
        ).pipe(Effect.tap((user) => profiles.changed([user.username])))
      })

      return UserAccounts.of({ register, login, current, update, delete: remove })
    })
  )
}
