import { createHash } from "node:crypto"
import { Effect } from "effect"
import type { DomainEvent, EventClass } from "../../kernel/DomainEvent.ts"
import { eventConsumer } from "../events/Outbox.ts"
import { WebhookSender } from "./WebhookSender.ts"

/**
 * A consumer's name for an endpoint, stable while its URL is: the host for the operator to read and a
 * hash of the whole URL (paths and queries may carry tokens, and two paths on one host are two endpoints).
 */
export const consumerName = (url: string): string =>
  `webhooks.${new URL(url).host}.${createHash("sha256").update(url).digest("hex").slice(0, 8)}`

/**
 * One outbox consumer per endpoint, taking every event: each endpoint retries, parks its dead letters
 * and lags on its own, so one receiver down never holds back the others. The outbox retries a failed
 * delivery with backoff (the sender's in-call retries first), then parks it for `events retry`.
 */
export const webhookConsumers = (urls: ReadonlyArray<string>, events: ReadonlyArray<EventClass>) =>
  urls.map((url) =>
    eventConsumer({
      name: consumerName(url),
      events,
      handler: Effect.gen(function* () {
        const sender = yield* WebhookSender
        return (event: DomainEvent) => sender.deliver(url, event)
      })
    })
  )
