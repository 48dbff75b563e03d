import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { call, PostgresAdapters, TestServer } from "../../../../support/TestApp.ts"
import { anArticleBody } from "../../../articles/ArticleMother.ts"
import { aCaller } from "../../../profiles/AccountMother.ts"

const publish = (token: string) =>
  Effect.gen(function* () {
    const reply = yield* call("POST", "/api/articles", { token, body: { article: anArticleBody() } })
    expect(reply.status).toBe(201)
    return reply.body.article.slug as string
  })

const comment = (slug: string, token: string, body = "Thank you!") =>
  Effect.gen(function* () {
    const reply = yield* call("POST", `/api/articles/${slug}/comments`, { token, body: { comment: { body } } })
    expect(reply.status).toBe(201)
    return reply.body.comment as { id: number; body: string }
  })

const isoDate = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)

layer(TestServer(PostgresAdapters), { timeout: "60 seconds" })("comments HTTP API on PostgreSQL", (it) => {
  it.effect("POST /api/articles/:slug/comments: 201 with the comment and its author", () =>
    Effect.gen(function* () {
      const writer = yield* aCaller
      const commenter = yield* aCaller
      const slug = yield* publish(writer.token)
      const reply = yield* call("POST", `/api/articles/${slug}/comments`, {
        token: commenter.token,
        body: { comment: { body: "  It was great!  " } }
      })
      expect(reply.status).toBe(201)
      expect(reply.body).toEqual({
        comment: {
          id: expect.any(Number),
          createdAt: isoDate,
          updatedAt: isoDate,
          body: "  It was great!  ",
          author: { username: commenter.username, bio: null, image: null, following: false }
        }
      })
      expect(Number.isInteger(reply.body.comment.id)).toBe(true)
    }))

  it.effect("POST comments: 422 naming the field for a blank or missing body, 404, 401", () =>
    Effect.gen(function* () {
      const writer = yield* aCaller
      const slug = yield* publish(writer.token)
      const blank = yield* call("POST", `/api/articles/${slug}/comments`, { token: writer.token, body: { comment: { body: "   " } } })
      expect(blank.status).toBe(422)
      expect(blank.body).toEqual({ errors: { body: ["can't be blank"] } })
      const missing = yield* call("POST", `/api/articles/${slug}/comments`, { token: writer.token, body: { comment: {} } })
      expect(missing.status).toBe(422)
      expect(missing.body).toEqual({ errors: { body: ["can't be blank"] } })
      const tooLong = yield* call("POST", `/api/articles/${slug}/comments`, {
        token: writer.token,
        body: { comment: { body: "x".repeat(10_001) } }
      })
      expect(tooLong.status).toBe(422)
      expect(tooLong.body).toEqual({ errors: { body: ["is too long (maximum is 10000 characters)"] } })
      const nul = yield* call("POST", `/api/articles/${slug}/comments`, { token: writer.token, body: { comment: { body: "a\u0000b" } } })
      expect(nul.status).toBe(422)
      expect(nul.body).toEqual({ errors: { body: ["is invalid"] } })
      const noEnvelope = yield* call("POST", `/api/articles/${slug}/comments`, { token: writer.token, body: {} })
      expect(noEnvelope.status).toBe(422)
      expect(noEnvelope.body).toEqual({ errors: { comment: ["can't be blank"] } })
      const unknown = yield* call("POST", "/api/articles/no-such-article/comments", {
        token: writer.token,
        body: { comment: { body: "hi" } }
      })
      expect(unknown.status).toBe(404)
      expect(unknown.body).toEqual({ errors: { article: ["not found"] } })
      const anonymous = yield* call("POST", `/api/articles/${slug}/comments`, { body: { comment: { body: "hi" } } })
      expect(anonymous.status).toBe(401)
      expect(anonymous.body).toEqual({ errors: { token: ["is missing"] } })
    }))

  it.effect("GET /api/articles/:slug/comments: newest first, author.following for the caller", () =>
    Effect.gen(function* () {
      const writer = yield* aCaller
      const reader = yield* aCaller
      const slug = yield* publish(writer.token)
      const first = yield* comment(slug, writer.token, "first")
      const second = yield* comment(slug, reader.token, "second")
      yield* call("POST", `/api/profiles/${writer.username}/follow`, { token: reader.token })

      const asReader = yield* call("GET", `/api/articles/${slug}/comments`, { token: reader.token })
      expect(asReader.status).toBe(200)
      expect(asReader.body.comments.map((c: { id: number }) => c.id)).toEqual([second.id, first.id])
      expect(asReader.body.comments.map((c: { author: unknown }) => c.author)).toEqual([
        { username: reader.username, bio: null, image: null, following: false },
        { username: writer.username, bio: null, image: null, following: true }
      ])
      const anonymous = yield* call("GET", `/api/articles/${slug}/comments`)
      expect(anonymous.status).toBe(200)
      expect(anonymous.body.comments.map((c: { author: { following: boolean } }) => c.author.following)).toEqual([false, false])
    }))

  it.effect("GET comments: [] for an article without any, 404 for an unknown article, 401 for a bad token", () =>
    Effect.gen(function* () {
      const writer = yield* aCaller
      const slug = yield* publish(writer.token)
      const none = yield* call("GET", `/api/articles/${slug}/comments`)
      expect(none.status).toBe(200)
      expect(none.body).toEqual({ comments: [] })
      const unknown = yield* call("GET", "/api/articles/no-such-article/comments")
      expect(unknown.status).toBe(404)
      expect(unknown.body).toEqual({ errors: { article: ["not found"] } })
      const badToken = yield* call("GET", `/api/articles/${slug}/comments`, { token: "abc.def" })
      expect(badToken.status).toBe(401)
    }))

  it.effect("DELETE /api/articles/:slug/comments/:id: 204 for the comment's author, then 404", () =>
    Effect.gen(function* () {
      const writer = yield* aCaller
      const slug = yield* publish(writer.token)
      const { id } = yield* comment(slug, writer.token)
      const deleted = yield* call("DELETE", `/api/articles/${slug}/comments/${id}`, { token: writer.token })
      expect(deleted.status).toBe(204)
      expect(deleted.body).toBeUndefined()
      expect((yield* call("GET", `/api/articles/${slug}/comments`)).body).toEqual({ comments: [] })
      const again = yield* call("DELETE", `/api/articles/${slug}/comments/${id}`, { token: writer.token })
      expect(again.status).toBe(404)
      expect(again.body).toEqual({ errors: { comment: ["not found"] } })
    }))

  it.effect("DELETE comment: 403 for someone else's (even the article's author), 401 without a token", () =>
    Effect.gen(function* () {
      const writer = yield* aCaller
      const commenter = yield* aCaller
      const slug = yield* publish(writer.token)
      const { id } = yield* comment(slug, commenter.token)
      const forbidden = yield* call("DELETE", `/api/articles/${slug}/comments/${id}`, { token: writer.token })
      expect(forbidden.status).toBe(403)
      expect(forbidden.body).toEqual({ errors: { comment: ["forbidden"] } })
      const anonymous = yield* call("DELETE", `/api/articles/${slug}/comments/${id}`)
      expect(anonymous.status).toBe(401)
      expect(anonymous.body).toEqual({ errors: { token: ["is missing"] } })
      expect((yield* call("GET", `/api/articles/${slug}/comments`)).body.comments).toHaveLength(1)
    }))

  it.effect("DELETE comment: 404 for an unknown article, an unknown id, or a comment of another article", () =>
    Effect.gen(function* () {
      const writer = yield* aCaller
      const [slug, other] = [yield* publish(writer.token), yield* publish(writer.token)]
      const { id } = yield* comment(slug, writer.token)
      const unknownArticle = yield* call("DELETE", `/api/articles/no-such-article/comments/${id}`, { token: writer.token })
      expect(unknownArticle.status).toBe(404)
      expect(unknownArticle.body).toEqual({ errors: { article: ["not found"] } })
      const unknownId = yield* call("DELETE", `/api/articles/${slug}/comments/987654`, { token: writer.token })
      expect(unknownId.status).toBe(404)
      expect(unknownId.body).toEqual({ errors: { comment: ["not found"] } })
      const elsewhere = yield* call("DELETE", `/api/articles/${other}/comments/${id}`, { token: writer.token })
      expect(elsewhere.status).toBe(404)
      expect(elsewhere.body).toEqual({ errors: { comment: ["not found"] } })
    }))

  it.effect("DELETE comment: 422 naming the id when it is not an integer", () =>
    Effect.gen(function* () {
      const writer = yield* aCaller
      const slug = yield* publish(writer.token)
      for (const id of ["abc", "1.5"]) {
        const reply = yield* call("DELETE", `/api/articles/${slug}/comments/${id}`, { token: writer.token })
        expect(reply.status, id).toBe(422)
        expect(Object.keys(reply.body.errors), id).toEqual(["id"])
      }
    }))

  it.effect("comments go with their article", () =>
    Effect.gen(function* () {
      const writer = yield* aCaller
      const slug = yield* publish(writer.token)
      yield* comment(slug, writer.token)
      expect((yield* call("DELETE", `/api/articles/${slug}`, { token: writer.token })).status).toBeLessThan(300)
      const gone = yield* call("GET", `/api/articles/${slug}/comments`)
      expect(gone.status).toBe(404)
    }))
})
