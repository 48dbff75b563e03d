import { Schema, SchemaTransformation } from "effect"
import { atMost, isStorableText, notBlank, OptionalText } from "../../../kernel/Text.ts"

// Value objects carry their own rules, so every adapter (HTTP, CLI, SQL rows) decodes through them
// and the 422 messages read the same wherever bad input comes from.

const trimmed = Schema.String.pipe(Schema.decode(SchemaTransformation.trim()))

export const UserId = Schema.Int.pipe(Schema.brand("UserId"))
export type UserId = typeof UserId.Type

/** Stored lower-cased: emails are unique regardless of case. */
export const Email = trimmed.pipe(
  Schema.decode(SchemaTransformation.toLowerCase()),
  Schema.check(notBlank, atMost(254), isStorableText),
  Schema.check(Schema.isPattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: "is invalid" })),
  Schema.brand("Email")
)
export type Email = typeof Email.Type

export const Username = trimmed.pipe(
  Schema.check(notBlank, atMost(64), isStorableText),
  Schema.check(Schema.isPattern(/^[^/?#\s]*$/u, { message: "is invalid" })),
  Schema.brand("Username")
)
export type Username = typeof Username.Type

/** At least `min` characters, counted as code points (as NIST and JSON Schema's minLength count them). */
const atLeastCharacters = (min: number) =>
  Schema.makeFilter((s: string) => [...s].length >= min || `is too short (minimum is ${min} characters)`, {
    toJsonSchema: () => ({ minLength: min })
  })

/** NIST 800-63B: length over composition rules; long passphrases welcome, bounded to keep hashing cheap. */
export const Password = Schema.String.annotate({ format: "password" }).pipe(
  Schema.check(notBlank),
  Schema.check(atLeastCharacters(8), atMost(256), isStorableText),
  Schema.brand("Password")
)
export type Password = typeof Password.Type

/** `bio` and `image` are optional text: blank means unset, stored as null. */
export const Bio = OptionalText(4096)
export const Image = OptionalText(2048)

export const PasswordHash = Schema.String.pipe(Schema.brand("PasswordHash"))
export type PasswordHash = typeof PasswordHash.Type

/** The public face of an account: what other modules may know about a user. */
export const UserSummary = Schema.Struct({
  id: UserId,
  username: Schema.String,
  bio: Schema.NullOr(Schema.String),
  image: Schema.NullOr(Schema.String)
})
export type UserSummary = typeof UserSummary.Type

export class User extends Schema.Class<User>("User")({
  id: UserId,
  email: Email,
  username: Username,
  bio: Schema.NullOr(Schema.String),
  image: Schema.NullOr(Schema.String),
  passwordHash: PasswordHash,
  /** Bumped whenever the email or password changes: tokens issued for an older version are refused. */
  tokenVersion: Schema.Int
}) {}
