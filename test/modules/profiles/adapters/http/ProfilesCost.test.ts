import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { RecordingTracer, statementsDuring } from "../../../../support/SqlStatements.ts"
import { call, PostgresAdapters, TestServer } from "../../../../support/TestApp.ts"
import { aCaller } from "../../AccountMother.ts"

layer(TestServer(PostgresAdapters).pipe(Layer.provide(RecordingTracer.layer)), { timeout: "60 seconds" })(
  "profiles cost on PostgreSQL",
  (it) => {
    it.effect("a profile is one statement anonymously, then cached; two as a caller (the token version check, following), and so is a follow (it, and the insert)", () =>
      Effect.gen(function* () {
        const [reader, author] = [yield* aCaller, yield* aCaller]
        const anonymous = yield* statementsDuring(call("GET", `/api/profiles/${author.username}`))
        expect(anonymous.statements).toHaveLength(1)
        const again = yield* statementsDuring(call("GET", `/api/profiles/${author.username.toUpperCase()}`))
        expect(again.statements).toHaveLength(0)
        const asReader = yield* statementsDuring(call("GET", `/api/profiles/${author.username}`, { token: reader.token }))
        expect(asReader.statements).toHaveLength(2)
        const follow = yield* statementsDuring(call("POST", `/api/profiles/${author.username}/follow`, { token: reader.token }))
        expect(follow.result.status).toBe(200)
        expect(follow.statements).toHaveLength(2)
      }))
  }
)
