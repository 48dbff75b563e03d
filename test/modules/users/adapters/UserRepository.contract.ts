import { assert, expect, layer } from "@effect/vitest"
import { Effect, type Layer, Option } from "effect"
import { PasswordHash, UserId } from "../../../../src/modules/users/domain/User.ts"
import { UserDirectory } from "../../../../src/modules/users/ports/UserDirectory.ts"
import { UserRepository } from "../../../../src/modules/users/ports/UserRepository.ts"
import { aRegistration } from "../UserMother.ts"

const aNewUser = (overrides: Parameters<typeof aRegistration>[0] = {}) => {
  const { username, email } = aRegistration(overrides)
  return { username, email, passwordHash: PasswordHash.make("scrypt$1$1$1$salt$key") }
}

/** What every UserRepository/UserDirectory adapter must do; run against each of them. */
export const userRepositoryContract = (name: string, adapters: Layer.Layer<UserRepository | UserDirectory, unknown>) =>
  layer(adapters, { timeout: "60 seconds" })(`UserRepository contract: ${name}`, (it) => {
    it.effect("inserts a user with no bio or image and finds it by id and by email", () =>
      Effect.gen(function* () {
        const users = yield* UserRepository
        const input = aNewUser()
        const user = yield* users.insert(input)
        expect(user).toMatchObject({ ...input, bio: null, image: null })
        assert.deepStrictEqual(yield* users.findById(user.id), Option.some(user))
        assert.deepStrictEqual(yield* users.findByEmail(input.email), Option.some(user))
      }))

    it.effect("token version: 0 at first, bumped by a new password or a different email, none for unknown ids", () =>
      Effect.gen(function* () {
        const users = yield* UserRepository
        const user = yield* users.insert(aNewUser())
        assert.deepStrictEqual(yield* users.findTokenVersion(user.id), Option.some(0))
        yield* users.update(user.id, { bio: "bio only", email: user.email })
        assert.deepStrictEqual(yield* users.findTokenVersion(user.id), Option.some(0))
        const moved = yield* users.update(user.id, { email: aNewUser().email })
        expect(moved.tokenVersion).toBe(1)
        yield* users.update(user.id, { passwordHash: PasswordHash.make("scrypt$1$1$1$salt$other") })
        assert.deepStrictEqual(yield* users.findTokenVersion(user.id), Option.some(2))
        assert.deepStrictEqual(yield* users.findTokenVersion(UserId.make(987_654_321)), Option.none())
      }))

    it.effect("refuses a taken email or username, whatever its case", () =>
      Effect.gen(function* () {
        const users = yield* UserRepository
        const first = yield* users.insert(aNewUser())
        const sameEmail = yield* Effect.flip(users.insert(aNewUser({ email: first.email.toUpperCase() })))
        expect(sameEmail._tag).toBe("EmailTaken")
        const sameName = yield* Effect.flip(users.insert(aNewUser({ username: first.username.toUpperCase() })))
        expect(sameName._tag).toBe("UsernameTaken")
      }))

    it.effect("updates only the given fields and keeps uniqueness on update", () =>
      Effect.gen(function* () {
        const users = yield* UserRepository
        const a = yield* users.insert(aNewUser())
        const b = yield* users.insert(aNewUser())
        const updated = yield* users.update(a.id, { bio: "hello", image: null })
        expect(updated).toMatchObject({ id: a.id, email: a.email, username: a.username, bio: "hello", image: null })
        expect((yield* Effect.flip(users.update(a.id, { email: b.email })))._tag).toBe("EmailTaken")
        expect((yield* Effect.flip(users.update(a.id, { username: b.username })))._tag).toBe("UsernameTaken")
        // Keeping one's own email is not a conflict.
        expect((yield* users.update(a.id, { email: a.email })).email).toBe(a.email)
      }))

    it.effect("reports a missing user on update and finds nothing for unknown ids", () =>
      Effect.gen(function* () {
        const users = yield* UserRepository
        const missing = UserId.make(987654)
        expect((yield* Effect.flip(users.update(missing, { bio: "x" })))._tag).toBe("UserNotFound")
        assert.isTrue(Option.isNone(yield* users.findById(missing)))
      }))

    it.effect("directory: finds public summaries by username and in batches by id", () =>
      Effect.gen(function* () {
        const users = yield* UserRepository
        const directory = yield* UserDirectory
        const a = yield* users.insert(aNewUser())
        const b = yield* users.insert(aNewUser())
        const found = yield* directory.findByUsername(a.username)
        assert.deepStrictEqual(found, Option.some({ id: a.id, username: a.username, bio: null, image: null }))
        assert.isTrue(Option.isNone(yield* directory.findByUsername("nobody-by-this-name")))
        const batch = yield* directory.findByIds([a.id, b.id, a.id, UserId.make(987654)])
        expect([...batch.keys()].sort()).toEqual([a.id, b.id].sort())
        expect((yield* directory.findByIds([])).size).toBe(0)
      }))

    it.effect("directory: finds a username whatever its case, as uniqueness treats it", () =>
      Effect.gen(function* () {
        const users = yield* UserRepository
        const directory = yield* UserDirectory
        const a = yield* users.insert(aNewUser({ username: `Mixed-Case-${Math.random().toString(36).slice(2, 8)}` }))
        const summary = { id: a.id, username: a.username, bio: null, image: null }
        assert.deepStrictEqual(yield* directory.findByUsername(a.username.toUpperCase()), Option.some(summary))
        assert.deepStrictEqual(yield* directory.findByUsername(a.username.toLowerCase()), Option.some(summary))
      }))

    it.effect("the stored summary never exposes the password hash", () =>
      Effect.gen(function* () {
        const users = yield* UserRepository
        const directory = yield* UserDirectory
        const a = yield* users.insert(aNewUser())
        const summary = Option.getOrThrow(yield* directory.findByUsername(a.username))
        expect(Object.keys(summary).sort()).toEqual(["bio", "id", "image", "username"])
      }))
  })
