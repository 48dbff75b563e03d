import { Effect, Metric } from "effect"

// Names the alerts, dashboards and runbook use (k8s/base/monitoring): rename nothing without them.

const published = Metric.counter("events_published_total", {
  description: "Domain events committed to the outbox, by event type",
  incremental: true
})
const delivered = Metric.counter("events_delivered_total", {
  description: "Events a consumer handled successfully, by consumer",
  incremental: true
})
const failed = Metric.counter("events_failed_total", {
  description: "Failed delivery attempts, by consumer",
  incremental: true
})
const retried = Metric.counter("events_retried_total", {
  description: "Failed deliveries scheduled for another attempt, by consumer",
  incremental: true
})
const deadLettered = Metric.counter("events_dead_lettered_total", {
  description: "Events parked as dead letters after their last attempt, by consumer",
  incremental: true
})
const lag = Metric.gauge("events_outbox_lag_seconds", {
  description: "Age of the oldest event a consumer has not handled yet (0 when none is pending), by consumer"
})
const deadLetters = Metric.gauge("events_dead_letters", {
  description: "Dead letters currently parked, by consumer (an operator retries them with `events retry`)"
})

const bump = (counter: Metric.Counter<number>, attributes: Record<string, string>) =>
  Metric.update(Metric.withAttributes(counter, attributes), 1)

export const EventMetrics = {
  published: (type: string) => bump(published, { type }),
  delivered: (consumer: string) => bump(delivered, { consumer }),
  /** One failed attempt: retried later, or parked when it was the last. */
  failed: (consumer: string, parked: boolean) =>
    Effect.andThen(bump(failed, { consumer }), bump(parked ? deadLettered : retried, { consumer })),
  backlog: (consumer: string, lagSeconds: number, parked: number) =>
    Effect.andThen(
      Metric.update(Metric.withAttributes(lag, { consumer }), lagSeconds),
      Metric.update(Metric.withAttributes(deadLetters, { consumer }), parked)
    )
} as const
