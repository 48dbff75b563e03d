import { Schema } from "effect"

// What can go wrong in the comments domain, as data. HTTP statuses are chosen at the edge.

/** No article has the slug the comments were asked for. */
export class ArticleNotFound extends Schema.TaggedError<ArticleNotFound>()("ArticleNotFound", {}) {}
/** No such comment on that article. */
export class CommentNotFound extends Schema.TaggedError<CommentNotFound>()("CommentNotFound", {}) {}
/** Only the comment's author may delete it. */
export class NotCommentAuthor extends Schema.TaggedError<NotCommentAuthor>()("NotCommentAuthor", {}) {}
