// Kubernetes checks: kustomize rendering, real API schemas (kubernetes-models, prometheus-operator CRDs),
// unknown fields, removed API versions, the project's pod policies and cross-references between objects.
import { readdirSync, readFileSync } from "node:fs"
import path from "node:path"
import { asArray, asRecord, isRecord, type Json, parseYamlDocs, rel, run, seconds, str, tool } from "./lib.ts"

export type K8sObject = Json & { readonly apiVersion: string; readonly kind: string }

const nameOf = (o: Json): string => str(asRecord(o.metadata).name) ?? "<unnamed>"
export const label = (o: K8sObject): string => `${o.kind}/${nameOf(o)}`

/** Renders one kustomization directory with `kubectl kustomize` (Debian's kubectl, offline). */
export const render = (dir: string): { objects: Array<K8sObject>; problems: Array<string> } => {
  const r = run(tool("kubectl"), ["kustomize", dir])
  if (r.code !== 0) return { objects: [], problems: [`kustomize ${rel(dir)}: ${r.stderr.trim() || r.stdout.trim()}`] }
  return toObjects(parseYamlDocs(r.stdout, `kustomize ${rel(dir)}`), rel(dir))
}

export const toObjects = (docs: ReadonlyArray<unknown>, source: string) => {
  const objects: Array<K8sObject> = []
  const problems: Array<string> = []
  docs.forEach((d, i) => {
    if (isRecord(d) && typeof d.apiVersion === "string" && typeof d.kind === "string") objects.push(d as K8sObject)
    else problems.push(`${source}: document ${i + 1} has no apiVersion/kind`)
  })
  return { objects, problems }
}

export const loadFile = (file: string) => toObjects(parseYamlDocs(readFileSync(file, "utf8"), rel(file)), rel(file))

// API versions the API server no longer serves (Kubernetes deprecation guide), with their replacement.
const removed: ReadonlyArray<readonly [RegExp, string, string]> = [
  [/^extensions\/v1beta1$/, "1.22", "apps/v1, networking.k8s.io/v1"],
  [/^apps\/v1beta[12]$/, "1.16", "apps/v1"],
  [/^networking\.k8s\.io\/v1beta1$/, "1.22", "networking.k8s.io/v1"],
  [/^policy\/v1beta1$/, "1.25", "policy/v1 (PodSecurityPolicy: Pod Security Admission)"],
  [/^batch\/v1beta1$/, "1.25", "batch/v1"],
  [/^autoscaling\/v2beta1$/, "1.25", "autoscaling/v2"],
  [/^autoscaling\/v2beta2$/, "1.26", "autoscaling/v2"],
  [/^rbac\.authorization\.k8s\.io\/v1(alpha1|beta1)$/, "1.22", "rbac.authorization.k8s.io/v1"],
  [/^apiextensions\.k8s\.io\/v1beta1$/, "1.22", "apiextensions.k8s.io/v1"],
  [/^admissionregistration\.k8s\.io\/v1beta1$/, "1.22", "admissionregistration.k8s.io/v1"],
  [/^certificates\.k8s\.io\/v1beta1$/, "1.22", "certificates.k8s.io/v1"],
  [/^coordination\.k8s\.io\/v1beta1$/, "1.22", "coordination.k8s.io/v1"],
  [/^scheduling\.k8s\.io\/v1(alpha1|beta1)$/, "1.22", "scheduling.k8s.io/v1"],
  [/^storage\.k8s\.io\/v1beta1$/, "1.27", "storage.k8s.io/v1"],
  [/^discovery\.k8s\.io\/v1beta1$/, "1.25", "discovery.k8s.io/v1"],
  [/^events\.k8s\.io\/v1beta1$/, "1.25", "events.k8s.io/v1"],
  [/^node\.k8s\.io\/v1(alpha1|beta1)$/, "1.25", "node.k8s.io/v1"],
  [/^flowcontrol\.apiserver\.k8s\.io\/v1beta[123]$/, "1.32", "flowcontrol.apiserver.k8s.io/v1"]
]

type Validator = { validate(this: unknown): void }

const modelCache = new Map<string, Validator | undefined>()

