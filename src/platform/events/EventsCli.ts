import { Console, Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { OutboxAdmin } from "./OutboxAdmin.ts"

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) => {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)))
  const line = (cells: ReadonlyArray<string>) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ").trimEnd()
  return [line(header), ...rows.map(line)].join("\n")
}

/** `events status`: per consumer what is pending, in flight and parked, and the latest dead letters. */
const status = Command.make(
  "status",
  { limit: Flag.Int("limit").pipe(Flag.withDescription("dead letters to list"), Flag.withDefault(20)) },
  Effect.fn(function* ({ limit }) {
    const admin = yield* OutboxAdmin
    const backlog = yield* admin.backlog
    yield* Console.log(
      backlog.length === 0
        ? "no pending or parked events"
        : table(
            ["consumer", "pending", "in flight", "dead letters", "lag (s)"],
            backlog.map((row) => [row.consumer, `${row.pending}`, `${row.inFlight}`, `${row.deadLetters}`, row.lagSeconds.toFixed(1)])
          )
    )
    const letters = yield* admin.deadLetters(limit)
    if (letters.length === 0) return
    yield* Console.log(
      `\ndead letters (newest first; retry with \`events retry --consumer <name>\` or \`events retry <id>\`):\n` +
        table(
          ["id", "consumer", "type", "attempts", "parked at", "last failure"],
          letters.map((letter) => [
            letter.id,
            letter.consumer,
            letter.eventType ?? "?",
            `${letter.attempts}`,
            letter.parkedAt.toISOString(),
            (letter.lastFailure ?? "").split("\n")[0]?.slice(0, 120) ?? ""
          ])
        )
    )
  })
).pipe(Command.withDescription("Show each event consumer's backlog and the dead letters"))

/** `events retry [id] [--consumer name]`: puts dead letters back in line with a fresh attempt budget. */
const retry = Command.make(
  "retry",
  {
    id: Argument.String("id").pipe(Argument.withDescription("one event id (all dead letters when omitted)"), Argument.optional),
    consumer: Flag.String("consumer").pipe(Flag.withDescription("only this consumer's dead letters"), Flag.optional)
  },
  Effect.fn(function* ({ id, consumer }) {
    const admin = yield* OutboxAdmin
    const count = yield* admin.retry({ id: Option.getOrUndefined(id), consumer: Option.getOrUndefined(consumer) })
    yield* Console.log(count === 0 ? "no dead letters matched" : `${count} dead letter(s) back in line`)
  })
).pipe(Command.withDescription("Retry dead letters (all, one consumer's, or one event)"))

export const eventsCommand = Command.make("events").pipe(
  Command.withDescription("Inspect and retry the domain events outbox"),
  Command.withSubcommands([status, retry])
)
