import { Schema, Struct } from "effect"
import { UserSummary } from "../../users/public.ts"

/** A user as another user sees them: the account's public fields, and whether the viewer follows them. */
export const Profile = Schema.Struct({
  ...Struct.omit(UserSummary.fields, ["id"]),
  following: Schema.Boolean
}).annotate({
  identifier: "Profile",
  examples: [{ username: "jake", bio: "I work at statefarm", image: "https://i.stack.imgur.com/xHWG8.jpg", following: false }]
})
export type Profile = typeof Profile.Type

export const profileOf = ({ username, bio, image }: UserSummary, following: boolean): Profile => ({
  username,
  bio,
  image,
  following
})