const loadModel = async (apiVersion: string, kind: string): Promise<Validator | undefined> => {
  const key = `${apiVersion}/${kind}`
  if (modelCache.has(key)) return modelCache.get(key)
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion]
  const spec =
    group === ""
      ? `kubernetes-models/${version}/${kind}`
      : group === "monitoring.coreos.com"
        ? `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`
        : `kubernetes-models/${group}/${version}/${kind}`
  let model: Validator | undefined
  if (/^[A-Za-z0-9.]+$/.test(`${group}${version}${kind}`)) {
    try {
      const mod = (await import(spec)) as Record<string, { prototype: Validator } | undefined>
      model = mod[kind]?.prototype
    } catch {
      model = undefined
    }
  }
  modelCache.set(key, model)
  return model
}

/**
 * Runs the schema's compiled validator over a proxy that records which keys the schema reads:
 * a key the validator never looked at is a field the schema does not define.
 */
const validateTracked = (model: Validator, obj: Json): { errors: Array<string>; unknown: Array<string> } => {
  const reads = new Map<object, Set<string>>()
  const proxies = new WeakMap<object, object>()
  const wrap = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") return v
    const known = proxies.get(v)
    if (known) return known
    const p = new Proxy(v, {
      get(target, key, receiver) {
        if (typeof key === "string") {
          const seen = reads.get(target) ?? new Set<string>()
          seen.add(key)
          reads.set(target, seen)
        }
        return wrap(Reflect.get(target, key, receiver))
      }
    })
    proxies.set(v, p)
    return p
  }
  const errors: Array<string> = []
  try {
    model.validate.call(wrap(obj))
  } catch (e) {
    const list = asArray((e as { errors?: unknown }).errors)
    for (const err of list) {
      const r = asRecord(err)
      const where = str(r.instancePath) || "/"
      const params = JSON.stringify(r.params ?? {})
      errors.push(`${where}: ${str(r.message) ?? str(r.keyword) ?? "invalid"} ${params === "{}" ? "" : params}`.trim())
    }
    if (list.length === 0) errors.push(String(e))
  }
  const unknown: Array<string> = []
  const walk = (v: unknown, at: string): void => {
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        walk(item, `${at}/${i}`)
      })
      return
    }
    if (!isRecord(v)) return
    const seen = reads.get(v)
    // Never read at all: a free-form object (e.g. preserve-unknown-fields), not ours to judge.
    if (!seen) return
    for (const key of Object.keys(v)) {
      if (seen.has(key)) walk(v[key], `${at}/${key}`)
      else unknown.push(`${at}/${key}`)
    }
  }
  walk(obj, "")
  return { errors: [...new Set(errors)], unknown }
}

/** Schema validation of every object: known apiVersion/kind, not removed, valid, no unknown fields. */
export const checkSchemas = async (objects: ReadonlyArray<K8sObject>, source: string): Promise<Array<string>> => {
  const problems: Array<string> = []
  for (const o of objects) {
    const at = `${source}: ${label(o)}`
    const gone = removed.find(([re]) => re.test(o.apiVersion))
    if (gone) {
      problems.push(`${at}: apiVersion ${o.apiVersion} was removed in Kubernetes ${gone[1]}; use ${gone[2]}`)
      continue
    }
    const model = await loadModel(o.apiVersion, o.kind)
    if (!model) {
      problems.push(`${at}: no schema for apiVersion ${o.apiVersion} kind ${o.kind} (unknown or misspelt API)`)
      continue
    }
    const { errors, unknown } = validateTracked(model, o)
    for (const e of errors) problems.push(`${at}: schema: ${e}`)
    for (const u of unknown) problems.push(`${at}: unknown field ${u}`)
  }
  return problems
}

type PodSpecOwner = {
  readonly obj: K8sObject
  readonly pod: Json
  readonly podLabels: Json
  readonly podAnnotations: Json
}

export const podSpecs = (objects: ReadonlyArray<K8sObject>): Array<PodSpecOwner> =>
  objects.flatMap((obj) => {
    if (!["Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"].includes(obj.kind)) return []
    const template = asRecord(asRecord(obj.spec).template)
    const meta = asRecord(template.metadata)
    return [
      {
        obj,
        pod: asRecord(template.spec),
        podLabels: asRecord(meta.labels),
        podAnnotations: asRecord(meta.annotations)
      }
    ]
  })

const containersOf = (pod: Json): Array<Json> =>
  [...asArray(pod.initContainers), ...asArray(pod.containers)].map(asRecord)

// A pod that must run as root says why in this annotation (Fluent Bit reads root-owned node logs).
export const rootReasonAnnotation = "validate.hexa-monolith/root-reason"

