import type { Layer } from "effect"
import type { NonEmptyReadonlyArray } from "effect/Array"
import type { Command } from "effect/cli"
import type { HttpApiGroup } from "effect/http-api"
import type { Migrations } from "./sql/Database.ts"
import type { SeedStep } from "./sql/Seed.ts"

type AnyLayer = Layer.Layer<never, unknown, unknown>

/**
 * What a module hands the composition root, in one value (its `module.ts`). `src/app/` folds the
 * ordered list of these into the HTTP contract and the layer graphs of the server, the CLI and the
 * test harness, so each part is wired once. Plain data: no reflection, no decorators; every layer
 * keeps its inferred type, so a missing port is a type error in `src/app/`, not a runtime one.
 *
 * New kinds of inbound adapter (event consumers, scheduled jobs) join as one more field here and
 * one more line in the fold.
 */
export interface Module {
  /** The module's folder under `src/modules/`. */
  readonly name: string
  /** Its groups of the one HTTP API (see `http/ModuleApi.ts`) and the layer of their handlers. */
  readonly http: {
    readonly groups: NonEmptyReadonlyArray<HttpApiGroup.Constraint>
    readonly handlers: AnyLayer
  }
  /** Its use cases, over its ports. */
  readonly useCases: AnyLayer
  /**
   * Ports it publishes to other modules that are built over other ports rather than an adapter
   * (they reach every module's use cases and handlers). `Layer.empty` when there are none.
   */
  readonly publishes: AnyLayer
  /** Its outbound adapters: storage, one of `sql` or `memory` picked by STORAGE, and the others. */
  readonly adapters: {
    readonly sql: AnyLayer
    readonly memory: AnyLayer
    /** Adapters that do not depend on the storage choice (crypto, HTTP clients); `Layer.empty` if none. */
    readonly services: AnyLayer
  }
  /** Its schema changes, keyed `<id>_<name>`; ids are global and never reused (the fold checks). */
  readonly migrations: Migrations
  /** Its demo data for `make seed`, written beside its migrations; steps run in module order. */
  readonly seed?: SeedStep<unknown>
  /** Its operator commands (`node src/cli.ts <command>`), run over the use cases on PostgreSQL. */
  readonly commands: ReadonlyArray<Command.Command.Any>
}

export const Module = {
  /** Checks a manifest against the shape while keeping every field's own type. */
  make: <const M extends Module>(module: M): M => module
}
