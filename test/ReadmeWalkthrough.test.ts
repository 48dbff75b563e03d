import { type ChildProcess, execFile, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { readFileSync } from "node:fs"
import { createServer } from "node:net"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"

/**
 * The README's curl walkthrough, run as written against the real server (`node src/main.ts`, as
 * `make run` starts it, on a fresh database of the test PostgreSQL): each call must get the status its
 * comment states, so the walkthrough cannot drift from the API.
 */

interface Call {
  readonly comment: string
  readonly status: number
}

/** The ```sh blocks of "Trying the API", and for each curl the first status its comment names. */
const walkthrough = () => {
  const readme = readFileSync("README.md", "utf8")
  const section = readme.slice(readme.indexOf("## Trying the API"), readme.indexOf("### All endpoints"))
  const script = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map(([, body]) => body).join("\n")
  const calls: Array<Call> = []
  let comment = ""
  for (const line of script.split("\n")) {
    if (line.startsWith("#")) comment = line
    else if (/\bcurl\b/.test(line)) {
      const status = /\b([1-5]\d\d)\b/.exec(comment)?.[1]
      if (status === undefined) throw new Error(`README walkthrough: no status stated for the call after "${comment}"`)
      calls.push({ comment, status: Number(status) })
    }
  }
  return { script, calls }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

const admin = async <A>(statement: (client: pg.Client) => Promise<A>) => {
  const client = new pg.Client({ connectionString: inject("adminDatabaseUrl") })
  await client.connect()
  try {
    return await statement(client)
  } finally {
    await client.end()
  }
}

const database = `readme_${randomUUID().replaceAll("-", "")}`
let server: ChildProcess | undefined
let port = 0

beforeAll(async () => {
  await admin((client) => client.query(`CREATE DATABASE ${database}`))
  const url = new URL(inject("adminDatabaseUrl"))
  url.pathname = `/${database}`
  port = await freePort()
  server = spawn(process.execPath, ["src/main.ts"], {
    env: { PATH: process.env.PATH ?? "", DATABASE_URL: url.toString(), HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "Warn" },
    stdio: ["ignore", "ignore", "inherit"]
  })
  for (let attempt = 0; attempt < 200; attempt++) {
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false)
    if (ready) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error("the server did not become ready")
})

afterAll(async () => {
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once("exit", resolve))
    server.kill("SIGTERM")
    await exited
  }
  await admin((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`))
})

describe("the README walkthrough", () => {
  it("runs top to bottom, each call getting the status the README states", async () => {
    const { script, calls } = walkthrough()
    expect(calls.length).toBeGreaterThan(15)
    // curl as written, plus each status on stderr (stdout stays what the README's pipes read).
    const wrapped = [
      "set -euo pipefail",
      `curl() { command curl --write-out '%{stderr}%{http_code}\\n' "$@"; }`,
      script.replaceAll("localhost:3000", `127.0.0.1:${port}`)
    ].join("\n")
    const { stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile("bash", ["-c", wrapped], { timeout: 60_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr })
      )
    )
    const statuses = stderr.trim().split("\n").map(Number)
    expect(statuses.map((status, i) => `${calls[i]?.comment} → ${status}`)).toEqual(
      calls.map(({ comment, status }) => `${comment} → ${status}`)
    )
  })
})
