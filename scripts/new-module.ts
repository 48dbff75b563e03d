// `make module NAME=<plural-noun>` (`node scripts/new-module.ts <plural-noun> [singular]`): writes a
// working module from scripts/module-template — domain, use cases, ports, SQL and in-memory adapters,
// a migration with the next id, an HTTP group under /api/<name>, a README and its tests — and adds it
// to src/app/Modules.ts. A name that is invalid or already taken is refused and nothing is written.
import { existsSync } from "node:fs"
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const TEMPLATE = join(ROOT, "scripts/module-template")
const MODULES_LIST = join(ROOT, "src/app/Modules.ts")

class Refused extends Error {}

const words = (kebab: string) => kebab.split("-")
const pascal = (kebab: string) =>
  words(kebab)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join("")
const camel = (kebab: string) => pascal(kebab).replace(/^./, (c) => c.toLowerCase())

/** bookmarks → bookmark, categories → category, boxes → box. Irregular plurals pass their singular. */
const singularOf = (plural: string) =>
  plural.endsWith("ies")
    ? `${plural.slice(0, -3)}y`
    : /(ss|x|z|ch|sh)es$/.test(plural)
      ? plural.slice(0, -2)
      : plural.slice(0, -1)

// Words TypeScript will not take as a variable name (the module names its values after the noun).
const RESERVED = new Set(
  (
    "arguments await break case catch class const continue debugger default delete do else enum eval export extends " +
    "false finally for function if implements import in instanceof interface let new null package private protected " +
    "public return static super switch this throw true try typeof undefined var void while with yield"
  ).split(" ")
)

const NAME = /^[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*$/

const templateFiles = async (dir: string): Promise<Array<string>> =>
  (await readdir(dir, { withFileTypes: true, recursive: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith(".tmpl"))
    .map((entry) => join(entry.parentPath, entry.name))

/** Identifiers the template's code itself uses: a module named after one of them would shadow it. */
const templateIdentifiers = (sources: ReadonlyArray<string>) =>
  new Set(
    sources.flatMap(
      (source) =>
        source
          .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "")
          .replace(/"[^"\n]*"|`[^`]*`/g, "")
          .replace(/\{\{[^}]+\}\}/g, "")
          .match(/\b[a-z][A-Za-z0-9]*\b/g) ?? []
    )
  )

const existingMigrationIds = async () => {
  const { Application } = await import("../src/app/Application.ts")
  return Object.keys(Application.migrations).map((key) => Number(key.split("_")[0]))
}

const existingTables = async () => {
  const modules = await readdir(join(ROOT, "src/modules"))
  const tables = new Set<string>()
  for (const module of modules) {
    const file = join(ROOT, "src/modules", module, "adapters/sql/migrations.ts")
    if (!existsSync(file)) continue
    for (const [, table] of (await readFile(file, "utf8")).matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)/gi))
      tables.add(table!.toLowerCase())
  }
  return tables
}

/** The module list with one more manifest: its import after the others, its entry at the end. */
const withModule = (list: string, plural: string, exportName: string) => {
  const entries = /export const modules = \[([^\]]*)\] as const/.exec(list)
  const imports = [...list.matchAll(/^import .*$/gm)]
  const lastImport = imports.at(-1)
  if (entries === null || lastImport === undefined)
    throw new Refused("src/app/Modules.ts no longer has the `export const modules = [...] as const` list to add to")
  if (new RegExp(`\\b${exportName}\\b`).test(list)) throw new Refused(`${exportName} is already in src/app/Modules.ts`)
  const at = lastImport.index + lastImport[0].length
  const withImport = `${list.slice(0, at)}\nimport { ${exportName} } from "../modules/${plural}/module.ts"${list.slice(at)}`
  return withImport.replace(/export const modules = \[([^\]]*)\] as const/, (_, items: string) => {
    const trimmed = items.trimEnd()
    return `export const modules = [${trimmed}${trimmed.length === 0 ? "" : ", "}${exportName}] as const`
  })
}

