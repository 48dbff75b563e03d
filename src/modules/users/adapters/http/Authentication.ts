import { Context, Effect, Option } from "effect"
import { HttpApiMiddleware, HttpApiSecurity, OpenApi } from "effect/http-api"
import { Unauthorized } from "../../../../platform/http/ContractErrors.ts"
import type { UserId } from "../../domain/User.ts"

/** The caller behind a valid token, and that token (echoed back in user responses). */
export interface Caller {
  readonly id: UserId
  readonly token: string
}

export class CurrentUser extends Context.Service<CurrentUser, Caller>()("app/users/CurrentUser") {}

/** On endpoints where auth is optional: the caller when a token was sent, none otherwise. */
export class OptionalUser extends Context.Service<OptionalUser, Option.Option<Caller>>()("app/users/OptionalUser") {}

/** The caller's id where auth is optional: what reads pass on as the viewer. */
export const viewerId = Effect.gen(function* () {
  return Option.map(yield* OptionalUser, (caller) => caller.id)
})

/**
 * RealWorld's scheme: `Authorization: Token <jwt>`. Not an HTTP authentication scheme OpenAPI knows,
 * so it is described as an API key in that header, whose value carries the `Token ` prefix.
 */
const Token = HttpApiSecurity.apiKey({ key: "Authorization", in: "header" }).pipe(
  HttpApiSecurity.annotate(
    OpenApi.Description,
    "The token that registering (`POST /users`) or logging in (`POST /users/login`) returns, sent as `Authorization: Token <jwt>` (the word `Token`, a space, the token)."
  )
)

/** The token of an `Authorization: Token <jwt>` header; `""` when there is none (scheme case-insensitive). */
export const tokenOf = (header: string) => /^token +([^ ].*)$/is.exec(header)?.[1] ?? ""

/** Requires a valid token: 401 `{"errors":{"token":["is missing"]}}` otherwise. */
export class Authentication extends HttpApiMiddleware.Service<Authentication, { provides: CurrentUser }>()(
  "app/users/Authentication",
  { security: { Token }, error: Unauthorized }
) {}

/** Accepts a request without a token; a token that is sent must still be valid. */
export class OptionalAuthentication extends HttpApiMiddleware.Service<OptionalAuthentication, { provides: OptionalUser }>()(
  "app/users/OptionalAuthentication",
  { security: { Token }, error: Unauthorized }
) {}