const probePath = (probe: unknown): string | undefined => str(asRecord(asRecord(probe).httpGet).path)

/** The project's rules for every workload, plus (unless `api` is false) the API Deployment's health, drain and spread rules. */
export const checkPolicies = (objects: ReadonlyArray<K8sObject>, source: string, api = true): Array<string> => {
  const problems: Array<string> = []
  const configValue = (key: string): string | undefined => {
    for (const o of objects) {
      if (o.kind === "ConfigMap" && nameOf(o).startsWith("hexa-monolith-config")) {
        const v = str(asRecord(o.data)[key])
        if (v !== undefined) return v
      }
    }
    return undefined
  }
  for (const { obj, pod, podAnnotations } of podSpecs(objects)) {
    const at = `${source}: ${label(obj)}`
    const podSec = asRecord(pod.securityContext)
    const rootReason = str(podAnnotations[rootReasonAnnotation])
    for (const c of containersOf(pod)) {
      const cat = `${at} container ${str(c.name) ?? "?"}`
      const image = str(c.image) ?? ""
      const tag = image.includes("@") ? "digest" : (/:([^/:]+)$/.exec(image)?.[1] ?? "")
      if (tag === "" || tag === "latest")
        problems.push(`${cat}: image "${image}" must be pinned to a tag or digest (not latest)`)
      const res = asRecord(c.resources)
      if (!asRecord(res.requests).cpu || !asRecord(res.requests).memory)
        problems.push(`${cat}: resources.requests.cpu and .memory are required`)
      if (!asRecord(res.limits).memory) problems.push(`${cat}: resources.limits.memory is required`)
      const sec = asRecord(c.securityContext)
      if (sec.allowPrivilegeEscalation !== false)
        problems.push(`${cat}: securityContext.allowPrivilegeEscalation must be false`)
      if (sec.readOnlyRootFilesystem !== true)
        problems.push(`${cat}: securityContext.readOnlyRootFilesystem must be true`)
      if (!asArray(asRecord(sec.capabilities).drop).includes("ALL"))
        problems.push(`${cat}: securityContext.capabilities.drop must include ALL`)
      if (sec.privileged === true) problems.push(`${cat}: privileged containers are not allowed`)
      const nonRoot = (sec.runAsNonRoot ?? podSec.runAsNonRoot) === true && (sec.runAsUser ?? podSec.runAsUser) !== 0
      if (!nonRoot && !rootReason) {
        problems.push(
          `${cat}: must run as non-root (runAsNonRoot: true) or give a reason in the pod annotation ${rootReasonAnnotation}`
        )
      }
    }
  }
  if (!api) return problems
  return [...problems, ...checkApiDeployment(objects, source, configValue)]
}

