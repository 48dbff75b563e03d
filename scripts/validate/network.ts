// NetworkPolicy checks on the rendered overlay, matched the way a cluster will match them: peers as
// kustomize renders them (commonLabels copied into every peer podSelector), against the pods the overlay
// runs and the cluster pieces it talks to (DNS, ingress controller, Prometheus). Every dependency the
// config and secrets enable (each URL-like value: scheme and port) must be reachable, and every
// Ingress and ServiceMonitor port must be let in.
import { readFileSync } from "node:fs"
import path from "node:path"
import { type K8sObject, label, podSpecs } from "./k8s.ts"
import { asArray, asRecord, isRecord, type Json, readYaml, str } from "./lib.ts"

/** commonLabels of a kustomization and every base or directory resource it builds on. */
export const commonLabelsOf = (dir: string): Json => {
  const k = asRecord(readYaml(path.join(dir, "kustomization.yaml")))
  const inherited: Json = {}
  for (const ref of [...asArray(k.bases), ...asArray(k.resources)].map(String)) {
    if (/\.ya?ml$/.test(ref)) continue
    Object.assign(inherited, commonLabelsOf(path.join(dir, ref)))
  }
  return { ...inherited, ...asRecord(k.commonLabels) }
}

/**
 * What kustomize (v2 up to v5.5) does to NetworkPolicy peers: every peer podSelector that has matchLabels
 * gets the commonLabels. Already-rendered peers keep their labels; the result is what the cluster matches.
 */
export const withCommonLabelsInPeers = (objects: ReadonlyArray<K8sObject>, common: Json): Array<K8sObject> =>
  objects.map((o) => {
    if (o.kind !== "NetworkPolicy") return o
    const copy = structuredClone(o) as K8sObject
    const spec = asRecord(copy.spec)
    for (const [dir, key] of [
      ["ingress", "from"],
      ["egress", "to"]
    ] as const) {
      for (const rule of asArray(spec[dir]).map(asRecord)) {
        for (const peer of asArray(rule[key]).map(asRecord)) {
          const ps = peer.podSelector
          if (isRecord(ps) && isRecord(ps.matchLabels)) ps.matchLabels = { ...common, ...ps.matchLabels }
        }
      }
    }
    return copy
  })

type Port = { readonly port: number; readonly protocol: string; readonly name?: string }
type Pod = {
  readonly what: string
  readonly namespace: string
  readonly labels: Json
  readonly ports: ReadonlyArray<Port>
  readonly external?: boolean
}

// The cluster pieces the overlays talk to, as they label themselves in common installs.
const clusterPods: ReadonlyArray<Pod> = [
  {
    what: "DNS (kube-dns/CoreDNS in kube-system)",
    namespace: "kube-system",
    labels: { "k8s-app": "kube-dns" },
    ports: [
      { port: 53, protocol: "UDP" },
      { port: 53, protocol: "TCP" }
    ]
  },
  {
    what: "the ingress controller (ingress-nginx)",
    namespace: "ingress-nginx",
    labels: { "app.kubernetes.io/name": "ingress-nginx" },
    ports: []
  },
  {
    what: "Prometheus (namespace monitoring)",
    namespace: "monitoring",
    labels: { "app.kubernetes.io/name": "prometheus" },
    ports: []
  }
]
const dns = clusterPods[0] as Pod

const defaultPorts: Record<string, number> = {
  postgres: 5432,
  postgresql: 5432,
  redis: 6379,
  rediss: 6379,
  amqp: 5672,
  amqps: 5671,
  nats: 4222,
  kafka: 9092,
  mysql: 3306,
  mongodb: 27017,
  http: 80,
  https: 443
}

const matchesLabels = (selector: unknown, labels: Json): boolean => {
  const s = asRecord(selector)
  const ok = Object.entries(asRecord(s.matchLabels)).every(([k, v]) => labels[k] === v)
  const exprs = asArray(s.matchExpressions)
    .map(asRecord)
    .every((e) => {
      const v = labels[str(e.key) ?? ""]
      const values = asArray(e.values)
      switch (e.operator) {
        case "In":
          return values.includes(v)
        case "NotIn":
          return !values.includes(v)
        case "Exists":
          return v !== undefined
        case "DoesNotExist":
          return v === undefined
        default:
          return false
      }
    })
  return ok && exprs
}

