import { Context, Effect, Layer, Option } from "effect"
import { User, UserId, type UserSummary } from "../../domain/User.ts"
import { EmailTaken, UsernameTaken, UserNotFound } from "../../domain/UserErrors.ts"
import { UserDirectory } from "../../ports/UserDirectory.ts"
import { UserRepository } from "../../ports/UserRepository.ts"

const summary = ({ id, username, bio, image }: User): UserSummary => ({ id, username, bio, image })

/**
 * A process-local store with the same rules as the SQL adapter (both pass the same contract suites).
 * One store serves both ports, as one table does in SQL.
 */
export const makeInMemoryUsers = Effect.sync(() => {
  const rows = new Map<UserId, User>()
  let nextId = 1

  const taken = (candidate: { email?: string; username?: string }, except?: UserId) =>
    Effect.gen(function* () {
      for (const user of rows.values()) {
        if (user.id === except) continue
        if (candidate.email !== undefined && user.email === candidate.email) return yield* new EmailTaken()
        if (candidate.username !== undefined && user.username.toLowerCase() === candidate.username.toLowerCase())
          return yield* new UsernameTaken()
      }
    })

  const repository = UserRepository.of({
    insert: Effect.fn("UserRepository.insert")(function* (input) {
      yield* taken(input)
      const user = new User({ id: UserId.make(nextId++), bio: null, image: null, tokenVersion: 0, ...input })
      rows.set(user.id, user)
      return user
    }),
    update: Effect.fn("UserRepository.update")(function* (id, changes) {
      const existing = rows.get(id)
      if (existing === undefined) return yield* new UserNotFound()
      yield* taken(changes, id)
      const credentialsChanged =
        changes.passwordHash !== undefined || (changes.email !== undefined && changes.email !== existing.email)
      const user = new User({ ...existing, ...changes, tokenVersion: existing.tokenVersion + (credentialsChanged ? 1 : 0) })
      rows.set(id, user)
      return user
    }),
    findById: (id) => Effect.sync(() => Option.fromUndefinedOr(rows.get(id))),
    findByEmail: (email) =>
      Effect.sync(() => Option.fromUndefinedOr([...rows.values()].find((user) => user.email === email))),
    findTokenVersion: (id) => Effect.sync(() => Option.map(Option.fromUndefinedOr(rows.get(id)), (user) => user.tokenVersion)),
    delete: (id) =>
      Effect.sync(() => {
        const user = rows.get(id)
        rows.delete(id)
        return Option.fromUndefinedOr(user)
      })
  })

  const directory = UserDirectory.of({
    findByUsername: (username) =>
      Effect.sync(() =>
        Option.map(Option.fromUndefinedOr([...rows.values()].find((user) => user.username.toLowerCase() === username.toLowerCase())), summary)
      ),
    findByIds: (ids) =>
      Effect.sync(() => {
        const found = new Map<UserId, UserSummary>()
        for (const id of ids) {
          const user = rows.get(id)
          if (user !== undefined) found.set(id, summary(user))
        }
        return found
      })
  })

  return { repository, directory }
})

export const InMemoryUsers = {
  layer: Layer.effectContext(
    Effect.map(makeInMemoryUsers, ({ repository, directory }) =>
      Context.make(UserRepository, repository).pipe(Context.add(UserDirectory, directory))
    )
  )
}
