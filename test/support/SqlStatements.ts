import { Effect, Layer, Tracer } from "effect"

// Counts the SQL statements a piece of work runs, from the span effect/sql opens around each one
// (it carries the statement text as `db.query.text`). Provide `RecordingTracer` to the layer under
// test (the server's fibers inherit it), then measure with `statementsDuring`.

const recorded: Array<Tracer.NativeSpan> = []

const layer = Layer.succeed(
  Tracer.Tracer,
  Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      recorded.push(span)
      return span
    }
  })
)

const statements = (from: number) =>
  recorded
    .slice(from)
    .map((span) => span.attributes.get("db.query.text"))
    .filter((text): text is string => typeof text === "string")

/** The SQL statements (their text, in order) run while `effect` ran. Not for concurrent tests. */
export const statementsDuring = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const mark = recorded.length
    const result = yield* effect
    return { result, statements: statements(mark) }
  })

export const RecordingTracer = { layer }
