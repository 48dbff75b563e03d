import { Schema } from "effect"
import { eventFields } from "../../../kernel/DomainEvent.ts"
import { UserId } from "../../users/public.ts"

export class UserFollowed extends Schema.Class<UserFollowed>("UserFollowed")({
  ...eventFields("profile.followed", 1),
  payload: Schema.Struct({ followerId: UserId, followeeId: UserId })
}) {}

export class UserUnfollowed extends Schema.Class<UserUnfollowed>("UserUnfollowed")({
  ...eventFields("profile.unfollowed", 1),
  payload: Schema.Struct({ followerId: UserId, followeeId: UserId })
}) {}