const checkApiDeployment = (
  objects: ReadonlyArray<K8sObject>,
  source: string,
  configValue: (key: string) => string | undefined
): Array<string> => {
  const problems: Array<string> = []
  const api = objects.find(
    (o) => o.kind === "Deployment" && asRecord(asRecord(o.metadata).labels)["app.kubernetes.io/component"] === "api"
  )
  if (!api) {
    problems.push(`${source}: no Deployment labelled app.kubernetes.io/component=api (the API server)`)
    return problems
  }
  const at = `${source}: ${label(api)}`
  const pod = asRecord(asRecord(asRecord(api.spec).template).spec)
  const app = containersOf(pod)[0] ?? {}
  if (probePath(app.livenessProbe) !== "/health/live")
    problems.push(`${at}: livenessProbe must be an httpGet on /health/live`)
  if (probePath(app.readinessProbe) !== "/health/ready")
    problems.push(`${at}: readinessProbe must be an httpGet on /health/ready`)
  if (asArray(pod.topologySpreadConstraints).length === 0)
    problems.push(`${at}: topologySpreadConstraints are required`)
  if (asRecord(pod.securityContext).runAsNonRoot !== true)
    problems.push(`${at}: pod securityContext.runAsNonRoot must be true`)
  const drain = seconds(configValue("SHUTDOWN_TIMEOUT") ?? "20 seconds") ?? 20
  const preStop = Number(asRecord(asRecord(asRecord(app.lifecycle).preStop).sleep).seconds ?? 0)
  const grace = Number(pod.terminationGracePeriodSeconds ?? 30)
  const need = drain + preStop + 5
  if (grace < need) {
    problems.push(
      `${at}: terminationGracePeriodSeconds ${grace} is shorter than preStop ${preStop}s + SHUTDOWN_TIMEOUT ${drain}s + 5s; the drain would be killed`
    )
  } else if (grace > need + 30) {
    problems.push(
      `${at}: terminationGracePeriodSeconds ${grace} is far above preStop ${preStop}s + SHUTDOWN_TIMEOUT ${drain}s + 5s; a hung pod would block rollouts`
    )
  }
  const scaled = objects.some(
    (o) => o.kind === "HorizontalPodAutoscaler" && asRecord(asRecord(o.spec).scaleTargetRef).name === nameOf(api)
  )
  if (scaled && asRecord(api.spec).replicas !== undefined) {
    problems.push(
      `${at}: spec.replicas is set although a HorizontalPodAutoscaler scales it; every apply would reset the count`
    )
  }
  const hasMigrationJob = objects.some((o) => o.kind === "Job" && JSON.stringify(o).includes('"migrate"'))
  if (hasMigrationJob && configValue("MIGRATE_ON_START") !== "false") {
    problems.push(`${source}: a migration Job is deployed, so the app's ConfigMap must set MIGRATE_ON_START=false`)
  }
  const memory = quantity(str(asRecord(asRecord(app.resources).requests).memory) ?? "0")
  if (memory < measuredPeakBytes) {
    problems.push(
      `${at}: resources.requests.memory ${String(asRecord(asRecord(app.resources).requests).memory)} is below the measured peak RSS (~270 MB, bench/); the scheduler would overpack nodes`
    )
  }
  for (const kind of [
    "Service",
    "Ingress",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "NetworkPolicy",
    "ServiceAccount"
  ]) {
    if (!objects.some((o) => o.kind === kind)) problems.push(`${source}: no ${kind} is rendered`)
  }
  return problems
}

// Peak RSS of the API under the benchmark's read load (bench/README.md): requests must not be below it.
const measuredPeakBytes = 270 * 1000 * 1000

/** A Kubernetes quantity ("280Mi", "1Gi", "300M", "1") in base units. */
export const quantity = (q: string): number => {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T|m)?$/.exec(q.trim())
  if (!m) return Number.NaN
  const unit =
    { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9, T: 1e12, m: 1e-3 }[m[2] ?? ""] ?? 1
  return Number(m[1]) * unit
}

// Kinds that live outside any namespace: a namespace-scoped CD credential can apply none of them.
const clusterScoped = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "IngressClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ClusterIssuer"
])

/**
 * What CD applies with a namespace-scoped credential into a namespace that enforces Pod Security
 * "restricted": nothing cluster-scoped, nothing in another namespace, the namespace exists (k8s/platform)
 * and enforces restricted, and every pod meets restricted.
 */
