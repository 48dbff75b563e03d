import { Schema, SchemaTransformation } from "effect"

// The shared kernel: pure value rules every module's domain may use (and nothing else may live here:
// no HTTP, no SQL, no module's types).

/**
 * PostgreSQL text cannot hold NUL, and a lone surrogate would be stored as U+FFFD (so two distinct
 * inputs could collide): refusing both here turns a 500 or a silent change into a 422.
 */
export const isStorable = (s: string) => !s.includes("\u0000") && !/\p{Cs}/u.test(s)
export const isStorableText = Schema.makeFilter((s: string) => isStorable(s) || "is invalid")

export const notBlank = Schema.isMinLength(1, { message: "can't be blank" })

/** Whitespace alone is blank, but the text itself is kept as sent. */
export const notBlankWhenTrimmed = Schema.makeFilter((s: string) => s.trim() !== "" || "can't be blank")

export const atMost = (max: number) => Schema.isMaxLength(max, { message: `is too long (maximum is ${max} characters)` })

/**
 * Required text: not blank, bounded, storable. Short fields (titles, tags) are trimmed; with
 * `keepEnds`, long-form text (Markdown bodies) is stored exactly as sent and trimming only decides
 * whether it is blank.
 */
export const RequiredText = (max: number, options: { readonly keepEnds?: boolean } = {}) =>
  options.keepEnds === true
    ? Schema.String.pipe(Schema.check(notBlankWhenTrimmed, atMost(max), isStorableText))
    : Schema.String.pipe(Schema.decode(SchemaTransformation.trim()), Schema.check(notBlank, atMost(max), isStorableText))

/** Optional text where blank means unset: `""`, whitespace and `null` all decode to `null`. */
export const OptionalText = (max: number) =>
  Schema.NullOr(Schema.String).pipe(
    Schema.decode(
      SchemaTransformation.transform<string | null, string | null>({
        decode: (s) => (s === null || s.trim() === "" ? null : s),
        encode: (s) => s
      })
    ),
    Schema.check(
      Schema.makeFilter(
        (s: string | null) =>
          s === null || (s.length <= max ? isStorable(s) || "is invalid" : `is too long (maximum is ${max} characters)`)
      )
    )
  )
