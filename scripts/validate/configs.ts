// OpenTelemetry Collector and Fluent Bit configurations: parsed, then cross-referenced with each other's
// parts (pipelines, parsers, tags), with the environment variables their containers get, and with ports.
import { readdirSync, readFileSync } from "node:fs"
import path from "node:path"
import { appMetrics, metricNames } from "./alerts.ts"
import { type K8sObject, podSpecs } from "./k8s.ts"
import { asArray, asRecord, type Json, parseYamlDocs, str } from "./lib.ts"

// Component types of the collector-contrib distribution this project may use; anything else is likely a typo.
const collectorTypes: Record<string, ReadonlyArray<string>> = {
  receivers: ["otlp", "prometheus", "hostmetrics", "filelog", "k8s_cluster", "kubeletstats", "jaeger", "zipkin"],
  processors: [
    "batch",
    "memory_limiter",
    "resource",
    "resourcedetection",
    "attributes",
    "k8sattributes",
    "filter",
    "transform",
    "tail_sampling",
    "probabilistic_sampler"
  ],
  exporters: ["otlp", "otlphttp", "debug", "prometheus", "prometheusremotewrite", "file", "loadbalancing"],
  extensions: ["health_check", "pprof", "zpages", "basicauth", "bearertokenauth", "oauth2client", "file_storage"],
  connectors: ["spanmetrics", "count", "forward", "routing"]
}

const envRefs = (text: string, re: RegExp): Set<string> => new Set([...text.matchAll(re)].map((m) => m[1] ?? ""))

const portOf = (endpoint: unknown): number | undefined => {
  const m = /:(\d+)$/.exec(str(endpoint) ?? "")
  return m ? Number(m[1]) : undefined
}

export type Runtime = {
  readonly env: ReadonlySet<string>
  readonly ports?: ReadonlySet<number>
  readonly healthPort?: number
}

export const checkCollectorConfig = (text: string, source: string, runtime: Runtime): Array<string> => {
  const problems: Array<string> = []
  let cfg: Json
  try {
    cfg = asRecord(parseYamlDocs(text, source)[0])
  } catch (e) {
    return [String((e as Error).message)]
  }
  const defined: Record<string, Set<string>> = {}
  for (const section of Object.keys(collectorTypes)) {
    defined[section] = new Set(Object.keys(asRecord(cfg[section])))
    for (const id of defined[section]) {
      const type = id.split("/")[0] ?? ""
      if (!collectorTypes[section]?.includes(type))
        problems.push(`${source}: ${section}.${id}: unknown component type "${type}"`)
    }
  }
  for (const key of Object.keys(cfg)) {
    if (!(key in collectorTypes) && key !== "service") problems.push(`${source}: unknown top-level section "${key}"`)
  }
  const service = asRecord(cfg.service)
  const used: Record<string, Set<string>> = { receivers: new Set(), processors: new Set(), exporters: new Set() }
  const pipelines = asRecord(service.pipelines)
  if (Object.keys(pipelines).length === 0) problems.push(`${source}: service.pipelines is empty`)
  for (const [name, raw] of Object.entries(pipelines)) {
    if (!/^(traces|metrics|logs)(\/.+)?$/.test(name))
      problems.push(`${source}: pipeline ${name}: the name must start with traces, metrics or logs`)
    const p = asRecord(raw)
    for (const section of ["receivers", "processors", "exporters"] as const) {
      const ids = asArray(p[section]).map(String)
      if (section !== "processors" && ids.length === 0) problems.push(`${source}: pipeline ${name} has no ${section}`)
      for (const id of ids) {
        used[section]?.add(id)
        const viaConnector = section !== "processors" && defined.connectors?.has(id)
        if (!defined[section]?.has(id) && !viaConnector)
          problems.push(
            `${source}: pipeline ${name} uses ${section.slice(0, -1)} ${id}, which is not defined under ${section}`
          )
      }
      if (section === "processors" && ids.includes("memory_limiter") && ids[0] !== "memory_limiter") {
        problems.push(`${source}: pipeline ${name}: memory_limiter must be the first processor`)
      }
    }
  }
  for (const section of ["receivers", "exporters"] as const) {
    for (const id of defined[section] ?? []) {
      if (!used[section]?.has(id))
        problems.push(`${source}: ${section.slice(0, -1)} ${id} is defined but used by no pipeline`)
    }
  }
  for (const ext of asArray(service.extensions).map(String)) {
    if (!defined.extensions?.has(ext))
      problems.push(`${source}: service.extensions lists ${ext}, which is not defined under extensions`)
  }
  for (const name of envRefs(text, /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}/g)) {
    if (!runtime.env.has(name)) problems.push(`${source}: \${env:${name}} is not set in the collector's environment`)
  }
  if (runtime.ports) {
    const otlp = asRecord(asRecord(asRecord(cfg.receivers).otlp).protocols)
    for (const [proto, conf] of Object.entries(otlp)) {
      const port = portOf(asRecord(conf).endpoint)
      if (port && !runtime.ports.has(port))
        problems.push(`${source}: OTLP ${proto} listens on ${port}, which the collector container does not expose`)
    }
  }
  if (runtime.healthPort !== undefined) {
    const port = portOf(asRecord(asRecord(cfg.extensions).health_check).endpoint)
    if (port !== runtime.healthPort)
      problems.push(`${source}: health_check listens on ${String(port)}, but the probes use ${runtime.healthPort}`)
  }
  return problems
}

