// Self-test of the validator (vitest, run by `make validate`: the checks need the Debian tools it unpacks):
// every broken fixture or edited copy of a real file must make its check fail with a message that says
// what is wrong. A check that lets a breakage through (or fails for another reason) fails its test.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import path from "node:path"
import { describe, expect, it } from "vitest"
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
  render
} from "./k8s.ts"
import { checkBootstrapGrants } from "./grants.ts"
import { root } from "./lib.ts"
import { checkNetworkPolicies, commonLabelsOf, secretExamples, withCommonLabelsInPeers } from "./network.ts"
import { checkCdWorkflow, checkDependabot, lintWorkflow } from "./workflows.ts"

const fx = (name: string) => path.join(import.meta.dirname, "fixtures", name)
const objects = (name: string): Array<K8sObject> => loadFile(fx(name)).objects
const tests = path.join(root, "k8s/base/monitoring/tests/alerts.test.yaml")
const runbook = path.join(root, "docs/runbook.md")
const only = (name: string): K8sObject => {
  const [first] = objects(name)
  if (!first) throw new Error(`fixture ${name} holds no object`)
  return first
}

/** A GitHub Actions expression, `${{ expr }}`, spelt so no linter mistakes it for a template placeholder. */
const gha = (expr: string): string => ["$", "{{ ", expr, " }}"].join("")

type Case = {
  readonly name: string
  readonly run: () => Array<string> | Promise<Array<string>>
  readonly expect: ReadonlyArray<RegExp>
}

type Rendered = {
  readonly objects: ReadonlyArray<K8sObject>
  readonly platform: ReadonlyArray<K8sObject>
  readonly dir: string
}

/** The checks `make validate` runs on a rendered overlay that need no Debian tool beyond kubectl. */
const overlayChecks = async ({ objects, platform, dir }: Rendered): Promise<Array<string>> => {
  const secretFiles = readdirSync(path.join(dir, "../../secrets")).map((f) => path.join(dir, "../../secrets", f))
  const namespaces = platform.filter((o) => o.kind === "Namespace")
  return [
    ...(await checkSchemas(objects, "production")),
    ...checkPolicies(objects, "production"),
    ...checkNamespaceScoped(objects, platform, "hexa-monolith", "production"),
    ...checkNetworkPolicies(objects, namespaces, secretExamples(secretFiles), "production", "hexa-monolith"),
    ...checkConnectionBudget(objects, "production"),
    ...checkTelemetryInCluster(objects, "production", { collector: true, fluentBit: false }),
    ...objects.filter((o) => o.kind === "PrometheusRule").flatMap((r) => checkAlertTargets(r, objects, "production"))
  ]
}