export const checkNamespaceScoped = (
  objects: ReadonlyArray<K8sObject>,
  platform: ReadonlyArray<K8sObject>,
  namespace: string,
  source: string
): Array<string> => {
  const problems: Array<string> = []
  for (const o of objects) {
    if (clusterScoped.has(o.kind))
      problems.push(
        `${source}: ${label(o)} is cluster-scoped; CD's namespace-scoped credential cannot apply it (move it to k8s/platform)`
      )
    const ns = str(asRecord(o.metadata).namespace)
    if (ns && ns !== namespace)
      problems.push(
        `${source}: ${label(o)} is in namespace ${ns}, outside ${namespace}, where CD's credential does not reach`
      )
  }
  // The deploy credential (k8s/platform) must be able to apply every kind the overlay renders.
  const role = platform.find(
    (o) => o.kind === "Role" && str(asRecord(o.metadata).namespace) === namespace && nameOf(o).endsWith("-deployer")
  )
  if (!role) problems.push(`${source}: k8s/platform defines no *-deployer Role in namespace ${namespace} for CD`)
  else {
    const rules = asArray(role.rules).map(asRecord)
    for (const kind of new Set(
      objects.map((o) => `${o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : ""}|${o.kind}`)
    )) {
      const [group = "", k = ""] = kind.split("|")
      const lower = k.toLowerCase()
      const resource = lower.endsWith("y")
        ? `${lower.slice(0, -1)}ies`
        : lower.endsWith("s")
          ? `${lower}es`
          : `${lower}s`
      const verbs = new Set(
        rules
          .filter((r) => asArray(r.apiGroups).includes(group) && asArray(r.resources).includes(resource))
          .flatMap((r) => asArray(r.verbs).map(String))
      )
      const lacking = ["get", "create", "patch"].filter((v) => !verbs.has(v) && !verbs.has("*"))
      if (lacking.length > 0)
        problems.push(
          `${source}: ${label(role)} cannot ${lacking.join(", ")} ${resource}${group ? `.${group}` : ""}, which CD applies`
        )
    }
  }
  const ns = platform.find((o) => o.kind === "Namespace" && nameOf(o) === namespace)
  if (!ns) problems.push(`${source}: namespace ${namespace} is not created by k8s/platform`)
  else if (asRecord(asRecord(ns.metadata).labels)["pod-security.kubernetes.io/enforce"] !== "restricted") {
    problems.push(
      `${source}: namespace ${namespace} must enforce Pod Security "restricted" (label pod-security.kubernetes.io/enforce)`
    )
  }
  for (const { obj, pod } of podSpecs(objects)) {
    const at = `${source}: ${label(obj)}`
    for (const k of ["hostNetwork", "hostPID", "hostIPC"])
      if (pod[k] === true) problems.push(`${at}: ${k} is not allowed under Pod Security "restricted"`)
    for (const v of asArray(pod.volumes).map(asRecord))
      if (v.hostPath)
        problems.push(`${at}: hostPath volume ${str(v.name)} is not allowed under Pod Security "restricted"`)
    const podSec = asRecord(pod.securityContext)
    for (const c of containersOf(pod)) {
      const sec = asRecord(c.securityContext)
      const seccomp = str(asRecord(sec.seccompProfile).type) ?? str(asRecord(podSec.seccompProfile).type)
      if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost")
        problems.push(
          `${at} container ${str(c.name)}: seccompProfile RuntimeDefault is required under Pod Security "restricted"`
        )
      if ((sec.runAsNonRoot ?? podSec.runAsNonRoot) !== true)
        problems.push(`${at} container ${str(c.name)}: runAsNonRoot is required under Pod Security "restricted"`)
      if (asArray(c.ports).some((p) => asRecord(p).hostPort !== undefined))
        problems.push(`${at} container ${str(c.name)}: hostPort is not allowed under Pod Security "restricted"`)
    }
  }
  return problems
}

// PostgreSQL's default max_connections (100) less superuser_reserved_connections (3).
const defaultConnectionBudget = 97
// The migration Job's connections: the advisory-lock session and the one that runs migrations.
const migrationConnections = 2

/** Most pods the API can run at once (HPA maximum + rollout surge) × pool size + migrations, within what PostgreSQL admits. */
export const checkConnectionBudget = (
  objects: ReadonlyArray<K8sObject>,
  source: string,
  budget = defaultConnectionBudget
): Array<string> => {
  const api = objects.find(
    (o) => o.kind === "Deployment" && asRecord(asRecord(o.metadata).labels)["app.kubernetes.io/component"] === "api"
  )
  if (!api) return []
  const hpa = objects.find(
    (o) => o.kind === "HorizontalPodAutoscaler" && asRecord(asRecord(o.spec).scaleTargetRef).name === nameOf(api)
  )
  const max = Number(asRecord(hpa?.spec).maxReplicas ?? asRecord(api.spec).replicas ?? 1)
  const surgeRaw = asRecord(asRecord(asRecord(api.spec).strategy).rollingUpdate).maxSurge ?? "25%"
  const surge =
    typeof surgeRaw === "number" ? surgeRaw : Math.ceil((max * Number(String(surgeRaw).replace("%", ""))) / 100)
  let pool = 10
  for (const o of objects) {
    if (o.kind === "ConfigMap" && nameOf(o).startsWith("hexa-monolith-config"))
      pool = Number(asRecord(o.data).DATABASE_POOL_MAX ?? pool)
  }
  const total = (max + surge) * pool + migrationConnections
  return total > budget
    ? [
        `${source}: up to ${max + surge} API pods (HPA max ${max} + surge ${surge}) × DATABASE_POOL_MAX ${pool} + ${migrationConnections} for migrations = ${total} connections, over the ${budget} PostgreSQL admits by default (max_connections 100 less 3 reserved)`
      ]
    : []
}

const matches = (selector: Json, labels: Json): boolean => Object.entries(selector).every(([k, v]) => labels[k] === v)

