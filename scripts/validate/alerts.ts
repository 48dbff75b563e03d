// Alerting checks: PrometheusRule through `promtool check rules` and `promtool test rules`, coverage of every
// alert by a unit test and a runbook entry, metric names the app really exports, and the AlertmanagerConfig
// turned into the Alertmanager configuration the operator would generate, through `amtool check-config`.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { stringify } from "yaml"
import { type K8sObject, label } from "./k8s.ts"
import { asArray, asRecord, isRecord, type Json, readYaml, rel, run, str, tool } from "./lib.ts"

// The Prometheus names the app exports (conventions of the app), and the kube-state-metrics series the alerts use.
export const appMetrics = [
  "http_server_requests_total",
  "http_server_request_duration_seconds_bucket",
  "http_server_request_duration_seconds_sum",
  "http_server_request_duration_seconds_count",
  "db_pool_connections_in_use",
  "db_pool_connections_waiting",
  "users_registered_total",
  "articles_published_total",
  "comments_posted_total",
  "webhook_deliveries_total",
  "external_http_requests_total",
  "external_http_attempt_duration_seconds_bucket",
  "external_http_circuit_state"
]
const platformMetrics = [
  "up",
  "kube_pod_container_status_restarts_total",
  "kube_pod_status_ready",
  "kube_deployment_status_replicas_available",
  "kube_deployment_spec_replicas",
  "kube_job_status_failed",
  "otelcol_exporter_send_failed_spans_total"
]

const promqlWords = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "and",
  "or",
  "unless",
  "offset",
  "bool",
  "inf",
  "nan"
])

/** Metric names an expression reads (strings, matchers, ranges, grouping clauses and function calls removed). */
export const metricNames = (expr: string): Array<string> => {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, " ")
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
  const names: Array<string> = []
  for (const m of bare.matchAll(/(?<![\w.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const name = m[1] ?? ""
    if (m[2] || promqlWords.has(name.toLowerCase())) continue
    names.push(name)
  }
  return names
}

const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\w\- ]/g, "")
    .replace(/ /g, "-")

type Rule = {
  readonly alert?: string
  readonly record?: string
  readonly expr: string
  readonly labels: Json
  readonly annotations: Json
}

const rulesOf = (groups: unknown): Array<Rule> =>
  asArray(groups).flatMap((g) =>
    asArray(asRecord(g).rules).map((r) => {
      const o = asRecord(r)
      const alert = str(o.alert)
      const record = str(o.record)
      return {
        ...(alert === undefined ? {} : { alert }),
        ...(record === undefined ? {} : { record }),
        expr: String(o.expr ?? ""),
        labels: asRecord(o.labels),
        annotations: asRecord(o.annotations)
      }
    })
  )

/** promtool check + unit tests of one PrometheusRule, and the project's coverage rules. */
export const checkPrometheusRule = (
  rule: K8sObject,
  testsFile: string,
  runbookFile: string,
  source: string
): Array<string> => {
  const at = `${source}: ${label(rule)}`
  const problems: Array<string> = []
  const groups = asRecord(rule.spec).groups
  const tests = asRecord(readYaml(testsFile))
  const ruleFile = str(asArray(tests.rule_files)[0])
  if (!ruleFile) return [`${rel(testsFile)}: rule_files must name the file the rules are written to`]
  const dir = mkdtempSync(path.join(tmpdir(), "promtool-"))
  try {
    writeFileSync(path.join(dir, ruleFile), stringify({ groups }))
    const check = run(tool("promtool"), ["check", "rules", ruleFile], dir)
    if (check.code !== 0) problems.push(`${at}: promtool check rules failed:\n${(check.stdout + check.stderr).trim()}`)
    copyFileSync(testsFile, path.join(dir, "tests.yaml"))
    const test = run(tool("promtool"), ["test", "rules", "tests.yaml"], dir)
    if (test.code !== 0)
      problems.push(`${at}: promtool test rules (${rel(testsFile)}) failed:\n${(test.stdout + test.stderr).trim()}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const rules = rulesOf(groups)
  const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])))
  const known = new Set([...appMetrics, ...platformMetrics, ...recorded])
  const tested = new Set(
    asArray(tests.tests).flatMap((t) =>
      asArray(asRecord(t).alert_rule_test).flatMap((a) => {
        const o = asRecord(a)
        return asArray(o.exp_alerts).length > 0 ? [str(o.alertname) ?? ""] : []
      })
    )
  )
  const runbook = existsSync(runbookFile) ? readFileSync(runbookFile, "utf8") : ""
  const anchors = new Set([...runbook.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1] ?? "")))
  for (const r of rules) {
    const name = r.alert ?? r.record ?? "?"
    for (const metric of metricNames(r.expr)) {
      if (!known.has(metric))
        problems.push(
          `${at}: rule ${name} reads metric ${metric}, which the app does not export (nor a recording rule defines)`
        )
    }
    if (!r.alert) continue
    if (!tested.has(r.alert))
      problems.push(`${at}: alert ${r.alert} has no unit test that expects it to fire in ${rel(testsFile)}`)
    if (!["critical", "warning", "info"].includes(str(r.labels.severity) ?? ""))
      problems.push(`${at}: alert ${r.alert} needs a severity label (critical, warning or info)`)
    if (!str(r.annotations.summary)) problems.push(`${at}: alert ${r.alert} needs a summary annotation`)
    const url = str(r.annotations.runbook_url) ?? ""
    const anchor = url.split("#")[1]
    if (!url.includes("docs/runbook.md#") || !anchor)
      problems.push(`${at}: alert ${r.alert} needs a runbook_url pointing at docs/runbook.md#<alert>`)
    else if (!anchors.has(anchor))
      problems.push(
        `${at}: alert ${r.alert} links runbook anchor #${anchor}, but ${rel(runbookFile)} has no such heading`
      )
  }
  return problems
}

const snake = (key: string): string =>
  ({
    apiURL: "api_url",
    urlSecret: "url",
    sourceMatch: "source_matchers",
    targetMatch: "target_matchers",
    routingKey: "routing_key"
  })[key] ?? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

const matcher = (m: unknown): string => {
  const o = asRecord(m)
  return `${str(o.name) ?? ""}${str(o.matchType) ?? (o.regex === true ? "=~" : "=")}${JSON.stringify(String(o.value ?? ""))}`
}

// Secret selectors become placeholder URLs: amtool checks the shape, the operator fills in the real value.
const convert = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(convert)
  if (!isRecord(v)) return v
  const keys = Object.keys(v).sort().join(",")
  if (keys === "key,name" && typeof v.name === "string" && typeof v.key === "string")
    return `https://${v.name}.invalid/${v.key}`
  const out: Json = {}
  for (const [k, val] of Object.entries(v)) {
    if (k === "matchers" || k === "sourceMatch" || k === "targetMatch") out[snake(k)] = asArray(val).map(matcher)
    else out[snake(k)] = convert(val)
  }
  return out
}

