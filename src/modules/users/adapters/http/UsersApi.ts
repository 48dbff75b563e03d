import { Schema, Struct } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { isStorableText } from "../../../../kernel/Text.ts"
import {
  Conflict,
  ServiceUnavailable,
  TooManyRequests,
  Unauthorized,
  Unprocessable
} from "../../../../platform/http/ContractErrors.ts"
import { reportAllErrors } from "../../../../platform/http/ModuleApi.ts"
import { EXTENSION, operation } from "../../../../platform/http/OpenApiContract.ts"
import { RequestValidation } from "../../../../platform/http/RequestValidation.ts"
import { Bio, Email, Image, Password, Username, UserSummary } from "../../domain/User.ts"
import { Authentication } from "./Authentication.ts"

// The users part of the RealWorld contract: request and response envelopes exactly as specified.

/** The signed-in user: the account's public fields, its email and the token to send back. */
export const UserBody = Schema.Struct({
  email: Schema.String,
  token: Schema.String,
  ...Struct.omit(UserSummary.fields, ["id"])
}).annotate({
  identifier: "User",
  examples: [
    { email: "jake@example.com", token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", username: "jake", bio: null, image: null }
  ]
})
export const UserResponse = Schema.Struct({ user: UserBody })

const passphrase = "correct horse battery staple"

export const NewUser = Schema.Struct({
  username: Username.annotate({ examples: ["jake" as Username] }),
  email: Email.annotate({ examples: ["jake@example.com" as Email] }),
  password: Password.annotate({ format: "password", examples: [passphrase as Password] })
}).annotate({
  identifier: "NewUser",
  examples: [{ username: "jake" as Username, email: "jake@example.com" as Email, password: passphrase as Password }]
})
export const LoginUser = Schema.Struct({
  email: Email.annotate({ examples: ["jake@example.com" as Email] }),
  password: Schema.String.pipe(Schema.check(Schema.isMinLength(1, { message: "can't be blank" }), isStorableText)).annotate({
    format: "password",
    examples: [passphrase]
  })
}).annotate({ identifier: "LoginUser", examples: [{ email: "jake@example.com" as Email, password: passphrase }] })
/** Any of the account's fields; `bio` and `image` may be cleared with `null` or `""`. */
export const UpdateUser = NewUser.mapFields((fields) => ({
  ...Struct.map(fields, Schema.optionalKey),
  bio: Schema.optionalKey(Bio),
  image: Schema.optionalKey(Image)
})).annotate({ identifier: "UpdateUser", examples: [{ bio: "I like to skateboard" }] })

export const NewUserRequest = Schema.Struct({ user: NewUser })
export const LoginRequest = Schema.Struct({ user: LoginUser })
export const UpdateUserRequest = Schema.Struct({ user: UpdateUser })

export class UsersApi extends HttpApiGroup.make("users")
  .add(
    HttpApiEndpoint.post("register", "/users", {
      payload: NewUserRequest,
      success: UserResponse.pipe(HttpApiSchema.status(201)),
      error: [Conflict, Unprocessable, TooManyRequests, ServiceUnavailable]
    }).annotateMerge(
      operation({
        id: "CreateUser",
        summary: "Register",
        description: "Registers a new user and answers it with a token. Username and email are unique, regardless of case."
      })
    ),
    HttpApiEndpoint.post("login", "/users/login", {
      payload: LoginRequest,
      success: UserResponse,
      error: [Unauthorized, Unprocessable, TooManyRequests, ServiceUnavailable]
    }).annotateMerge(
      operation({ id: "Login", summary: "Existing user login", description: "Logs in with email and password; answers the user with a fresh token." })
    ),
    HttpApiEndpoint.get("current", "/user", {
      success: UserResponse,
      error: [Unauthorized]
    })
      .middleware(Authentication)
      .annotateMerge(
        operation({ id: "GetCurrentUser", summary: "Get current user", description: "The user the token belongs to. Auth is required." })
      ),
    HttpApiEndpoint.put("update", "/user", {
      payload: UpdateUserRequest,
      success: UserResponse,
      error: [Unauthorized, Conflict, Unprocessable, ServiceUnavailable]
    })
      .middleware(Authentication)
      .annotateMerge(
        operation({
          id: "UpdateCurrentUser",
          summary: "Update current user",
          description: "Changes any of the user's fields. Auth is required.",
          extensions: { 409: "The new username or email is already taken" }
        })
      ),
    HttpApiEndpoint.delete("delete", "/user", {
      success: HttpApiSchema.NoContent,
      error: [Unauthorized]
    })
      .middleware(Authentication)
      .annotateMerge(
        operation({
          id: "DeleteCurrentUser",
          summary: "Delete current user (extension)",
          description:
            "Not part of the RealWorld specification. Deletes the authenticated account at once: from the 204 on, " +
            "its tokens get 401, its login 401 and its profile 404. What it owned (follows in both directions, " +
            "its articles with their comments and favorites, its favorites and its comments) is removed " +
            "by the modules' event consumers within seconds."
        })
      )
      .annotateMerge(OpenApi.annotations({ override: { [EXTENSION]: true } }))
  )
  .middleware(RequestValidation)
  .prefix("/api")
  .annotate(...reportAllErrors)
  .annotate(OpenApi.Title, "User and Authentication")
  .annotate(OpenApi.Description, "Registering, logging in, and the signed-in user's own account.") {}
