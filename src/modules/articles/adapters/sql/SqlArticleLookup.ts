import { Effect, Layer, Schema } from "effect"
import { SqlClient, SqlSchema } from "effect/sql"
import { UserId } from "../../../users/public.ts"
import { ArticleId } from "../../domain/Article.ts"
import { ArticleLookup } from "../../ports/ArticleLookup.ts"

const Ref = Schema.Struct({ id: ArticleId, authorId: UserId })

export const makeSqlArticleLookup = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const bySlug = SqlSchema.findOneOption({
    Request: Schema.String,
    Result: Ref,
    execute: (slug) => sql`SELECT id, author_id FROM articles WHERE slug = ${slug}`
  })
  return ArticleLookup.of({
    findBySlug: Effect.fn("ArticleLookup.findBySlug")((slug: string) => bySlug(slug), Effect.orDie)
  })
})

export const SqlArticleLookup = {
  layer: Layer.effect(ArticleLookup, makeSqlArticleLookup)
}
