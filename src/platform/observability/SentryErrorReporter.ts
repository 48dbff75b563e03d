import { type BaseTransportOptions, createStackParser, createTransport, Scope } from "@sentry/core"
import { nodeStackLineParser, ServerRuntimeClient } from "@sentry/core/server"
import { Cause, Effect, Layer, Redacted } from "effect"
import { ErrorReporter, type FailureContext } from "./ErrorReporter.ts"

/** Sentry's envelope endpoint over the runtime's fetch: no HTTP instrumentation, no global hooks. */
const fetchTransport = (options: BaseTransportOptions) =>
  createTransport(options, async (request) => {
    const response = await fetch(options.url, {
      method: "POST",
      body: request.body,
      headers: { "content-type": "application/x-sentry-envelope", ...options.headers }
    })
    return {
      statusCode: response.status,
      headers: {
        "x-sentry-rate-limits": response.headers.get("x-sentry-rate-limits"),
        "retry-after": response.headers.get("retry-after")
      }
    }
  })

const toError = (cause: Cause.Cause<unknown>): unknown => {
  const error = Cause.squash(cause)
  return error instanceof Error ? error : new Error(`non-error failure: ${String(error)}`)
}

const scopeFor = (context: FailureContext) => {
  const scope = new Scope()
  if (context.requestId !== undefined) scope.setTag("request_id", context.requestId)
  if (context.method !== undefined) scope.setTag("http.method", context.method)
  if (context.route !== undefined) scope.setTag("http.route", context.route)
  if (context.traceId !== undefined && context.spanId !== undefined)
    scope.setContext("trace", { trace_id: context.traceId, span_id: context.spanId })
  return scope
}

export interface SentryOptions {
  readonly dsn: Redacted.Redacted<string>
  readonly environment: string
  readonly release?: string | undefined
}

/**
 * The ErrorReporter adapter for Sentry (SENTRY_DSN). It uses @sentry/core's server client directly
 * rather than @sentry/node: that one installs its own OpenTelemetry SDK and patches `http`, which
 * would duplicate the tracing this app already does and cost on every request. Events carry the
 * error, its stack, and the request id, route and trace id: no bodies, headers or user data.
 * Queued events are flushed (2 s at most) when the process stops.
 */
const layer = (options: SentryOptions) =>
  Layer.effect(
    ErrorReporter,
    Effect.gen(function* () {
      const client = yield* Effect.acquireRelease(
        Effect.sync(() => {
          const client = new ServerRuntimeClient({
            dsn: Redacted.value(options.dsn),
            environment: options.environment,
            ...(options.release === undefined ? {} : { release: options.release }),
            platform: "node",
            runtime: { name: "node", version: process.version },
            sendDefaultPii: false,
            integrations: [],
            transport: fetchTransport,
            stackParser: createStackParser(nodeStackLineParser())
          })
          client.init()
          return client
        }),
        (client) => Effect.promise(() => Promise.resolve(client.close(2000))).pipe(Effect.ignore)
      )
      return ErrorReporter.of({
        report: (cause, context) =>
          Effect.sync(() => {
            const error = toError(cause)
            client.captureException(error, { originalException: error }, scopeFor(context))
          }).pipe(Effect.ignore)
      })
    })
  )

export const SentryErrorReporter = { layer }
