import { Schema, SchemaTransformation } from "effect"

// Value objects carry their own rules, so every adapter (HTTP, CLI, SQL rows) decodes through them
// and the 422 messages read the same wherever bad input comes from.

const notBlank = Schema.isMinLength(1, { message: "can't be blank" })
const tooLong = (max: number) => Schema.isMaxLength(max, { message: `is too long (maximum is ${max} characters)` })
const trimmed = Schema.String.pipe(Schema.decode(SchemaTransformation.trim()))

export const UserId = Schema.Int.pipe(Schema.brand("UserId"))
export type UserId = typeof UserId.Type

/** Stored lower-cased: emails are unique regardless of case. */
export const Email = trimmed.pipe(
  Schema.decode(SchemaTransformation.toLowerCase()),
  Schema.check(notBlank, tooLong(254)),
  Schema.check(Schema.isPattern(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, { message: "is invalid" })),
  Schema.brand("Email")
)
export type Email = typeof Email.Type

export const Username = trimmed.pipe(
  Schema.check(notBlank, tooLong(64)),
  Schema.check(Schema.isPattern(/^[^/?#\s]*$/u, { message: "is invalid" })),
  Schema.brand("Username")
)
export type Username = typeof Username.Type

/** NIST 800-63B: length over composition rules; long passphrases welcome, bounded to keep hashing cheap. */
export const Password = Schema.String.pipe(
  Schema.check(notBlank),
  Schema.check(Schema.isMinLength(8, { message: "is too short (minimum is 8 characters)" }), tooLong(256)),
  Schema.brand("Password")
)
export type Password = typeof Password.Type

/** `bio` and `image` are optional text: blank means unset, stored as null. */
const OptionalText = (max: number) =>
  Schema.NullOr(Schema.String).pipe(
    Schema.decode(
      SchemaTransformation.transform<string | null, string | null>({
        decode: (s) => (s === null || s.trim() === "" ? null : s),
        encode: (s) => s
      })
    ),
    Schema.check(
      Schema.makeFilter((s: string | null) => s === null || s.length <= max || `is too long (maximum is ${max} characters)`)
    )
  )
export const Bio = OptionalText(4096)
export const Image = OptionalText(2048)

export const PasswordHash = Schema.String.pipe(Schema.brand("PasswordHash"))
export type PasswordHash = typeof PasswordHash.Type

export class User extends Schema.Class<User>("User")({
  id: UserId,
  email: Email,
  username: Username,
  bio: Schema.NullOr(Schema.String),
  image: Schema.NullOr(Schema.String),
  passwordHash: PasswordHash
}) {}
