import { expect, layer } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { makeConduitClient } from "../../src/client/ConduitClient.ts"
import { NewUser } from "../../src/modules/users/adapters/http/UsersApi.ts"
import { NotFound, Unauthorized } from "../../src/platform/http/ContractErrors.ts"
import { MemoryAdapters, TestServer } from "../support/TestApp.ts"

// The typed client against the real server: the same HttpApi definition on both sides, so a request
// or response that drifted from the contract would not compile or would fail to decode here.

layer(TestServer(MemoryAdapters), { timeout: "60 seconds" })("the typed client", (it) => {
  it.effect("registers, reads the current user, publishes and lists articles; failures come back typed", () =>
    Effect.gen(function* () {
      const anonymous = yield* makeConduitClient()
      // Input is checked with the contract's own schema before it is sent.
      const registration = Schema.decodeUnknownSync(NewUser)({
        username: "client-jake",
        email: "client-jake@example.com",
        password: "correct horse battery"
      })
      const { user } = yield* anonymous.users.register({ payload: { user: registration } })
      expect(user.username).toBe("client-jake")

      const client = yield* makeConduitClient({ token: user.token })
      expect((yield* client.users.current()).user.email).toBe("client-jake@example.com")

      const { article } = yield* client.articles.create({
        payload: { article: { title: "Typed all the way", description: "d", body: "    code\n", tagList: ["typed"] } }
      })
      expect(article.body).toBe("    code\n")
      expect(article.createdAt).toBeInstanceOf(Date)

      const page = yield* anonymous.articles.list({ query: { tag: "typed", limit: 5, offset: 0 } })
      expect(page.articlesCount).toBe(1)
      expect(page.articles[0]?.slug).toBe(article.slug)

      const missing = yield* Effect.flip(anonymous.articles.get({ params: { slug: "no-such-article" } }))
      expect(missing).toBeInstanceOf(NotFound)
      const unauthorized = yield* Effect.flip(anonymous.users.current())
      expect(unauthorized).toBeInstanceOf(Unauthorized)
    }))
})
