// The profiles module's public surface. Other modules import from this file only (checked by
// dependency-cruiser).
export { Profile } from "./domain/Profile.ts"
export { UserFollowed, UserUnfollowed } from "./domain/ProfileEvents.ts"
export { ProfileLookup } from "./ports/ProfileLookup.ts"
