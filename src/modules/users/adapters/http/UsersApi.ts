import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema } from "effect/http-api"
import { isStorableText } from "../../../../kernel/Text.ts"
import {
  Conflict,
  ServiceUnavailable,
  TooManyRequests,
  Unauthorized,
  Unprocessable
} from "../../../../platform/http/ContractErrors.ts"
import { reportAllErrors } from "../../../../platform/http/ModuleApi.ts"
import { RequestValidation } from "../../../../platform/http/RequestValidation.ts"
import { Bio, Email, Image, Password, Username } from "../../domain/User.ts"
import { Authentication } from "./Authentication.ts"

// The users part of the RealWorld contract: request and response envelopes exactly as specified.

export const UserBody = Schema.Struct({
  email: Schema.String,
  token: Schema.String,
  username: Schema.String,
  bio: Schema.NullOr(Schema.String),
  image: Schema.NullOr(Schema.String)
})
export const UserResponse = Schema.Struct({ user: UserBody })

export const NewUserRequest = Schema.Struct({
  user: Schema.Struct({ username: Username, email: Email, password: Password })
})
export const LoginRequest = Schema.Struct({
  user: Schema.Struct({
    email: Email,
    password: Schema.String.pipe(Schema.check(Schema.isMinLength(1, { message: "can't be blank" }), isStorableText))
  })
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
      error: [Conflict, Unprocessable, TooManyRequests, ServiceUnavailable]
    }),
    HttpApiEndpoint.post("login", "/users/login", {
      payload: LoginRequest,
      success: UserResponse,
      error: [Unauthorized, Unprocessable, TooManyRequests, ServiceUnavailable]
    }),
    HttpApiEndpoint.get("current", "/user", {
      success: UserResponse,
      error: [Unauthorized]
    }).middleware(Authentication),
    HttpApiEndpoint.put("update", "/user", {
      payload: UpdateUserRequest,
      success: UserResponse,
      error: [Unauthorized, Conflict, Unprocessable, ServiceUnavailable]
    }).middleware(Authentication)
  )
  .middleware(RequestValidation)
  .prefix("/api")
  .annotate(...reportAllErrors) {}
