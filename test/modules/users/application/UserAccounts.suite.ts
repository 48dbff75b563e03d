import type { EventPublisher } from "../../../../src/platform/events/EventPublisher.ts"
import type { Transaction } from "../../../../src/platform/Transaction.ts"
import { assert, expect, layer } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"
import { ProfileCache } from "../../../../src/modules/users/application/ProfileCache.ts"
import { UserAccounts } from "../../../../src/modules/users/application/UserAccounts.ts"
import { ReadCache } from "../../../../src/platform/cache/ReadCache.ts"
import type { Password } from "../../../../src/modules/users/domain/User.ts"
import type { UserDirectory } from "../../../../src/modules/users/ports/UserDirectory.ts"
import type { UserRepository } from "../../../../src/modules/users/ports/UserRepository.ts"
import { TokenService } from "../../../../src/modules/users/ports/TokenService.ts"
import { TestConfig, TestServices } from "../../../support/TestApp.ts"
import { aRegistration } from "../UserMother.ts"

/** The use cases over real crypto, run once per storage adapter. */
export const userAccountsSuite = (name: string, storage: Layer.Layer<UserRepository | UserDirectory | EventPublisher | Transaction, unknown>) =>
  layer(
    Layer.provideMerge(
      UserAccounts.layer,
      ProfileCache.layer.pipe(Layer.provide(ReadCache.layerMemory), Layer.provideMerge(Layer.mergeAll(storage, TestServices)))
    ).pipe(Layer.provide(TestConfig.layer())),
    { timeout: "60 seconds" }
  )(`UserAccounts on ${name}`, (it) => {
    it.effect("registers a user and issues a token for it", () =>
      Effect.gen(function* () {
        const accounts = yield* UserAccounts
        const tokens = yield* TokenService
        const { user, token } = yield* accounts.register(aRegistration())
        expect(yield* tokens.verify(Redacted.make(token))).toEqual({ id: user.id, tokenVersion: 0 })
        expect(user.passwordHash).toMatch(/^scrypt\$/)
      }))

    it.effect("never stores the password in plain text", () =>
      Effect.gen(function* () {
        const accounts = yield* UserAccounts
        const registration = aRegistration()
        const { user } = yield* accounts.register(registration)
        expect(user.passwordHash).not.toContain(registration.password)
      }))

    it.effect("refuses a second account with the same email or username", () =>
      Effect.gen(function* () {
        const accounts = yield* UserAccounts
        const first = aRegistration()
        yield* accounts.register(first)
        expect((yield* Effect.flip(accounts.register(aRegistration({ email: first.email }))))._tag).toBe("EmailTaken")
        expect((yield* Effect.flip(accounts.register(aRegistration({ username: first.username }))))._tag).toBe(
          "UsernameTaken"
        )
      }))

    it.effect("logs in with the right password only, without telling which part was wrong", () =>
      Effect.gen(function* () {
        const accounts = yield* UserAccounts
        const registration = aRegistration()
        const { user } = yield* accounts.register(registration)
        const session = yield* accounts.login({ email: registration.email, password: registration.password })
        expect(session.user.id).toBe(user.id)
        const wrongPassword = yield* Effect.flip(accounts.login({ email: registration.email, password: "not the one" }))
        const unknownEmail = yield* Effect.flip(
          accounts.login({ email: aRegistration().email, password: registration.password })
        )
        expect(wrongPassword._tag).toBe("InvalidCredentials")
        expect(unknownEmail._tag).toBe("InvalidCredentials")
      }))

    it.effect("updates the profile, and a new password replaces the old one", () =>
      Effect.gen(function* () {
        const accounts = yield* UserAccounts
        const registration = aRegistration()
        const { user } = yield* accounts.register(registration)
        const { user: updated, token } = yield* accounts.update(user.id, {
          bio: "I like to skateboard",
          password: "a brand new passphrase" as Password
        })
        expect(updated.bio).toBe("I like to skateboard")
        expect(updated.email).toBe(registration.email)
        expect(updated.tokenVersion).toBe(user.tokenVersion + 1)
        expect(Option.isSome(token)).toBe(true)
        const old = yield* Effect.flip(accounts.login({ email: registration.email, password: registration.password }))
        expect(old._tag).toBe("InvalidCredentials")
        const fresh = yield* accounts.login({ email: registration.email, password: "a brand new passphrase" })
        assert.strictEqual(fresh.user.id, user.id)
      }))

    it.effect("bumps the token version on a new email or password only, and issues a token for it", () =>
      Effect.gen(function* () {
        const accounts = yield* UserAccounts
        const tokens = yield* TokenService
        const { user } = yield* accounts.register(aRegistration())
        const bio = yield* accounts.update(user.id, { bio: "only the bio" })
        expect(bio.user.tokenVersion).toBe(user.tokenVersion)
        expect(Option.isNone(bio.token)).toBe(true)
        const sameEmail = yield* accounts.update(user.id, { email: user.email })
        expect(sameEmail.user.tokenVersion).toBe(user.tokenVersion)
        const email = yield* accounts.update(user.id, { email: aRegistration().email })
        expect(email.user.tokenVersion).toBe(user.tokenVersion + 1)
        const issued = yield* tokens.verify(Redacted.make(Option.getOrThrow(email.token)))
        expect(issued).toEqual({ id: user.id, tokenVersion: user.tokenVersion + 1 })
      }))

    it.effect("reads the current user and reports an unknown one", () =>
      Effect.gen(function* () {
        const accounts = yield* UserAccounts
        const { user } = yield* accounts.register(aRegistration())
        expect((yield* accounts.current(user.id)).username).toBe(user.username)
        const missing = yield* Effect.flip(accounts.current((user.id + 100_000) as typeof user.id))
        expect(missing._tag).toBe("UserNotFound")
      }))

    it.effect("the cached profile shows every change to the account in the very next read", () =>
      Effect.gen(function* () {
        const accounts = yield* UserAccounts
        const profiles = yield* ProfileCache
        const { user } = yield* accounts.register(aRegistration())
        const upper = user.username.toUpperCase()
        // Filled under the lower-case name, whichever case is asked for.
        expect(Option.map(yield* profiles.byUsername(upper), (found) => found.bio)).toEqual(Option.some(null))
        yield* accounts.update(user.id, { bio: "fresh", image: "https://example.com/me.png" })
        expect(yield* profiles.byUsername(user.username)).toEqual(
          Option.some({ id: user.id, username: user.username, bio: "fresh", image: "https://example.com/me.png" })
        )
        const renamed = `${user.username}_2` as typeof user.username
        yield* accounts.update(user.id, { username: renamed })
        expect(yield* profiles.byUsername(upper)).toEqual(Option.none())
        expect(Option.map(yield* profiles.byUsername(renamed), (found) => found.username)).toEqual(Option.some(renamed))
        // An email change is not on the profile and leaves the entry be; a deletion does not.
        yield* accounts.update(user.id, { email: aRegistration().email })
        yield* accounts.delete(user.id, Option.none())
        expect(yield* profiles.byUsername(renamed)).toEqual(Option.none())
      }))
  })