/** Every name an object points at exists: ConfigMaps, Secrets (rendered or templated), Services, ports, selectors. */
export const checkReferences = (
  objects: ReadonlyArray<K8sObject>,
  secretTemplates: ReadonlyArray<K8sObject>,
  source: string,
  knownNamespaces: ReadonlyArray<string> = []
): Array<string> => {
  const problems: Array<string> = []
  const named = (kind: string, name: string) => objects.find((o) => o.kind === kind && nameOf(o) === name)
  const secretKeys = (name: string): Set<string> | undefined => {
    const s = [...objects, ...secretTemplates].find((o) => o.kind === "Secret" && nameOf(o) === name)
    return s ? new Set([...Object.keys(asRecord(s.data)), ...Object.keys(asRecord(s.stringData))]) : undefined
  }
  const pods = podSpecs(objects)
  const namespaces = new Set([...knownNamespaces, ...objects.filter((o) => o.kind === "Namespace").map(nameOf)])
  for (const o of objects) {
    const ns = str(asRecord(o.metadata).namespace)
    if (ns && !namespaces.has(ns)) problems.push(`${source}: ${label(o)} is in namespace ${ns}, which is not rendered`)
  }
  for (const { obj, pod } of pods) {
    const at = `${source}: ${label(obj)}`
    const sa = str(pod.serviceAccountName)
    if (sa && !named("ServiceAccount", sa)) problems.push(`${at}: serviceAccountName ${sa} does not exist`)
    for (const v of asArray(pod.volumes).map(asRecord)) {
      const cm = str(asRecord(v.configMap).name)
      if (cm && !named("ConfigMap", cm) && asRecord(v.configMap).optional !== true)
        problems.push(`${at}: volume ${str(v.name)} uses ConfigMap ${cm}, which does not exist`)
    }
    for (const c of containersOf(pod)) {
      const cat = `${at} container ${str(c.name) ?? "?"}`
      const ports = new Set(asArray(c.ports).map((p) => str(asRecord(p).name)))
      for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
        const port = asRecord(asRecord(c[probe]).httpGet).port
        if (typeof port === "string" && !ports.has(port))
          problems.push(`${cat}: ${probe} uses port ${port}, which the container does not name`)
      }
      for (const ef of asArray(c.envFrom).map(asRecord)) {
        const cm = str(asRecord(ef.configMapRef).name)
        if (cm && !named("ConfigMap", cm)) problems.push(`${cat}: envFrom ConfigMap ${cm} does not exist`)
      }
      for (const e of asArray(c.env).map(asRecord)) {
        const ref = asRecord(asRecord(e.valueFrom).secretKeyRef)
        const name = str(ref.name)
        if (!name || ref.optional === true) continue
        const keys = secretKeys(name)
        if (!keys)
          problems.push(
            `${cat}: env ${str(e.name)} reads Secret ${name}, which is neither rendered nor in k8s/secrets templates`
          )
        else if (!keys.has(str(ref.key) ?? ""))
          problems.push(`${cat}: env ${str(e.name)} reads key ${str(ref.key)} that Secret ${name} does not have`)
      }
    }
  }
  const podsMatching = (selector: Json) =>
    pods.filter((p) => Object.keys(selector).length > 0 && matches(selector, p.podLabels))
  for (const svc of objects.filter((o) => o.kind === "Service")) {
    const spec = asRecord(svc.spec)
    const targets = podsMatching(asRecord(spec.selector))
    if (targets.length === 0) {
      problems.push(`${source}: ${label(svc)} selects no pods`)
      continue
    }
    const portNames = new Set(
      targets.flatMap((t) => containersOf(t.pod).flatMap((c) => asArray(c.ports).map((p) => str(asRecord(p).name))))
    )
    for (const p of asArray(spec.ports).map(asRecord)) {
      if (typeof p.targetPort === "string" && !portNames.has(p.targetPort)) {
        problems.push(
          `${source}: ${label(svc)} targetPort ${p.targetPort} is not a container port name of the selected pods`
        )
      }
    }
  }
  const servicePort = (name: string, port: unknown): boolean => {
    const svc = named("Service", name)
    return (
      !!svc && asArray(asRecord(svc.spec).ports).some((p) => asRecord(p).name === port || asRecord(p).port === port)
    )
  }
  for (const ing of objects.filter((o) => o.kind === "Ingress")) {
    for (const rule of asArray(asRecord(ing.spec).rules)) {
      for (const p of asArray(asRecord(asRecord(rule).http).paths)) {
        const s = asRecord(asRecord(asRecord(p).backend).service)
        const port = asRecord(s.port)
        if (!servicePort(str(s.name) ?? "", port.name ?? port.number)) {
          problems.push(
            `${source}: ${label(ing)} routes to service ${str(s.name)} port ${String(port.name ?? port.number)}, which does not exist`
          )
        }
      }
    }
  }
  for (const o of objects.filter((x) => x.kind === "HorizontalPodAutoscaler")) {
    const ref = asRecord(asRecord(o.spec).scaleTargetRef)
    if (!named(str(ref.kind) ?? "", str(ref.name) ?? ""))
      problems.push(`${source}: ${label(o)} scales ${str(ref.kind)}/${str(ref.name)}, which does not exist`)
  }
  for (const o of objects.filter((x) => x.kind === "PodDisruptionBudget" || x.kind === "NetworkPolicy")) {
    const sel =
      o.kind === "NetworkPolicy" ? asRecord(asRecord(o.spec).podSelector) : asRecord(asRecord(o.spec).selector)
    const ml = asRecord(sel.matchLabels)
    if (Object.keys(ml).length > 0 && podsMatching(ml).length === 0)
      problems.push(`${source}: ${label(o)} selects no pods`)
  }
  for (const o of objects.filter((x) => x.kind === "ServiceMonitor")) {
    const spec = asRecord(o.spec)
    const ml = asRecord(asRecord(spec.selector).matchLabels)
    const svcs = objects.filter((s) => s.kind === "Service" && matches(ml, asRecord(asRecord(s.metadata).labels)))
    if (svcs.length === 0) problems.push(`${source}: ${label(o)} selects no Service by its labels`)
    for (const ep of asArray(spec.endpoints).map(asRecord)) {
      if (!svcs.some((s) => servicePort(nameOf(s), ep.port)))
        problems.push(
          `${source}: ${label(o)} endpoint port ${String(ep.port)} is not a port name of the selected Service`
        )
    }
  }
  // The app's OTLP endpoint must be a Service and port that exist (the collector).
  for (const cm of objects.filter((o) => o.kind === "ConfigMap" && nameOf(o).startsWith("hexa-monolith-config"))) {
    const endpoint = str(asRecord(cm.data).OTEL_EXPORTER_OTLP_ENDPOINT)
    if (!endpoint) continue
    const u = URL.parse(endpoint)
    if (!u || !servicePort(u.hostname, Number(u.port)))
      problems.push(`${source}: OTEL_EXPORTER_OTLP_ENDPOINT ${endpoint} is not a Service and port of this deployment`)
  }
  for (const amc of objects.filter((o) => o.kind === "AlertmanagerConfig")) {
    for (const ref of secretRefs(amc.spec)) {
      const keys = secretKeys(ref.name)
      if (!keys?.has(ref.key))
        problems.push(
          `${source}: ${label(amc)} reads key ${ref.key} of Secret ${ref.name}, which no Secret or template provides`
        )
    }
  }
  return problems
}