const namespaceLabels = (ns: string, namespaces: ReadonlyArray<K8sObject>): Json => ({
  ...asRecord(asRecord(namespaces.find((n) => asRecord(n.metadata).name === ns)?.metadata).labels),
  "kubernetes.io/metadata.name": ns
})

/** Does a NetworkPolicy peer (in namespace policyNs) take in this pod? ipBlocks stand for everything outside the cluster. */
const peerMatches = (peer: Json, policyNs: string, pod: Pod, namespaces: ReadonlyArray<K8sObject>): boolean => {
  if (pod.external) return isRecord(peer.ipBlock)
  if (isRecord(peer.ipBlock)) return false
  const nsOk = isRecord(peer.namespaceSelector)
    ? matchesLabels(peer.namespaceSelector, namespaceLabels(pod.namespace, namespaces))
    : pod.namespace === policyNs
  const podOk = isRecord(peer.podSelector) ? matchesLabels(peer.podSelector, pod.labels) : true
  return nsOk && podOk
}

const portAllowed = (rulePorts: unknown, port: Port, named: ReadonlyArray<Port>): boolean => {
  const ports = asArray(rulePorts).map(asRecord)
  if (ports.length === 0) return true
  return ports.some((p) => {
    if ((str(p.protocol) ?? "TCP") !== port.protocol) return false
    if (typeof p.port === "number")
      return p.port <= port.port && port.port <= (typeof p.endPort === "number" ? p.endPort : p.port)
    if (typeof p.port === "string") return named.some((n) => n.name === p.port && n.port === port.port)
    return p.port === undefined
  })
}

const policiesFor = (pod: Pod, policies: ReadonlyArray<K8sObject>, type: "Ingress" | "Egress") =>
  policies.filter((p) => {
    const spec = asRecord(p.spec)
    // Without policyTypes a policy restricts ingress, and egress too when it has egress rules.
    const types =
      asArray(spec.policyTypes).length > 0 ? asArray(spec.policyTypes) : ["Ingress", ...(spec.egress ? ["Egress"] : [])]
    return (
      str(asRecord(p.metadata).namespace) === pod.namespace &&
      types.includes(type) &&
      matchesLabels(spec.podSelector, pod.labels)
    )
  })

/** Why a connection from `from` to `to` on `port` is blocked, or undefined when the policies allow it. */
const blocked = (
  from: Pod,
  to: Pod,
  port: Port,
  policies: ReadonlyArray<K8sObject>,
  namespaces: ReadonlyArray<K8sObject>
): string | undefined => {
  const egress = policiesFor(from, policies, "Egress")
  if (egress.length > 0) {
    const ok = egress.some((p) =>
      asArray(asRecord(p.spec).egress)
        .map(asRecord)
        .some((r) => {
          const peers = asArray(r.to).map(asRecord)
          return (
            (peers.length === 0 || peers.some((peer) => peerMatches(peer, from.namespace, to, namespaces))) &&
            portAllowed(r.ports, port, to.ports)
          )
        })
    )
    if (!ok) {
      const peers = egress
        .flatMap((p) => asArray(asRecord(p.spec).egress).flatMap((r) => asArray(asRecord(r).to)))
        .map((peer) => JSON.stringify(peer))
      return `no egress rule of ${egress.map(label).join(", ")} lets ${from.what} reach ${to.what} on ${port.port}/${port.protocol} (rendered peers: ${peers.join(" ")})`
    }
  }
  if (to.external) return undefined
  const ingress = policiesFor(to, policies, "Ingress")
  if (ingress.length > 0) {
    const ok = ingress.some((p) =>
      asArray(asRecord(p.spec).ingress)
        .map(asRecord)
        .some((r) => {
          const peers = asArray(r.from).map(asRecord)
          return (
            (peers.length === 0 || peers.some((peer) => peerMatches(peer, to.namespace, from, namespaces))) &&
            portAllowed(r.ports, port, to.ports)
          )
        })
    )
    if (!ok)
      return `no ingress rule of ${ingress.map(label).join(", ")} lets ${from.what} in to ${to.what} on ${port.port}/${port.protocol}`
  }
  return undefined
}

