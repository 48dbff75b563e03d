import { NodeHttpClient } from "@effect/platform-node"
import { Duration, Effect, Exit, Layer, Metric, References, Schedule, Semaphore, Stream } from "effect"
import { Headers, HttpClient, HttpClientRequest, type HttpClientResponse } from "effect/http"
import { CircuitBreaker } from "effect/persistence"
import { guardedLookup, isPrivateLiteral, REFUSED_CODE } from "./AddressGuard.ts"
import {
  defaultPolicy,
  ExternalCallFailed,
  ExternalHttp,
  type ExternalHttpPolicy,
  type OutboundRequest,
  type OutboundResponse
} from "./ExternalHttp.ts"

// ExternalHttp over effect's HttpClient on node:http. Per call, inside out: one attempt (address
// check, request with traceparent while tracing is on, capped body, status) under the attempt timeout and the
// endpoint's concurrency bound; retries with jittered exponential backoff for network errors,
// timeouts, 5xx and 429 (waiting at least Retry-After); the endpoint's circuit around all of it,
// so it sees one outcome per call. node:http follows no redirect: a 3xx is a failed call.

const requests = Metric.counter("external_http_requests_total", {
  description: "Calls to outside HTTP APIs after retries, by endpoint (origin) and outcome",
  incremental: true
})
const duration = Metric.histogram("external_http_attempt_duration_seconds", {
  description: "Time of one attempt of a call to an outside HTTP API, by endpoint (origin)",
  boundaries: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
})
const circuitState = Metric.gauge("external_http_circuit_state", {
  description: "The circuit of an outside endpoint: 0 closed, 1 half-open (probing), 2 open (calls refused)"
})
const circuitValue = { Closed: 0, HalfOpen: 1, Open: 2 } as const

/** The endpoint a URL belongs to: its origin, never its path or query (which may carry tokens). */
export const endpointOf = (url: string): string => {
  try {
    return new URL(url).origin
  } catch {
    return "invalid"
  }
}

const retryAfterSeconds = (response: HttpClientResponse.HttpClientResponse): number | undefined => {
  const value = response.headers["retry-after"]
  if (value === undefined) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim())
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000)
}

/** Reads at most `max` bytes of the body and stops there, so an endless answer costs nothing more. */
const cappedBody = (response: HttpClientResponse.HttpClientResponse, max: number) =>
  Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let bytes = 0
    return response.stream.pipe(
      Stream.takeWhile(() => bytes < max),
      Stream.runForEach((chunk) =>
        Effect.sync(() => {
          const kept = chunk.subarray(0, max - bytes)
          chunks.push(kept)
          bytes += kept.length
        })
      ),
      Effect.map(() => Buffer.concat(chunks).toString("utf8"))
    )
  })

const causeCode = (error: unknown): string | undefined => {
  for (let cause = error; typeof cause === "object" && cause !== null; cause = (cause as { cause?: unknown }).cause) {
    const code = (cause as { code?: unknown }).code
    if (typeof code === "string") return code
  }
  return undefined
}

const retryable = (policy: ExternalHttpPolicy) => (error: ExternalCallFailed) => {
  if (error.reason === "Timeout" || error.reason === "Unreachable") return true
  if (error.reason !== "Status" || error.status === undefined) return false
  if (error.status !== 429 && error.status < 500) return false
  return error.retryAfterSeconds === undefined || error.retryAfterSeconds <= Duration.toSeconds(policy.maxRetryAfter)
}

