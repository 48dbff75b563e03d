import { Config, Console, Effect, Option, Redacted } from "effect"
import { Command, Flag } from "effect/cli"
import { SqlClient } from "effect/sql"
import { Database } from "./Database.ts"

export interface BootstrapOptions {
  /** Owns the schema and runs migrations (DDL): the migration Job's DATABASE_URL. */
  readonly migrationRole: string
  /** Reads and writes rows, nothing else: the app's DATABASE_URL. */
  readonly appRole: string
  readonly schema: string
  /** Most sessions the app role may open: (HPA max + surge) × DATABASE_POOL_MAX, with room to spare. */
  readonly appConnectionLimit: number
  /** The migration Job needs two (its lock session and one more); a few for an operator's psql. */
  readonly migrationConnectionLimit: number
  readonly appPassword?: Redacted.Redacted<string> | undefined
  readonly migrationPassword?: Redacted.Redacted<string> | undefined
}

export const defaultBootstrap: BootstrapOptions = {
  migrationRole: "conduit_migrator",
  appRole: "conduit_app",
  schema: "public",
  appConnectionLimit: 90,
  migrationConnectionLimit: 4
}

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`

/**
 * The statements that give the service least privilege on the current database, idempotent (run it
 * again after adding a role or rotating a password): a migration role that owns the schema's objects,
 * and an app role with DML on them and nothing else — no DDL, no TRUNCATE, no ownership — through
 * grants on what exists and default privileges on whatever the migration role creates later.
 * Run by an administrator: the database owner with CREATEROLE (RDS/Cloud SQL's admin user) or a superuser.
 * `reveal` puts the passwords into the text; without it they stay `<redacted>` (for printing).
 */
export const bootstrapStatements = (o: BootstrapOptions, reveal = false): Array<string> => {
  const m = ident(o.migrationRole)
  const a = ident(o.appRole)
  const s = ident(o.schema)
  const password = (p: Redacted.Redacted<string> | undefined) =>
    p === undefined ? "" : ` PASSWORD ${reveal ? literal(Redacted.value(p)) : "'<redacted>'"}`
  const createRole = (role: string) =>
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(role)}) THEN CREATE ROLE ${ident(role)}; END IF; END $$`
  return [
    createRole(o.migrationRole),
    createRole(o.appRole),
    `ALTER ROLE ${m} LOGIN NOCREATEDB NOCREATEROLE CONNECTION LIMIT ${o.migrationConnectionLimit}${password(o.migrationPassword)}`,
    `ALTER ROLE ${a} LOGIN NOCREATEDB NOCREATEROLE CONNECTION LIMIT ${o.appConnectionLimit}${password(o.appPassword)}`,
    // The administrator must be able to act as the migration role to hand it objects and set its defaults.
    `GRANT ${m} TO CURRENT_USER`,
    // Only these roles connect, and nobody else creates objects in the schema.
    `DO $$ BEGIN EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()); EXECUTE format('GRANT CONNECT ON DATABASE %I TO ${m}, ${a}', current_database()); END $$`,
    `REVOKE CREATE ON SCHEMA ${s} FROM PUBLIC`,
    `GRANT USAGE, CREATE ON SCHEMA ${s} TO ${m}`,
    `GRANT USAGE ON SCHEMA ${s} TO ${a}`,
    // Objects an earlier set-up created as another role (tables, views, sequences, functions) move to the migration role.
    `DO $$ DECLARE r record; BEGIN
      FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ${literal(o.schema)} AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
          AND pg_get_userbyid(c.relowner) <> ${literal(o.migrationRole)}
          AND NOT (c.relkind = 'S' AND EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
      LOOP
        EXECUTE format('ALTER %s %I.%I OWNER TO %I', CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, ${literal(o.schema)}, r.relname, ${literal(o.migrationRole)});
      END LOOP;
      FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = ${literal(o.schema)} AND pg_get_userbyid(p.proowner) <> ${literal(o.migrationRole)}
      LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %I', r.fn, ${literal(o.migrationRole)});
      END LOOP;
    END $$`,
    // What exists now…
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${a}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${a}`,
    `GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${s} TO ${a}`,
    // …and whatever the migration role creates from now on.
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${m} IN SCHEMA ${s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${a}`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${m} IN SCHEMA ${s} GRANT USAGE, SELECT ON SEQUENCES TO ${a}`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${m} IN SCHEMA ${s} GRANT EXECUTE ON FUNCTIONS TO ${a}`,
    // The migrations' own bookkeeping is read-only to the app.
    `CREATE TABLE IF NOT EXISTS ${s}.effect_sql_migrations (migration_id integer PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(), name text NOT NULL)`,
    `ALTER TABLE ${s}.effect_sql_migrations OWNER TO ${m}`,
    `REVOKE ALL ON ${s}.effect_sql_migrations FROM ${a}`,
    `GRANT SELECT ON ${s}.effect_sql_migrations TO ${a}`
  ]
}

/** Runs the bootstrap on the database the client is connected to, one statement at a time. */
export const bootstrapDatabase = (options: BootstrapOptions) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.withTransaction(
      Effect.forEach(bootstrapStatements(options, true), (statement) => sql.unsafe(statement), { discard: true })
    )
  })

const role = (name: string, fallback: string, description: string) =>
  Flag.String(name).pipe(Flag.withDescription(description), Flag.withDefault(fallback))
const limit = (name: string, fallback: number, description: string) =>
  Flag.Int(name).pipe(Flag.withDescription(description), Flag.withDefault(fallback))
const password = (variable: string) => Config.Redacted(variable).pipe(Config.option)

/**
 * `db-bootstrap`: creates or updates the two roles and their privileges, connected as an administrator
 * through DATABASE_URL. Passwords come from APP_DB_PASSWORD and MIGRATION_DB_PASSWORD (never argv);
 * `--print` shows the statements without running them.
 */
export const bootstrapCommand = Command.make(
  "db-bootstrap",
  {
    appRole: role("app-role", defaultBootstrap.appRole, "role the app connects as (DML only)"),
    migrationRole: role("migration-role", defaultBootstrap.migrationRole, "role migrations run as (owns the schema)"),
    schema: role("schema", defaultBootstrap.schema, "schema the migrations create their tables in"),
    appConnectionLimit: limit("app-connection-limit", defaultBootstrap.appConnectionLimit, "most sessions of the app role"),
    migrationConnectionLimit: limit(
      "migration-connection-limit",
      defaultBootstrap.migrationConnectionLimit,
      "most sessions of the migration role"
    ),
    print: Flag.Boolean("print").pipe(Flag.withDescription("print the statements (passwords redacted), run nothing"))
  },
  Effect.fn(function* ({ print, ...flags }) {
    const options: BootstrapOptions = {
      ...flags,
      appPassword: Option.getOrUndefined(yield* password("APP_DB_PASSWORD")),
      migrationPassword: Option.getOrUndefined(yield* password("MIGRATION_DB_PASSWORD"))
    }
    if (print) return yield* Console.log(bootstrapStatements(options).map((s) => `${s};`).join("\n"))
    yield* bootstrapDatabase(options).pipe(Effect.provide(Database.layerConfig))
    yield* Console.log(
      `roles ${options.migrationRole} (schema owner) and ${options.appRole} (DML only) are set up` +
        (options.appPassword === undefined ? "; no APP_DB_PASSWORD given, password unchanged" : "")
    )
  })
).pipe(Command.withDescription("Create or update the migration and app roles with least privilege (as an administrator)"))