/** The Alertmanager configuration prometheus-operator generates from an AlertmanagerConfig (the subset used here). */
export const toAlertmanagerConfig = (amc: K8sObject): Json => {
  const spec = asRecord(amc.spec)
  const ns = str(asRecord(amc.metadata).namespace) ?? "default"
  const route = asRecord(convert(spec.route))
  return {
    route: {
      receiver: "null",
      routes: [{ ...route, matchers: [`namespace="${ns}"`, ...asArray(route.matchers)] }]
    },
    receivers: [{ name: "null" }, ...asArray(convert(spec.receivers))],
    ...(spec.inhibitRules ? { inhibit_rules: convert(spec.inhibitRules) } : {})
  }
}

/** `amtool check-config` on an Alertmanager configuration given as an object. */
export const amtoolCheck = (config: unknown, source: string): Array<string> => {
  const dir = mkdtempSync(path.join(tmpdir(), "amtool-"))
  try {
    const file = path.join(dir, "alertmanager.yml")
    writeFileSync(file, stringify(config))
    const r = run(tool("amtool"), ["check-config", file], dir)
    return r.code === 0
      ? []
      : [`${source}: amtool check-config failed:\n${(r.stdout + r.stderr).replaceAll(file, "alertmanager.yml").trim()}`]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export const checkAlertmanagerConfig = (amc: K8sObject, source: string): Array<string> => {
  const problems = amtoolCheck(toAlertmanagerConfig(amc), `${source}: ${label(amc)}`)
  // Critical alerts must reach a pager, not only chat.
  const routes = asArray(asRecord(asRecord(amc.spec).route).routes).map(asRecord)
  const receivers0 = asArray(asRecord(amc.spec).receivers).map(asRecord)
  const pages = routes.some((r) => {
    const rec = receivers0.find((x) => x.name === r.receiver)
    const critical =
      asArray(r.matchers).length === 0 ||
      asArray(r.matchers).some((m) => asRecord(m).name === "severity" && asRecord(m).value === "critical")
    return critical && asArray(rec?.pagerdutyConfigs).length + asArray(rec?.opsgenieConfigs).length > 0
  })
  if (!pages)
    problems.push(`${source}: ${label(amc)} routes severity=critical to no pager (pagerdutyConfigs or opsgenieConfigs)`)
  const receivers = asArray(asRecord(amc.spec).receivers).map(asRecord)
  const kinds = new Set(
    receivers.flatMap((r) => Object.keys(r).filter((k) => k.endsWith("Configs") && asArray(r[k]).length > 0))
  )
  for (const needed of ["webhookConfigs", "slackConfigs", "pagerdutyConfigs"]) {
    if (!kinds.has(needed)) problems.push(`${source}: ${label(amc)} has no receiver with ${needed}`)
  }
  return problems
}

// Names Kubernetes gives pods: the ReplicaSet's pod-template-hash and the pod suffix use this alphabet.
const safe = "bcdfghjklmnpqrstvwxz2456789"
const sample = (n: number, seed: number): string =>
  Array.from({ length: n }, (_, i) => safe[(seed * 7 + i * 5) % safe.length]).join("")

/** Pod names each rendered workload produces, a few samples each (hash lengths vary). */
export const podNames = (
  objects: ReadonlyArray<K8sObject>
): Array<{ workload: string; pod: string; containers: ReadonlyArray<string> }> =>
  objects.flatMap((o) => {
    const name = str(asRecord(o.metadata).name) ?? ""
    const pod = asRecord(asRecord(asRecord(o.spec).template).spec)
    const containers = [...asArray(pod.initContainers), ...asArray(pod.containers)].map(
      (c) => str(asRecord(c).name) ?? ""
    )
    const at = label(o)
    const names: Array<string> =
      o.kind === "Deployment"
        ? [8, 9, 10].map((n, i) => `${name}-${sample(n, i + 1)}-${sample(5, i + 4)}`)
        : o.kind === "Job" || o.kind === "DaemonSet"
          ? [1, 2].map((i) => `${name}-${sample(5, i)}`)
          : o.kind === "StatefulSet"
            ? [`${name}-0`, `${name}-1`]
            : o.kind === "CronJob"
              ? [`${name}-29000000-${sample(5, 3)}`]
              : []
    return names.map((p) => ({ workload: at, pod: p, containers }))
  })

/** Label matchers of every selector in an expression: [name, op, value]. */
const matchersOf = (expr: string): Array<[string, string, string]> =>
  [...expr.matchAll(/\{((?:[^{}"]|"(?:[^"\\]|\\.)*")*)\}/g)].flatMap((m) =>
    [...(m[1] ?? "").matchAll(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map(
      (x) => [x[1] ?? "", x[2] ?? "", (x[3] ?? "").replace(/\\\\/g, "\\")] as [string, string, string]
    )
  )

/**
 * Alert expressions against what the overlay really runs: a pod matcher must pick the pods of exactly one
 * workload (a finished Job's pod matched by a Deployment's regex fires after every deploy), a container
 * matcher must name a container of it, a job matcher a scraped Service, a job_name matcher a rendered Job.
 */
export const checkAlertTargets = (
  rule: K8sObject,
  objects: ReadonlyArray<K8sObject>,
  source: string
): Array<string> => {
  const at = `${source}: ${label(rule)}`
  const problems: Array<string> = []
  const pods = podNames(objects)
  const scraped = new Set(
    objects
      .filter((o) => o.kind === "ServiceMonitor")
      .flatMap((sm) => {
        const ml = asRecord(asRecord(asRecord(sm.spec).selector).matchLabels)
        return objects
          .filter(
            (s) =>
              s.kind === "Service" &&
              Object.entries(ml).every(([k, v]) => asRecord(asRecord(s.metadata).labels)[k] === v)
          )
          .map((s) => str(asRecord(s.metadata).name) ?? "")
      })
  )
  const jobs = new Set(objects.filter((o) => o.kind === "Job").map((o) => str(asRecord(o.metadata).name) ?? ""))
  const test = (op: string, value: string, candidate: string): boolean => {
    if (op === "=") return candidate === value
    if (op === "!=") return candidate !== value
    const re = new RegExp(`^(?:${value})$`)
    return op === "=~" ? re.test(candidate) : !re.test(candidate)
  }
  for (const r of rulesOf(asRecord(rule.spec).groups)) {
    const name = r.alert ?? r.record ?? "?"
    const ms = matchersOf(r.expr)
    const podMatchers = ms.filter(([l]) => l === "pod")
    const containerMatchers = ms.filter(([l]) => l === "container")
    if (podMatchers.length > 0) {
      const hit = pods.filter((p) => podMatchers.every(([, op, v]) => test(op, v, p.pod)))
      const workloads = [...new Set(hit.map((p) => p.workload))]
      if (workloads.length === 0)
        problems.push(
          `${at}: rule ${name} selects pods ${podMatchers.map(([, op, v]) => `pod${op}"${v}"`).join(", ")}, which match no pod this overlay runs`
        )
      if (workloads.length > 1)
        problems.push(
          `${at}: rule ${name} selects pods of ${workloads.join(" and ")}; a pod matcher must pick one workload (e.g. ${hit
            .map((p) => p.pod)
            .slice(0, 2)
            .join(", ")})`
        )
      for (const [, op, v] of containerMatchers) {
        if (!hit.some((p) => p.containers.some((c) => test(op, v, c))))
          problems.push(`${at}: rule ${name} matches container${op}"${v}", which the selected pods do not run`)
      }
    }
    for (const [, op, v] of ms.filter(([l]) => l === "job")) {
      if (op === "=" && !scraped.has(v))
        problems.push(
          `${at}: rule ${name} reads job="${v}", which no ServiceMonitor scrapes (the job label is the scraped Service's name)`
        )
    }
    for (const [, op, v] of ms.filter(([l]) => l === "job_name")) {
      if (![...jobs].some((j) => test(op, v, j)))
        problems.push(`${at}: rule ${name} reads job_name${op}"${v}", which matches no Job of this overlay`)
    }
  }
  return [...new Set(problems)]
}
