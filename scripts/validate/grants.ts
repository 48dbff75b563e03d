// The database bootstrap against a real PostgreSQL: the roles it creates, the migrations run as the
// migration role, then every table, sequence and function they created is checked from the app role's
// side: it must read and write rows everywhere (else `permission denied` on first use, while
// /health/ready's SELECT 1 stays green), and must not own, create, truncate or alter anything.
import { spawnSync } from "node:child_process"
import { randomUUID } from "node:crypto"
import { chmodSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { Redacted } from "effect"
import pg from "pg"
import { type BootstrapOptions, bootstrapStatements, defaultBootstrap } from "../../src/platform/sql/Bootstrap.ts"
import { startEmbeddedPostgres } from "../embedded-postgres.ts"
import { root } from "./lib.ts"

type Query = (text: string, values?: ReadonlyArray<unknown>) => Promise<Array<Record<string, unknown>>>

const connect = async (url: string): Promise<{ query: Query; end: () => Promise<void> }> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  return {
    query: async (text, values) => (await client.query(text, values as Array<unknown>)).rows,
    end: () => client.end()
  }
}

const withDatabase = (serverUrl: string, database: string, user?: string, password?: string): string => {
  const url = new URL(serverUrl)
  url.pathname = `/${database}`
  if (user !== undefined) url.username = user
  if (password !== undefined) url.password = password
  return url.toString()
}

/** What the app role may not do, and what it lacks, on every object the migrations created. */
export const appRoleProblems = async (query: Query, o: BootstrapOptions, source: string): Promise<Array<string>> => {
  const problems: Array<string> = []
  const at = `${source}: app role ${o.appRole}`
  const [role] = await query(
    "SELECT rolsuper, rolcreatedb, rolcreaterole, rolconnlimit FROM pg_roles WHERE rolname = $1",
    [o.appRole]
  )
  if (!role) return [`${at} does not exist after the bootstrap`]
  if (role.rolsuper || role.rolcreatedb || role.rolcreaterole)
    problems.push(`${at} is a superuser or may create databases or roles`)
  if (Number(role.rolconnlimit) < 0) problems.push(`${at} has no connection limit`)
  const [schema] = await query("SELECT has_schema_privilege($1, $2, 'CREATE') AS can_create", [o.appRole, o.schema])
  if (schema?.can_create) problems.push(`${at} may create objects in schema ${o.schema} (DDL)`)
  const tables = await query(
    `SELECT c.relname AS name, c.relkind AS kind, pg_get_userbyid(c.relowner) AS owner
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'S')`,
    [o.schema]
  )
  if (tables.length === 0) problems.push(`${source}: the migrations created no table in schema ${o.schema}`)
  for (const t of tables) {
    const name = String(t.name)
    const qualified = `${o.schema}.${name}`
    if (t.owner === o.appRole) problems.push(`${at} owns ${name}, so it could alter or drop it`)
    if (t.kind === "S") {
      const [p] = await query("SELECT has_sequence_privilege($1, $2, 'USAGE') AS ok", [o.appRole, qualified])
      if (!p?.ok) problems.push(`${at} lacks USAGE on sequence ${name}`)
      continue
    }
    const bookkeeping = name === "effect_sql_migrations"
    for (const privilege of ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]) {
      const [p] = await query("SELECT has_table_privilege($1, $2, $3) AS ok", [o.appRole, qualified, privilege])
      const wanted = privilege === "SELECT" || (!bookkeeping && ["INSERT", "UPDATE", "DELETE"].includes(privilege))
      if (wanted && !p?.ok)
        problems.push(
          `${at} lacks ${privilege} on table ${name}: the bootstrap's grants and default privileges do not cover it`
        )
      if (!wanted && p?.ok) problems.push(`${at} has ${privilege} on table ${name}, which the app never needs`)
    }
  }
  const functions = await query(
    `SELECT p.oid::regprocedure::text AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1`,
    [o.schema]
  )
  for (const f of functions) {
    const [p] = await query("SELECT has_function_privilege($1, $2, 'EXECUTE') AS ok", [o.appRole, f.name])
    if (!p?.ok) problems.push(`${at} lacks EXECUTE on function ${String(f.name)}`)
  }
  return problems
}

/**
 * Bootstraps a fresh database (through `edit`, which the self-test uses to break it), migrates it with
 * `node src/cli.ts migrate` as the migration role, and checks the app role's privileges.
 * The server: REHEARSAL_DATABASE_URL (a superuser's URL) when set, else an embedded PostgreSQL.
 */
export const checkBootstrapGrants = async (
  edit: (statements: Array<string>) => Array<string> = (s) => s,
  source = "db-bootstrap"
): Promise<Array<string>> => {
  const suffix = randomUUID().replaceAll("-", "").slice(0, 10)
  const options: BootstrapOptions = {
    ...defaultBootstrap,
    appRole: `validate_app_${suffix}`,
    migrationRole: `validate_migrator_${suffix}`,
    appPassword: Redacted.make(`app-${suffix}`),
    migrationPassword: Redacted.make(`migrator-${suffix}`)
  }
  const database = `validate_grants_${suffix}`
  let stop: (() => Promise<void>) | undefined
  let work: string | undefined
  let serverUrl = process.env.REHEARSAL_DATABASE_URL
  if (!serverUrl) {
    work = mkdtempSync(path.join(tmpdir(), "validate-grants-"))
    chmodSync(work, 0o755) // PostgreSQL runs as its own user when we are root
    const server = await startEmbeddedPostgres({ dataDir: path.join(work, "data"), persistent: false, durable: false })
    serverUrl = server.url
    stop = server.stop
  }
  const server = await connect(serverUrl)
  try {
    await server.query(`CREATE DATABASE ${database}`)
    const admin = await connect(withDatabase(serverUrl, database))
    try {
      for (const statement of edit(bootstrapStatements(options, true))) await admin.query(statement)
    } finally {
      await admin.end()
    }
    const migrate = spawnSync(process.execPath, ["src/cli.ts", "migrate"], {
      cwd: root,
      encoding: "utf8",
      env: {
        ...process.env,
        DATABASE_URL: withDatabase(
          serverUrl,
          database,
          options.migrationRole,
          Redacted.value(options.migrationPassword!)
        ),
        DATABASE_POOL_MAX: "2",
        LOG_LEVEL: "Warn"
      }
    })
    if (migrate.status !== 0)
      return [
        `${source}: migrations failed as the migration role ${options.migrationRole}: ${(migrate.stdout + migrate.stderr).trim().slice(-1500)}`
      ]
    const app = await connect(withDatabase(serverUrl, database, options.appRole, Redacted.value(options.appPassword!)))
    try {
      return await appRoleProblems(app.query, options, source)
    } finally {
      await app.end()
    }
  } finally {
    await server.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined)
    for (const role of [options.appRole, options.migrationRole])
      await server.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined)
    await server.end()
    await stop?.()
    if (work) rmSync(work, { recursive: true, force: true })
  }
}
