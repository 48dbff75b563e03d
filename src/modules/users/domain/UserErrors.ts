import { Schema } from "effect"

// What can go wrong in the users domain, as data. HTTP statuses are chosen at the edge.

export class EmailTaken extends Schema.TaggedError<EmailTaken>()("EmailTaken", {}) {}
export class UsernameTaken extends Schema.TaggedError<UsernameTaken>()("UsernameTaken", {}) {}
export class InvalidCredentials extends Schema.TaggedError<InvalidCredentials>()("InvalidCredentials", {}) {}
export class UserNotFound extends Schema.TaggedError<UserNotFound>()("UserNotFound", {}) {}
/** More password checks are waiting than can be served promptly: refused at once, to be retried. */
export class HasherBusy extends Schema.TaggedError<HasherBusy>()("HasherBusy", {}) {}
export class InvalidToken extends Schema.TaggedError<InvalidToken>()("InvalidToken", {
  reason: Schema.Literals(["malformed", "expired", "signature"])
}) {}
