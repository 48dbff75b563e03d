import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import { Command } from "effect/cli"
import { OpenApi } from "effect/http-api"
import { Application } from "./app/Application.ts"
import { ConduitApi } from "./app/ConduitApi.ts"
import { PostgresPersistence, SharedState } from "./app/Infrastructure.ts"
import { AppConfig } from "./platform/config/AppConfig.ts"
import { bootstrapCommand } from "./platform/sql/Bootstrap.ts"
import { Database, runMigrations } from "./platform/sql/Database.ts"
import { seedCommand } from "./platform/sql/Seed.ts"

// Operator commands over the same layers the server uses. `node src/cli.ts --help` lists them.

const migrate = Command.make("migrate", {}, () =>
  runMigrations(Application.migrations).pipe(
    Effect.flatMap((applied) => Console.log(applied.length === 0 ? "schema is up to date" : `applied ${applied.length} migration(s)`)),
    Effect.provide(Database.layerConfig)
  )
).pipe(Command.withDescription("Apply pending database migrations"))

const openapi = Command.make("openapi", {}, () => Console.log(JSON.stringify(OpenApi.fromApi(ConduitApi), null, 2))).pipe(
  Command.withDescription("Print the OpenAPI document of the HTTP API")
)

const seed = seedCommand(Application.seed, Application.migrations)

/**
 * Every use case on PostgreSQL, for the modules' commands (built only when one of them runs), with the
 * servers' cache so a command's writes invalidate what they serve.
 */
const UseCases = Application.useCases.pipe(
  Layer.provide([PostgresPersistence, SharedState, Application.services]),
  Layer.provide(AppConfig.layer)
)

const cli = Command.make("hexa-monolith").pipe(
  Command.withDescription("hexa-monolith operator commands"),
  Command.withSubcommands([
    bootstrapCommand,
    migrate,
    openapi,
    ...Application.commands.map((command) => command.pipe(Command.provide(UseCases))),
    seed.pipe(Command.provide(Layer.merge(Database.layerConfig, Application.services.pipe(Layer.provide(AppConfig.layer)))))
  ])
)

cli.pipe(Command.run({ version: "0.1.0" }), Effect.provide(NodeServices.layer), NodeRuntime.runMain)
