import { Schema } from "effect"

// What can go wrong in the profiles domain, as data. HTTP statuses are chosen at the edge.

export class ProfileNotFound extends Schema.TaggedError<ProfileNotFound>()("ProfileNotFound", {}) {}
/** Following oneself is refused: it would put one's own articles in one's feed and mean nothing. */
export class CannotFollowYourself extends Schema.TaggedError<CannotFollowYourself>()("CannotFollowYourself", {}) {}
