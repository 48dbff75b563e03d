import { Effect, Layer, Option } from "effect"
import { User, UserId } from "../../domain/User.ts"
import { EmailTaken, UsernameTaken, UserNotFound } from "../../domain/UserErrors.ts"
import { UserRepository } from "../../ports/UserRepository.ts"

/** A process-local store with the same rules as the SQL adapter (it passes the same contract suite). */
export const makeInMemoryUserRepository = Effect.sync(() => {
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

  return UserRepository.of({
    insert: Effect.fn("UserRepository.insert")(function* (input) {
      yield* taken(input)
      const user = new User({ id: UserId.make(nextId++), bio: null, image: null, ...input })
      rows.set(user.id, user)
      return user
    }),
    update: Effect.fn("UserRepository.update")(function* (id, changes) {
      const existing = rows.get(id)
      if (existing === undefined) return yield* new UserNotFound()
      yield* taken(changes, id)
      const user = new User({ ...existing, ...changes })
      rows.set(id, user)
      return user
    }),
    findById: (id) => Effect.sync(() => Option.fromUndefinedOr(rows.get(id))),
    findByEmail: (email) =>
      Effect.sync(() => Option.fromUndefinedOr([...rows.values()].find((user) => user.email === email)))
  })
})

export const InMemoryUserRepository = {
  layer: Layer.effect(UserRepository, makeInMemoryUserRepository)
}
