import { Context, Duration, type Effect, Schema } from "effect"

// The port for calling an HTTP API outside the monolith. Callers say what to send; the adapter owns
// how it is sent safely: a timeout per attempt, retries only where a retry can help, a circuit per
// endpoint, a bound on concurrent calls, trace context, no redirects and a capped response body.

export interface OutboundRequest {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  /** Sent as is, with the content type given. */
  readonly body?: { readonly contentType: string; readonly text: string }
  /**
   * Built again for every attempt (a signature over a fresh timestamp, say); its headers are added
   * to `headers`. Without it every attempt sends the same request.
   */
  readonly perAttempt?: () => Readonly<Record<string, string>>
}

export interface OutboundResponse {
  /** A 2xx status: anything else is an `ExternalCallFailed`. */
  readonly status: number
  /** At most the adapter's cap, decoded as UTF-8. Never logged. */
  readonly body: string
}

/**
 * Why a call failed, after the adapter's own retries. `Refused` and `CircuitOpen` never reached
 * the endpoint; `Status` carries the last answer's status; `Retry-After` (seconds) when it sent one.
 */
export class ExternalCallFailed extends Schema.TaggedError<ExternalCallFailed>()("ExternalCallFailed", {
  endpoint: Schema.String,
  reason: Schema.Literals(["Timeout", "Unreachable", "Refused", "Status", "CircuitOpen"]),
  status: Schema.optional(Schema.Int),
  attempts: Schema.Int,
  retryAfterSeconds: Schema.optional(Schema.Number)
}) {
  override get message() {
    const status = this.status === undefined ? "" : ` ${this.status}`
    return `${this.endpoint}: ${this.reason}${status} after ${this.attempts} attempt(s)`
  }
}

export class ExternalHttp extends Context.Service<
  ExternalHttp,
  { readonly send: (request: OutboundRequest) => Effect.Effect<OutboundResponse, ExternalCallFailed> }
>()("app/platform/ExternalHttp") {}

/** How the adapter treats every endpoint; the defaults suit a webhook receiver. */
export interface ExternalHttpPolicy {
  /** One attempt's budget, connection to last byte. */
  readonly timeout: Duration.Duration
  /** Attempts per call, the first included (network errors, timeouts, 5xx and 429 are retried). */
  readonly attempts: number
  /** First retry delay; doubled each time, jittered. */
  readonly retryBase: Duration.Duration
  /** A longer `Retry-After` ends the call (the caller retries later) instead of waiting in it. */
  readonly maxRetryAfter: Duration.Duration
  /** Consecutive failed calls that open an endpoint's circuit. */
  readonly tripAfter: number
  /** How long a circuit first stays open; doubled on each reopening, up to `maxOpen`. */
  readonly openFor: Duration.Duration
  readonly maxOpen: Duration.Duration
  /** Calls in flight to one endpoint; more wait their turn. */
  readonly concurrencyPerEndpoint: number
  /** Bytes of a response body kept; the rest is not read. */
  readonly maxResponseBytes: number
  /** Loopback, link-local and private addresses allowed (tests, in-cluster receivers). */
  readonly allowPrivateAddresses: boolean
}

export const defaultPolicy: ExternalHttpPolicy = {
  timeout: Duration.seconds(10),
  attempts: 3,
  retryBase: Duration.millis(250),
  maxRetryAfter: Duration.seconds(10),
  tripAfter: 5,
  openFor: Duration.seconds(5),
  maxOpen: Duration.minutes(5),
  concurrencyPerEndpoint: 4,
  maxResponseBytes: 64 * 1024,
  allowPrivateAddresses: false
}
