import { randomBytes } from "node:crypto"
import { assert, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { Webhook } from "standardwebhooks"
import { receiver } from "../platform/http-client/Receiver.ts"
import { eventually } from "../support/Eventually.ts"
import { call, PostgresAdapters, registered, TestServer } from "../support/TestApp.ts"

// The product as an operator configures it: WEBHOOK_URL and WEBHOOK_SECRET, the app on PostgreSQL,
// requests over HTTP, and receivers on loopback (hence WEBHOOK_ALLOW_PRIVATE).

const secret = `whsec_${randomBytes(32).toString("base64")}`

const withWebhooks = (urls: ReadonlyArray<string>) =>
  Effect.provide(
    TestServer(PostgresAdapters).pipe(
      Layer.provide(
        ConfigProvider.layer(
          ConfigProvider.fromUnknown({ WEBHOOK_URL: urls.join(","), WEBHOOK_SECRET: secret, WEBHOOK_ALLOW_PRIVATE: "true" })
        )
      )
    )
  )

const publishArticle = (token: string) =>
  Effect.map(
    call("POST", "/api/articles", { token, body: { article: { title: `Webhooks ${Math.random()}`, description: "d", body: "b", tagList: [] } } }),
    (reply) => {
      expect(reply.status).toBe(201)
      return reply.body.article.slug as string
    }
  )

it.live(
  "publishing an article delivers a signed conduit.article.published CloudEvent, while an endpoint that never answers blocks neither it nor the API",
  () =>
    Effect.gen(function* () {
      const healthy = yield* receiver()
      const silent = yield* receiver(...Array.from({ length: 50 }, () => "hang" as const))
      yield* Effect.gen(function* () {
        const { token } = yield* registered()
        const slug = yield* publishArticle(token)
        const published = () =>
          healthy.received.filter((request) => JSON.parse(request.body).type === "conduit.article.published")
        yield* eventually(Effect.sync(() => assert.strictEqual(published().length, 1)))
        const [request] = published()
        const event = new Webhook(secret).verify(request!.body, {
          "webhook-id": request!.headers["webhook-id"] as string,
          "webhook-timestamp": request!.headers["webhook-timestamp"] as string,
          "webhook-signature": request!.headers["webhook-signature"] as string
        }) as { specversion: string; source: string; data: { slug?: string } }
        expect(event).toMatchObject({ specversion: "1.0", source: "urn:hexa-monolith:conduit", data: { slug } })
        // The silent endpoint holds its deliveries in flight; the API answers as ever.
        yield* eventually(Effect.sync(() => assert.isAbove(silent.received.length, 0)))
        for (let i = 0; i < 5; i++) expect((yield* call("GET", `/api/articles/${slug}`)).status).toBe(200)
        expect((yield* publishArticle(token)).length).toBeGreaterThan(0)
        yield* eventually(Effect.sync(() => assert.strictEqual(published().length, 2)))
      }).pipe(withWebhooks([healthy.url, silent.url]))
    }).pipe(Effect.scoped),
  { timeout: 90_000 }
)
