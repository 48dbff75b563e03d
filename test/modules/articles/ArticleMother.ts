import type { UserId } from "../../../src/modules/users/public.ts"
import type { ArticleDraft } from "../../../src/modules/articles/domain/Article.ts"
import type { NewArticle } from "../../../src/modules/articles/ports/ArticleRepository.ts"

// Object mother: valid articles, unique per call, so each test states only what it cares about.
let sequence = 0

/** A request body: a draft, with room for values a draft can never hold (a null tagList, for the 422s). */
export const anArticleBody = (
  overrides: Partial<{ title: string; description: string; body: string; tagList: ReadonlyArray<string> | null }> = {}
) => ({ ...aDraft(), ...overrides })

export const aNewArticle = (authorId: UserId, overrides: Partial<NewArticle> = {}): NewArticle => {
  const n = ++sequence
  return {
    slug: `article-${n}-${process.pid}`,
    title: `Article ${n}`,
    description: "About something",
    body: "The body",
    tagList: ["dragons", "training"],
    authorId,
    ...overrides
  }
}

export const aDraft = (overrides: Partial<ArticleDraft> = {}): ArticleDraft => {
  const n = ++sequence
  return {
    title: `How to train your dragon ${n} ${process.pid}`,
    description: "Ever wonder how?",
    body: "You have to believe",
    tagList: ["dragons", "training"],
    ...overrides
  }
}
