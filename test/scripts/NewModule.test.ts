import { execFile } from "node:child_process"
import { cp, mkdtemp, readdir, readFile, rm, symlink } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { Application } from "../../src/app/Application.ts"

// `make module` in a scratch copy of the project, then what it wrote: the type check, lint and
// architecture rules over the whole copy, the generated tests on the suite's PostgreSQL, and the
// routes in the OpenAPI document. So the generator cannot drift from the code it imitates.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
const SKIP = new Set(["node_modules", ".git", ".tools", ".data", "dist", "coverage"])

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const run = (cwd: string, command: string, args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  new Promise<Run>((done) => {
    execFile(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      done({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr })
    )
  })

const node = (cwd: string, args: ReadonlyArray<string>, env?: Record<string, string>) => run(cwd, process.execPath, args, env)

/** Every file of the copy, relative, with its content: what a refused run must leave as it was. */
const snapshot = async (dir: string) => {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  const files = entries
    .filter((entry) => entry.isFile() && !entry.parentPath.includes("node_modules"))
    .map((entry) => join(entry.parentPath, entry.name))
  return new Map(await Promise.all(files.map(async (file) => [file.slice(dir.length + 1), await readFile(file, "utf8")] as const)))
}

let copy = ""

beforeAll(async () => {
  copy = await mkdtemp(join(tmpdir(), "hexa-monolith-module-"))
  await cp(ROOT, copy, {
    recursive: true,
    filter: (source) => !SKIP.has(source.slice(ROOT.length + 1).split("/").pop() ?? "") || source === ROOT
  })
  await symlink(join(ROOT, "node_modules"), join(copy, "node_modules"))
  await symlink(join(ROOT, "tools/architecture/node_modules"), join(copy, "tools/architecture/node_modules")).catch(() => {})
})

afterAll(async () => {
  if (copy !== "") await rm(copy, { recursive: true, force: true })
})

describe("make module", () => {
  it("refuses an existing, an invalid or a taken name, writing nothing", async () => {
    const before = await snapshot(copy)
    for (const [name, message] of [
      ["articles", /a module named "articles" already exists/],
      ["Bookmarks", /is not a module name/],
      ["../bookmarks", /is not a module name/],
      ["tags", /a table named "tags" already exists/],
      ["cases", /"case" is a reserved word/],
      ["news", /"new" is a reserved word/]
    ] as const) {
      const result = await node(copy, ["scripts/new-module.ts", name])
      expect(result.code, name).toBe(1)
      expect(result.stderr, name).toMatch(message)
      expect(result.stderr, name).toMatch(/nothing was written/)
    }
    expect(await snapshot(copy)).toEqual(before)
  })

  it(
    "writes a module that type-checks, obeys the rules, passes its own tests and serves its routes",
    async () => {
      const before = await snapshot(copy)
      const generated = await node(copy, ["scripts/new-module.ts", "reading-lists"])
      expect(generated.stderr).toBe("")
      expect(generated.code).toBe(0)
      // The next id after every migration the modules have today.
      const next = Math.max(...Object.keys(Application.migrations).map((key) => Number.parseInt(key, 10))) + 1
      expect(generated.stdout).toContain(`migration ${String(next).padStart(4, "0")}_create_reading_lists`)

      // Outside the module's own folders, only the module list changed.
      const after = await snapshot(copy)
      const changed = [...after.keys()].filter((file) => before.get(file) !== after.get(file))
      const outside = changed.filter((file) => !/^(src|test)\/modules\/reading-lists\//.test(file))
      expect(outside).toEqual(["src/app/Modules.ts"])
      expect(changed).toEqual(
        expect.arrayContaining([
          "src/modules/reading-lists/module.ts",
          "src/modules/reading-lists/README.md",
          "test/modules/reading-lists/adapters/ReadingListRepository.contract.ts",
          "test/modules/reading-lists/adapters/http/ReadingListsHttp.test.ts"
        ])
      )

      const tsc = await run(copy, join(copy, "node_modules/.bin/tsc"), ["--noEmit", "-p", "tsconfig.json"])
      expect(tsc.stdout + tsc.stderr).toBe("")
      const lint = await run(copy, join(copy, "node_modules/.bin/biome"), [
        "lint",
        "--error-on-warnings",
        "src/modules/reading-lists",
        "test/modules/reading-lists"
      ])
      expect(lint.code, lint.stdout + lint.stderr).toBe(0)
      const depcruise = join(copy, "tools/architecture/node_modules/.bin/depcruise")
      const arch = await run(copy, depcruise, ["src", "--config", ".dependency-cruiser.cjs"])
      expect(arch.code, arch.stdout + arch.stderr).toBe(0)

      const tests = await node(copy, ["node_modules/vitest/vitest.mjs", "run", "test/modules/reading-lists"], {
        TEST_DATABASE_URL: inject("adminDatabaseUrl"),
        TEST_REDIS_URL: inject("redisUrl")
      })
      expect(tests.code, tests.stdout + tests.stderr).toBe(0)
      expect(tests.stdout).toMatch(/Test Files\s+.*4 passed/)

      const openapi = JSON.parse((await node(copy, ["src/cli.ts", "openapi"])).stdout)
      // Paths are relative to the document's /api server URL, as in the RealWorld document.
      expect(openapi.servers).toEqual([expect.objectContaining({ url: "/api" })])
      expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(["/reading-lists", "/reading-lists/{id}", "/articles"]))
    },
    300_000
  )
})
