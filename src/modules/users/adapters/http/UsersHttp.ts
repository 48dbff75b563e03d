import { Effect, Option } from "effect"
import { HttpApi, HttpApiBuilder } from "effect/http-api"
import { Conflict, fieldError, Unauthorized } from "../../../../platform/http/ContractErrors.ts"
import { encodedResponse } from "../../../../platform/http/EncodedResponse.ts"
import { API_ID } from "../../../../platform/http/ModuleApi.ts"
import { overloaded } from "../../../../platform/http/DependencyGuard.ts"
import { clientAddress, tooManyRequests } from "../../../../platform/http/RateLimitHttp.ts"
import { RateLimitConfig, RateLimits } from "../../../../platform/ratelimit/RateLimits.ts"
import { UserAccounts } from "../../application/UserAccounts.ts"
import type { User } from "../../domain/User.ts"
import { CurrentUser } from "./Authentication.ts"
import { UserResponse, UsersApi } from "./UsersApi.ts"

const toResponse = (user: User, token: string) => ({
  user: { email: user.email, token, username: user.username, bio: user.bio, image: user.image }
})

// Domain outcomes → the contract's statuses and bodies.
const taken = {
  EmailTaken: () => Effect.fail(new Conflict(fieldError("email", "has already been taken"))),
  UsernameTaken: () => Effect.fail(new Conflict(fieldError("username", "has already been taken")))
}
/** The password hasher's queue is full: refused at once with 503 + Retry-After instead of queueing for seconds. */
const busy = { HasherBusy: () => overloaded("password checks") }
/** A valid token for an account that no longer exists is as good as no token. */
const goneAccount = { UserNotFound: () => Effect.fail(new Unauthorized(fieldError("token", "is invalid"))) }

export const UsersHttp = HttpApiBuilder.group(
  HttpApi.make(API_ID).add(UsersApi),
  "users",
  Effect.fn(function* (handlers) {
    const accounts = yield* UserAccounts
    const limits = yield* RateLimits
    const settings = yield* RateLimitConfig
    const address = Effect.provideService(clientAddress, RateLimitConfig, settings)
    return handlers
      .handle("register", ({ payload }) =>
        Effect.gen(function* () {
          yield* limits.consume(settings.registrationsPerAddress, yield* address)
          const { user, token } = yield* accounts.register(payload.user)
          return toResponse(user, token)
        }).pipe(Effect.catchTags({ ...taken, ...busy, RateLimited: tooManyRequests }))
      )
      .handle("login", ({ payload }) =>
        Effect.gen(function* () {
          // Failed logins count per account and per address; once either is spent, the password is not even checked.
          const account = payload.user.email.toLowerCase()
          const from = yield* address
          yield* limits.check(settings.failedLoginsPerAccount, account)
          yield* limits.check(settings.failedLoginsPerAddress, from)
          const { user, token } = yield* accounts.login(payload.user).pipe(
            Effect.tapErrorTag("InvalidCredentials", () =>
              Effect.all(
                [limits.consume(settings.failedLoginsPerAccount, account), limits.consume(settings.failedLoginsPerAddress, from)],
                { discard: true, mode: "result" }
              )
            )
          )
          return toResponse(user, token)
        }).pipe(
          Effect.catchTags({
            InvalidCredentials: () => Effect.fail(new Unauthorized(fieldError("credentials", "invalid"))),
            RateLimited: tooManyRequests,
            ...busy
          })
        )
      )
      .handle("current", () =>
        Effect.gen(function* () {
          const caller = yield* CurrentUser
          const user = yield* accounts.current(caller.id)
          // The hottest authenticated read: no schema encoder pass (EncodedResponse.ts).
          return encodedResponse(UserResponse, toResponse(user, caller.token))
        }).pipe(Effect.catchTags(goneAccount))
      )
      .handle("update", ({ payload }) =>
        Effect.gen(function* () {
          const caller = yield* CurrentUser
          const { user, token } = yield* accounts.update(caller.id, payload.user)
          return toResponse(user, Option.getOrElse(token, () => caller.token))
        }).pipe(Effect.catchTags({ ...taken, ...goneAccount, ...busy }))
      )
  })
)
