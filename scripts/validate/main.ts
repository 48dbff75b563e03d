// `make validate`: every offline delivery check, one line per check, problems listed under a failing one.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { checkAlertmanagerConfig, checkPrometheusRule } from "./alerts.ts";
import { checkCollectorConfig, checkFluentBitConfig, checkTelemetryInCluster } from "./configs.ts";
import { dryRunDeploy } from "./deploy.ts";
import { checkCompose, checkDockerfile } from "./docker.ts";
import { checkPolicies, checkReferences, checkSchemas, checkSecretTemplates, type K8sObject, loadFile, overlays, render } from "./k8s.ts";
import { asArray, asRecord, type Outcome, readYaml, rel, root, run, tool } from "./lib.ts";
import { checkCdWorkflow, lintWorkflow, workflowFiles } from "./workflows.ts";

const outcomes: Array<Outcome> = [];

const check = async (name: string, body: () => Array<string> | Promise<Array<string>>): Promise<void> => {
  const started = Date.now();
  let problems: Array<string>;
  try {
    problems = await body();
  } catch (e) {
    problems = [`check crashed: ${(e as Error).stack ?? String(e)}`];
  }
  outcomes.push({ name, problems });
  const ms = Date.now() - started;
  console.log(`${problems.length === 0 ? "ok  " : "FAIL"} ${name} (${ms} ms)`);
  for (const p of problems) console.log(`     ${p.replaceAll("\n", "\n       ")}`);
};

const k8sDir = path.join(root, "k8s");
const secretTemplates: Array<K8sObject> = readdirSync(path.join(k8sDir, "secrets"))
  .filter((f) => f.endsWith(".yaml"))
  .flatMap((f) => loadFile(path.join(k8sDir, "secrets", f)).objects);

await check("k8s secret templates: schema, no values", async () => [
  ...(await checkSchemas(secretTemplates, "k8s/secrets")),
  ...checkSecretTemplates(secretTemplates, "k8s/secrets"),
]);

for (const dir of overlays(k8sDir)) {
  const source = rel(dir);
  let rendered: ReturnType<typeof render> = { objects: [], problems: [] };
  await check(`${source}: kustomize render`, () => {
    rendered = render(dir);
    return [...rendered.problems, ...(rendered.objects.length === 0 && rendered.problems.length === 0 ? ["rendered no objects"] : [])];
  });
  if (rendered.objects.length === 0) continue;
  const objects = rendered.objects;
  await check(`${source}: Kubernetes schemas, unknown fields, removed APIs (${objects.length} objects)`, () => checkSchemas(objects, source));
  await check(`${source}: pod security, probes, drain, resources`, () => checkPolicies(objects, source));
  await check(`${source}: references between objects`, () => checkReferences(objects, secretTemplates, source));
  await check(`${source}: collector and Fluent Bit configs`, () => checkTelemetryInCluster(objects, source));
  const rules = objects.filter((o) => o.kind === "PrometheusRule");
  await check(`${source}: promtool check rules + test rules`, () =>
    rules.length === 0
      ? [`${source}: no PrometheusRule rendered`]
      : rules.flatMap((r) => checkPrometheusRule(r, path.join(k8sDir, "base/monitoring/tests/alerts.test.yaml"), path.join(root, "docs/runbook.md"), source)),
  );
  await check(`${source}: every app setting documented in .env.example`, () => {
    const documented = new Set([...readFileSync(path.join(root, ".env.example"), "utf8").matchAll(/^#?\s?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const keys = new Set<string>();
    for (const o of objects) {
      if (!(o.kind === "ConfigMap" && String(asRecord(o.metadata).name).startsWith("hexa-monolith-config"))) continue;
      for (const k of Object.keys(asRecord(o.data))) keys.add(k);
    }
    for (const t of secretTemplates) {
      if (String(asRecord(t.metadata).name) !== "hexa-monolith-secrets") continue;
      for (const k of Object.keys(asRecord(t.stringData))) keys.add(k);
    }
    return [...keys].filter((k) => !documented.has(k)).map((k) => `.env.example does not document ${k}, which ${source} sets`);
  });
  await check(`${source}: CD secrets and deploy scripts, dry run against a recording kubectl`, () => dryRunDeploy(dir, secretTemplates));
  const amcs = objects.filter((o) => o.kind === "AlertmanagerConfig");
  await check(`${source}: amtool check-config`, () =>
    amcs.length === 0 ? [`${source}: no AlertmanagerConfig rendered`] : amcs.flatMap((a) => checkAlertmanagerConfig(a, source)),
  );
}

for (const file of workflowFiles(path.join(root, ".github/workflows"))) {
  await check(`${rel(file)}: actionlint + shellcheck of run steps`, () => lintWorkflow(file));
}
await check(".github/workflows/cd.yml: registry, environments, secrets", () => checkCdWorkflow(path.join(root, ".github/workflows/cd.yml")));

await check("Dockerfile: dockerfile-utils lint + image rules", () => checkDockerfile(path.join(root, "Dockerfile")));

await check("docker-compose.yml: compose-spec schema + references", () => checkCompose(path.join(root, "docker-compose.yml")));

// The compose stack's collector and Fluent Bit get their env from compose, not from Kubernetes.
await check("docker-compose.yml: collector and Fluent Bit configs", () => {
  const services = asRecord(asRecord(readYaml(path.join(root, "docker-compose.yml"))).services);
  const problems: Array<string> = [];
  for (const [name, raw] of Object.entries(services)) {
    const svc = asRecord(raw);
    const env = new Set(Object.keys(asRecord(svc.environment)));
    for (const v of asArray(svc.volumes)) {
      const [src, target] = String(v).split(":");
      if (!src?.startsWith("./") || !target || !existsSync(path.join(root, src))) continue;
      const text = readFileSync(path.join(root, src), "utf8");
      if (target.startsWith("/etc/otelcol/")) problems.push(...checkCollectorConfig(text, `compose ${name} ${src}`, { env }));
      if (target.startsWith("/fluent-bit/")) problems.push(...checkFluentBitConfig(text, undefined, `compose ${name} ${src}`, env));
    }
  }
  return problems;
});

const shellScripts = (): Array<string> => {
  const found: Array<string> = [path.join(root, ".ci/run")];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!["node_modules", "fixtures", ".git", ".tools", "dist"].includes(entry.name)) walk(full);
      } else if (entry.name.endsWith(".sh") || (statSync(full).size < 200_000 && /^#!.*\b(ba)?sh\b/.test(readFileSync(full, "utf8").slice(0, 80)))) {
        found.push(full);
      }
    }
  };
  walk(path.join(root, "scripts"));
  return found.filter((f) => existsSync(f));
};

await check("shell scripts: shellcheck", () => {
  const files = shellScripts();
  const r = run(tool("shellcheck"), ["--format=gcc", ...files.map(rel)]);
  return r.stdout.split("\n").filter(Boolean);
});

const failed = outcomes.filter((o) => o.problems.length > 0);
console.log(`\nvalidate: ${outcomes.length - failed.length} passed, ${failed.length} failed`);
process.exitCode = failed.length === 0 ? 0 : 1;
