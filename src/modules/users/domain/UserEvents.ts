import { Schema } from "effect"
import { eventFields } from "../../../kernel/DomainEvent.ts"
import { UserId } from "./User.ts"

// What the users module tells other modules and systems. Payloads carry ids and what a consumer
// needs to act without calling back, never secrets (no email, no password hash).

export class UserRegistered extends Schema.Class<UserRegistered>("UserRegistered")({
  ...eventFields("user.registered", 1),
  payload: Schema.Struct({ userId: UserId, username: Schema.String })
}) {}

export class UserUpdated extends Schema.Class<UserUpdated>("UserUpdated")({
  ...eventFields("user.updated", 1),
  /**
   * Which fields changed (names only: values may be private), the username after the change and,
   * when the change renamed the account, the one before (usernames are public, as profiles show them).
   */
  payload: Schema.Struct({
    userId: UserId,
    username: Schema.String,
    previousUsername: Schema.optional(Schema.String),
    changed: Schema.Array(Schema.String)
  })
}) {}

/** The account is gone; every module removes what it owns of it. */
export class UserDeleted extends Schema.Class<UserDeleted>("UserDeleted")({
  ...eventFields("user.deleted", 1),
  payload: Schema.Struct({ userId: UserId, username: Schema.String })
}) {}
