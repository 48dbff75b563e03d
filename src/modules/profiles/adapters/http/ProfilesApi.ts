import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { NotFound, Unauthorized, Unprocessable } from "../../../../platform/http/ContractErrors.ts"
import { reportAllErrors } from "../../../../platform/http/ModuleApi.ts"
import { operation } from "../../../../platform/http/OpenApiContract.ts"
import { RequestValidation } from "../../../../platform/http/RequestValidation.ts"
import { Authentication, OptionalAuthentication } from "../../../users/public.ts"
import { Profile } from "../../domain/Profile.ts"

// The profiles part of the RealWorld contract: request and response envelopes exactly as specified.

export const ProfileResponse = Schema.Struct({ profile: Profile })

const params = { username: Schema.String }
const username = (what: string) => ({ username: { description: `Username of the profile ${what}` } })

export class ProfilesApi extends HttpApiGroup.make("profiles")
  .add(
    HttpApiEndpoint.get("get", "/profiles/:username", {
      params,
      success: ProfileResponse,
      error: [NotFound, Unauthorized]
    })
      .middleware(OptionalAuthentication)
      .annotateMerge(
        operation({
          id: "GetProfileByUsername",
          summary: "Get a profile",
          description: "A user's profile; `following` says whether the caller follows them. Auth is optional.",
          parameters: username("to get"),
          optionalAuth: true
        })
      ),
    HttpApiEndpoint.post("follow", "/profiles/:username/follow", {
      params,
      success: ProfileResponse,
      error: [NotFound, Unauthorized, Unprocessable]
    })
      .middleware(Authentication)
      .annotateMerge(
        operation({
          id: "FollowUserByUsername",
          summary: "Follow a user",
          description: "Follows the user (idempotent; following oneself is a 422). Auth is required.",
          parameters: username("to follow")
        })
      ),
    HttpApiEndpoint.delete("unfollow", "/profiles/:username/follow", {
      params,
      success: ProfileResponse,
      error: [NotFound, Unauthorized]
    })
      .middleware(Authentication)
      .annotateMerge(
        operation({
          id: "UnfollowUserByUsername",
          summary: "Unfollow a user",
          description: "Stops following the user (idempotent). Auth is required.",
          parameters: username("to unfollow")
        })
      )
  )
  .middleware(RequestValidation)
  .prefix("/api")
  .annotate(...reportAllErrors)
  .annotate(OpenApi.Title, "Profile")
  .annotate(OpenApi.Description, "Other users as the caller sees them, and following them.") {}
