import { assert, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { aRegistrationBody } from "../modules/users/UserMother.ts"
import { eventually } from "../support/Eventually.ts"
import { call, PostgresAdapters, registered, TestServer } from "../support/TestApp.ts"

const publish = (token: string, tagList: ReadonlyArray<string>) =>
  Effect.map(
    call("POST", "/api/articles", {
      token,
      body: { article: { title: `Article ${Math.random()}`, description: "d", body: "b", tagList } }
    }),
    (reply) => {
      expect(reply.status).toBe(201)
      return reply.body.article.slug as string
    }
  )

const comment = (token: string, slug: string) =>
  Effect.map(call("POST", `/api/articles/${slug}/comments`, { token, body: { comment: { body: "hi" } } }), (reply) =>
    expect(reply.status).toBe(201)
  )

const count = (statement: (sql: SqlClient.SqlClient) => Effect.Effect<ReadonlyArray<{ n: number }>, unknown>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => Effect.map(Effect.orDie(statement(sql)), (rows) => rows[0]?.n))

layer(TestServer(PostgresAdapters), { timeout: "90 seconds", excludeTestServices: true })("account deletion across modules, over HTTP", (it) => {
  it.effect("DELETE /api/user removes the account at once and, through events, everything it owned", () =>
    Effect.gen(function* () {
      const [gone, other, fan] = [yield* registered(), yield* registered(), yield* registered()]
      const tag = `gone-${Date.now()}`
      // What the account owns: follows both ways, an article with a tag, a favorite and a comment by
      // someone else on it, a favorite and a comment on someone else's article.
      expect((yield* call("POST", `/api/profiles/${other.username}/follow`, { token: gone.token })).status).toBe(200)
      expect((yield* call("POST", `/api/profiles/${gone.username}/follow`, { token: fan.token })).status).toBe(200)
      const theirs = yield* publish(gone.token, [tag])
      expect((yield* call("POST", `/api/articles/${theirs}/favorite`, { token: other.token })).status).toBe(200)
      yield* comment(fan.token, theirs)
      const kept = yield* publish(other.token, [])
      expect((yield* call("POST", `/api/articles/${kept}/favorite`, { token: gone.token })).body.article.favoritesCount).toBe(1)
      yield* comment(gone.token, kept)
      yield* comment(fan.token, kept)

      const id = yield* count((sql) => sql`SELECT id AS n FROM users WHERE username = ${gone.username}`)
      const deleted = yield* call("DELETE", "/api/user", { token: gone.token })
      expect(deleted.status).toBe(204)
      expect(deleted.body).toBeUndefined()

      // At once: the account is gone for every request, and nothing answers 500 while consumers catch up.
      expect((yield* call("GET", "/api/user", { token: gone.token })).status).toBe(401)
      const login = yield* call("POST", "/api/users/login", { body: { user: { email: gone.email, password: gone.password } } })
      expect(login.status).toBe(401)
      expect((yield* call("GET", `/api/profiles/${gone.username}`)).status).toBe(404)
      for (const [path, token] of [
        [`/api/articles/${theirs}`, other.token],
        [`/api/articles/${theirs}/comments`, fan.token],
        [`/api/articles/${kept}`, other.token],
        [`/api/articles/${kept}/comments`, other.token],
        ["/api/articles", fan.token],
        [`/api/articles?author=${gone.username}`, undefined],
        [`/api/articles?favorited=${gone.username}`, undefined],
        ["/api/articles/feed", fan.token],
        ["/api/tags", undefined]
      ] as const) {
        const reply = yield* call("GET", path, token === undefined ? {} : { token })
        expect(reply.status, `GET ${path}`).toBeLessThan(500)
      }
      expect((yield* call("GET", `/api/articles/${theirs}`)).status).toBe(404)

      // Within seconds: each module has removed what the account owned, from its own tables.
      yield* eventually(
        Effect.gen(function* () {
          expect(yield* count((sql) => sql`SELECT count(*)::int AS n FROM follows WHERE follower_id = ${id} OR followee_id = ${id}`)).toBe(0)
          expect(yield* count((sql) => sql`SELECT count(*)::int AS n FROM articles WHERE author_id = ${id}`)).toBe(0)
          expect(yield* count((sql) => sql`SELECT count(*)::int AS n FROM favorites WHERE user_id = ${id}`)).toBe(0)
          expect(yield* count((sql) => sql`SELECT count(*)::int AS n FROM comments WHERE author_id = ${id}`)).toBe(0)
          // The fan's comment on the deleted article went with it (ArticleDeleted → comments).
          expect(
            yield* count((sql) => sql`SELECT count(*)::int AS n FROM comments c WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = c.article_id)`)
          ).toBe(0)
        })
      )
      const after = yield* call("GET", `/api/articles/${kept}`)
      expect(after.body.article.favoritesCount).toBe(0)
      const comments = yield* call("GET", `/api/articles/${kept}/comments`)
      expect(comments.body.comments.map((c: { author: { username: string } }) => c.author.username)).toEqual([fan.username])
      expect((yield* call("GET", "/api/tags")).body.tags).not.toContain(tag)
      expect((yield* call("GET", `/api/profiles/${other.username}`, { token: fan.token })).body.profile.following).toBe(false)

      // The same username can register again; the fresh account starts with nothing.
      const again = yield* call("POST", "/api/users", { body: { user: { ...aRegistrationBody(), username: gone.username } } })
      expect(again.status).toBe(201)

      const metrics = (yield* call("GET", "/metrics")).body as string
      assert.match(metrics, /events_published_total\{type="user\.deleted"[^}]*\} 1/)
      assert.match(metrics, /events_delivered_total\{consumer="comments\.remove-deleted-articles"[^}]*\} [1-9]/)
    }))

  it.effect("DELETE /api/user: 401 without a token and for a deleted account's token", () =>
    Effect.gen(function* () {
      expect((yield* call("DELETE", "/api/user")).status).toBe(401)
      const user = yield* registered()
      expect((yield* call("DELETE", "/api/user", { token: user.token })).status).toBe(204)
      const twice = yield* call("DELETE", "/api/user", { token: user.token })
      expect(twice.status).toBe(401)
      expect(twice.body).toEqual({ errors: { token: ["is invalid"] } })
    }))
})