/** The example value a secret template gives a key: the last URL in the comment just above it. */
export const secretExamples = (templateFiles: ReadonlyArray<string>): Map<string, string> => {
  const out = new Map<string, string>()
  for (const file of templateFiles) {
    let secret = ""
    let comment = ""
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const name = /^\s+name:\s*(\S+)/.exec(line)
      if (name && !secret) secret = name[1] ?? ""
      if (line.startsWith("---")) secret = ""
      const c = /^\s*#(.*)$/.exec(line)
      if (c) {
        comment += ` ${c[1]}`
        continue
      }
      const key = /^\s+([A-Za-z0-9_.-]+):\s*""/.exec(line)
      const url = [...comment.matchAll(/\b([a-z][a-z0-9+]*:\/\/\S+)/g)].pop()?.[1]
      if (key && url && secret) out.set(`${secret}/${key[1]}`, url)
      comment = ""
    }
  }
  return out
}

const urlOf = (value: string): { scheme: string; host: string; port: number } | undefined => {
  const m = /^([a-z][a-z0-9+]*):\/\/(?:[^@/?#]*@)?(\[[^\]]+\]|[^:/?#]+)(?::(\d+))?/.exec(value.trim())
  if (!m) return undefined
  const scheme = m[1] ?? ""
  const port = m[3] ? Number(m[3]) : defaultPorts[scheme]
  return port === undefined ? undefined : { scheme, host: m[2] ?? "", port }
}

/** Where the workload connects: each URL-like value of its env, ConfigMaps and (example) secrets. */
const dependencies = (c: Json, objects: ReadonlyArray<K8sObject>, examples: ReadonlyMap<string, string>) => {
  const values: Array<[string, string]> = []
  for (const ef of asArray(c.envFrom).map(asRecord)) {
    const cm = objects.find(
      (o) => o.kind === "ConfigMap" && asRecord(o.metadata).name === str(asRecord(ef.configMapRef).name)
    )
    for (const [k, v] of Object.entries(asRecord(cm?.data))) values.push([k, String(v)])
  }
  for (const e of asArray(c.env).map(asRecord)) {
    const name = str(e.name) ?? ""
    if (typeof e.value === "string") values.push([name, e.value])
    const ref = asRecord(asRecord(e.valueFrom).secretKeyRef)
    const example = examples.get(`${str(ref.name)}/${str(ref.key)}`)
    if (example) values.push([name, example])
    const cmRef = asRecord(asRecord(e.valueFrom).configMapKeyRef)
    const cm = objects.find((o) => o.kind === "ConfigMap" && asRecord(o.metadata).name === str(cmRef.name))
    const v = str(asRecord(cm?.data)[str(cmRef.key) ?? ""])
    if (v) values.push([name, v])
  }
  return values.flatMap(([key, v]) => {
    const u = urlOf(v)
    return u ? [{ key, ...u }] : []
  })
}

/** Egress for every dependency, DNS first; ingress for every Ingress backend and ServiceMonitor port. */
export const checkNetworkPolicies = (
  objects: ReadonlyArray<K8sObject>,
  namespaces: ReadonlyArray<K8sObject>,
  examples: ReadonlyMap<string, string>,
  source: string,
  defaultNamespace: string
): Array<string> => {
  const problems: Array<string> = []
  const nsOf = (o: K8sObject) => str(asRecord(o.metadata).namespace) ?? defaultNamespace
  const policies = objects
    .filter((o) => o.kind === "NetworkPolicy")
    .map((p) => ({ ...p, metadata: { ...asRecord(p.metadata), namespace: nsOf(p) } }) as K8sObject)
  const workloads = podSpecs(objects).map(({ obj, pod, podLabels }) => {
    const containers = asArray(pod.containers).map(asRecord)
    const ports = containers.flatMap((c) =>
      asArray(c.ports).map((p) => {
        const o = asRecord(p)
        return {
          port: Number(o.containerPort),
          protocol: str(o.protocol) ?? "TCP",
          ...(str(o.name) ? { name: str(o.name) } : {})
        } as Port
      })
    )
    return { obj, containers, pod: { what: label(obj), namespace: nsOf(obj), labels: podLabels, ports } as Pod }
  })
  const serviceTargets = (host: string, fromNs: string) => {
    const [name, ns = fromNs] = host.split(".")
    const svc = objects.find((o) => o.kind === "Service" && asRecord(o.metadata).name === name && nsOf(o) === ns)
    if (!svc) return undefined
    const selector = asRecord(asRecord(svc.spec).selector)
    return {
      svc,
      pods: workloads.filter(
        (w) =>
          Object.keys(selector).length > 0 &&
          w.pod.namespace === ns &&
          matchesLabels({ matchLabels: selector }, w.pod.labels)
      )
    }
  }
  for (const w of workloads) {
    const deps = w.containers.flatMap((c) => dependencies(c, objects, examples))
    if (deps.length === 0) continue
    const viaDns = deps.some((d) => !/^[\d.]+$|^\[/.test(d.host))
    if (viaDns) {
      for (const port of dns.ports) {
        const why = blocked(w.pod, dns, port, policies, namespaces)
        if (why) problems.push(`${source}: ${w.pod.what} cannot resolve names: ${why}`)
      }
    }
    for (const d of deps) {
      const inCluster = serviceTargets(d.host, w.pod.namespace)
      if (inCluster) {
        const sp = asArray(asRecord(inCluster.svc.spec).ports)
          .map(asRecord)
          .find((p) => p.port === d.port)
        if (!sp) {
          problems.push(
            `${source}: ${w.pod.what} ${d.key} connects to ${d.host}:${d.port}, which is no port of ${label(inCluster.svc)}`
          )
          continue
        }
        for (const target of inCluster.pods) {
          const tp = sp.targetPort ?? sp.port
          const port = typeof tp === "number" ? tp : (target.pod.ports.find((p) => p.name === tp)?.port ?? -1)
          const why = blocked(w.pod, target.pod, { port, protocol: str(sp.protocol) ?? "TCP" }, policies, namespaces)
          if (why) problems.push(`${source}: ${w.pod.what} cannot reach ${d.key} (${d.host}:${d.port}): ${why}`)
        }
        continue
      }
      const external: Pod = {
        what: `${d.host} outside the cluster`,
        namespace: "",
        labels: {},
        ports: [],
        external: true
      }
      const why = blocked(w.pod, external, { port: d.port, protocol: "TCP" }, policies, namespaces)
      if (why)
        problems.push(`${source}: ${w.pod.what} cannot reach ${d.key} (${d.scheme}://${d.host}:${d.port}): ${why}`)
    }
  }
  const [, ingressController, prometheus] = clusterPods as [Pod, Pod, Pod]
  const letIn = (from: Pod, svcName: string, svcPort: unknown, why: string) => {
    const t = serviceTargets(svcName, defaultNamespace)
    if (!t) return
    const sp = asArray(asRecord(t.svc.spec).ports)
      .map(asRecord)
      .find((p) => p.name === svcPort || p.port === svcPort)
    if (!sp) return
    for (const target of t.pods) {
      const tp = sp.targetPort ?? sp.port
      const port = typeof tp === "number" ? tp : (target.pod.ports.find((p) => p.name === tp)?.port ?? -1)
      const reason = blocked(from, target.pod, { port, protocol: "TCP" }, policies, namespaces)
      if (reason) problems.push(`${source}: ${why}: ${reason}`)
    }
  }
  for (const ing of objects.filter((o) => o.kind === "Ingress")) {
    for (const rule of asArray(asRecord(ing.spec).rules)) {
      for (const p of asArray(asRecord(asRecord(rule).http).paths)) {
        const s = asRecord(asRecord(asRecord(p).backend).service)
        letIn(
          ingressController,
          str(s.name) ?? "",
          asRecord(s.port).name ?? asRecord(s.port).number,
          `${label(ing)} routes to ${str(s.name)}`
        )
      }
    }
  }
  for (const sm of objects.filter((o) => o.kind === "ServiceMonitor")) {
    const ml = asRecord(asRecord(asRecord(sm.spec).selector).matchLabels)
    for (const svc of objects.filter(
      (s) => s.kind === "Service" && matchesLabels({ matchLabels: ml }, asRecord(asRecord(s.metadata).labels))
    )) {
      for (const ep of asArray(asRecord(sm.spec).endpoints).map(asRecord)) {
        letIn(
          prometheus,
          str(asRecord(svc.metadata).name) ?? "",
          ep.port,
          `${label(sm)} scrapes ${label(svc)} port ${String(ep.port)}`
        )
      }
    }
  }
  return problems
}
