// Shared helpers for the offline delivery checks (`make validate`).
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import path from "node:path"
import { parseAllDocuments } from "yaml"

export const root = path.resolve(import.meta.dirname, "../..")

/** A Debian tool unpacked by tools.sh. */
export const tool = (name: string): string => {
  const bin = path.join(root, ".tools/debian/bin", name)
  if (!existsSync(bin)) throw new Error(`${name} is missing: run scripts/validate/tools.sh first`)
  return bin
}

export type Ran = { readonly code: number; readonly stdout: string; readonly stderr: string }

export const run = (cmd: string, args: ReadonlyArray<string>, cwd: string = root, input?: string): Ran => {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", input, maxBuffer: 64 * 1024 * 1024 })
  if (r.error) return { code: 127, stdout: "", stderr: String(r.error) }
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr }
}

export type Json = Record<string, unknown>

export const isRecord = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)

export const asArray = (v: unknown): ReadonlyArray<unknown> => (Array.isArray(v) ? v : [])

export const asRecord = (v: unknown): Json => (isRecord(v) ? v : {})

export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined)

/** Every YAML document of a text; syntax errors become thrown errors naming the file and line. */
export const parseYamlDocs = (text: string, file: string): Array<unknown> => {
  const out: Array<unknown> = []
  for (const doc of parseAllDocuments(text, { prettyErrors: true })) {
    if (doc.errors.length > 0) {
      throw new Error(`${file}: YAML error: ${doc.errors.map((e) => e.message).join("; ")}`)
    }
    const value: unknown = doc.toJS()
    if (value !== null && value !== undefined) out.push(value)
  }
  return out
}

export const readYaml = (file: string): unknown => {
  const docs = parseYamlDocs(readFileSync(file, "utf8"), rel(file))
  return docs[0]
}

export const rel = (file: string): string => path.relative(root, file) || file

/** Parses Go-style durations the app's config uses ("20 seconds", "5s", "1 minute") into seconds. */
export const seconds = (text: string): number | undefined => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|millis|milliseconds?|s|seconds?|m|minutes?|h|hours?)\s*$/.exec(text)
  if (!m) return undefined
  const n = Number(m[1])
  const unit = m[2] ?? "s"
  if (unit.startsWith("ms") || unit.startsWith("milli")) return n / 1000
  if (unit.startsWith("h")) return n * 3600
  if (unit === "m" || unit.startsWith("minute")) return n * 60
  return n
}

/** The result of one named check: an empty list of problems means it passed. */
export type Outcome = { readonly name: string; readonly problems: ReadonlyArray<string> }
