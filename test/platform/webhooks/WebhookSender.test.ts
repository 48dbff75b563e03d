import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Layer, Redacted } from "effect"
import { Webhook } from "standardwebhooks"
import { defaultPolicy } from "../../../src/platform/http-client/ExternalHttp.ts"
import * as NodeExternalHttp from "../../../src/platform/http-client/NodeExternalHttp.ts"
import type { DomainEvent } from "../../../src/kernel/DomainEvent.ts"
import { webhookSettings } from "../../../src/platform/webhooks/WebhookConfig.ts"
import { WebhookSender } from "../../../src/platform/webhooks/WebhookSender.ts"
import { receiver, type Received } from "../http-client/Receiver.ts"

const secret = `whsec_${randomBytes(32).toString("base64")}`

const sender = (overrides: Partial<typeof defaultPolicy> = {}) =>
  WebhookSender.layerExternalHttp({ secret: Redacted.make(secret) }).pipe(
    Layer.provide(NodeExternalHttp.layer({ ...defaultPolicy, retryBase: Duration.millis(20), allowPrivateAddresses: true, ...overrides }))
  )

const anEvent = (): DomainEvent => ({
  id: crypto.randomUUID(),
  type: "article.published",
  version: 1,
  occurredAt: new Date("2026-12-01T12:00:00.000Z"),
  actorId: 7,
  payload: { articleId: 42, slug: "how-to-train-your-dragon" }
})

const deliver = (url: string, event: DomainEvent) =>
  Effect.gen(function* () {
    const webhooks = yield* WebhookSender
    return yield* webhooks.deliver(url, event)
  })

/** The specification's check, written out with node:crypto as a receiver without the library would. */
const verifiesByHand = (request: Received): boolean => {
  const id = request.headers["webhook-id"] as string
  const timestamp = request.headers["webhook-timestamp"] as string
  const key = Buffer.from(secret.slice("whsec_".length), "base64")
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${request.body}`).digest()
  return (request.headers["webhook-signature"] as string).split(" ").some((entry) => {
    const [version, signature] = entry.split(",")
    const given = Buffer.from(signature ?? "", "base64")
    return version === "v1" && given.length === expected.length && timingSafeEqual(given, expected)
  })
}

const headersOf = (request: Received) => ({
  "webhook-id": request.headers["webhook-id"] as string,
  "webhook-timestamp": request.headers["webhook-timestamp"] as string,
  "webhook-signature": request.headers["webhook-signature"] as string
})

describe("webhook delivery", () => {
  it.live("POSTs a CloudEvent signed as Standard Webhooks specifies: the library and node:crypto both verify it", () =>
    Effect.gen(function* () {
      const target = yield* receiver()
      const event = anEvent()
      yield* deliver(target.url, event)
      const [request] = target.received
      expect(request?.method).toBe("POST")
      expect(request?.headers["content-type"]).toBe("application/cloudevents+json")
      expect(request?.headers["webhook-id"]).toBe(event.id)
      expect(Math.abs(Number(request?.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60)
      expect(verifiesByHand(request!)).toBe(true)
      expect(new Webhook(secret).verify(request!.body, headersOf(request!))).toEqual({
        specversion: "1.0",
        id: event.id,
        type: "conduit.article.published",
        source: "urn:hexa-monolith:conduit",
        time: "2026-12-01T12:00:00.000Z",
        datacontenttype: "application/json",
        eventversion: 1,
        actorid: "7",
        data: { articleId: 42, slug: "how-to-train-your-dragon" }
      })
      // Another key, or a body changed in transit, does not verify.
      expect(() => new Webhook(`whsec_${randomBytes(32).toString("base64")}`).verify(request!.body, headersOf(request!))).toThrow()
      expect(() => new Webhook(secret).verify(request!.body.replace("42", "43"), headersOf(request!))).toThrow()
      expect(verifiesByHand({ ...request!, body: request!.body.replace("42", "43") })).toBe(false)
    }).pipe(Effect.provide(sender()), Effect.scoped))

  it.live("503 answers, then success: delivered, every attempt with the same webhook-id and a valid signature", () =>
    Effect.gen(function* () {
      const target = yield* receiver({ status: 503 }, { status: 503 }, { status: 200 })
      const event = anEvent()
      yield* deliver(target.url, event)
      expect(target.received).toHaveLength(3)
      expect(target.received.map((request) => request.headers["webhook-id"])).toEqual([event.id, event.id, event.id])
      expect(target.received.every(verifiesByHand)).toBe(true)
      expect(new Set(target.received.map((request) => request.body)).size).toBe(1)
    }).pipe(Effect.provide(sender()), Effect.scoped))

  it.live("an endpoint that keeps failing fails the delivery, for its caller to retry later", () =>
    Effect.gen(function* () {
      const target = yield* receiver({ status: 500 }, { status: 500 }, { status: 500 })
      const error = yield* Effect.flip(deliver(target.url, anEvent()))
      expect(error).toMatchObject({ reason: "Status", status: 500, attempts: 3 })
    }).pipe(Effect.provide(sender()), Effect.scoped))
})

describe("webhook settings", () => {
  const read = (env: Record<string, string>) =>
    webhookSettings.parse(ConfigProvider.fromEnv({ env })).pipe(Effect.result)

  it.effect("none by default; a comma-separated list with a whsec_ secret", () =>
    Effect.gen(function* () {
      const none = yield* read({})
      expect(none._tag === "Success" && none.success.urls).toEqual([])
      const some = yield* read({ WEBHOOK_URL: "https://a.example/hook, https://b.example/in?token=t", WEBHOOK_SECRET: secret })
      expect(some._tag === "Success" && some.success.urls).toEqual(["https://a.example/hook", "https://b.example/in?token=t"])
      expect(some._tag === "Success" && some.success.allowPrivate).toBe(false)
    }))

  it.effect("a URL without a valid secret, or a malformed URL, is refused at start naming the key, never the value", () =>
    Effect.gen(function* () {
      for (const env of [
        { WEBHOOK_URL: "https://a.example/hook" },
        { WEBHOOK_URL: "https://a.example/hook", WEBHOOK_SECRET: "plain-text-secret-value" },
        { WEBHOOK_URL: "ftp://user:pa55word@a.example/hook", WEBHOOK_SECRET: secret }
      ]) {
        const result = yield* read(env)
        expect(result._tag).toBe("Failure")
        const message = String(result._tag === "Failure" ? result.failure : "")
        expect(message).toMatch(/WEBHOOK_(URL|SECRET)/)
        expect(message).not.toContain("pa55word")
        expect(message).not.toContain("plain-text-secret-value")
      }
    }))
})