/** The port's adapter over whatever HttpClient and CircuitBreakerStore are provided. */
export const make = (policy: ExternalHttpPolicy) =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const breaker = yield* CircuitBreaker.make({
      tripPolicy: CircuitBreaker.consecutive(policy.tripAfter),
      openDuration: Schedule.min([Schedule.exponential(policy.openFor), Schedule.spaced(policy.maxOpen)]),
      maxOpenDuration: policy.maxOpen
    })
    yield* breaker.transitions.pipe(
      Stream.runForEach((transition) =>
        Metric.update(Metric.withAttributes(circuitState, { endpoint: transition.key }), circuitValue[transition.to])
      ),
      Effect.forkScoped({ startImmediately: true })
    )
    const bounds = new Map<string, Semaphore.Semaphore>()
    const boundOf = (endpoint: string) => {
      const known = bounds.get(endpoint)
      if (known !== undefined) return Effect.succeed(known)
      const bound = Semaphore.makeUnsafe(policy.concurrencyPerEndpoint)
      bounds.set(endpoint, bound)
      // A closed circuit shows as 0 from the first call, not only after its first transition.
      return Effect.as(Metric.update(Metric.withAttributes(circuitState, { endpoint }), 0), bound)
    }
    const isRetryable = retryable(policy)
    const backoff = Schedule.exponential(policy.retryBase).pipe(
      Schedule.jittered,
      Schedule.modifyDelay(({ duration: delay, input }) =>
        Effect.succeed(
          input instanceof ExternalCallFailed && input.retryAfterSeconds !== undefined
            ? Duration.max(delay, Duration.seconds(input.retryAfterSeconds))
            : delay
        )
      )
    )

    const send = (request: OutboundRequest): Effect.Effect<OutboundResponse, ExternalCallFailed> => Effect.gen(function* () {
      const endpoint = endpointOf(request.url)
      const bound = yield* boundOf(endpoint)
      let attempts = 0
      const failed = (reason: ExternalCallFailed["reason"], extra: { status?: number; retryAfterSeconds?: number } = {}) =>
        new ExternalCallFailed({ endpoint, reason, attempts, ...extra })

      const attempt = Effect.gen(function* () {
        attempts++
        const { hostname } = new URL(request.url)
        if (!policy.allowPrivateAddresses && isPrivateLiteral(hostname)) return yield* failed("Refused")
        let outgoing = HttpClientRequest.make(request.method)(request.url).pipe(
          HttpClientRequest.setHeaders({ ...request.headers, ...request.perAttempt?.() })
        )
        if (request.body !== undefined) outgoing = HttpClientRequest.bodyText(outgoing, request.body.text, request.body.contentType)
        const response = yield* client.execute(outgoing).pipe(
          Effect.mapError((error) => failed(causeCode(error) === REFUSED_CODE ? "Refused" : "Unreachable"))
        )
        const body = yield* cappedBody(response, policy.maxResponseBytes).pipe(Effect.mapError(() => failed("Unreachable")))
        if (response.status >= 200 && response.status < 300) return { status: response.status, body }
        const retryAfter = retryAfterSeconds(response)
        return yield* failed("Status", { status: response.status, ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }) })
      }).pipe(
        Effect.timeoutOrElse({ duration: policy.timeout, orElse: () => Effect.fail(failed("Timeout")) }),
        Effect.trackDuration(Metric.withAttributes(duration, { endpoint }), Duration.toSeconds),
        bound.withPermits(1)
      )

      return yield* attempt.pipe(
        Effect.retry({ schedule: backoff, while: isRetryable, times: policy.attempts - 1 }),
        breaker.execute({
          key: endpoint,
          classify: (exit) => {
            if (Exit.isSuccess(exit)) return CircuitBreaker.success
            const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")?.error
            if (!(error instanceof ExternalCallFailed)) return CircuitBreaker.failure()
            // Refused never left the process; a 4xx means the endpoint is up and answering.
            if (error.reason === "Refused") return CircuitBreaker.ignored
            if (error.reason === "Status" && error.status !== undefined && error.status < 500 && error.status !== 429) {
              return CircuitBreaker.success
            }
            return error.retryAfterSeconds === undefined
              ? CircuitBreaker.failure()
              : CircuitBreaker.failure({ retryAfter: Duration.seconds(error.retryAfterSeconds) })
          }
        }),
        Effect.catchTag("CircuitBreakerError", (error) =>
          Effect.fail(
            new ExternalCallFailed({
              endpoint,
              reason: "CircuitOpen",
              attempts: 0,
              ...(error.reason._tag === "CircuitOpen" ? { retryAfterSeconds: Duration.toSeconds(error.reason.retryAfter) } : {})
            })
          )
        ),
        Effect.onExit((exit) =>
          Metric.update(
            Metric.withAttributes(requests, {
              endpoint,
              outcome: Exit.isSuccess(exit) ? "success" : outcomeOf(exit.cause.reasons.find((reason) => reason._tag === "Fail")?.error)
            }),
            1
          )
        ),
        // The signature of a signed request is no secret, but it is nobody's business in a trace.
        Effect.provideService(Headers.CurrentRedactedNames, ["authorization", "cookie", "webhook-signature", /secret|token|key/i]),
        // With the tracer off (References.TracerEnabled false) the client span is a stand-in whose ids are "noop": no traceparent is sent.
        Effect.provideServiceEffect(HttpClient.TracerPropagationEnabled, References.TracerEnabled),
        Effect.withSpan("ExternalHttp.send", { attributes: { "server.endpoint": endpoint } })
      )
    })
    return ExternalHttp.of({ send })
  })

const outcomeOf = (error: unknown): string =>
  error instanceof ExternalCallFailed ? error.reason.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase() : "defect"

/**
 * ExternalHttp on node:http with an in-process circuit per endpoint. Unless the policy allows
 * private addresses, every connection's DNS answer is checked before the socket connects.
 */
export const layer = (policy: ExternalHttpPolicy = defaultPolicy) =>
  Layer.effect(ExternalHttp, make(policy)).pipe(
    Layer.provide(CircuitBreaker.layerStoreMemory()),
    Layer.provide(
      NodeHttpClient.layerNodeHttpOptions(
        policy.allowPrivateAddresses ? { keepAlive: true } : { keepAlive: true, lookup: guardedLookup as never }
      )
    )
  )