const fluentPlugins: Record<string, ReadonlyArray<string>> = {
  inputs: ["tail", "forward", "systemd", "dummy", "http", "fluentbit_metrics", "kubernetes_events"],
  filters: [
    "kubernetes",
    "parser",
    "modify",
    "grep",
    "record_modifier",
    "lua",
    "nest",
    "multiline",
    "rewrite_tag",
    "throttle"
  ],
  outputs: [
    "loki",
    "stdout",
    "forward",
    "es",
    "http",
    "null",
    "opentelemetry",
    "s3",
    "prometheus_exporter",
    "cloudwatch_logs"
  ]
}
const builtinParsers = ["docker", "cri", "json", "syslog-rfc5424", "syslog-rfc3164", "logfmt", "go", "python", "java"]

// Fluent Bit tag patterns: "*" matches any run of characters.
const tagMatches = (pattern: string, tag: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(tag)

export const checkFluentBitConfig = (
  text: string,
  parsersText: string | undefined,
  source: string,
  env: ReadonlySet<string>
): Array<string> => {
  const problems: Array<string> = []
  let cfg: Json
  let parsers: Json = {}
  try {
    cfg = asRecord(parseYamlDocs(text, source)[0])
    if (parsersText !== undefined) parsers = asRecord(parseYamlDocs(parsersText, `${source} parsers`)[0])
  } catch (e) {
    return [String((e as Error).message)]
  }
  for (const key of Object.keys(cfg)) {
    if (!["service", "pipeline", "parsers", "env", "includes", "multiline_parsers"].includes(key))
      problems.push(`${source}: unknown top-level section "${key}"`)
  }
  const parserNames = new Set([
    ...builtinParsers,
    ...[...asArray(cfg.parsers), ...asArray(parsers.parsers)].map((p) => str(asRecord(p).name) ?? "")
  ])
  const pipeline = asRecord(cfg.pipeline)
  const tags: Array<string> = []
  for (const section of ["inputs", "filters", "outputs"] as const) {
    for (const [i, raw] of asArray(pipeline[section]).entries()) {
      const p = asRecord(raw)
      const name = str(p.name) ?? ""
      const at = `${source}: pipeline.${section}[${i}] (${name || "no name"})`
      if (!fluentPlugins[section]?.includes(name))
        problems.push(`${at}: unknown ${section.slice(0, -1)} plugin "${name}"`)
      if (section === "inputs") {
        const tag = str(p.tag)
        if (!tag) problems.push(`${at}: an input needs a tag`)
        else tags.push(tag.replace(/\*/g, "x"))
      } else {
        const match = str(p.match) ?? str(p.match_regex)
        if (!match) problems.push(`${at}: needs match`)
        else if (!tags.some((t) => (p.match ? tagMatches(match, t) : new RegExp(match).test(t))))
          problems.push(`${at}: match "${match}" matches no input tag`)
      }
      for (const key of ["parser", "merge_parser"]) {
        const ref = str(p[key])
        if (ref && !parserNames.has(ref)) problems.push(`${at}: ${key} ${ref} is not defined in the parsers file`)
      }
    }
  }
  if (asArray(pipeline.inputs).length === 0) problems.push(`${source}: pipeline has no inputs`)
  if (asArray(pipeline.outputs).length === 0) problems.push(`${source}: pipeline has no outputs`)
  for (const name of envRefs(text, /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
    if (!env.has(name)) problems.push(`${source}: \${${name}} is not set in Fluent Bit's environment`)
  }
  return problems
}

/** Environment variable names a container gets (env and envFrom ConfigMaps). */
const containerEnv = (c: Json, objects: ReadonlyArray<K8sObject>): Set<string> => {
  const names = new Set(asArray(c.env).map((e) => str(asRecord(e).name) ?? ""))
  for (const ef of asArray(c.envFrom)) {
    const cm = str(asRecord(asRecord(ef).configMapRef).name)
    const obj = objects.find((o) => o.kind === "ConfigMap" && asRecord(o.metadata).name === cm)
    for (const k of Object.keys(asRecord(obj?.data))) names.add(k)
  }
  return names
}

/** Values a container gets from its envFrom ConfigMaps and env literals. */
const containerEnvValues = (c: Json, objects: ReadonlyArray<K8sObject>): Map<string, string> => {
  const values = new Map<string, string>()
  for (const ef of asArray(c.envFrom)) {
    const cm = str(asRecord(asRecord(ef).configMapRef).name)
    const obj = objects.find((o) => o.kind === "ConfigMap" && asRecord(o.metadata).name === cm)
    for (const [k, v] of Object.entries(asRecord(obj?.data))) values.set(k, String(v))
  }
  for (const e of asArray(c.env).map(asRecord)) if (typeof e.value === "string") values.set(str(e.name) ?? "", e.value)
  return values
}

/** The files a container sees through ConfigMap volumes: mount path + key → content. */
const mountedFiles = (pod: Json, c: Json, objects: ReadonlyArray<K8sObject>): Map<string, string> => {
  const files = new Map<string, string>()
  for (const m of asArray(c.volumeMounts).map(asRecord)) {
    const vol = asArray(pod.volumes)
      .map(asRecord)
      .find((v) => v.name === m.name)
    const cm = str(asRecord(vol?.configMap).name)
    const obj = objects.find((o) => o.kind === "ConfigMap" && asRecord(o.metadata).name === cm)
    for (const [k, v] of Object.entries(asRecord(obj?.data)))
      files.set(path.posix.join(str(m.mountPath) ?? "/", k), String(v))
  }
  return files
}

const configArg = (c: Json): string | undefined => {
  for (const a of [...asArray(c.command), ...asArray(c.args)].map(String)) {
    const m = /^--config=(.+)$/.exec(a) ?? /^-c=?(.+)$/.exec(a)
    if (m) return m[1]
  }
  return undefined
}

/** The collector and Fluent Bit as rendered for one overlay: the config each container really mounts. */
export const checkTelemetryInCluster = (
  objects: ReadonlyArray<K8sObject>,
  source: string,
  expect: { readonly collector: boolean; readonly fluentBit: boolean } = { collector: true, fluentBit: true }
): Array<string> => {
  const problems: Array<string> = []
  const find = (image: RegExp) =>
    podSpecs(objects).flatMap(({ obj, pod }) =>
      asArray(pod.containers)
        .map(asRecord)
        .filter((c) => image.test(str(c.image) ?? ""))
        .map((c) => ({ obj, pod, c }))
    )
  const collectors = find(/opentelemetry-collector/)
  const shippers = find(/fluent-bit/)
  if (expect.collector && collectors.length === 0) problems.push(`${source}: no OpenTelemetry Collector workload`)
  if (expect.fluentBit && shippers.length === 0) problems.push(`${source}: no Fluent Bit workload`)
  // Where a workload's --config points, and that file's text when a ConfigMap mounts it.
  const mountedConfig = ({ obj, pod, c }: (typeof collectors)[number]) => {
    const at = `${source}: ${obj.kind}/${String(asRecord(obj.metadata).name)}`
    const files = mountedFiles(pod, c, objects)
    const file = configArg(c)
    const text = file ? files.get(file) : undefined
    if (!text) problems.push(`${at}: --config=${String(file)} is not a file mounted from a ConfigMap`)
    return { at, files, file, text }
  }
  for (const workload of collectors) {
    const { c } = workload
    const { at, file, text } = mountedConfig(workload)
    if (!text) continue
    const ports = new Set(asArray(c.ports).map((p) => Number(asRecord(p).containerPort)))
    const probePort = asRecord(asRecord(c.readinessProbe).httpGet).port
    const healthPort = asArray(c.ports)
      .map(asRecord)
      .find((p) => p.name === probePort || p.containerPort === probePort)?.containerPort
    for (const [key, value] of [...containerEnvValues(c, objects)]) {
      const host = /^[a-z]+:\/\/([^:/]+)/.exec(value)?.[1]
      const local = objects.some((o) => o.kind === "Service" && asRecord(o.metadata).name === host)
      if (host && !host.includes(".") && !local) {
        problems.push(
          `${at}: ${key}=${value} names host ${host}, which is no Service of this deployment; set the backend's full hostname in the overlay`
        )
      }
    }
    problems.push(
      ...checkCollectorConfig(text, `${at} ${file}`, {
        env: containerEnv(c, objects),
        ports,
        ...(typeof healthPort === "number" ? { healthPort } : {})
      })
    )
  }
  for (const workload of shippers) {
    const { c } = workload
    const { at, files, file, text } = mountedConfig(workload)
    if (!text) continue
    const parsersFile = str(asRecord(asRecord(parseYamlDocs(text, at)[0]).service).parsers_file)
    const parsersText = parsersFile ? files.get(parsersFile) : undefined
    if (parsersFile && parsersText === undefined)
      problems.push(`${at}: service.parsers_file ${parsersFile} is not mounted`)
    problems.push(...checkFluentBitConfig(text, parsersText, `${at} ${file}`, containerEnv(c, objects)))
    const env = containerEnv(c, objects)
    const loki = asArray(asRecord(asRecord(parseYamlDocs(text, at)[0]).pipeline).outputs).some(
      (o) => asRecord(o).name === "loki"
    )
    if (!loki) problems.push(`${at}: no loki output`)
    if (!env.has("LOKI_HOST")) problems.push(`${at}: LOKI_HOST is not configurable through the environment`)
  }
  return problems
}

/**
 * Grafana dashboards as provisioned in compose: valid JSON, unique uids, every query on a provisioned
 * datasource, reading only metrics the app exports (a renamed metric leaves a panel silently empty).
 */
export const checkDashboards = (dir: string, datasourcesFile: string, source: string): Array<string> => {
  const problems: Array<string> = []
  const datasources = new Set(
    asArray(asRecord(parseYamlDocs(readFileSync(datasourcesFile, "utf8"), datasourcesFile)[0]).datasources).map(
      (d) => str(asRecord(d).uid) ?? ""
    )
  )
  const uids = new Set<string>()
  const files = readdirSync(dir).filter((f) => f.endsWith(".json"))
  if (files.length === 0) problems.push(`${source}: no dashboard in ${dir}`)
  for (const f of files) {
    const at = `${source}/${f}`
    let dash: Json
    try {
      dash = asRecord(JSON.parse(readFileSync(path.join(dir, f), "utf8")))
    } catch (e) {
      problems.push(`${at}: not JSON: ${(e as Error).message}`)
      continue
    }
    const uid = str(dash.uid)
    if (!uid) problems.push(`${at}: the dashboard needs a uid (links and provisioning rely on it)`)
    else if (uids.has(uid)) problems.push(`${at}: uid ${uid} is used twice`)
    else uids.add(uid)
    for (const panel of asArray(dash.panels).map(asRecord)) {
      const title = str(panel.title) ?? "?"
      for (const t of asArray(panel.targets).map(asRecord)) {
        const ds = str(asRecord(t.datasource ?? panel.datasource).uid)
        if (!ds || !datasources.has(ds))
          problems.push(`${at}: panel "${title}" queries datasource ${String(ds)}, which is not provisioned`)
        for (const metric of metricNames(str(t.expr) ?? "")) {
          if (!appMetrics.includes(metric))
            problems.push(`${at}: panel "${title}" reads metric ${metric}, which the app does not export`)
        }
      }
    }
  }
  return problems
}
