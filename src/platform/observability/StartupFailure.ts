import { Cause, Config, Effect, Option } from "effect"
import { problemsOf } from "../config/Settings.ts"

/** The fields of the errors met here: Node's system errors, effect's tagged ones, SqlError's reason. */
interface Failure {
  readonly message?: string
  readonly cause?: unknown
  readonly _tag?: string
  readonly code?: string
  readonly syscall?: string
  readonly port?: number
  readonly reason?: { readonly _tag?: string }
}

/** The error and the errors it wraps (`cause`), outermost first. */
const chain = (error: unknown): Array<Failure> => {
  const errors: Array<Failure> = []
  for (let current = error; typeof current === "object" && current !== null && errors.length < 10; current = (current as Failure).cause)
    errors.push(current as Failure)
  return errors
}

/** Where DATABASE_URL points, without user or password. */
const databaseHost = Config.String("DATABASE_URL").pipe(
  Config.option,
  Config.map(Option.flatMap((url) => Option.fromNullishOr(URL.parse(url)))),
  Config.map(Option.match({ onNone: () => "the configured host", onSome: (url) => url.host })),
  Config.orElse(() => Config.succeed("the configured host"))
)

/**
 * One log entry for a server that cannot start (or stops on an error), worded for the person on call
 * and written by the start-up logger, so with LOG_FORMAT=json it is one JSON line like any other:
 * every configuration problem with its key, a port in use with its number, an unreachable database
 * with its host and key; anything else with its cause.
 */
export const reportStartupFailure = (cause: Cause.Cause<unknown>) =>
  Effect.gen(function* () {
    const errors = chain(Cause.squash(cause))
    const [error] = errors
    const innermost = errors.at(-1)?.message ?? String(error)
    if (error instanceof Config.ConfigError) {
      const problems = problemsOf(error)
      return yield* Effect.logFatal(
        `invalid configuration: ${problems.map(({ key, problem }) => `${key} ${problem}`).join("; ")}`,
        { problems }
      )
    }
    const listen = errors.find((e) => e.syscall === "listen")
    if (listen?.code === "EADDRINUSE")
      return yield* Effect.logFatal(`port ${listen.port} is already in use: stop the other server or set PORT to a free port`)
    if (listen !== undefined) return yield* Effect.logFatal(`cannot listen on port ${listen.port} (PORT): ${listen.message}`)
    const sql = errors.find((e) => e._tag === "SqlError")
    if (sql?.reason?._tag === "ConnectionError" || sql?.reason?._tag === "AuthenticationError") {
      const host = yield* databaseHost
      return yield* Effect.logFatal(`cannot connect to the database at ${host} (DATABASE_URL): ${innermost}`)
    }
    return yield* Effect.logFatal("the server stopped on an error", { error: Cause.pretty(cause) })
  })
