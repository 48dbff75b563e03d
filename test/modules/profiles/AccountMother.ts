import { Effect } from "effect"
import { PasswordHash } from "../../../src/modules/users/domain/User.ts"
import { UserRepository } from "../../../src/modules/users/ports/UserRepository.ts"
import { aRegistration, aRegistrationBody } from "../users/UserMother.ts"
import { call } from "../../support/TestApp.ts"

// Object mother for modules that need users to exist: stored accounts (through the users module's
// repository, so foreign keys hold) and registered HTTP callers with their tokens.

/** A stored account with a unique username; bio and image as given. */
export const anAccount = (overrides: { bio?: string; image?: string } = {}) =>
  Effect.gen(function* () {
    const users = yield* UserRepository
    const { username, email } = aRegistration()
    const user = yield* users.insert({ username, email, passwordHash: PasswordHash.make("scrypt$1$1$1$salt$key") })
    return Object.keys(overrides).length === 0 ? user : yield* users.update(user.id, overrides)
  }).pipe(Effect.orDie)

/** A user registered through the API, with the token to call as them. */
export const aCaller = Effect.gen(function* () {
  const user = aRegistrationBody()
  const reply = yield* call("POST", "/api/users", { body: { user } })
  if (reply.status !== 201) return yield* Effect.die(new Error(`registration failed: ${reply.status}`))
  return { username: user.username, token: reply.body.user.token as string }
})
