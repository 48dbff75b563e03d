import { Console, Effect, Random } from "effect"
import { Command, Flag } from "effect/cli"
import { SqlClient, type SqlError } from "effect/sql"
import { type Migrations, runMigrations } from "./Database.ts"

// Demo data for local use (`make seed`) and the benchmark. Each module's step (beside its
// migrations) writes only its own tables, with set-based SQL (INSERT … SELECT over generate_series
// and arrays): a handful of statements whatever the size, so tens of thousands of rows take
// seconds, where going through the use cases would cost a password hash and round trips per row.

/** One size flag of `seed` (`--users 100`). */
export interface SeedSize {
  readonly default: number
  readonly description: string
}

/** What a step is given: this run's token, every size flag, and the ids earlier steps wrote. */
export interface SeedContext {
  /** Random, in this run's names and slugs, so seeding twice adds data instead of failing. */
  readonly run: string
  readonly size: Readonly<Record<string, number>>
  /** By what they are (`users`, `articles`); empty when that step wrote nothing. */
  readonly ids: Readonly<Record<string, ReadonlyArray<number>>>
}

export interface SeedResult {
  /** What the step wrote, in the order the summary line names it: `100 users (…)`. */
  readonly wrote: ReadonlyArray<{ readonly what: string; readonly count: number; readonly note?: string }>
  /** Ids later steps may reference. */
  readonly ids?: Readonly<Record<string, ReadonlyArray<number>>>
}

/** A module's demo data: the size flags it reads and the statements that write its tables. */
export interface SeedStep<R = never> {
  readonly sizes: Readonly<Record<string, SeedSize>>
  readonly write: (context: SeedContext) => Effect.Effect<SeedResult, SqlError.SqlError, SqlClient.SqlClient | R>
}

/** Words of the demo titles, bios and bodies. */
export const DEMO_WORDS = (
  "effect typescript postgres hexagon module port adapter schema layer fiber stream query index " +
  "cache deploy kubernetes trace metric span test contract domain event monolith service router " +
  "migration transaction slug dragon train believe craft build ship learn review design pattern " +
  "latency throughput scale queue batch resolver feature release refactor quality"
).split(" ")

/** Rows affected, from the driver's raw result (`INSERT` without `RETURNING`). */
export const rowCount = (raw: unknown) =>
  typeof raw === "object" && raw !== null && "rowCount" in raw && typeof raw.rowCount === "number" ? raw.rowCount : 0

/**
 * Migrates, then runs every step in order in one transaction and prints one summary line.
 * Answers the count of each kind of row written.
 */
export const seed = <R>(steps: ReadonlyArray<SeedStep<R>>, migrations: Migrations) =>
  Effect.fn("Seed.run")(function* (size: Readonly<Record<string, number>>) {
    const sql = yield* SqlClient.SqlClient
    yield* runMigrations(migrations)
    const run = (yield* Random.nextIntBetween(0, 36 ** 4)).toString(36).padStart(4, "0")
    const started = Date.now()

    const wrote = yield* sql.withTransaction(
      Effect.gen(function* () {
        const ids: Record<string, ReadonlyArray<number>> = {}
        const all: Array<SeedResult["wrote"][number]> = []
        for (const step of steps) {
          const result = yield* step.write({ run, size, ids })
          Object.assign(ids, result.ids)
          all.push(...result.wrote)
        }
        return all
      })
    )
    const parts = wrote.map(({ what, count, note }) => `${count} ${what}${note === undefined ? "" : ` (${note})`}`)
    yield* Console.log(`seeded ${parts.join(", ")} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    return Object.fromEntries(wrote.map(({ what, count }) => [what, count]))
  })

const sizeFlag = (name: string, { default: fallback, description }: SeedSize) =>
  Flag.Int(name).pipe(
    Flag.withDescription(description),
    Flag.withDefault(fallback),
    Flag.filter(
      (n) => n >= 0 && n <= 10_000_000,
      (n) => `--${name} must be from 0 to 10000000, got ${n}`
    )
  )

/** `seed`: every step's size flags, and the run over them. */
export const seedCommand = <R>(steps: ReadonlyArray<SeedStep<R>>, migrations: Migrations) => {
  const sizes = steps.flatMap((step) => Object.entries(step.sizes))
  return Command.make(
    "seed",
    Object.fromEntries(sizes.map(([name, size]) => [name, sizeFlag(name, size)])),
    seed(steps, migrations)
  ).pipe(Command.withDescription(`Fill the database with demo data: ${sizes.map(([name]) => name).join(", ")}`))
}
