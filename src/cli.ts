import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import { Command } from "effect/cli"
import { OpenApi } from "effect/http-api"
import { ConduitApi } from "./app/ConduitApi.ts"
import { migrations } from "./app/Migrations.ts"
import { PostgresPersistence } from "./app/Persistence.ts"
import { seedCommand } from "./app/Seed.ts"
import { UserAccounts } from "./modules/users/application/UserAccounts.ts"
import { usersCommand } from "./modules/users/adapters/cli/UsersCli.ts"
import { JwtTokenService } from "./modules/users/adapters/crypto/JwtTokenService.ts"
import { ScryptPasswordHasher } from "./modules/users/adapters/crypto/ScryptPasswordHasher.ts"
import { AppConfig } from "./platform/config/AppConfig.ts"
import { eventsCommand } from "./platform/events/EventsCli.ts"
import { OutboxAdmin } from "./platform/events/OutboxAdmin.ts"
import { PgLive, runMigrations } from "./platform/sql/Database.ts"

// Operator commands over the same layers the server uses. `node src/cli.ts --help` lists them.

const migrate = Command.make("migrate", {}, () =>
  runMigrations(migrations).pipe(
    Effect.flatMap((applied) => Console.log(applied.length === 0 ? "schema is up to date" : `applied ${applied.length} migration(s)`)),
    Effect.provide(PgLive)
  )
).pipe(Command.withDescription("Apply pending database migrations"))

const openapi = Command.make("openapi", {}, () => Console.log(JSON.stringify(OpenApi.fromApi(ConduitApi), null, 2))).pipe(
  Command.withDescription("Print the OpenAPI document of the HTTP API")
)

/** Use cases on PostgreSQL, for commands that act on the domain. */
const Application = Layer.mergeAll(UserAccounts.layer).pipe(
  Layer.provide([ScryptPasswordHasher.layer, JwtTokenService.layer]),
  Layer.provideMerge(PostgresPersistence),
  Layer.provide(AppConfig.layer)
)

const cli = Command.make("hexa-monolith").pipe(
  Command.withDescription("hexa-monolith operator commands"),
  Command.withSubcommands([
    migrate,
    openapi,
    usersCommand.pipe(Command.provide(Application)),
    eventsCommand.pipe(Command.provide(OutboxAdmin.layerSql.pipe(Layer.provide(PgLive)))),
    seedCommand.pipe(Command.provide(Layer.mergeAll(PgLive, ScryptPasswordHasher.layer)))
  ])
)

cli.pipe(Command.run({ version: "0.1.0" }), Effect.provide(NodeServices.layer), NodeRuntime.runMain)
