import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { call, PostgresAdapters, TestServer } from "../../../../support/TestApp.ts"
import { aCaller } from "../../AccountMother.ts"

const profileOf = (username: string, following: boolean) => ({
  profile: { username, bio: null, image: null, following }
})

layer(TestServer(PostgresAdapters), { timeout: "60 seconds" })("profiles HTTP API on PostgreSQL", (it) => {
  it.effect("GET /api/profiles/:username: 200 with the profile, anonymously or as a caller", () =>
    Effect.gen(function* () {
      const author = yield* aCaller
      const reader = yield* aCaller
      const anonymous = yield* call("GET", `/api/profiles/${author.username}`)
      expect(anonymous.status).toBe(200)
      expect(anonymous.body).toEqual(profileOf(author.username, false))
      yield* call("PUT", "/api/user", { token: author.token, body: { user: { bio: "I write", image: "https://x.test/a.png" } } })
      const asReader = yield* call("GET", `/api/profiles/${author.username}`, { token: reader.token })
      expect(asReader.status).toBe(200)
      expect(asReader.body).toEqual({
        profile: { username: author.username, bio: "I write", image: "https://x.test/a.png", following: false }
      })
    }))

  it.effect("GET /api/profiles/:username: 404 for an unknown user, 401 for a bad token", () =>
    Effect.gen(function* () {
      const unknown = yield* call("GET", "/api/profiles/nobody-by-this-name")
      expect(unknown.status).toBe(404)
      expect(unknown.body).toEqual({ errors: { profile: ["not found"] } })
      const author = yield* aCaller
      const badToken = yield* call("GET", `/api/profiles/${author.username}`, { token: "abc.def" })
      expect(badToken.status).toBe(401)
      expect(badToken.body).toEqual({ errors: { token: ["is invalid"] } })
    }))

  it.effect("POST /api/profiles/:username/follow: 200 following, with no body or an empty JSON one", () =>
    Effect.gen(function* () {
      const reader = yield* aCaller
      const [a, b] = [yield* aCaller, yield* aCaller]
      const noBody = yield* call("POST", `/api/profiles/${a.username}/follow`, { token: reader.token })
      expect(noBody.status).toBe(200)
      expect(noBody.body).toEqual(profileOf(a.username, true))
      const emptyJson = yield* call("POST", `/api/profiles/${b.username}/follow`, { token: reader.token, body: {} })
      expect(emptyJson.status).toBe(200)
      expect(emptyJson.body).toEqual(profileOf(b.username, true))
      const again = yield* call("POST", `/api/profiles/${b.username}/follow`, { token: reader.token })
      expect(again.body).toEqual(profileOf(b.username, true))
      const seen = yield* call("GET", `/api/profiles/${a.username}`, { token: reader.token })
      expect(seen.body).toEqual(profileOf(a.username, true))
      const seenByOther = yield* call("GET", `/api/profiles/${a.username}`, { token: b.token })
      expect(seenByOther.body).toEqual(profileOf(a.username, false))
    }))

  it.effect("DELETE /api/profiles/:username/follow: 200 not following, and idempotent", () =>
    Effect.gen(function* () {
      const reader = yield* aCaller
      const author = yield* aCaller
      yield* call("POST", `/api/profiles/${author.username}/follow`, { token: reader.token })
      for (const _ of [1, 2]) {
        const reply = yield* call("DELETE", `/api/profiles/${author.username}/follow`, { token: reader.token })
        expect(reply.status).toBe(200)
        expect(reply.body).toEqual(profileOf(author.username, false))
      }
      const seen = yield* call("GET", `/api/profiles/${author.username}`, { token: reader.token })
      expect(seen.body).toEqual(profileOf(author.username, false))
    }))

  it.effect("follow and unfollow: 401 without a token, 404 for an unknown user", () =>
    Effect.gen(function* () {
      const reader = yield* aCaller
      const author = yield* aCaller
      for (const method of ["POST", "DELETE"] as const) {
        const anonymous = yield* call(method, `/api/profiles/${author.username}/follow`)
        expect(anonymous.status, method).toBe(401)
        expect(anonymous.body, method).toEqual({ errors: { token: ["is missing"] } })
        const unknown = yield* call(method, "/api/profiles/nobody-by-this-name/follow", { token: reader.token })
        expect(unknown.status, method).toBe(404)
        expect(unknown.body, method).toEqual({ errors: { profile: ["not found"] } })
      }
    }))

  it.effect("following oneself: 422 naming the profile; unfollowing oneself answers the profile", () =>
    Effect.gen(function* () {
      const me = yield* aCaller
      const follow = yield* call("POST", `/api/profiles/${me.username}/follow`, { token: me.token })
      expect(follow.status).toBe(422)
      expect(follow.body).toEqual({ errors: { profile: ["cannot follow yourself"] } })
      const unfollow = yield* call("DELETE", `/api/profiles/${me.username}/follow`, { token: me.token })
      expect(unfollow.status).toBe(200)
      expect(unfollow.body).toEqual(profileOf(me.username, false))
    }))

  it.effect("usernames with URL-escaped characters are looked up decoded", () =>
    Effect.gen(function* () {
      const reply = yield* call("GET", `/api/profiles/${encodeURIComponent("no body@here")}`)
      expect(reply.status).toBe(404)
      expect(reply.body).toEqual({ errors: { profile: ["not found"] } })
    }))
})
