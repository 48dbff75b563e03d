import { Schema, SchemaTransformation } from "effect"
import type { UserId } from "../../users/public.ts"
import { atMost, isStorableText, notBlank, RequiredText } from "../../../kernel/Text.ts"

// Value objects and the article as this module stores it. Every adapter decodes through these rules,
// so a 422 reads the same from HTTP, the CLI or a bad row.

export const ArticleId = Schema.Int.pipe(Schema.brand("ArticleId"))
export type ArticleId = typeof ArticleId.Type

export const Title = RequiredText(255)
export const Description = RequiredText(1024)
export const Body = RequiredText(65_536)

/** One tag: trimmed, not blank, short. Case is kept: "Effect" and "effect" are different tags. */
export const Tag = RequiredText(64)

export const MAX_TAGS = 20

/**
 * The tags of an article in the order they were given, duplicates dropped (first one wins). `null`
 * is refused by the schema, not read as "no tags": `[]` is how a client clears them.
 */
export const TagList = Schema.Array(Tag).pipe(
  Schema.check(Schema.isMaxLength(MAX_TAGS, { message: `has too many tags (maximum is ${MAX_TAGS})` })),
  Schema.decode(
    SchemaTransformation.transform<ReadonlyArray<string>, ReadonlyArray<string>>({
      decode: (tags) => [...new Set(tags)],
      encode: (tags) => tags
    })
  )
)

/** A slug as found in a URL: never trusted to be one we made, only bounded. */
export const SlugParam = Schema.String.pipe(Schema.check(notBlank, atMost(512), isStorableText))

/** Page bounds every list endpoint shares. */
export const MAX_PAGE_SIZE = 100
export const DEFAULT_PAGE_SIZE = 20

export interface Page {
  readonly limit: number
  readonly offset: number
}

/** The article as stored: its text, its tags in order, who wrote it and when. */
export interface Article {
  readonly id: ArticleId
  readonly slug: string
  readonly title: string
  readonly description: string
  readonly body: string
  readonly tagList: ReadonlyArray<string>
  readonly authorId: UserId
  readonly createdAt: Date
  readonly updatedAt: Date
}
