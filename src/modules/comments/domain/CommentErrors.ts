import { Schema } from "effect"

// What can go wrong in the comments domain, as data (an unknown article is the articles module's
// ArticleNotFound). HTTP statuses are chosen at the edge.

/** No such comment on that article. */
export class CommentNotFound extends Schema.TaggedError<CommentNotFound>()("CommentNotFound", {}) {}
/** Only the comment's author may delete it. */
export class NotCommentAuthor extends Schema.TaggedError<NotCommentAuthor>()("NotCommentAuthor", {}) {}
