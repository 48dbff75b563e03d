import { execFile } from "node:child_process"
import { createServer, type Server } from "node:net"
import { describe, expect, it } from "vitest"

/** Starts the real entrypoint with `env` and collects what it prints until it exits. */
const start = (env: Record<string, string>) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, ["src/main.ts"], {
      env: { PATH: process.env.PATH ?? "", ...env },
      timeout: 20_000
    }, (error, stdout, stderr) => resolve({ code: child.exitCode ?? (error ? 1 : 0), stdout, stderr }))
  })

const jsonLines = (output: string) =>
  output
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>)

const listening = () =>
  new Promise<{ server: Server; port: number }>((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port }))
  })

describe("a start that cannot succeed", () => {
  it("reports every configuration problem in one JSON line with LOG_FORMAT=json, and exits 1", async () => {
    const { code, stdout, stderr } = await start({ LOG_FORMAT: "json", PORT: "", JWT_TTL: "forever", DATABASE_POOL_MAX: "0" })
    expect(code).toBe(1)
    expect(stderr).toBe("")
    const [line, ...rest] = jsonLines(stdout)
    expect(rest).toEqual([])
    expect(line).toMatchObject({ level: "fatal" })
    const keys = ((line?.problems ?? []) as Array<{ key: string }>).map(({ key }) => key)
    expect(keys).toEqual(["PORT", "JWT_TTL", "DATABASE_URL", "DATABASE_POOL_MAX"])
  })

  it("names the port that is taken", async () => {
    const { server, port } = await listening()
    try {
      const { code, stdout } = await start({ LOG_FORMAT: "json", STORAGE: "memory", HOST: "127.0.0.1", PORT: String(port) })
      expect(code).toBe(1)
      expect(jsonLines(stdout).at(-1)).toMatchObject({ level: "fatal", message: expect.stringContaining(`port ${port} is already in use`) })
    } finally {
      server.close()
    }
  })

  it("names the database host and the key when the database cannot be reached", async () => {
    const { server, port } = await listening()
    await new Promise((resolve) => server.close(resolve)) // now a port nothing listens on
    const url = `postgres://app:secret-pw@127.0.0.1:${port}/conduit`
    const { code, stdout } = await start({ LOG_FORMAT: "json", HOST: "127.0.0.1", PORT: String(port), DATABASE_URL: url })
    expect(code).toBe(1)
    const line = jsonLines(stdout).at(-1)
    expect(line?.message).toContain(`cannot connect to the database at 127.0.0.1:${port} (DATABASE_URL)`)
    expect(stdout).not.toContain("secret-pw")
  })
})
