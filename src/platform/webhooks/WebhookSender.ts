import { Clock, Context, Effect, Layer, Metric } from "effect"
import { ExternalHttp, type ExternalCallFailed, defaultPolicy } from "../http-client/ExternalHttp.ts"
import * as NodeExternalHttp from "../http-client/NodeExternalHttp.ts"
import type { DomainEvent } from "../../kernel/DomainEvent.ts"
import { toCloudEvent } from "./CloudEvent.ts"
import { signatureHeaders } from "./StandardWebhooks.ts"
import type { WebhookSettings } from "./WebhookConfig.ts"

// Names the alert and runbook use (k8s/base/monitoring): rename nothing without them.
const deliveries = Metric.counter("webhook_deliveries_total", {
  description: "Webhook deliveries (after the call's own retries), by endpoint (origin) and outcome: delivered or failed",
  incremental: true
})

/**
 * POSTs one event to one endpoint as a signed CloudEvent. The webhook id is the event's id on every
 * attempt, so a receiver de-duplicates; the timestamp and signature are made per attempt, so a
 * late retry still passes the receiver's clock check.
 */
export class WebhookSender extends Context.Service<
  WebhookSender,
  { readonly deliver: (url: string, event: DomainEvent) => Effect.Effect<void, ExternalCallFailed> }
>()("app/platform/WebhookSender") {
  static readonly layerExternalHttp = (settings: Pick<WebhookSettings, "secret">) =>
    Layer.effect(
      WebhookSender,
      Effect.gen(function* () {
        const http = yield* ExternalHttp
        const clock = yield* Clock.Clock
        return WebhookSender.of({
          deliver: Effect.fn("WebhookSender.deliver")(function* (url: string, event: DomainEvent) {
            const body = JSON.stringify(toCloudEvent(event))
            const endpoint = NodeExternalHttp.endpointOf(url)
            yield* http
              .send({
                method: "POST",
                url,
                headers: { "user-agent": "hexa-monolith-webhooks" },
                body: { contentType: "application/cloudevents+json", text: body },
                perAttempt: () =>
                  signatureHeaders(settings.secret, { id: event.id, timestampSeconds: Math.floor(clock.currentTimeMillisUnsafe() / 1000), body })
              })
              .pipe(
                Effect.onExit((exit) =>
                  Metric.update(Metric.withAttributes(deliveries, { endpoint, outcome: exit._tag === "Success" ? "delivered" : "failed" }), 1)
                )
              )
          })
        })
      })
    )

  /** Over the node:http adapter, with the settings' timeout and private-address rule. */
  static readonly layer = (settings: WebhookSettings) =>
    WebhookSender.layerExternalHttp(settings).pipe(
      Layer.provide(NodeExternalHttp.layer({ ...defaultPolicy, timeout: settings.timeout, allowPrivateAddresses: settings.allowPrivate }))
    )
}
