import { Schema } from "effect"

// What can go wrong in the articles domain, as data. HTTP statuses are chosen at the edge.

export class ArticleNotFound extends Schema.TaggedError<ArticleNotFound>()("ArticleNotFound", {}) {}
/** Only the author may change or delete an article. */
export class NotArticleAuthor extends Schema.TaggedError<NotArticleAuthor>()("NotArticleAuthor", {}) {}
/** Another article already has this slug (the use cases pick another one). */
export class SlugTaken extends Schema.TaggedError<SlugTaken>()("SlugTaken", {}) {}
