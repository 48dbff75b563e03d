import { expect, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { SqlClient } from "effect/sql"
import { ArticleRepository } from "../../../../src/modules/articles/ports/ArticleRepository.ts"
import { RecordingTracer, statementsDuring } from "../../../support/SqlStatements.ts"
import { PostgresAdapters } from "../../../support/TestApp.ts"

// A tag's page must be a range of the (tag_id, created_at, article_id) index, whatever the tag: a
// walk down every article newest first, probing each for the tag, costs a pass over all of them for
// a tag the newest articles lack.

interface PlanNode {
  readonly "Node Type": string
  readonly "Shared Hit Blocks": number
  readonly "Shared Read Blocks": number
  readonly Plans?: ReadonlyArray<PlanNode>
}

/** The first LIMIT node of a plan: where the page is cut. */
const limitOf = (node: PlanNode): PlanNode | undefined =>
  node["Node Type"] === "Limit" ? node : (node.Plans ?? []).map(limitOf).find((found) => found !== undefined)

layer(PostgresAdapters, { timeout: "60 seconds" })("tag-filtered page (PostgreSQL)", (it) => {
  it.effect("a tag missing from the newest articles costs its page a few index pages, not a walk past them", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const articles = yield* ArticleRepository
      const run = `${process.pid}-${Date.now()}`
      const tag = `rare-${run}`
      // Five old articles with the tag, then 3,000 newer ones without it.
      const old = yield* sql<{ id: number }>`
        INSERT INTO articles (slug, title, description, body, author_id, created_at, updated_at)
        SELECT 'old-' || ${run} || '-' || n, 'Old', 'd', 'b', 1, now() - interval '1 year', now()
        FROM generate_series(1, 5) AS n RETURNING id`
      yield* sql`INSERT INTO tags (name) VALUES (${tag})`
      yield* sql`
        INSERT INTO article_tags (article_id, tag_id, position)
        SELECT id, (SELECT id FROM tags WHERE name = ${tag}), 0 FROM unnest(${old.map((r) => r.id)}::int[]) AS id`
      yield* sql`
        INSERT INTO articles (slug, title, description, body, author_id)
        SELECT 'new-' || ${run} || '-' || n, 'New', 'd', 'b', 1 FROM generate_series(1, 3000) AS n`
      yield* sql`ANALYZE articles`
      yield* sql`ANALYZE article_tags`

      const { result, statements } = yield* statementsDuring(
        articles.list({ tag }, { limit: 20, offset: 0 }, Option.none())
      ).pipe(Effect.provide(RecordingTracer.layer))
      expect(result.articles.map((a) => a.slug).sort()).toEqual(old.map((_, i) => `old-${run}-${i + 1}`).sort())
      const page = statements.find((text) => text.includes("LIMIT"))!
      // The test's tables are small enough to scan whatever the indexes; with scans priced out, the
      // plan shows what the indexes make of the statement.
      const plan = yield* sql.withTransaction(
        Effect.gen(function* () {
          yield* sql`SET LOCAL enable_seqscan = off`
          const rows = yield* sql.unsafe<{ "QUERY PLAN": ReadonlyArray<{ Plan: PlanNode }> }>(
            `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${page}`,
            [null, tag, 20, 0]
          )
          return rows[0]!["QUERY PLAN"][0]!.Plan
        })
      )
      // The page's rows come in order off the index: no sort of every tagged article, no walk of
      // every article (one index entry and heap page per newer article: thousands of buffers).
      const cut = JSON.stringify(limitOf(plan))
      expect(cut).toContain('"Index Name":"article_tags_recency_idx"')
      expect(cut).not.toContain('"Node Type":"Sort"')
      expect(cut).not.toContain('"Index Name":"articles_created_at_idx"')
      expect(plan["Shared Hit Blocks"] + plan["Shared Read Blocks"]).toBeLessThan(300)

      yield* sql`DELETE FROM articles WHERE slug LIKE ${`old-${run}-%`} OR slug LIKE ${`new-${run}-%`}`
      yield* sql`DELETE FROM tags WHERE name = ${tag}`
    }))
})
