import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { RecordingTracer, statementsDuring } from "../../../../support/SqlStatements.ts"
import { call, PostgresAdapters, TestServer } from "../../../../support/TestApp.ts"
import { aCaller } from "../../AccountMother.ts"

layer(TestServer(PostgresAdapters).pipe(Layer.provide(RecordingTracer.layer)), { timeout: "60 seconds" })(
  "profiles cost on PostgreSQL",
  (it) => {
    it.effect("a profile is one statement anonymously, three as a caller; a follow is three (each with the token version check)", () =>
      Effect.gen(function* () {
        const [reader, author] = [yield* aCaller, yield* aCaller]
        const anonymous = yield* statementsDuring(call("GET", `/api/profiles/${author.username}`))
        expect(anonymous.statements).toHaveLength(1)
        const asReader = yield* statementsDuring(call("GET", `/api/profiles/${author.username}`, { token: reader.token }))
        expect(asReader.statements).toHaveLength(3)
        const follow = yield* statementsDuring(call("POST", `/api/profiles/${author.username}/follow`, { token: reader.token }))
        expect(follow.result.status).toBe(200)
        expect(follow.statements).toHaveLength(3)
      }))
  }
)
