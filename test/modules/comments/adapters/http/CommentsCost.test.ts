import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { call, PostgresAdapters, TestServer } from "../../../../support/TestApp.ts"
import { RecordingTracer, statementsDuring } from "../../../../support/SqlStatements.ts"
import { anArticleBody } from "../../../articles/ArticleMother.ts"
import { aCaller } from "../../../profiles/AccountMother.ts"

/** An article with `count` comments, each by a different author the reader follows every other one of. */
const discussion = (count: number) =>
  Effect.gen(function* () {
    const reader = yield* aCaller
    const writer = yield* aCaller
    const slug = (yield* call("POST", "/api/articles", { token: writer.token, body: { article: anArticleBody() } })).body
      .article.slug as string
    for (let i = 0; i < count; i++) {
      const commenter = yield* aCaller
      yield* call("POST", `/api/articles/${slug}/comments`, { token: commenter.token, body: { comment: { body: `#${i}` } } })
      if (i % 2 === 0) yield* call("POST", `/api/profiles/${commenter.username}/follow`, { token: reader.token })
    }
    return { slug, reader }
  })

const listCost = (count: number) =>
  Effect.gen(function* () {
    const { slug, reader } = yield* discussion(count)
    const { result, statements } = yield* statementsDuring(call("GET", `/api/articles/${slug}/comments`, { token: reader.token }))
    expect(result.status).toBe(200)
    expect(result.body.comments).toHaveLength(count)
    expect(result.body.comments.filter((c: { author: { following: boolean } }) => c.author.following)).toHaveLength(
      Math.ceil(count / 2)
    )
    return statements
  })

layer(TestServer(PostgresAdapters).pipe(Layer.provide(RecordingTracer.layer)), { timeout: "120 seconds" })(
  "comments list cost on PostgreSQL",
  (it) => {
    it.effect("GET comments runs the same five statements for one comment or twenty-five (no N+1)", () =>
      Effect.gen(function* () {
        const one = yield* listCost(1)
        const many = yield* listCost(25)
        // The reader's token version, the article by slug, its comments, the authors, which of them the reader follows.
        expect(one).toHaveLength(5)
        expect(many).toEqual(one)
      }))
  }
)
