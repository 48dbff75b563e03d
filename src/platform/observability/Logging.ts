import { mkdirSync, createWriteStream, type WriteStream } from "node:fs"
import { join } from "node:path"
import { Cause, Effect, Layer, Logger, type LogLevel, References } from "effect"
import { recordedSpan } from "./Spans.ts"

/** Keys whose values never reach a log line, wherever they sit in a logged object. */
const secretKey = /pass(word|wd)?|secret|token|authorization|cookie|dsn|api[-_]?key|credential/i

const redactSecrets = (key: string, value: unknown) =>
  key !== "" && typeof value === "string" && secretKey.test(key) ? "[redacted]" : value

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype

/**
 * One log entry as a flat JSON object: `timestamp`, `level` (lower case), `message`, `trace_id` and
 * `span_id` of the current span, every log annotation (`request_id`, …), plain-object arguments
 * merged in as fields (access lines: `route`, `status`, `duration_ms`), and `error` with the
 * pretty-printed cause when there is one.
 */
export const toJsonLine = ({ cause, date, fiber, logLevel, message }: Logger.Options<unknown>): string => {
  const record: Record<string, unknown> = { timestamp: date.toISOString(), level: logLevel.toLowerCase(), message: "" }
  const texts: Array<unknown> = []
  for (const part of Array.isArray(message) ? message : [message]) {
    if (isPlainObject(part)) Object.assign(record, part)
    else texts.push(part)
  }
  record.message = texts.length === 1 ? texts[0] : texts.join(" ")
  const span = recordedSpan(fiber.cache.span)
  if (span !== undefined) {
    record.trace_id = span.traceId
    record.span_id = span.spanId
  }
  const annotations = fiber.getRef(References.CurrentLogAnnotations)
  for (const key in annotations) record[key] = annotations[key]
  if (cause.reasons.length > 0) record.error = Cause.pretty(cause)
  return JSON.stringify(record, redactSecrets)
}

/** A logger writing JSON lines to `write` (stdout in production; tests pass their own sink). */
export const jsonLogger = (write: (line: string) => void) => Logger.make((options) => write(`${toJsonLine(options)}\n`))

const writeStdout = (line: string) => {
  process.stdout.write(line)
}

/** Levels at or above `Error` also go to `error.log`. */
const isError = (level: LogLevel.LogLevel) => level === "Error" || level === "Fatal"

const appendStream = (path: string) =>
  Effect.acquireRelease(
    Effect.sync(() => createWriteStream(path, { flags: "a" })),
    (stream: WriteStream) =>
      Effect.callback<void>((resume) => {
        stream.end(() => resume(Effect.void))
      })
  )

/**
 * `app.log` (every line) and `error.log` (errors only) in `dir`, as JSON lines, besides stdout.
 * Fails at start-up when the folder cannot be created.
 */
const fileLoggers = (dir: string) =>
  Effect.gen(function* () {
    yield* Effect.try({
      try: () => mkdirSync(dir, { recursive: true }),
      catch: (error) => new Error(`LOG_DIR ${dir} is not usable: ${String(error)}`)
    })
    const app = yield* appendStream(join(dir, "app.log"))
    const errors = yield* appendStream(join(dir, "error.log"))
    return Logger.make((options) => {
      const line = `${toJsonLine(options)}\n`
      app.write(line)
      if (isError(options.logLevel)) errors.write(line)
    })
  })

export interface LoggingOptions {
  readonly format: "json" | "pretty"
  readonly level: LogLevel.LogLevel
  readonly dir: string | undefined
}

/**
 * JSON lines on stdout for machines (one object per line), readable lines for people, optional log
 * files, and the minimum level.
 */
const layer = (options: LoggingOptions) =>
  Layer.mergeAll(
    Logger.layer([
      options.format === "json" ? jsonLogger(writeStdout) : Logger.consolePretty(),
      // Log lines are not copied into spans as events: they already carry trace_id and span_id, and
      // the copies cost sampled requests about as much again as their spans (bench/README.md).
      ...(options.dir === undefined ? [] : [fileLoggers(options.dir)])
    ]),
    Layer.succeed(References.MinimumLogLevel, options.level)
  )

export const Logging = { layer }