/** Every {name, key} Secret selector inside an object. */
export const secretRefs = (v: unknown): Array<{ name: string; key: string }> => {
  if (Array.isArray(v)) return v.flatMap(secretRefs)
  if (!isRecord(v)) return []
  const keys = Object.keys(v).sort().join(",")
  if (
    (keys === "key,name" || keys === "key,name,optional") &&
    typeof v.name === "string" &&
    typeof v.key === "string"
  ) {
    return [{ name: v.name, key: v.key }]
  }
  return Object.values(v).flatMap(secretRefs)
}

/** Secret templates must hold no values: every data/stringData entry empty. */
export const checkSecretTemplates = (templates: ReadonlyArray<K8sObject>, source: string): Array<string> =>
  templates.flatMap((t) => {
    if (t.kind !== "Secret") return [`${source}: ${label(t)} is not a Secret`]
    const filled = [...Object.entries(asRecord(t.stringData)), ...Object.entries(asRecord(t.data))].filter(
      ([, v]) => v !== "" && v !== null
    )
    return filled.map(
      ([k]) =>
        `${source}: ${label(t)} key ${k} has a value; templates must stay empty (real values come from the CD secrets)`
    )
  })

export const overlays = (k8sDir: string): Array<string> =>
  readdirSync(path.join(k8sDir, "overlays"), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join(k8sDir, "overlays", d.name))
