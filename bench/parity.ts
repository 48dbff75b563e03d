// Is the floor a fair floor? Both run behind a SQL-recording proxy and must send the same
// statements, and the measured instances must answer the same JSON.
import { call } from "./http.ts"
import { stopProcess } from "./processes.ts"
import type { Fixtures, Scenario } from "./scenarios.ts"
import { type Server, startApp, startFloor } from "./servers.ts"
import { log, sleep } from "./settings.ts"
import { type Recorded, startSqlCapture } from "./sql-capture.ts"

/**
 * Statements a process runs on its own schedule, never on behalf of a request: the capture records
 * them whenever they fall due, so they are set aside (and counted in the results) rather than
 * compared. Each is named; the outbox's INSERT, which a write makes in its transaction, is not one.
 */
export const BACKGROUND: ReadonlyArray<{ readonly name: string; readonly matches: (sql: string) => boolean }> = [
  // DatabaseAvailability's probe (the floor's readiness answers with it too).
  { name: "availability probe", matches: (sql) => sql === "SELECT 1" },
  // PersistedQueue's pollers, lock refreshes, expired-claim flips and cleanup; the backlog gauges.
  {
    name: "outbox polling",
    matches: (sql) => /\bevent_outbox\b/.test(sql) && !/^INSERT INTO "event_outbox"/.test(sql)
  },
  // Deliveries after a commit (each in a transaction of its own, set aside whole) and the inbox's
  // trim: the consumers' work, not the request's.
  { name: "event inbox", matches: (sql) => /\bevent_inbox\b/.test(sql) }
]
const isBackground = (sql: string) => BACKGROUND.some((b) => b.matches(sql))

/** Splits a window's statements: a transaction holding a background statement is background as a whole (a consumer's delivery). */
const attribute = (recorded: ReadonlyArray<Recorded>) => {
  const background = new Set(recorded.filter((r) => isBackground(r.sql)).map((r) => r.unit))
  return {
    statements: recorded.filter((r) => !background.has(r.unit)).map((r) => r.sql),
    background: recorded.filter((r) => background.has(r.unit)).length
  }
}

/** Canonical JSON (sorted keys) so two bodies compare by content. */
export const canonical = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(canonical)
    : value !== null && typeof value === "object"
      ? Object.fromEntries(
          Object.entries(value)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, canonical(v)])
        )
      : value

/** A write's answer differs by what the database assigns and the title it was given: those are masked. */
const VOLATILE = new Set(["slug", "title", "createdAt", "updatedAt"])
const comparable = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(comparable)
    : value !== null && typeof value === "object"
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, VOLATILE.has(k) ? "…" : comparable(v)]))
      : value

/** A request of the scenario as the load sends it (autocannon replaces `[<id>]` in bodies by a fresh id). */
const send = (server: Server, spec: ReturnType<Scenario["request"]>) =>
  call(
    server.base,
    spec.method,
    spec.paths[0]!,
    spec.headers ?? {},
    spec.body?.replaceAll("[<id>]", `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`)
  )

export const checkParity = async (
  databaseUrl: string,
  app: Server,
  floor: Server,
  checked: ReadonlyArray<Scenario>,
  fixtures: Fixtures
) => {
  const capture = await startSqlCapture(databaseUrl)
  const capturedApp = await startApp("app-sql-capture", capture.url)
  const capturedFloor = await startFloor("floor-sql-capture", capture.url)
  const scenarios = []
  try {
    for (const scenario of checked) {
      const spec = scenario.request(fixtures)
      const statementsOf = async (server: Server) => {
        const mark = capture.mark()
        const reply = await send(server, spec)
        await sleep(50)
        const { statements, background } = attribute(capture.since(mark))
        return { reply, statements: statements.sort(), background }
      }
      const a = await statementsOf(capturedApp)
      const f = await statementsOf(capturedFloor)
      // Bodies from the measured instances, not the captured ones: what the load sees.
      const appBody = await send(app, spec)
      const floorBody = await send(floor, spec)
      const normalise = (body: string) => {
        const parsed: unknown = JSON.parse(body)
        return JSON.stringify(canonical(scenario.kind === "write" ? comparable(parsed) : parsed))
      }
      const sameBody = appBody.status === floorBody.status && normalise(appBody.body) === normalise(floorBody.body)
      // Executed statements as multisets: the same statements, as many times each.
      const minus = (xs: ReadonlyArray<string>, ys: ReadonlyArray<string>) => {
        const left = [...ys]
        return xs.filter((x) => {
          const i = left.indexOf(x)
          if (i === -1) return true
          left.splice(i, 1)
          return false
        })
      }
      const onlyApp = minus(a.statements, f.statements)
      const onlyFloor = minus(f.statements, a.statements)
      scenarios.push({
        id: scenario.id,
        status: appBody.status,
        sameSql: onlyApp.length === 0 && onlyFloor.length === 0,
        sameBody,
        statements: a.statements.length,
        backgroundSetAside: { app: a.background, floor: f.background },
        onlyApp,
        onlyFloor
      })
      if (!sameBody)
        log(
          `${scenario.id}: bodies differ\n  app:   ${appBody.body.slice(0, 400)}\n  floor: ${floorBody.body.slice(0, 400)}`
        )
      if (onlyApp.length + onlyFloor.length > 0)
        log(
          `${scenario.id}: SQL differs\n  app only:   ${onlyApp.join("\n              ")}\n  floor only: ${onlyFloor.join("\n              ")}`
        )
    }
  } finally {
    await Promise.all([stopProcess(capturedApp.child), stopProcess(capturedFloor.child)])
    await capture.close()
  }
  const ok = scenarios.every((s) => s.sameSql && s.sameBody)
  if (!ok && process.env.BENCH_ALLOW_DRIFT !== "1")
    throw new Error(
      "the floor does not run the app's SQL or answer its bodies (see above): update bench/floor.ts, or BENCH_ALLOW_DRIFT=1"
    )
  return { ok, scenarios }
}
