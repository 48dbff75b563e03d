import { Schema, Struct } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "effect/http-api"
import { Conflict, Unauthorized, Unprocessable } from "../../../../platform/http/ContractErrors.ts"
import { reportAllErrors } from "../../../../platform/http/ModuleApi.ts"
import { RequestValidation } from "../../../../platform/http/RequestValidation.ts"
import { Bio, Email, Image, Password, Username, UserSummary } from "../../domain/User.ts"
import { Authentication } from "./Authentication.ts"

// The users part of the RealWorld contract: request and response envelopes exactly as specified.

/** The signed-in user: the account's public fields, its email and the token to send back. */
export const UserBody = Schema.Struct({
  email: Schema.String,
  token: Schema.String,
  ...Struct.omit(UserSummary.fields, ["id"])
}).annotate({ identifier: "User" })
export const UserResponse = Schema.Struct({ user: UserBody })

export const NewUserRequest = Schema.Struct({
  user: Schema.Struct({ username: Username, email: Email, password: Password })
})
export const LoginRequest = Schema.Struct({
  user: Schema.Struct({ email: Email, password: Schema.String.pipe(Schema.check(Schema.isMinLength(1, { message: "can't be blank" }))) })
})
export const UpdateUserRequest = Schema.Struct({
  user: Schema.Struct({
    email: Schema.optionalKey(Email),
    username: Schema.optionalKey(Username),
    password: Schema.optionalKey(Password),
    bio: Schema.optionalKey(Bio),
    image: Schema.optionalKey(Image)
  })
})

export class UsersApi extends HttpApiGroup.make("users")
  .add(
    HttpApiEndpoint.post("register", "/users", {
      payload: NewUserRequest,
      success: UserResponse.pipe(HttpApiSchema.status(201)),
      error: [Conflict, Unprocessable]
    }),
    HttpApiEndpoint.post("login", "/users/login", {
      payload: LoginRequest,
      success: UserResponse,
      error: [Unauthorized, Unprocessable]
    }),
    HttpApiEndpoint.get("current", "/user", {
      success: UserResponse,
      error: [Unauthorized]
    }).middleware(Authentication),
    HttpApiEndpoint.put("update", "/user", {
      payload: UpdateUserRequest,
      success: UserResponse,
      error: [Unauthorized, Conflict, Unprocessable]
    }).middleware(Authentication)
  )
  .middleware(RequestValidation)
  .prefix("/api")
  .annotate(...reportAllErrors) {}
