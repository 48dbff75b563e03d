// `make validate`: every offline delivery check, one line per check, problems listed under a failing one.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import path from "node:path"
import { checkAlertmanagerConfig, checkAlertTargets, checkPrometheusRule } from "./alerts.ts"
import { checkCollectorConfig, checkDashboards, checkFluentBitConfig, checkTelemetryInCluster } from "./configs.ts"
import { dryRunDeploy } from "./deploy.ts"
import { checkCompose, checkDockerfile } from "./docker.ts"
import {
  checkConnectionBudget,
  checkNamespaceScoped,
  checkPolicies,
  checkReferences,
  checkSchemas,
  checkSecretTemplates,
  type K8sObject,
  loadFile,
  overlays,
  render
} from "./k8s.ts"
import { checkBootstrapGrants } from "./grants.ts"
import { asArray, asRecord, type Outcome, readYaml, rel, root, run, str, tool } from "./lib.ts"
import { checkNetworkPolicies, commonLabelsOf, secretExamples, withCommonLabelsInPeers } from "./network.ts"
import { checkCdWorkflow, checkDependabot, lintWorkflow, workflowFiles } from "./workflows.ts"

const outcomes: Array<Outcome> = []

const check = async (name: string, body: () => Array<string> | Promise<Array<string>>): Promise<void> => {
  const started = Date.now()
  let problems: Array<string>
  try {
    problems = await body()
  } catch (e) {
    problems = [`check crashed: ${(e as Error).stack ?? String(e)}`]
  }
  outcomes.push({ name, problems })
  const ms = Date.now() - started
  console.log(`${problems.length === 0 ? "ok  " : "FAIL"} ${name} (${ms} ms)`)
  for (const p of problems) console.log(`     ${p.replaceAll("\n", "\n       ")}`)
}

const k8sDir = path.join(root, "k8s")
const secretFiles = readdirSync(path.join(k8sDir, "secrets"))
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => path.join(k8sDir, "secrets", f))
const secretTemplates: Array<K8sObject> = secretFiles.flatMap((f) => loadFile(f).objects)

await check("k8s secret templates: schema, no values", async () => [
  ...(await checkSchemas(secretTemplates, "k8s/secrets")),
  ...checkSecretTemplates(secretTemplates, "k8s/secrets")
])

const renderChecked = async (dir: string): Promise<Array<K8sObject>> => {
  let rendered: ReturnType<typeof render> = { objects: [], problems: [] }
  await check(`${rel(dir)}: kustomize render`, () => {
    rendered = render(dir)
    return [
      ...rendered.problems,
      ...(rendered.objects.length === 0 && rendered.problems.length === 0 ? ["rendered no objects"] : [])
    ]
  })
  // Peers as the cluster will match them, whichever kustomize version rendered them.
  return withCommonLabelsInPeers(rendered.objects, commonLabelsOf(dir))
}

// Cluster-scoped pieces, applied once by a cluster admin: namespaces, the deploy credential, Fluent Bit.
const platformDir = path.join(k8sDir, "platform")
const platform = await renderChecked(platformDir)
if (platform.length > 0) {
  const source = rel(platformDir)
  await check(`${source}: Kubernetes schemas, unknown fields, removed APIs (${platform.length} objects)`, () =>
    checkSchemas(platform, source)
  )
  await check(`${source}: pod security, resources`, () => checkPolicies(platform, source, false))
  await check(`${source}: references between objects`, () => checkReferences(platform, [], source))
  await check(`${source}: Fluent Bit config`, () =>
    checkTelemetryInCluster(platform, source, { collector: false, fluentBit: true })
  )
}
const platformNamespaces = platform.filter((o) => o.kind === "Namespace")
const examples = secretExamples(secretFiles)

