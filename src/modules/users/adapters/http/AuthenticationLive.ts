import { Effect, Layer, Option, Redacted } from "effect"
import { fieldError, Unauthorized } from "../../../../platform/http/ContractErrors.ts"
import type { InvalidToken } from "../../domain/UserErrors.ts"
import { TokenService } from "../../ports/TokenService.ts"
import { Authentication, type Caller, CurrentUser, OptionalAuthentication, OptionalUser } from "./Authentication.ts"

const invalid = (error: InvalidToken) =>
  new Unauthorized(fieldError("token", error.reason === "expired" ? "has expired" : "is invalid"))

const authenticate = (tokens: TokenService["Service"], credential: Redacted.Redacted<string>) =>
  Effect.map(tokens.verify(credential), (id): Caller => ({ id, token: Redacted.value(credential) })).pipe(
    Effect.mapError(invalid)
  )

const isMissing = (credential: Redacted.Redacted<string>) => Redacted.value(credential) === ""

export const AuthenticationLive = Layer.effect(
  Authentication,
  Effect.gen(function* () {
    const tokens = yield* TokenService
    return Authentication.of({
      token: (handler, { credential }) =>
        isMissing(credential)
          ? Effect.fail(new Unauthorized(fieldError("token", "is missing")))
          : Effect.flatMap(authenticate(tokens, credential), (caller) =>
              Effect.provideService(handler, CurrentUser, caller)
            )
    })
  })
)

export const OptionalAuthenticationLive = Layer.effect(
  OptionalAuthentication,
  Effect.gen(function* () {
    const tokens = yield* TokenService
    return OptionalAuthentication.of({
      token: (handler, { credential }) =>
        isMissing(credential)
          ? Effect.provideService(handler, OptionalUser, Option.none())
          : Effect.flatMap(authenticate(tokens, credential), (caller) =>
              Effect.provideService(handler, OptionalUser, Option.some(caller))
            )
    })
  })
)
