import { Effect, Schema } from "effect"
import { ArticleRepository } from "../../../src/modules/articles/ports/ArticleRepository.ts"
import { CommentBody } from "../../../src/modules/comments/domain/Comment.ts"
import type { UserId } from "../../../src/modules/users/public.ts"
import { aNewArticle } from "../articles/ArticleMother.ts"

// Object mother: what comments need around them (a stored article) and valid comment bodies.
let sequence = 0

/** A stored article by this author (through the articles module's repository, so foreign keys hold). */
export const anArticle = (authorId: UserId) =>
  Effect.flatMap(ArticleRepository, (articles) => articles.insert(aNewArticle(authorId))).pipe(Effect.orDie)

export const aCommentBody = (text = `Thank you! (${++sequence})`) => Schema.decodeSync(CommentBody)(text)
