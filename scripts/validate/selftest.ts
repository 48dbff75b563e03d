// Self-test of the validator: every broken fixture must make its check fail with a message that says
// what is wrong. A check that lets a fixture through (or fails for another reason) fails this test.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { checkAlertmanagerConfig, checkPrometheusRule } from "./alerts.ts";
import { checkCollectorConfig, checkFluentBitConfig } from "./configs.ts";
import { dryRunDeploy } from "./deploy.ts";
import { checkCompose, checkDockerfile } from "./docker.ts";
import { checkPolicies, checkReferences, checkSchemas, checkSecretTemplates, type K8sObject, loadFile, render } from "./k8s.ts";
import { root } from "./lib.ts";
import { checkCdWorkflow, lintWorkflow } from "./workflows.ts";

const fx = (name: string) => path.join(import.meta.dirname, "fixtures", name);
const objects = (name: string): Array<K8sObject> => loadFile(fx(name)).objects;
const tests = path.join(root, "k8s/base/monitoring/tests/alerts.test.yaml");
const runbook = path.join(root, "docs/runbook.md");
const only = (name: string): K8sObject => {
  const [first] = objects(name);
  if (!first) throw new Error(`fixture ${name} holds no object`);
  return first;
};

type Case = { readonly name: string; readonly run: () => Array<string> | Promise<Array<string>>; readonly expect: ReadonlyArray<RegExp> };

