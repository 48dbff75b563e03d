import { Context, type Effect, type Option } from "effect"
import type { UserId } from "../../users/public.ts"
import type { ArticleId } from "../domain/Article.ts"

/** What another module may know about an article: enough to attach things to it and to check ownership. */
export interface ArticleRef {
  readonly id: ArticleId
  readonly authorId: UserId
}

/** The articles module's published port (comments attach to articles through it). */
export class ArticleLookup extends Context.Service<
  ArticleLookup,
  {
    readonly findBySlug: (slug: string) => Effect.Effect<Option.Option<ArticleRef>>
  }
>()("app/articles/ArticleLookup") {}
