import { type Context, type Effect, Metric } from "effect"

// Metric names are the ones the alerts, dashboards and runbook use (k8s/base/monitoring): rename
// nothing here without them.

/** OpenTelemetry's recommended boundaries for `http.server.request.duration`, in seconds. */
const durationBoundaries = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]

const requestsTotal = Metric.counter("http_server_requests_total", {
  description: "HTTP requests answered, by method, route template and status",
  incremental: true
})

const requestDuration = Metric.histogram("http_server_request_duration_seconds", {
  description: "Time from receiving an HTTP request to answering it, by method, route template and status",
  boundaries: durationBoundaries
})

interface Series {
  readonly count: Metric.Metric<number, unknown>
  readonly duration: Metric.Metric<number, unknown>
}

// One labelled pair per (method, route, status): routes are templates, so the set stays small, and
// caching it keeps the per-request cost to two map look-ups.
const series = new Map<string, Series>()

/** Counts one answered request and its duration. Errors are the requests whose `status` is 5xx. */
export const recordRequest = (
  context: Context.Context<never>,
  method: string,
  route: string,
  status: number,
  seconds: number
): void => {
  const key = `${method} ${route} ${status}`
  let labelled = series.get(key)
  if (labelled === undefined) {
    const attributes = { method, route, status: String(status) }
    labelled = {
      count: Metric.withAttributes(requestsTotal, attributes),
      duration: Metric.withAttributes(requestDuration, attributes)
    }
    series.set(key, labelled)
  }
  labelled.count.updateUnsafe(1, context)
  labelled.duration.updateUnsafe(seconds, context)
}

/**
 * Counters of what the product is for. A module bumps one where the fact becomes true (after the
 * write succeeded), e.g. in its use case: `Effect.tap(() => BusinessMetrics.increment(BusinessMetrics.articlesPublished))`.
 */
export const BusinessMetrics = {
  usersRegistered: Metric.counter("users_registered_total", { description: "Accounts registered", incremental: true }),
  articlesPublished: Metric.counter("articles_published_total", {
    description: "Articles published",
    incremental: true
  }),
  commentsPosted: Metric.counter("comments_posted_total", { description: "Comments posted", incremental: true }),
  increment: (counter: Metric.Counter<number>): Effect.Effect<void> => Metric.update(counter, 1)
} as const

