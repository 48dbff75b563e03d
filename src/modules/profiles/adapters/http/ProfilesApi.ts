import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup } from "effect/http-api"
import { NotFound, Unauthorized, Unprocessable } from "../../../../platform/http/ContractErrors.ts"
import { reportAllErrors } from "../../../../platform/http/ModuleApi.ts"
import { RequestValidation } from "../../../../platform/http/RequestValidation.ts"
import { Authentication, OptionalAuthentication } from "../../../users/public.ts"
import { Profile } from "../../domain/Profile.ts"

// The profiles part of the RealWorld contract: request and response envelopes exactly as specified.

export const ProfileResponse = Schema.Struct({ profile: Profile })

const params = { username: Schema.String }

export class ProfilesApi extends HttpApiGroup.make("profiles")
  .add(
    HttpApiEndpoint.get("get", "/profiles/:username", {
      params,
      success: ProfileResponse,
      error: [NotFound, Unauthorized]
    }).middleware(OptionalAuthentication),
    HttpApiEndpoint.post("follow", "/profiles/:username/follow", {
      params,
      success: ProfileResponse,
      error: [NotFound, Unauthorized, Unprocessable]
    }).middleware(Authentication),
    HttpApiEndpoint.delete("unfollow", "/profiles/:username/follow", {
      params,
      success: ProfileResponse,
      error: [NotFound, Unauthorized]
    }).middleware(Authentication)
  )
  .middleware(RequestValidation)
  .prefix("/api")
  .annotate(...reportAllErrors) {}