/** The real k8s/ tree copied aside with edits to its files (an empty `from` writes a new file), rendered through the production overlay, then checked. */
const renderEdited = async (
  edits: Record<string, readonly [string, string]>,
  check: (r: Rendered) => Array<string> | Promise<Array<string>> = overlayChecks
): Promise<Array<string>> => {
  const dir = mkdtempSync(path.join(tmpdir(), "selftest-k8s-"))
  try {
    cpSync(path.join(root, "k8s"), dir, { recursive: true })
    for (const [file, [from, to]] of Object.entries(edits)) {
      const target = path.join(dir, file)
      if (from === "") {
        writeFileSync(target, to)
        continue
      }
      const text = readFileSync(target, "utf8")
      if (!text.includes(from)) return [`selftest setup: ${file} no longer contains ${JSON.stringify(from)}`]
      writeFileSync(target, text.replace(from, to))
    }
    const overlay = path.join(dir, "overlays/production")
    const rendered = render(overlay)
    const platform = render(path.join(dir, "platform"))
    const objects = withCommonLabelsInPeers(rendered.objects, commonLabelsOf(overlay))
    return [
      ...rendered.problems,
      ...platform.problems,
      ...(await check({ objects, platform: platform.objects, dir: overlay }))
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A real file with one edit, written beside the original (same folder, so relative paths hold), checked, removed. */
const checkEdited = async (
  file: string,
  from: string,
  to: string,
  check: (f: string) => Array<string> | Promise<Array<string>>
) => {
  const text = readFileSync(path.join(root, file), "utf8")
  if (!text.includes(from)) return [`selftest setup: ${file} no longer contains ${JSON.stringify(from)}`]
  const copy = path.join(root, path.dirname(file), `.selftest-${path.basename(file)}`)
  try {
    writeFileSync(copy, text.replace(from, to))
    return await check(copy)
  } finally {
    rmSync(copy, { force: true })
  }
}

/** The deploy scripts copied aside with edits, dry-run against the recording kubectl. */
const deployEdited = (edits: Record<string, readonly [string, string]>): Array<string> => {
  const dir = mkdtempSync(path.join(tmpdir(), "selftest-deploy-"))
  try {
    cpSync(path.join(root, "scripts/deploy"), dir, { recursive: true })
    for (const [file, [from, to]] of Object.entries(edits)) {
      const text = readFileSync(path.join(dir, file), "utf8")
      if (!text.includes(from)) return [`selftest setup: ${file} no longer contains ${JSON.stringify(from)}`]
      writeFileSync(path.join(dir, file), text.replace(from, to))
    }
    const templates = ["app-secrets.template.yaml", "alerting-secrets.template.yaml"].flatMap(
      (f) => loadFile(path.join(root, "k8s/secrets", f)).objects
    )
    return dryRunDeploy(path.join(root, "k8s/overlays/staging"), templates, dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const cases: ReadonlyArray<Case> = [
  {
    name: "real overlay whose DNS peer selects kube-dns pods by label (kustomize adds commonLabels to it)",
    run: () =>
      renderEdited({
        "base/app/networkpolicy.yaml": [
          "        - namespaceSelector:\n            matchLabels:\n              kubernetes.io/metadata.name: kube-system\n      ports:\n        - port: 53",
          "        - namespaceSelector: {}\n          podSelector:\n            matchLabels:\n              k8s-app: kube-dns\n      ports:\n        - port: 53"
        ]
      }),
    expect: [
      /Deployment\/hexa-monolith cannot resolve names: no egress rule of NetworkPolicy\/hexa-monolith lets .* reach DNS .* on 53\/UDP .*"app\.kubernetes\.io\/instance":"production"/,
      /Job\/hexa-monolith-migrate cannot resolve names/
    ]
  },
  {
    name: "real overlay without egress on 443 while SENTRY_DSN is configured",
    run: () => renderEdited({ "base/app/networkpolicy.yaml": ["        - port: 443\n", "        - port: 8443\n"] }),
    expect: [
      /Deployment\/hexa-monolith cannot reach SENTRY_DSN \(https:\/\/o0\.ingest\.sentry\.io:443\): no egress rule/
    ]
  },
  {
    name: "real overlay whose collector only accepts OTLP from its own pods, and whose metrics port is closed to Prometheus",
    run: () =>
      renderEdited({
        "base/otel-collector/networkpolicy.yaml": [
          "    - from:\n        - podSelector: {}",
          "    - from:\n        - podSelector:\n            matchLabels:\n              app.kubernetes.io/name: otel-collector"
        ],
        "base/app/networkpolicy.yaml": ["      ports:\n        - port: metrics", "      ports:\n        - port: http"]
      }),
    expect: [
      /Deployment\/hexa-monolith cannot reach OTEL_EXPORTER_OTLP_ENDPOINT \(otel-collector:4318\): no ingress rule of NetworkPolicy\/otel-collector/,
      /ServiceMonitor\/hexa-monolith scrapes Service\/hexa-monolith port metrics: no ingress rule/
    ]
  },
  {
    name: "real alert whose pod regex also matches the finished migration pod",
    run: () =>
      renderEdited({
        "base/monitoring/prometheusrule.yaml": [
          'kube_pod_status_ready{condition="false", pod=~"hexa-monolith-[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}"}',
          'kube_pod_status_ready{condition="false", pod=~"hexa-monolith-[a-z0-9]+-[a-z0-9]+"}'
        ]
      }),
    expect: [/rule HexaMonolithNotReady selects pods of Deployment\/hexa-monolith and Job\/hexa-monolith-migrate/]
  },
  {
    name: "real alerts on a container, a scrape job and a Job that do not exist",
    run: () =>
      renderEdited({
        "base/monitoring/prometheusrule.yaml": ['{container="app", pod=~', '{container="api", pod=~'],
        "base/monitoring/servicemonitor.yaml": [
          "      app.kubernetes.io/component: api\n",
          "      app.kubernetes.io/component: web\n"
        ],
        "base/app/migration-job.yaml": ["  name: hexa-monolith-migrate\n", "  name: hexa-monolith-schema\n"]
      }),
    expect: [
      /rule HexaMonolithPodRestarting matches container="api", which the selected pods do not run/,
      /rule HexaMonolithTargetDown reads job="hexa-monolith", which no ServiceMonitor scrapes/,
      /rule HexaMonolithMigrationFailed reads job_name="hexa-monolith-migrate", which matches no Job/
    ]
  },
  {
    name: "real overlay that brings a ClusterRole and a hostPath back into the app namespace",
    run: () =>
      renderEdited({
        "base/kustomization.yaml": [
          "  - app/serviceaccount.yaml\n",
          "  - app/serviceaccount.yaml\n  - app/reader.yaml\n"
        ],
        "base/app/reader.yaml": [
          "",
          "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: hexa-monolith-reader\nrules: []\n"
        ],
        "base/app/deployment.yaml": [
          "        - name: tmp\n          emptyDir:",
          "        - name: tmp\n          hostPath:\n            path: /tmp\n          emptyDir:"
        ]
      }),
    expect: [
      /ClusterRole\/hexa-monolith-reader is cluster-scoped; CD's namespace-scoped credential cannot apply it/,
      /hostPath volume tmp is not allowed under Pod Security "restricted"/
    ]
  },
  {
    name: "deploy credential that cannot apply the NetworkPolicies CD renders",
    run: () =>
      renderEdited({
        "platform/deployer.yaml": [
          '    resources: ["ingresses", "networkpolicies"]\n',
          '    resources: ["ingresses"]\n'
        ]
      }),
    expect: [
      /Role\/hexa-monolith-deployer cannot get, create, patch networkpolicies\.networking\.k8s\.io, which CD applies/
    ]
  },
  {
    name: "real overlay whose pool outgrows PostgreSQL's connections",
    run: () =>
      renderEdited({
        "overlays/production/kustomization.yaml": ["      - DATABASE_POOL_MAX=8", "      - DATABASE_POOL_MAX=10"]
      }),
    expect: [
      /up to 11 API pods \(HPA max 10 \+ surge 1\) × DATABASE_POOL_MAX 10 \+ 2 for migrations = 112 connections, over the 97/
    ]
  },
  {
    name: "real overlay whose collector forwards to a bare hostname that is no Service",
    run: () =>
      renderEdited({
        "overlays/production/kustomization.yaml": [
          "http://tempo-distributor.observability.svc.cluster.local:4318",
          "http://tempo:4318"
        ]
      }),
    expect: [/OTLP_TRACES_ENDPOINT=http:\/\/tempo:4318 names host tempo, which is no Service of this deployment/]
  },
  {
    name: "real API Deployment whose memory request is below the measured peak",
    run: () => renderEdited({ "overlays/production/patches/size.yaml": ["memory: 280Mi", "memory: 192Mi"] }),
    expect: [/resources\.requests\.memory 192Mi is below the measured peak RSS/]
  },
  {
    name: "real AlertmanagerConfig whose critical alerts only reach Slack",
    run: () =>
      renderEdited(
        { "base/monitoring/alertmanagerconfig.yaml": ["      - receiver: pager\n", "      - receiver: slack\n"] },
        ({ objects }) =>
          objects
            .filter((o) => o.kind === "AlertmanagerConfig")
            .flatMap((a) => checkAlertmanagerConfig(a, "production"))
      ),
    expect: [/routes severity=critical to no pager/]
  },
  {
    name: "deploy scripts that skip the migration wait and put a secret on the command line",
    run: () =>
      deployEdited({
        "deploy.sh": ['if [[ " $status " != *" Complete "* ]]; then', "if false; then"],
        "create-secrets.sh": ['--from-file=JWT_SECRET="$dir/JWT_SECRET"', '--from-literal=JWT_SECRET="$JWT_SECRET"']
      }),
    expect: [
      /the value of JWT_SECRET reached kubectl's command line/,
      /deploy\.sh went on after the migration Job failed/
    ]
  },
  {
    name: "database bootstrap without default privileges, and with CREATE on the schema for the app",
    run: () =>
      checkBootstrapGrants((statements) => [
        ...statements.filter((s) => !s.startsWith("ALTER DEFAULT PRIVILEGES")),
        statements
          .find((s) => s.startsWith("GRANT USAGE ON SCHEMA"))
          ?.replace("GRANT USAGE ON", "GRANT USAGE, CREATE ON") ?? ""
      ]),
    expect: [
      /app role validate_app_\w+ lacks INSERT on table articles: the bootstrap's grants and default privileges do not cover it/,
      /lacks USAGE on sequence|lacks SELECT on table comments/,
      /app role validate_app_\w+ may create objects in schema public \(DDL\)/
    ]
  },
  {
    name: "real dependabot.yml that forgot the architecture checker's lockfile and the compose images",
    run: () =>
      checkEdited(".github/dependabot.yml", 'directories: ["/", "/tools/architecture"]', 'directories: ["/"]', (f) => {
        writeFileSync(f, readFileSync(f, "utf8").replace("docker-compose", "docker-compos"))
        return checkDependabot(f, root)
      }),
    expect: [
      /no npm update covers \/tools\/architecture \(package-lock\.json\)/,
      /no docker-compose update covers \/ \(docker-compose\.yml's images\)/
    ]
  },
  {
    name: "real dashboard reading a renamed metric from an unprovisioned datasource",
    run: () => {
      const dir = mkdtempSync(path.join(tmpdir(), "selftest-dash-"))
      try {
        const real = readFileSync(path.join(root, "deploy/compose/grafana/dashboards/hexa-monolith.json"), "utf8")
        writeFileSync(
          path.join(dir, "d.json"),
          real
            .replace("db_pool_connections_waiting", "db_pool_waiting")
            .replaceAll('"uid": "prometheus"', '"uid": "mimir"')
        )
        return checkDashboards(dir, path.join(root, "deploy/compose/grafana/datasources.yaml"), "dash")
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
    expect: [
      /panel "Statements waiting for a connection" reads metric db_pool_waiting, which the app does not export/,
      /queries datasource mimir, which is not provisioned/
    ]
  },
  {
    name: "real Dockerfile after USER was dropped",
    run: () => checkEdited("Dockerfile", "USER node\n", "", checkDockerfile),
    expect: [/\.selftest-Dockerfile: the final stage must switch to a non-root USER/]
  },
  {
    name: "real cd.yml after production stopped waiting for staging",
    run: () =>
      checkEdited(".github/workflows/cd.yml", "needs: [image, deploy-staging]", "needs: [image]", checkCdWorkflow),
    expect: [/deploy-production must need deploy-staging \(production only after staging\)/]
  },
  {
    name: "real cd.yml whose production job migrates with staging's secret",
    run: () =>
      checkEdited(
        ".github/workflows/cd.yml",
        `DB_MIGRATION_URL: ${gha("secrets.DB_MIGRATION_URL_PROD")}`,
        `DB_MIGRATION_URL: ${gha("secrets.DB_MIGRATION_URL_STAGING")}`,
        checkCdWorkflow
      ),
    expect: [/production must read DB_MIGRATION_URL_PROD \(and never staging's\)/]
  },
  {
    name: "real cd.yml that pushes with buildx's default attestations while the clean-up deletes untagged versions",
    run: () =>
      checkEdited(
        ".github/workflows/cd.yml",
        "          provenance: false\n          sbom: false\n",
        "",
        checkCdWorkflow
      ),
    expect: [
      /job image pushes with buildx attestations .* each tag becomes an index over untagged manifests, which ghcr-cleanup\.yml deletes/
    ]
  },
  {
    name: "real cd.yml that deploys on every push, by tag, without signing",
    run: () =>
      checkEdited(
        ".github/workflows/cd.yml",
        "on:\n  workflow_run:\n    workflows: [ci]\n    types: [completed]\n    branches: [main]\n",
        "on:\n  push:\n    branches: [main]\n",
        (f) => {
          const text = readFileSync(f, "utf8")
            .replaceAll(`@${gha("needs.image.outputs.digest")}`, `:${gha("github.sha")}`)
            .replace("cosign sign --yes", "echo")
          writeFileSync(f, text)
          return checkCdWorkflow(f)
        }
      ),
    expect: [
      /CD must run on workflow_run of ci \(after it passed\), not on push/,
      /job deploy-staging must deploy the image by the digest/,
      /lacks keyless signing of the digest/
    ]
  },
  {
    name: "real cd.yml with an action pinned to a movable tag",
    run: () =>
      checkEdited(
        ".github/workflows/cd.yml",
        "actions/attest-build-provenance@e8998f949152b193b063cb0ec769d69d929409be",
        "actions/attest-build-provenance@v2",
        lintWorkflow
      ),
    expect: [/action actions\/attest-build-provenance@v2 must be pinned to a full commit SHA/]
  },
  {
    name: "real ci.yml after a step put an untrusted expression inline",
    run: () =>
      checkEdited(
        ".github/workflows/ci.yml",
        "run: make unit",
        `run: echo $${"{{"} github.head_ref }} && make unit`,
        lintWorkflow
      ),
    expect: [/actionlint \[expression\]: "github\.head_ref" is potentially untrusted/]
  },
  {
    name: "real overlay after a typo in the base Deployment",
    run: () =>
      renderEdited({ "base/app/deployment.yaml": ["readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true"] }),
    expect: [
      /Deployment\/hexa-monolith: unknown field \/spec\/template\/spec\/containers\/0\/securityContext\/readOnlyRootFileSystem/,
      /readOnlyRootFilesystem must be true/
    ]
  },
  {
    name: "real overlay after the grace period was cut below the drain",
    run: () =>
      renderEdited({
        "base/app/deployment.yaml": ["terminationGracePeriodSeconds: 45", "terminationGracePeriodSeconds: 15"]
      }),
    expect: [/terminationGracePeriodSeconds 15 is shorter than preStop 5s \+ SHUTDOWN_TIMEOUT 20s \+ 5s/]
  },
  {
    name: "manifest with misspelt fields",
    run: () => checkSchemas(objects("k8s-unknown-field.yaml"), "fixture"),
    expect: [/unknown field \/spec\/replica$/, /unknown field \/spec\/template\/spec\/containers\/0\/imagePullPolicyy/]
  },
  {
    name: "manifest on removed API versions",
    run: () => checkSchemas(objects("k8s-removed-api.yaml"), "fixture"),
    expect: [
      /policy\/v1beta1 was removed in Kubernetes 1\.25; use policy\/v1/,
      /autoscaling\/v2beta2 was removed in Kubernetes 1\.26/
    ]
  },
  {
    name: "manifest with a wrongly typed value",
    run: () => checkSchemas(objects("k8s-bad-type.yaml"), "fixture"),
    expect: [/\/spec\/ports\/0\/port: must be integer/]
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
      /spec\.replicas is set although a HorizontalPodAutoscaler scales it/
    ]
  },
  {
    name: "manifest pointing at missing objects",
    run: () => checkReferences(objects("k8s-dangling-refs.yaml"), [], "fixture"),
    expect: [
      /Service\/api selects no pods/,
      /reads Secret no-such-secret, which is neither rendered nor in k8s\/secrets templates/
    ]
  },
  {
    name: "secret template holding a value",
    run: () => checkSecretTemplates(objects("secret-with-value.yaml"), "fixture"),
    expect: [/key JWT_SECRET has a value; templates must stay empty/]
  },
  {
    name: "kustomization naming a missing file",
    run: () => render(fx("kustomize-missing")).problems,
    expect: [/kustomize .*kustomize-missing: .*deployment-that-does-not-exist\.yaml/]
  },
  {
    name: "alert rule that does not parse",
    run: () => checkPrometheusRule(only("prometheusrule-bad-expr.yaml"), tests, runbook, "fixture"),
    expect: [/promtool check rules failed:[\s\S]*parse error/]
  },
  {
    name: "real page threshold changed under its unit test",
    run: () =>
      checkEdited(
        "k8s/base/monitoring/prometheusrule.yaml",
        "namespace:slo_errors:ratio_rate1h > (14.4 * 0.001)",
        "namespace:slo_errors:ratio_rate1h > (144 * 0.001)",
        (f) => checkPrometheusRule(loadFile(f).objects[0] as K8sObject, tests, runbook, "edited")
      ),
    expect: [/promtool test rules .* failed:[\s\S]*alertname: HexaMonolithErrorBudgetFastBurn/]
  },
  {
    name: "alert with a misspelt metric, no unit test, no runbook entry",
    run: () => checkPrometheusRule(only("prometheusrule-untested.yaml"), tests, runbook, "fixture"),
    expect: [
      /reads metric http_requests_total, which the app does not export/,
      /alert HexaMonolithNewAlertWithoutTest has no unit test/,
      /alert HexaMonolithNewAlertWithoutTest needs a severity label/,
      /links runbook anchor #hexamonolithnewalertwithouttest, but docs\/runbook\.md has no such heading/
    ]
  },
  {
    name: "Alertmanager routing to an undefined receiver",
    run: () => checkAlertmanagerConfig(only("alertmanagerconfig-undefined-receiver.yaml"), "fixture"),
    expect: [
      /amtool check-config failed:[\s\S]*undefined receiver "pagerduty-that-does-not-exist"/,
      /has no receiver with slackConfigs/
    ]
  },
  {
    name: "workflow with a wrong action input and an injectable expression",
    run: () => lintWorkflow(fx("workflows/bad-input.yml")),
    expect: [
      /bad-input\.yml:10:11: actionlint \[action\]: input "node-versio" is not defined/,
      /actionlint \[expression\]: "github\.event\.pull_request\.title" is potentially untrusted/
    ]
  },
  {
    name: "workflow with an unquoted variable in a run step and a branch-pinned action",
    run: () => lintWorkflow(fx("workflows/bad-shell.yml")),
    expect: [
      /bad-shell\.yml:11: job deploy, "Clean up": shellcheck .*SC2086/,
      /action actions\/checkout@main must be pinned/
    ]
  },
  {
    name: "cd workflow without the secrets and the staging gate",
    run: () => checkCdWorkflow(fx("workflows/cd-missing-secrets.yml")),
    expect: [
      /GitHub secret KUBE_CONFIG is never used/,
      /GitHub secret ALERT_SLACK_WEBHOOK is never used/,
      /no job deploys to the staging environment/,
      /production reads DATABASE_URL_STAGING/
    ]
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
      /npm ci --omit=dev/
    ]
  },
  {
    name: "Dockerfile with syntax errors",
    run: () => checkDockerfile(fx("Dockerfile.syntax")),
    expect: [
      /Dockerfile\.syntax:3: error: Unknown instruction: RUNN \(dockerfile-utils\)/,
      /Unknown flag: intervl/,
      /Invalid containerPort: http/
    ]
  },
  {
    name: "compose file with an unknown key and a missing dependency",
    run: () => checkCompose(fx("compose-broken.yml")),
    expect: [
      /compose-spec: \/services\/app must NOT have additional properties "restart_policy"/,
      /service app depends on database, which is not defined/,
      /service postgres needs a healthcheck/
    ]
  },
  {
    name: "collector config with a misspelt exporter and an undefined processor",
    run: () =>
      checkCollectorConfig(readFileSync(fx("otel-collector-broken.yaml"), "utf8"), "fixture", {
        env: new Set(["OTLP_TRACES_ENDPOINT"])
      }),
    expect: [
      /unknown component type "otlphtp"/,
      /uses processor batch, which is not defined under processors/,
      /uses exporter otlphttp\/traces, which is not defined/,
      /\$\{env:TRACES_ENDPOINT\} is not set/
    ]
  },
  {
    name: "Fluent Bit config whose filter matches nothing",
    run: () =>
      checkFluentBitConfig(
        readFileSync(fx("fluent-bit-broken.yaml"), "utf8"),
        undefined,
        "fixture",
        new Set(["LOKI_HOST"])
      ),
    expect: [
      /match "kubernetes\.\*" matches no input tag/,
      /merge_parser no_such_parser is not defined/,
      /\$\{LOKI_ADDRESS\} is not set/
    ]
  }
]

describe("the validator refuses each broken file", () => {
  for (const c of cases) {
    it(c.name, { timeout: 120_000 }, async () => {
      const problems = await c.run()
      const missing = c.expect.filter((re) => !problems.some((p) => re.test(p)))
      expect(
        missing.map(String),
        `no message matched; got:\n${problems.join("\n") || "(no problem reported at all)"}`
      ).toEqual([])
    })
  }
})
