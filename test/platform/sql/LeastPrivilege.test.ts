import { randomUUID } from "node:crypto"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import { inject } from "vitest"
import { Application } from "../../../src/app/Application.ts"
import { SqlAdapters } from "../../../src/app/Infrastructure.ts"
import { bootstrapDatabase, defaultBootstrap } from "../../../src/platform/sql/Bootstrap.ts"
import { Database, runMigrations } from "../../../src/platform/sql/Database.ts"
import { sqlState } from "../../../src/platform/sql/Migrator.ts"
import { call, TestServer } from "../../support/TestApp.ts"

// The production set-up on a real PostgreSQL: the bootstrap creates both roles, migrations run as the
// migration role, and the whole API runs as the app role, which can change rows but never the schema.
const suffix = randomUUID().replaceAll("-", "").slice(0, 12)
const roles = {
  ...defaultBootstrap,
  migrationRole: `migrator_${suffix}`,
  appRole: `app_${suffix}`,
  appPassword: Redacted.make(`app-${suffix}`),
  migrationPassword: Redacted.make(`migrator-${suffix}`)
}
const database = `least_privilege_${suffix}`

const urlAs = (user?: string, password?: Redacted.Redacted<string>) => {
  const url = new URL(inject("adminDatabaseUrl"))
  if (user !== undefined && password !== undefined) {
    url.username = user
    url.password = Redacted.value(password)
  }
  url.pathname = `/${database}`
  return Redacted.make(url.toString())
}

const withClient = <A, E>(url: Redacted.Redacted, effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
  effect.pipe(Effect.provide(Database.layer(url, { maxConnections: 2 })))

const onServer = (statement: string) =>
  withClient(Redacted.make(inject("adminDatabaseUrl")), Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(statement)))

/** A database set up as docs/deployment.md says, then the app's SQL adapters connected as the app role. */
const AppRole = Layer.unwrap(
  Effect.gen(function* () {
    yield* Effect.acquireRelease(onServer(`CREATE DATABASE ${database}`), () =>
      onServer(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).pipe(
        Effect.andThen(onServer(`DROP ROLE IF EXISTS ${roles.appRole}`)),
        Effect.andThen(onServer(`DROP ROLE IF EXISTS ${roles.migrationRole}`)),
        Effect.orDie
      )
    )
    yield* withClient(urlAs(), bootstrapDatabase(roles))
    yield* withClient(urlAs(roles.migrationRole, roles.migrationPassword), runMigrations(Application.migrations))
    return SqlAdapters.pipe(Layer.provideMerge(Database.layer(urlAs(roles.appRole, roles.appPassword), { maxConnections: 5 })))
  }).pipe(Effect.orDie)
)

/** The SQLSTATE a statement of the app role fails with ("" when it succeeds). */
const refusal = (statement: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    return yield* sql.unsafe(statement).pipe(
      Effect.as(""),
      Effect.catch((error) => Effect.succeed(sqlState(error) ?? String(error)))
    )
  })

describe("the app on PostgreSQL as the app role", () => {
  layer(TestServer(AppRole), { timeout: 120_000 })((it) => {
    it.effect("every endpoint works", () =>
      Effect.gen(function* () {
        const ok = (reply: { status: number; body: unknown }, what: string) =>
          expect(reply.status, `${what}: ${JSON.stringify(reply.body)}`).toBeLessThan(300)
        const register = (name: string) =>
          call("POST", "/api/users", { body: { user: { username: name, email: `${name}@example.com`, password: "password123" } } })
        const alice = yield* register("alice")
        ok(alice, "POST /api/users")
        ok(yield* register("bob"), "POST /api/users (bob)")
        const login = yield* call("POST", "/api/users/login", { body: { user: { email: "bob@example.com", password: "password123" } } })
        ok(login, "POST /api/users/login")
        const a = alice.body.user.token as string
        const b = login.body.user.token as string
        ok(yield* call("GET", "/api/user", { token: a }), "GET /api/user")
        const updated = yield* call("PUT", "/api/user", { token: a, body: { user: { bio: "writes things" } } })
        ok(updated, "PUT /api/user")
        const token = updated.body.user.token as string
        ok(yield* call("GET", "/api/profiles/alice"), "GET /api/profiles/:username")
        ok(yield* call("POST", "/api/profiles/alice/follow", { token: b }), "POST /api/profiles/:username/follow")
        const article = yield* call("POST", "/api/articles", {
          token,
          body: { article: { title: "Least privilege", description: "d", body: "b", tagList: ["ops"] } }
        })
        ok(article, "POST /api/articles")
        const slug = article.body.article.slug as string
        ok(yield* call("GET", "/api/articles"), "GET /api/articles")
        ok(yield* call("GET", "/api/articles/feed", { token: b }), "GET /api/articles/feed")
        ok(yield* call("GET", `/api/articles/${slug}`), "GET /api/articles/:slug")
        const edited = yield* call("PUT", `/api/articles/${slug}`, { token, body: { article: { body: "edited" } } })
        ok(edited, "PUT /api/articles/:slug")
        ok(yield* call("POST", `/api/articles/${slug}/favorite`, { token: b }), "POST /api/articles/:slug/favorite")
        ok(yield* call("DELETE", `/api/articles/${slug}/favorite`, { token: b }), "DELETE /api/articles/:slug/favorite")
        const comment = yield* call("POST", `/api/articles/${slug}/comments`, { token: b, body: { comment: { body: "hi" } } })
        ok(comment, "POST /api/articles/:slug/comments")
        ok(yield* call("GET", `/api/articles/${slug}/comments`), "GET /api/articles/:slug/comments")
        ok(yield* call("DELETE", `/api/articles/${slug}/comments/${comment.body.comment.id}`, { token: b }), "DELETE comment")
        const tags = yield* call("GET", "/api/tags")
        ok(tags, "GET /api/tags")
        expect(tags.body.tags).toContain("ops")
        ok(yield* call("DELETE", "/api/profiles/alice/follow", { token: b }), "DELETE /api/profiles/:username/follow")
        ok(yield* call("DELETE", `/api/articles/${slug}`, { token }), "DELETE /api/articles/:slug")
        ok(yield* call("GET", "/health/ready"), "GET /health/ready")
      }))

    it.effect("it cannot change the schema, truncate, or rewrite the migrations' record", () =>
      Effect.gen(function* () {
        // 42501 insufficient_privilege: no CREATE on the schema, not the owner of any table.
        expect(yield* refusal("CREATE TABLE intruder (id int)")).toBe("42501")
        expect(yield* refusal("ALTER TABLE users ADD COLUMN intruder text")).toBe("42501")
        expect(yield* refusal("DROP TABLE articles")).toBe("42501")
        expect(yield* refusal("CREATE INDEX intruder_idx ON articles (title)")).toBe("42501")
        expect(yield* refusal("TRUNCATE comments")).toBe("42501")
        expect(yield* refusal("DELETE FROM effect_sql_migrations")).toBe("42501")
        expect(yield* refusal("SELECT count(*) FROM effect_sql_migrations")).toBe("")
        const pending = yield* runMigrations({ "9999_intruder": Effect.asVoid(Effect.flatMap(SqlClient.SqlClient, (sql) => sql`CREATE TABLE intruder (id int)`)) }).pipe(
          Effect.flip
        )
        expect(sqlState(pending)).toBe("42501")
      }))
  })
})