/** The real k8s/ tree copied aside with one edit to a base file, rendered through the production overlay. */
const renderEdited = async (file: string, from: string, to: string): Promise<Array<string>> => {
  const dir = mkdtempSync(path.join(tmpdir(), "selftest-k8s-"));
  try {
    cpSync(path.join(root, "k8s"), dir, { recursive: true });
    const target = path.join(dir, file);
    const text = readFileSync(target, "utf8");
    if (!text.includes(from)) return [`selftest setup: ${file} no longer contains ${JSON.stringify(from)}`];
    writeFileSync(target, text.replace(from, to));
    const { objects: rendered, problems } = render(path.join(dir, "overlays/production"));
    return [...problems, ...(await checkSchemas(rendered, "production")), ...checkPolicies(rendered, "production")];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

/** A real file with one edit, written beside the original (same folder, so relative paths hold), checked, removed. */
const checkEdited = async (file: string, from: string, to: string, check: (f: string) => Array<string> | Promise<Array<string>>) => {
  const text = readFileSync(path.join(root, file), "utf8");
  if (!text.includes(from)) return [`selftest setup: ${file} no longer contains ${JSON.stringify(from)}`];
  const copy = path.join(root, path.dirname(file), `.selftest-${path.basename(file)}`);
  try {
    writeFileSync(copy, text.replace(from, to));
    return await check(copy);
  } finally {
    rmSync(copy, { force: true });
  }
};

/** The deploy scripts copied aside with edits, dry-run against the recording kubectl. */
const deployEdited = (edits: Record<string, readonly [string, string]>): Array<string> => {
  const dir = mkdtempSync(path.join(tmpdir(), "selftest-deploy-"));
  try {
    cpSync(path.join(root, "scripts/deploy"), dir, { recursive: true });
    for (const [file, [from, to]] of Object.entries(edits)) {
      const text = readFileSync(path.join(dir, file), "utf8");
      if (!text.includes(from)) return [`selftest setup: ${file} no longer contains ${JSON.stringify(from)}`];
      writeFileSync(path.join(dir, file), text.replace(from, to));
    }
    const templates = ["app-secrets.template.yaml", "alerting-secrets.template.yaml"].flatMap((f) => loadFile(path.join(root, "k8s/secrets", f)).objects);
    return dryRunDeploy(path.join(root, "k8s/overlays/staging"), templates, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const cases: ReadonlyArray<Case> = [
  {
    name: "deploy scripts that skip the migration wait and put a secret on the command line",
    run: () =>
      deployEdited({
        "deploy.sh": ["if ! kubectl -n \"$namespace\" wait --for=condition=complete job/hexa-monolith-migrate --timeout=10m; then", "if false; then"],
        "create-secrets.sh": ['--from-file=JWT_SECRET="$dir/JWT_SECRET"', '--from-literal=JWT_SECRET="$JWT_SECRET"'],
      }),
    expect: [/the value of JWT_SECRET reached kubectl's command line/, /deploy\.sh never does: wait for the migration to complete/],
  },
  {
    name: "real Dockerfile after USER was dropped",
    run: () => checkEdited("Dockerfile", "USER node\n", "", checkDockerfile),
    expect: [/\.selftest-Dockerfile: the final stage must switch to a non-root USER/],
  },
  {
    name: "real cd.yml after production stopped waiting for staging",
    run: () => checkEdited(".github/workflows/cd.yml", "needs: [image, deploy-staging]", "needs: [image]", checkCdWorkflow),
    expect: [/deploy-production must need deploy-staging \(production only after staging\)/],
  },
  {
    name: "real ci.yml after a step put an untrusted expression inline",
    run: () => checkEdited(".github/workflows/ci.yml", "run: make unit", `run: echo $${"{{"} github.head_ref }} && make unit`, lintWorkflow),
    expect: [/actionlint \[expression\]: "github\.head_ref" is potentially untrusted/],
  },
  {
    name: "real overlay after a typo in the base Deployment",
    run: () => renderEdited("base/app/deployment.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true"),
    expect: [/Deployment\/hexa-monolith: unknown field \/spec\/template\/spec\/containers\/0\/securityContext\/readOnlyRootFileSystem/, /readOnlyRootFilesystem must be true/],
  },
  {
    name: "real overlay after the grace period was cut below the drain",
    run: () => renderEdited("base/app/deployment.yaml", "terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds: 15"),
    expect: [/terminationGracePeriodSeconds 15 is shorter than preStop 5s \+ SHUTDOWN_TIMEOUT 20s \+ 5s/],
  },
  {
    name: "manifest with misspelt fields",
    run: () => checkSchemas(objects("k8s-unknown-field.yaml"), "fixture"),
    expect: [/unknown field \/spec\/replica$/, /unknown field \/spec\/template\/spec\/containers\/0\/imagePullPolicyy/],
  },
  {
    name: "manifest on removed API versions",
    run: () => checkSchemas(objects("k8s-removed-api.yaml"), "fixture"),
    expect: [/policy\/v1beta1 was removed in Kubernetes 1\.25; use policy\/v1/, /autoscaling\/v2beta2 was removed in Kubernetes 1\.26/],
  },
  {
    name: "manifest with a wrongly typed value",
    run: () => checkSchemas(objects("k8s-bad-type.yaml"), "fixture"),
    expect: [/\/spec\/ports\/0\/port: must be integer/],
  },
  {
    name: "insecure API Deployment",
    run: () => checkPolicies(objects("k8s-insecure.yaml"), "fixture"),
    expect: [
      /readinessProbe must be an httpGet on \/health\/ready/,
      /must run as non-root/,
      /readOnlyRootFilesystem must be true/,
      /capabilities\.drop must include ALL/,
      /resources\.limits\.memory is required/,
      /must be pinned to a tag or digest \(not latest\)/,
      /terminationGracePeriodSeconds 10 is shorter than/,
      /topologySpreadConstraints are required/,
      /spec\.replicas is set although a HorizontalPodAutoscaler scales it/,
    ],
  },
  {
    name: "manifest pointing at missing objects",
    run: () => checkReferences(objects("k8s-dangling-refs.yaml"), [], "fixture"),
    expect: [/Service\/api selects no pods/, /reads Secret no-such-secret, which is neither rendered nor in k8s\/secrets templates/],
  },
  {
    name: "secret template holding a value",
    run: () => checkSecretTemplates(objects("secret-with-value.yaml"), "fixture"),
    expect: [/key JWT_SECRET has a value; templates must stay empty/],
  },
  {
    name: "kustomization naming a missing file",
    run: () => render(fx("kustomize-missing")).problems,
    expect: [/kustomize .*kustomize-missing: .*deployment-that-does-not-exist\.yaml/],
  },
  {
    name: "alert rule that does not parse",
    run: () => checkPrometheusRule(only("prometheusrule-bad-expr.yaml"), tests, runbook, "fixture"),
    expect: [/promtool check rules failed:[\s\S]*parse error/],
  },
  {
    name: "alert threshold changed under its unit test",
    run: () => checkPrometheusRule(only("prometheusrule-wrong-threshold.yaml"), tests, runbook, "fixture"),
    expect: [/promtool test rules .* failed:[\s\S]*alertname: HexaMonolithHighErrorRate/],
  },
  {
    name: "alert with a misspelt metric, no unit test, no runbook entry",
    run: () => checkPrometheusRule(only("prometheusrule-untested.yaml"), tests, runbook, "fixture"),
    expect: [
      /reads metric http_requests_total, which the app does not export/,
      /alert HexaMonolithNewAlertWithoutTest has no unit test/,
      /alert HexaMonolithNewAlertWithoutTest needs a severity label/,
      /links runbook anchor #hexamonolithnewalertwithouttest, but docs\/runbook\.md has no such heading/,
    ],
  },
  {
    name: "Alertmanager routing to an undefined receiver",
    run: () => checkAlertmanagerConfig(only("alertmanagerconfig-undefined-receiver.yaml"), "fixture"),
    expect: [/amtool check-config failed:[\s\S]*undefined receiver "pagerduty-that-does-not-exist"/, /has no receiver with slackConfigs/],
  },
  {
    name: "workflow with a wrong action input and an injectable expression",
    run: () => lintWorkflow(fx("workflows/bad-input.yml")),
    expect: [/bad-input\.yml:10:11: actionlint \[action\]: input "node-versio" is not defined/, /actionlint \[expression\]: "github\.event\.pull_request\.title" is potentially untrusted/],
  },
  {
    name: "workflow with an unquoted variable in a run step and a branch-pinned action",
    run: () => lintWorkflow(fx("workflows/bad-shell.yml")),
    expect: [/bad-shell\.yml:11: job deploy, "Clean up": shellcheck .*SC2086/, /action actions\/checkout@main must be pinned/],
  },
  {
    name: "cd workflow without the secrets and the staging gate",
    run: () => checkCdWorkflow(fx("workflows/cd-missing-secrets.yml")),
    expect: [/GitHub secret KUBE_CONFIG is never used/, /GitHub secret ALERT_SLACK_WEBHOOK is never used/, /no job deploys to the staging environment/, /production reads DATABASE_URL_STAGING/],
  },
  {
    name: "Dockerfile running as root from an unpinned base",
    run: () => checkDockerfile(fx("Dockerfile.insecure")),
    expect: [
      /FROM node:latest: base must be a pinned Node slim image/,
      /must be multi-stage/,
      /must switch to a non-root USER/,
      /needs a HEALTHCHECK on \/health\/live/,
      /CMD must use the exec form/,
      /copies the whole context/,
      /npm ci --omit=dev/,
    ],
  },
  {
    name: "Dockerfile with syntax errors",
    run: () => checkDockerfile(fx("Dockerfile.syntax")),
    expect: [/Dockerfile\.syntax:3: error: Unknown instruction: RUNN \(dockerfile-utils\)/, /Unknown flag: intervl/, /Invalid containerPort: http/],
  },
  {
    name: "compose file with an unknown key and a missing dependency",
    run: () => checkCompose(fx("compose-broken.yml")),
    expect: [/compose-spec: \/services\/app must NOT have additional properties "restart_policy"/, /service app depends on database, which is not defined/, /service postgres needs a healthcheck/],
  },
  {
    name: "collector config with a misspelt exporter and an undefined processor",
    run: () => checkCollectorConfig(readFileSync(fx("otel-collector-broken.yaml"), "utf8"), "fixture", { env: new Set(["OTLP_TRACES_ENDPOINT"]) }),
    expect: [/unknown component type "otlphtp"/, /uses processor batch, which is not defined under processors/, /uses exporter otlphttp\/traces, which is not defined/, /\$\{env:TRACES_ENDPOINT\} is not set/],
  },
  {
    name: "Fluent Bit config whose filter matches nothing",
    run: () => checkFluentBitConfig(readFileSync(fx("fluent-bit-broken.yaml"), "utf8"), undefined, "fixture", new Set(["LOKI_HOST"])),
    expect: [/match "kubernetes\.\*" matches no input tag/, /merge_parser no_such_parser is not defined/, /\$\{LOKI_ADDRESS\} is not set/],
  },
];

let passed = 0;
let failed = 0;
for (const c of cases) {
  let problems: Array<string>;
  try {
    problems = await c.run();
  } catch (e) {
    problems = [`threw: ${(e as Error).message}`];
  }
  const missing = c.expect.filter((re) => !problems.some((p) => re.test(p)));
  if (missing.length === 0) {
    passed++;
    const first = c.expect[0];
    const shown = problems.find((p) => first?.test(p)) ?? problems[0] ?? "";
    const line = shown.replace(/\s*\n\s*/g, " | ");
    console.log(`ok   broken ${c.name} is refused: ${line.length > 220 ? `${line.slice(0, 217)}...` : line}`);
  } else {
    failed++;
    console.log(`FAIL broken ${c.name}: no message matched ${missing.map(String).join(", ")}; got:`);
    for (const p of problems) console.log(`     ${p}`);
    if (problems.length === 0) console.log("     (no problem reported at all)");
  }
}
console.log(`\nselftest: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
