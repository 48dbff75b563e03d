// Dry run of what cd.yml does per environment: scripts/deploy/create-secrets.sh and deploy.sh against a
// recording stand-in kubectl (fake/kubectl). Checks the Secrets match the templates, no secret value reaches
// a command line, a migration URL naming another database is refused, the pushed digest replaces the
// placeholder, migrations come before the rollout, and a failed migration stops the deploy.
import { spawnSync } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { type K8sObject, loadFile } from "./k8s.ts"
import { asRecord, readYaml, rel, root, str, tool } from "./lib.ts"

const fakeDir = path.join(import.meta.dirname, "fake")

export const dryRunDeploy = (
  overlay: string,
  secretTemplates: ReadonlyArray<K8sObject>,
  scripts: string = path.join(root, "scripts/deploy")
): Array<string> => {
  const source = rel(overlay)
  const namespace = str(asRecord(readYaml(path.join(overlay, "kustomization.yaml"))).namespace) ?? ""
  if (!namespace) return [`${source}: kustomization.yaml sets no namespace`]
  const dir = mkdtempSync(path.join(tmpdir(), "deploy-dry-run-"))
  const secrets: Record<string, string> = {
    DATABASE_URL: "postgres://app:dry-run-app-password@db.internal:5432/conduit",
    DB_MIGRATION_URL: "postgres://migrator:dry-run-migrator-password@db.internal:5432/conduit",
    JWT_SECRET: "dry-run-signing-key-0123456789abcdef0123456789",
    SENTRY_DSN: "https://dry-run-key@sentry.example/1",
    WEBHOOK_URL: "https://hooks.example/dry-run-endpoint",
    WEBHOOK_SECRET: "whsec_ZHJ5LXJ1bi13ZWJob29rLWtleS0wMTIzNDU2Nzg5",
    ALERT_WEBHOOK_URL: "https://alerts.example/dry-run-webhook",
    ALERT_SLACK_WEBHOOK: "https://hooks.slack.example/services/dry-run",
    ALERT_PAGERDUTY_KEY: "dry-run-pagerduty-routing-key"
  }
  const image = `ghcr.io/example-org/hexa-monolith@sha256:${"0123456789abcdef".repeat(4)}`
  const env = {
    ...process.env,
    ...secrets,
    PATH: `${fakeDir}:${process.env.PATH}`,
    FAKE_KUBECTL_DIR: dir,
    REAL_KUBECTL: tool("kubectl"),
    KUBECONFIG: "/dev/null"
  }
  const problems: Array<string> = []
  try {
    const invoke = (script: string, args: ReadonlyArray<string>, extra: Record<string, string> = {}) => {
      const r = spawnSync("bash", [path.join(scripts, script), ...args], {
        cwd: root,
        env: { ...env, ...extra },
        encoding: "utf8"
      })
      const log = path.join(dir, "calls.log")
      const lines = readFileSync(log, { encoding: "utf8", flag: "a+" }).split("\n").filter(Boolean)
      rmSync(log, { force: true })
      return { status: r.status, output: (r.stdout + r.stderr).trim(), lines }
    }
    const callsOf = (script: string, args: ReadonlyArray<string>): Array<string> => {
      const r = invoke(script, args)
      if (r.status !== 0)
        problems.push(`${source}: scripts/deploy/${script} failed (exit ${String(r.status)}): ${r.output.slice(-1500)}`)
      return r.lines
    }
    // A staging migration secret that names the production database must never be accepted.
    const elsewhere = invoke("create-secrets.sh", [overlay, namespace], {
      DB_MIGRATION_URL: "postgres://migrator:dry-run-migrator-password@db.internal:5432/other_database"
    })
    if (elsewhere.status === 0)
      problems.push(
        `${source}: create-secrets.sh accepted a DB_MIGRATION_URL naming another database than DATABASE_URL`
      )
    const sameRole = invoke("create-secrets.sh", [overlay, namespace], { DB_MIGRATION_URL: secrets.DATABASE_URL ?? "" })
    if (sameRole.status === 0) problems.push(`${source}: create-secrets.sh accepted the app role as the migration role`)
    // Only digests deploy.
    const tagged = invoke("deploy.sh", [overlay, namespace, "ghcr.io/example-org/hexa-monolith:main"])
    if (tagged.status === 0)
      problems.push(`${source}: deploy.sh deployed an image by tag; only digests (@sha256:…) may deploy`)
    // A failed migration stops the deploy before the API is applied.
    const failedRun = invoke("deploy.sh", [overlay, namespace, image], { FAKE_JOB_CONDITIONS: "Failed " })
    if (failedRun.status === 0 || failedRun.lines.some((c) => /^apply -f \S+$/.test(c))) {
      problems.push(
        `${source}: deploy.sh went on after the migration Job failed (it must stop at once, before applying the API)`
      )
    }
    for (const f of readdirSync(dir).filter((f) => f.startsWith("apply-"))) rmSync(path.join(dir, f))
    const secretCalls = callsOf("create-secrets.sh", [overlay, namespace])
    const calls = callsOf("deploy.sh", [overlay, namespace, image])
    for (const [name, value] of Object.entries(secrets)) {
      if ([...secretCalls, ...calls].some((c) => c.includes(value)))
        problems.push(`${source}: the value of ${name} reached kubectl's command line (visible in the process list)`)
    }
    const applied = readdirSync(dir)
      .filter((f) => f.startsWith("apply-"))
      .flatMap((f) => loadFile(path.join(dir, f)).objects)
    for (const t of secretTemplates) {
      const name = String(asRecord(t.metadata).name)
      const made = applied.find((o) => o.kind === "Secret" && asRecord(o.metadata).name === name)
      if (!made) {
        problems.push(`${source}: create-secrets.sh does not create Secret ${name} (k8s/secrets template)`)
        continue
      }
      if (asRecord(made.metadata).namespace !== namespace)
        problems.push(`${source}: Secret ${name} is created outside namespace ${namespace}`)
      const want = Object.keys(asRecord(t.stringData)).sort().join(",")
      const got = Object.keys(asRecord(made.data)).sort().join(",")
      if (want !== got) problems.push(`${source}: Secret ${name} gets keys [${got}], the template has [${want}]`)
    }
    const workloads = applied.filter((o) => o.kind === "Deployment" || o.kind === "Job")
    const appImages = workloads.flatMap((o) => JSON.stringify(o).match(/"image":"[^"]*hexa-monolith[^"]*"/g) ?? [])
    if (appImages.length === 0 || appImages.some((i) => !i.includes(image))) {
      problems.push(
        `${source}: deploy.sh applied app images ${[...new Set(appImages)].join(", ") || "none"} instead of ${image}`
      )
    }
    const at = (re: RegExp) => calls.findIndex((c) => re.test(c))
    const order: ReadonlyArray<readonly [string, number]> = [
      ["delete the previous migration Job", at(/^-n \S+ delete job hexa-monolith-migrate/)],
      ["apply everything but the API", at(/^apply -f \S+ -l app\.kubernetes\.io\/component notin \(api\)/)],
      ["wait for the migration to complete or fail", at(/get job hexa-monolith-migrate -o jsonpath/)],
      ["apply everything", at(/^apply -f \S+$/)],
      ["wait for the rollout", at(/rollout status deployment\/hexa-monolith/)]
    ]
    for (const [step, index] of order) if (index < 0) problems.push(`${source}: deploy.sh never does: ${step}`)
    for (let i = 1; i < order.length; i++) {
      const [prevStep, prev] = order[i - 1] ?? ["", -1]
      const [step, index] = order[i] ?? ["", -1]
      if (prev >= 0 && index >= 0 && index < prev)
        problems.push(`${source}: deploy.sh does "${step}" before "${prevStep}"`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return problems
}
