import { Layer } from "effect"
import type { NonEmptyReadonlyArray } from "effect/Array"
import { HttpApi } from "effect/http-api"
import { API_ID } from "../platform/http/ModuleApi.ts"
import { eventMigrations } from "../platform/events/Outbox.ts"
import { idempotencyMigrations } from "../platform/idempotency/SqlIdempotencyStore.ts"
import type { Module } from "../platform/Module.ts"
import type { Migrations } from "../platform/sql/Database.ts"
import type { SeedStep } from "../platform/sql/Seed.ts"
import { modules } from "./Modules.ts"

type AnyLayer = Layer.Layer<never, unknown, unknown>

/** One layer of many, keeping the union of their types. */
const merge = <L extends AnyLayer>(layers: ReadonlyArray<L>) =>
  layers.reduce<AnyLayer>((all, layer) => Layer.merge(all, layer), Layer.empty) as Layer.Layer<
    Layer.Success<L>,
    Layer.Error<L>,
    Layer.Services<L>
  >

/** What the modules' seed steps need besides the SqlClient. */
type SeedServices<M> = M extends { readonly seed: SeedStep<infer R> } ? R : never

/** Every module's migrations in one record ordered by id; two modules claiming one id is a bug caught at start-up. */
export const migrationsOf = (modules: ReadonlyArray<Pick<Module, "name" | "migrations">>): Migrations => {
  const claimed = new Map<number, string>()
  const entries = modules.flatMap((module) =>
    Object.entries(module.migrations).map(([key, migration]) => {
      const id = Number(/^(\d+)_[^\s]+$/.exec(key)?.[1] ?? Number.NaN)
      if (!Number.isSafeInteger(id)) throw new Error(`migration "${key}" of ${module.name} must be named <id>_<name>`)
      const owner = claimed.get(id)
      if (owner !== undefined) throw new Error(`migration id ${id} is used by both ${owner} and ${module.name} ("${key}")`)
      claimed.set(id, `${module.name} ("${key}")`)
      return [id, key, migration] as const
    })
  )
  return Object.fromEntries(entries.sort(([a], [b]) => a - b).map(([, key, migration]) => [key, migration]))
}

/**
 * The one fold of the module list into what the entry points build: the HTTP contract, the
 * handlers over the use cases (published ports included), each kind of outbound adapter, the
 * migrations in global order, the seed steps and the operator commands. The server, the CLI and
 * the test harness all take their layers from here, so no use case is wired twice. A new field of
 * the manifest (event consumers, say) is folded here the same way, in one more line.
 */
export const compose = <const Modules extends NonEmptyReadonlyArray<Module>>(modules: Modules) => {
  type Each = Modules[number]
  const groups = modules.flatMap((module) => module.http.groups) as unknown as NonEmptyReadonlyArray<
    Each["http"]["groups"][number]
  >
  const useCases = merge<Each["useCases"]>(modules.map((module) => module.useCases)).pipe(
    Layer.provideMerge(merge<Each["publishes"]>(modules.map((module) => module.publishes)))
  )
  return {
    api: HttpApi.make(API_ID).add(...groups),
    /** Every use case and published port, over the adapters. */
    useCases,
    /** Every group's handlers, over the adapters and the HTTP middleware of `platform/http`. */
    handlers: merge<Each["http"]["handlers"]>(modules.map((module) => module.http.handlers)).pipe(Layer.provide(useCases)),
    sql: merge<Each["adapters"]["sql"]>(modules.map((module) => module.adapters.sql)),
    memory: merge<Each["adapters"]["memory"]>(modules.map((module) => module.adapters.memory)),
    services: merge<Each["adapters"]["services"]>(modules.map((module) => module.adapters.services)),
    migrations: migrationsOf([
      ...modules,
      { name: "platform/events", migrations: eventMigrations(8, 9) },
      { name: "platform/idempotency", migrations: idempotencyMigrations(13) }
    ]),
    /** Every event class some module publishes. */
    events: modules.flatMap((module) => module.events.publishes),
    /** Every module's event consumers; publishing routes each event to those that take its type. */
    consumers: modules.flatMap((module) => module.events.consumers) as Array<Each["events"]["consumers"][number]>,
    seed: modules.flatMap((module) => (module.seed === undefined ? [] : [module.seed])) as Array<
      SeedStep<SeedServices<Each>>
    >,
    commands: modules.flatMap((module) => module.commands) as Array<Each["commands"][number]>
  }
}

export const Application = compose(modules)
