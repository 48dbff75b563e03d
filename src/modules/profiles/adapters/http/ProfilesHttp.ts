import { Effect } from "effect"
import { HttpApi, HttpApiBuilder } from "effect/http-api"
import { fieldError, NotFound, Unprocessable } from "../../../../platform/http/ContractErrors.ts"
import { API_ID } from "../../../../platform/http/ModuleApi.ts"
import { CurrentUser, viewerId } from "../../../users/public.ts"
import { Profiles } from "../../application/Profiles.ts"
import type { Profile } from "../../domain/Profile.ts"
import { ProfilesApi } from "./ProfilesApi.ts"

const toResponse = (profile: Profile) => ({ profile })

// Domain outcomes → the contract's statuses and bodies.
const notFound = { ProfileNotFound: () => Effect.fail(new NotFound(fieldError("profile", "not found"))) }
const selfFollow = {
  CannotFollowYourself: () => Effect.fail(new Unprocessable(fieldError("profile", "cannot follow yourself")))
}

export const ProfilesHttp = HttpApiBuilder.group(
  HttpApi.make(API_ID).add(ProfilesApi),
  "profiles",
  Effect.fn(function* (handlers) {
    const profiles = yield* Profiles
    return handlers
      .handle("get", ({ params }) =>
        Effect.gen(function* () {
          const viewer = yield* viewerId
          return toResponse(yield* profiles.view(params.username, viewer))
        }).pipe(Effect.catchTags(notFound))
      )
      .handle("follow", ({ params }) =>
        Effect.gen(function* () {
          const caller = yield* CurrentUser
          return toResponse(yield* profiles.follow(caller.id, params.username))
        }).pipe(Effect.catchTags({ ...notFound, ...selfFollow }))
      )
      .handle("unfollow", ({ params }) =>
        Effect.gen(function* () {
          const caller = yield* CurrentUser
          return toResponse(yield* profiles.unfollow(caller.id, params.username))
        }).pipe(Effect.catchTags(notFound))
      )
  })
)
