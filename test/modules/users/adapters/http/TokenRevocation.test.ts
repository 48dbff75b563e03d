import { expect, layer } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { SignJWT } from "jose"
import { call, PostgresAdapters, registered, TestServer, testSettings } from "../../../../support/TestApp.ts"
import { aRegistrationBody } from "../../UserMother.ts"

/** A token signed with the server's own secret, for whatever subject and version. */
const signed = (sub: string, claims: Record<string, unknown> = {}) =>
  Effect.promise(() =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(Redacted.value(testSettings().jwtSecret)))
  )

const invalidToken = { errors: { token: ["is invalid"] } }

layer(TestServer(PostgresAdapters), { timeout: "60 seconds" })("tokens that no longer speak for an account", (it) => {
  it.effect("a validly signed token of an account that does not exist is a 401 on every authenticated route", () =>
    Effect.gen(function* () {
      const author = yield* registered()
      const article = yield* call("POST", "/api/articles", {
        token: author.token,
        body: { article: { title: `Ghost target ${Date.now()}`, description: "d", body: "b", tagList: [] } }
      })
      expect(article.status).toBe(201)
      const slug = article.body.article.slug as string
      const ghost = yield* signed("987654321")
      const attempts = [
        call("GET", "/api/user", { token: ghost }),
        call("PUT", "/api/user", { token: ghost, body: { user: { bio: "boo" } } }),
        call("POST", "/api/articles", {
          token: ghost,
          body: { article: { title: "Ghost article", description: "d", body: "b", tagList: [] } }
        }),
        call("GET", "/api/articles/feed", { token: ghost }),
        call("GET", "/api/articles", { token: ghost }),
        call("PUT", `/api/articles/${slug}`, { token: ghost, body: { article: { body: "haunted" } } }),
        call("POST", `/api/articles/${slug}/comments`, { token: ghost, body: { comment: { body: "boo" } } }),
        call("POST", `/api/articles/${slug}/favorite`, { token: ghost }),
        call("DELETE", `/api/articles/${slug}/favorite`, { token: ghost }),
        call("POST", `/api/profiles/${author.username}/follow`, { token: ghost }),
        call("DELETE", `/api/profiles/${author.username}/follow`, { token: ghost }),
        call("GET", `/api/profiles/${author.username}`, { token: ghost })
      ]
      for (const attempt of attempts) {
        const reply = yield* attempt
        expect(reply.status).toBe(401)
        expect(reply.body).toEqual(invalidToken)
      }
      const after = yield* call("GET", `/api/articles/${slug}`)
      expect(after.body.article).toMatchObject({ favoritesCount: 0, body: "b" })
    }))

  it.effect("a new password revokes earlier tokens: they can neither read nor set yet another password", () =>
    Effect.gen(function* () {
      const user = yield* registered()
      const other = yield* call("POST", "/api/users/login", { body: { user: { email: user.email, password: user.password } } })
      const changed = yield* call("PUT", "/api/user", {
        token: user.token,
        body: { user: { password: "a completely new passphrase" } }
      })
      expect(changed.status).toBe(200)
      const fresh = changed.body.user.token as string
      expect(fresh).not.toBe(user.token)
      for (const old of [user.token, other.body.user.token as string]) {
        expect((yield* call("GET", "/api/user", { token: old })).status).toBe(401)
        const again = yield* call("PUT", "/api/user", { token: old, body: { user: { password: "the attacker's choice" } } })
        expect(again.status).toBe(401)
      }
      expect((yield* call("GET", "/api/user", { token: fresh })).body.user.email).toBe(user.email)
      const login = yield* call("POST", "/api/users/login", {
        body: { user: { email: user.email, password: "a completely new passphrase" } }
      })
      expect(login.status).toBe(200)
    }))

  it.effect("a new email revokes earlier tokens; a bio change or the same email keeps them", () =>
    Effect.gen(function* () {
      const user = yield* registered()
      const bio = yield* call("PUT", "/api/user", { token: user.token, body: { user: { bio: "still me", email: user.email } } })
      expect(bio.body.user.token).toBe(user.token)
      expect((yield* call("GET", "/api/user", { token: user.token })).status).toBe(200)
      const moved = yield* call("PUT", "/api/user", {
        token: user.token,
        body: { user: { email: aRegistrationBody().email } }
      })
      expect(moved.status).toBe(200)
      expect((yield* call("GET", "/api/user", { token: user.token })).status).toBe(401)
      expect((yield* call("GET", "/api/user", { token: moved.body.user.token })).status).toBe(200)
    }))

  it.effect("a token from before versions existed counts as version 0 until the first change", () =>
    Effect.gen(function* () {
      const user = yield* registered()
      const me = yield* call("GET", "/api/user", { token: user.token })
      const id = JSON.parse(Buffer.from(user.token.split(".")[1]!, "base64url").toString()).sub as string
      const legacy = yield* signed(id)
      expect((yield* call("GET", "/api/user", { token: legacy })).body.user.email).toBe(me.body.user.email)
      yield* call("PUT", "/api/user", { token: legacy, body: { user: { password: "rotated passphrase here" } } })
      expect((yield* call("GET", "/api/user", { token: legacy })).status).toBe(401)
      expect((yield* call("GET", "/api/user", { token: yield* signed(id, { ver: 1 }) })).status).toBe(200)
    }))
})