export const generate = async (plural: string, givenSingular?: string) => {
  if (!NAME.test(plural) || plural.length > 40)
    throw new Refused(
      `"${plural}" is not a module name: use a plural noun in lower case, words joined by "-" (e.g. bookmarks, reading-lists)`
    )
  if (givenSingular === undefined && !plural.endsWith("s"))
    throw new Refused(
      `"${plural}" does not look plural: name the module in the plural (bookmarks), or give the singular too (make module NAME=${plural} SINGULAR=…)`
    )
  const singular = givenSingular ?? singularOf(plural)
  if (!NAME.test(singular) || singular === plural || words(singular).length !== words(plural).length)
    throw new Refused(`"${singular}" is not a usable singular of "${plural}"`)
  for (const word of [camel(plural), camel(singular)])
    if (RESERVED.has(word)) throw new Refused(`"${word}" is a reserved word in TypeScript: pick another name`)

  const target = join(ROOT, "src/modules", plural)
  if (existsSync(target) || existsSync(join(ROOT, "test/modules", plural)))
    throw new Refused(`a module named "${plural}" already exists (src/modules/${plural})`)
  const snake = words(plural).join("_")
  if ((await existingTables()).has(snake)) throw new Refused(`a table named "${snake}" already exists`)

  const files = await templateFiles(TEMPLATE)
  const sources = await Promise.all(files.map((file) => readFile(file, "utf8")))
  const used = templateIdentifiers(sources.filter((_, i) => files[i]!.endsWith(".ts.tmpl")))
  for (const word of [camel(plural), camel(singular)])
    if (used.has(word))
      throw new Refused(`"${word}" is a name the module template already uses in its code: pick another name`)

  const ids = await existingMigrationIds()
  const migrationId = String(Math.max(0, ...ids) + 1).padStart(4, "0")
  const tokens: Record<string, string> = {
    "plural-kebab": plural,
    plural_snake: snake,
    plural: camel(plural),
    Plural: pascal(plural),
    singular: camel(singular),
    Singular: pascal(singular),
    pluralWords: words(plural).join(" "),
    singularWords: words(singular).join(" "),
    migrationId
  }
  const render = (text: string) =>
    text.replace(/\{\{([^}]+)\}\}/g, (token, key: string) => {
      const value = tokens[key]
      if (value === undefined) throw new Error(`unknown token ${token} in the module template`)
      return value
    })

  const list = withModule(await readFile(MODULES_LIST, "utf8"), plural, `${pascal(plural)}Module`)
  const outputs = files.map((file, i) => ({
    path: join(ROOT, render(relative(TEMPLATE, file)).replace(/\.tmpl$/, "")),
    text: render(sources[i]!)
  }))

  // Everything is checked and rendered: only now is anything written (and removed again on failure).
  try {
    for (const { path, text } of outputs) {
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, text, { flag: "wx" })
    }
  } catch (error) {
    await rm(target, { recursive: true, force: true })
    await rm(join(ROOT, "test/modules", plural), { recursive: true, force: true })
    throw error
  }
  await writeFile(MODULES_LIST, list)
  return { files: outputs.map(({ path }) => relative(ROOT, path)), migration: `${migrationId}_create_${snake}` }
}

if (import.meta.main) {
  const [plural, singular] = process.argv.slice(2).filter((arg) => arg !== "")
  if (plural === undefined) {
    console.error("usage: make module NAME=<plural-noun> [SINGULAR=<singular>]   (e.g. make module NAME=bookmarks)")
    process.exit(2)
  }
  try {
    const { files, migration } = await generate(plural, singular)
    console.log(`wrote the ${plural} module (migration ${migration}) and added it to src/app/Modules.ts:`)
    for (const file of files) console.log(`  ${file}`)
    console.log(`next: make test, then make run and see /api/${plural} in /openapi.json`)
  } catch (error) {
    if (!(error instanceof Refused)) throw error
    console.error(`make module: ${error.message}; nothing was written`)
    process.exit(1)
  }
}