for (const dir of overlays(k8sDir)) {
  const source = rel(dir)
  const objects = await renderChecked(dir)
  if (objects.length === 0) continue
  const namespace = str(asRecord(readYaml(path.join(dir, "kustomization.yaml"))).namespace) ?? "default"
  await check(`${source}: Kubernetes schemas, unknown fields, removed APIs (${objects.length} objects)`, () =>
    checkSchemas(objects, source)
  )
  await check(`${source}: pod security, probes, drain, resources`, () => checkPolicies(objects, source))
  await check(`${source}: namespace-scoped only, Pod Security "restricted"`, () =>
    checkNamespaceScoped(objects, platform, namespace, source)
  )
  await check(`${source}: references between objects`, () =>
    checkReferences(
      objects,
      secretTemplates,
      source,
      platformNamespaces.map((n) => String(asRecord(n.metadata).name))
    )
  )
  await check(
    `${source}: network policies as the cluster matches them: DNS, every configured dependency, ingress and scrapes`,
    () => checkNetworkPolicies(objects, platformNamespaces, examples, source, namespace)
  )
  await check(`${source}: database connection budget`, () => checkConnectionBudget(objects, source))
  await check(`${source}: collector config and backends`, () =>
    checkTelemetryInCluster(objects, source, { collector: true, fluentBit: false })
  )
  const rules = objects.filter((o) => o.kind === "PrometheusRule")
  await check(`${source}: promtool check rules + test rules`, () =>
    rules.length === 0
      ? [`${source}: no PrometheusRule rendered`]
      : rules.flatMap((r) =>
          checkPrometheusRule(
            r,
            path.join(k8sDir, "base/monitoring/tests/alerts.test.yaml"),
            path.join(root, "docs/runbook.md"),
            source
          )
        )
  )
  await check(`${source}: alert expressions against the pods, containers and jobs this overlay runs`, () =>
    rules.flatMap((r) => checkAlertTargets(r, objects, source))
  )
  await check(`${source}: every app setting documented in .env.example`, () => {
    const documented = new Set(
      [...readFileSync(path.join(root, ".env.example"), "utf8").matchAll(/^#?\s?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1])
    )
    const keys = new Set<string>()
    for (const o of objects) {
      if (!(o.kind === "ConfigMap" && String(asRecord(o.metadata).name).startsWith("hexa-monolith-config"))) continue
      for (const k of Object.keys(asRecord(o.data))) keys.add(k)
    }
    for (const t of secretTemplates) {
      if (String(asRecord(t.metadata).name) !== "hexa-monolith-secrets") continue
      for (const k of Object.keys(asRecord(t.stringData))) keys.add(k)
    }
    return [...keys]
      .filter((k) => !documented.has(k))
      .map((k) => `.env.example does not document ${k}, which ${source} sets`)
  })
  await check(`${source}: CD secrets and deploy scripts, dry run against a recording kubectl`, () =>
    dryRunDeploy(dir, secretTemplates)
  )
  const amcs = objects.filter((o) => o.kind === "AlertmanagerConfig")
  await check(`${source}: amtool check-config`, () =>
    amcs.length === 0
      ? [`${source}: no AlertmanagerConfig rendered`]
      : amcs.flatMap((a) => checkAlertmanagerConfig(a, source))
  )
}

for (const file of workflowFiles(path.join(root, ".github/workflows"))) {
  await check(`${rel(file)}: actionlint + shellcheck of run steps`, () => lintWorkflow(file))
}
await check(".github/workflows/cd.yml: registry, environments, secrets", () =>
  checkCdWorkflow(path.join(root, ".github/workflows/cd.yml"))
)

await check(
  ".github/dependabot.yml: updates for actions, every npm lockfile, Dockerfile, compose and manifest images",
  () => checkDependabot(path.join(root, ".github/dependabot.yml"), root)
)

await check("Dockerfile: dockerfile-utils lint + image rules", () => checkDockerfile(path.join(root, "Dockerfile")))

await check("docker-compose.yml: compose-spec schema + references", () =>
  checkCompose(path.join(root, "docker-compose.yml"))
)

// The compose stack's collector and Fluent Bit get their env from compose, not from Kubernetes.
await check("docker-compose.yml: collector and Fluent Bit configs", () => {
  const services = asRecord(asRecord(readYaml(path.join(root, "docker-compose.yml"))).services)
  const problems: Array<string> = []
  for (const [name, raw] of Object.entries(services)) {
    const svc = asRecord(raw)
    const env = new Set(Object.keys(asRecord(svc.environment)))
    for (const v of asArray(svc.volumes)) {
      const [src, target] = String(v).split(":")
      if (
        !src?.startsWith("./") ||
        !target ||
        !existsSync(path.join(root, src)) ||
        statSync(path.join(root, src)).isDirectory()
      )
        continue
      const text = readFileSync(path.join(root, src), "utf8")
      if (target.startsWith("/etc/otelcol/"))
        problems.push(...checkCollectorConfig(text, `compose ${name} ${src}`, { env }))
      if (target.startsWith("/fluent-bit/"))
        problems.push(...checkFluentBitConfig(text, undefined, `compose ${name} ${src}`, env))
    }
  }
  return problems
})

await check(
  "database bootstrap: migrations as the migration role, then the app role's privileges on every object",
  () => checkBootstrapGrants()
)

await check("deploy/compose/grafana: dashboards on provisioned datasources, reading exported metrics", () =>
  checkDashboards(
    path.join(root, "deploy/compose/grafana/dashboards"),
    path.join(root, "deploy/compose/grafana/datasources.yaml"),
    "deploy/compose/grafana/dashboards"
  )
)

const shellScripts = (): Array<string> => {
  const found: Array<string> = [path.join(root, ".ci/run")]
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (!["node_modules", "fixtures", ".git", ".tools", "dist"].includes(entry.name)) walk(full)
      } else if (
        entry.name.endsWith(".sh") ||
        (statSync(full).size < 200_000 && /^#!.*\b(ba)?sh\b/.test(readFileSync(full, "utf8").slice(0, 80)))
      ) {
        found.push(full)
      }
    }
  }
  walk(path.join(root, "scripts"))
  return found.filter((f) => existsSync(f))
}

await check("shell scripts: shellcheck", () => {
  const files = shellScripts()
  const r = run(tool("shellcheck"), ["--format=gcc", ...files.map(rel)])
  return r.stdout.split("\n").filter(Boolean)
})

const failed = outcomes.filter((o) => o.problems.length > 0)
console.log(`\nvalidate: ${outcomes.length - failed.length} passed, ${failed.length} failed`)
process.exitCode = failed.length === 0 ? 0 : 1
