import { Schema, SchemaTransformation, Struct } from "effect"
import { UserId } from "../../users/public.ts"
import { RequiredText } from "../../../kernel/Text.ts"

// One schema per concept: the article as stored, what an author writes, and the favorite counts a
// reader sees. Every adapter derives its rows and bodies from these, and decodes input through the
// same rules, so a 422 reads the same from HTTP, the CLI or a bad row.

export const ArticleId = Schema.Int.pipe(Schema.brand("ArticleId"))
export type ArticleId = typeof ArticleId.Type

export const Title = RequiredText(255)
export const Description = RequiredText(1024)
/** Markdown, kept exactly as sent: leading indentation and trailing newlines carry meaning. */
export const Body = RequiredText(65_536, { keepEnds: true })

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

/** What an author writes to publish an article. */
export const ArticleDraft = Schema.Struct({
  title: Title,
  description: Description,
  body: Body,
  tagList: Schema.optionalKey(TagList)
})
export type ArticleDraft = typeof ArticleDraft.Type

/** What an author may change: any field of the draft; `tagList` replaces the tags, `[]` clears them. */
export const ArticleEdit = ArticleDraft.mapFields(Struct.map(Schema.optionalKey))
export type ArticleEdit = typeof ArticleEdit.Type

/** The article as stored: its text, its tags in order, who wrote it and when. */
export const Article = Schema.Struct({
  id: ArticleId,
  slug: Schema.String,
  title: Schema.String,
  description: Schema.String,
  body: Schema.String,
  tagList: Schema.Array(Schema.String),
  authorId: UserId,
  createdAt: Schema.Date,
  updatedAt: Schema.Date
})
export type Article = typeof Article.Type

/** Everything lists show: the article without its body (twenty long bodies would be megabytes). */
export const ArticleSummary = Article.mapFields(Struct.omit(["body"]))
export type ArticleSummary = typeof ArticleSummary.Type

/** How often an article is favorited, and whether by the one reading it: part of a view, never stored. */
export const FavoriteStats = Schema.Struct({ favoritesCount: Schema.Int, favorited: Schema.Boolean })
export type FavoriteStats = typeof FavoriteStats.Type

/** Which slice of a list to read. */
export interface Page {
  readonly limit: number
  readonly offset: number
}
