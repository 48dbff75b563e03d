import { Effect, Layer, Option, Redacted } from "effect"
import { fieldError, Unauthorized } from "../../../../platform/http/ContractErrors.ts"
import { RequestPrincipal } from "../../../../platform/http/IdempotentWrites.ts"
import { TokenService } from "../../ports/TokenService.ts"
import { UserRepository } from "../../ports/UserRepository.ts"
import {
  Authentication,
  type Caller,
  CurrentUser,
  OptionalAuthentication,
  OptionalUser,
  tokenOf
} from "./Authentication.ts"

const rejected = (message: string) => new Unauthorized(fieldError("token", message))

/**
 * A token is good when its signature and expiry are, its account still exists, and it was issued
 * under the account's current token version (changing the email or password revokes older tokens).
 */
const makeAuthenticate = Effect.gen(function* () {
  const tokens = yield* TokenService
  const users = yield* UserRepository
  return (token: string): Effect.Effect<Caller, Unauthorized> =>
    Effect.gen(function* () {
      const subject = yield* Effect.mapError(tokens.verify(Redacted.make(token)), (error) =>
        rejected(error.reason === "expired" ? "has expired" : "is invalid")
      )
      const current = yield* users.findTokenVersion(subject.id)
      if (Option.isNone(current) || current.value !== subject.tokenVersion) return yield* rejected("is invalid")
      return { id: subject.id, token }
    })
})

/** The token of the `Authorization` header's value (the security scheme hands over the whole value). */
const tokenIn = (credential: Redacted.Redacted<string>) => tokenOf(Redacted.value(credential))

const required = Layer.effect(
  Authentication,
  Effect.gen(function* () {
    const authenticate = yield* makeAuthenticate
    return Authentication.of({
      Token: (handler, { credential }) => {
        const token = tokenIn(credential)
        return token === ""
          ? Effect.fail(rejected("is missing"))
          : Effect.flatMap(authenticate(token), (caller) => Effect.provideService(handler, CurrentUser, caller))
      }
    })
  })
)

const optional = Layer.effect(
  OptionalAuthentication,
  Effect.gen(function* () {
    const authenticate = yield* makeAuthenticate
    return OptionalAuthentication.of({
      Token: (handler, { credential }) => {
        const token = tokenIn(credential)
        return token === ""
          ? Effect.provideService(handler, OptionalUser, Option.none())
          : Effect.flatMap(authenticate(token), (caller) => Effect.provideService(handler, OptionalUser, Option.some(caller)))
      }
    })
  })
)

/** The account behind a request's token, by the same rules: what idempotency keys are scoped to. */
const principal = Layer.effect(
  RequestPrincipal,
  Effect.gen(function* () {
    const authenticate = yield* makeAuthenticate
    return RequestPrincipal.of({
      of: (authorization) => {
        const token = tokenOf(authorization)
        return token === ""
          ? Effect.succeedNone
          : authenticate(token).pipe(
              Effect.map((caller) => Option.some(String(caller.id))),
              Effect.orElseSucceed(() => Option.none())
            )
      }
    })
  })
)

/** Both authentication middlewares and the request principal, over the token service and the accounts' token versions. */
export const TokenAuthentication = {
  layer: Layer.mergeAll(required, optional, principal)
}
