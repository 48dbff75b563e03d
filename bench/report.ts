// results.json → report.md + chart.svg. Run by bench/run.ts; rerun alone to restyle a report:
//   node bench/report.ts [bench/results]
import { readFile, writeFile } from "node:fs/promises"
import { join, resolve } from "node:path"
import type { BenchResults, LoadResult, ScenarioResult } from "./results.ts"

export const TARGETS = {
  /** app ÷ floor req/s, wherever there is a floor. */
  floorRatio: 0.85,
  peakRssMb: 200,
  readyMs: 1500,
  tracingSampledCost: 0.1,
  /** "Costs nothing measurable": within run-to-run noise on a shared 2-core machine. */
  tracingOffCost: 0.03
}

const fmt = (n: number) => n.toLocaleString("en-US")
const pct = (r: number) => `${Math.round(r * 100) + 0} %`
const mark = (ok: boolean) => (ok ? "✅ met" : "❌ not met")
const cpu = (r: { readonly cpuMsPerRequest?: number | null }) =>
  r.cpuMsPerRequest === undefined || r.cpuMsPerRequest === null ? "?" : r.cpuMsPerRequest.toFixed(2)
/** Below this share of the floor the stack alone is clearly short of the target, beyond run-to-run noise. */
const STACK_OUT_OF_REACH = 0.75
/** The stack floor's req/s ÷ the raw floor's, when both ran. */
const stackShare = (s: ScenarioResult) =>
  s.stack == null || s.floor === null || s.floor.rps === 0 ? null : s.stack.rps / s.floor.rps
const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

// ---------------------------------------------------------------------------------------------
// Chart: req/s per scenario, app against floor, p99 beside each bar, the 85 % line on hot reads.
// ---------------------------------------------------------------------------------------------

export const renderChart = (results: BenchResults): string => {
  const rows = results.scenarios
  const width = 860
  const labelWidth = 230
  const barArea = 440
  const barHeight = 16
  const rowHeight = 50
  const top = 64
  const height = top + rows.length * rowHeight + 40
  const max = Math.max(1, ...rows.flatMap((r) => [r.app.rps, r.floor?.rps ?? 0]))
  const x = (rps: number) => labelWidth + (rps / max) * barArea
  const p99Colour = (p99: number, target: ScenarioResult["p99TargetMs"]) =>
    target === null ? "#555" : p99 < target ? "#1a7f37" : "#cf222e"
  const bar = (y: number, rps: number, p99: number, fill: string, target: ScenarioResult["p99TargetMs"]) => `
    <rect x="${labelWidth}" y="${y}" width="${Math.max(1, x(rps) - labelWidth).toFixed(1)}" height="${barHeight}" fill="${fill}" rx="2"/>
    <text x="${(x(rps) + 6).toFixed(1)}" y="${y + 12}" font-size="12">${fmt(rps)} req/s · <tspan fill="${p99Colour(p99, target)}" font-weight="bold">p99 ${p99} ms</tspan></text>`
  const body = rows
    .map((r, i) => {
      const y = top + i * rowHeight
      const ratio = r.ratio === null ? "" : ` — ${pct(r.ratio)} of floor`
      const threshold =
        r.floor !== null
          ? `<line x1="${x(r.floor.rps * TARGETS.floorRatio).toFixed(1)}" x2="${x(r.floor.rps * TARGETS.floorRatio).toFixed(1)}" y1="${y - 2}" y2="${y + barHeight + 2}" stroke="#cf222e" stroke-width="2" stroke-dasharray="3,2"/>`
          : ""
      return `
  <g>
    <text x="${labelWidth - 10}" y="${y + 12}" font-size="13" text-anchor="end" font-weight="bold">${escape(r.title)}</text>
    <text x="${labelWidth - 10}" y="${y + 28}" font-size="11" text-anchor="end" fill="#555">${r.kind}${ratio}</text>
    ${bar(y, r.app.rps, r.app.p99, "#0969da", r.p99TargetMs)}
    ${r.floor === null ? "" : bar(y + barHeight + 2, r.floor.rps, r.floor.p99, "#8c959f", r.p99TargetMs)}
    ${threshold}
  </g>`
    })
    .join("")
  const { settings, machine } = results
  const summary = rows
    .map(
      (r) =>
        `${r.title}: app ${fmt(r.app.rps)} req/s, p99 ${r.app.p99} ms${r.floor === null ? "" : `; floor ${fmt(r.floor.rps)} req/s`}`
    )
    .join(". ")
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif">
  <title>hexa-monolith vs raw floor, req/s and p99 per scenario</title>
  <desc>${escape(summary)}</desc>
  <rect width="100%" height="100%" fill="#fff"/>
  <text x="16" y="24" font-size="16" font-weight="bold">hexa-monolith vs raw floor — req/s (longer is better), p99 latency beside each bar</text>
  <text x="16" y="42" font-size="12" fill="#555">${settings.connections} connections, ${settings.durationSeconds} s per scenario, ${machine.cpus} cores (${escape(machine.cpuModel)}), Node ${machine.node}, ${results.startedAt.slice(0, 10)}</text>
  <rect x="${labelWidth}" y="48" width="12" height="10" fill="#0969da"/><text x="${labelWidth + 16}" y="57" font-size="11">app (production build)</text>
  <rect x="${labelWidth + 160}" y="48" width="12" height="10" fill="#8c959f"/><text x="${labelWidth + 176}" y="57" font-size="11">raw node:http + pg floor</text>
  <line x1="${labelWidth + 330}" x2="${labelWidth + 330}" y1="47" y2="59" stroke="#cf222e" stroke-width="2" stroke-dasharray="3,2"/><text x="${labelWidth + 336}" y="57" font-size="11">85 % of floor (the target)</text>
  ${body}
  <text x="16" y="${height - 12}" font-size="11" fill="#555">p99 in green: under its target (50 ms point reads, 100 ms lists); red: over. Login has no floor. Data: results.json.</text>
</svg>
`
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

/**
 * One line per missed target, from this run's numbers: whether the stack alone could meet it, what
 * the app adds on top, and what meeting it would take.
 */
const explanations = (results: BenchResults): Array<string> => {
  const { scenarios, app, profile, settings } = results
  const lines: Array<string> = []
  const ms = (n: number | null | undefined) => (n == null ? "?" : n.toFixed(2))
  for (const s of scenarios.filter((r) => r.ratio !== null && r.ratio < TARGETS.floorRatio)) {
    const share = stackShare(s)
    const own =
      s.app.cpuMsPerRequest != null && s.stack?.cpuMsPerRequest != null
        ? ` The app spends ${ms(s.app.cpuMsPerRequest)} ms of CPU per request against the stack floor's ${ms(s.stack.cpuMsPerRequest)} and the floor's ${ms(s.floor?.cpuMsPerRequest)}.`
        : ""
    const where =
      profile?.scenario === s.id ? "the CPU profile below" : `its profile (PROFILE=1 PROFILE_SCENARIO=${s.id})`
    lines.push(
      share !== null && share < STACK_OUT_OF_REACH
        ? `- **${s.title}** at ${pct(s.ratio!)} of the floor: out of reach on this stack whatever the app does — effect's HTTP server and driver alone, running the floor's code, reach ${pct(share)}.${own} What it would take: this route served outside effect's HTTP stack (a raw node:http handler in front of the router, with the contract's auth, errors and headers re-implemented there) and statements sent without the driver's per-statement effects; the app's own share (${pct(s.ratio! / share)} of the stack floor) is what fewer spans, middlewares and effects per statement can still win (bench/README.md).`
        : `- **${s.title}** at ${pct(s.ratio!)} of the floor${share === null ? "" : `, where the stack alone reaches ${pct(share)}`}: the gap is the app's own per-request work, shown in ${where}.${own} What it would take: the plan in bench/README.md (cheaper per-request bookkeeping, spans at the use-case boundary only, fewer statements per request).`
    )
  }
  for (const s of scenarios.filter((r) => r.p99TargetMs !== null && r.app.p99 >= r.p99TargetMs)) {
    // Closed-loop load: every connection waits for its answer, so the mean latency is connections ÷ throughput.
    const connections = s.app.connections ?? settings.connections
    const meanMs = (connections / Math.max(1, s.app.rps)) * 1000
    const tail = s.app.p99 / Math.max(1, meanMs)
    const needed = Math.ceil(((connections * tail) / s.p99TargetMs!) * 1000)
    lines.push(
      `- **${s.title}** p99 ${s.app.p99} ms (target ${s.p99TargetMs} ms): with ${connections} connections and no pause between requests the mean latency is connections ÷ throughput (${Math.round(meanMs)} ms here) and this run's p99 was ${tail.toFixed(1)}× the mean, so p99 < ${s.p99TargetMs} ms needs about ${fmt(needed)} req/s${s.stack == null ? "" : ` (the stack floor reached ${fmt(s.stack.rps)}, p99 ${s.stack.p99} ms)`}${s.floor === null ? "" : `; the raw floor reached ${fmt(s.floor.rps)}, p99 ${s.floor.p99} ms`}. It follows the throughput above: the same work.`
    )
  }
  const sweep = results.writeSweep ?? []
  if (sweep.length > 1 && !sweep.every((p, i) => i === 0 || p.app.rps >= sweep[i - 1]!.app.rps * 0.9)) {
    const busiest = Math.max(...sweep.map((p) => p.app.cpuCores ?? 0))
    lines.push(
      `- **POST /api/articles** flattens at ${sweep.map((p) => fmt(p.app.rps)).join(" → ")} req/s: the app process is at ${Math.round(busiest * 100)} % of a core there (the table above), so it is bound by its own CPU per write, not by a lock (articlesCount is kept in sharded counter rows, so writers do not queue on one row). What it would take: less CPU per write (the write runs 7 statements, each with its span and effects), or more replicas: throughput then scales with processes, as the floor's own flattening near one core shows.`
    )
  }
  if (app.peakRssMbAfterAll !== null && app.peakRssMbAfterAll >= TARGETS.peakRssMb)
    lines.push(
      `- **Peak RSS** ${app.peakRssMbAfterAll} MB after writes and logins (${app.peakRssMbAfterReads ?? "?"} MB after reads; the raw floor ${results.floor.peakRssMb ?? "?"} MB): what V8 keeps of a heap grown under 50 busy connections, not the hashes (at most 2 × 8 MiB). What it would take: fewer allocations per request (the same work as the throughput), or a smaller heap limit traded for GC time.`
    )
  for (const t of results.tracing.filter((r) => r.status === "measured")) {
    const sampled = t.variants.find((v) => v.label.includes("10 %"))
    const off = t.variants.find((v) => v.label.includes("always_off"))
    const sampledCost = sampled?.relative === undefined ? 0 : 1 - sampled.relative
    const offCost = off?.relative === undefined ? 0 : 1 - off.relative
    if (sampledCost >= TARGETS.tracingSampledCost || offCost >= TARGETS.tracingOffCost)
      lines.push(
        `- **Tracing on ${t.scenario}** costs ${pct(sampledCost)} sampled at 10 % and ${pct(offCost)} with \`always_off\`: every request still builds its spans (server, use case, repository, statements), sampled or not, and a span's fixed cost is the largest share on the cheapest reads. What it would take: fewer spans per request (at the use-case boundary only, bench/README.md), and the pool gauges read from the pool instead of from statement spans, so an unsampled request could skip building them.`
      )
  }
  if (lines.length === 0) lines.push("Every target above is met.")
  return lines
}

export const renderMarkdown = (results: BenchResults): string => {
  const { settings, machine, dataset, app, scenarios, tracing, profile, parity } = results
  const lines: Array<string> = []
  const push = (...l: Array<string>) => lines.push(...l)

  push(
    "# Benchmark report",
    "",
    `Run ${results.startedAt.replace("T", " ").slice(0, 19)} UTC, ${results.wallSeconds} s end to end. ` +
      `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}; ` +
      `load average at start ${machine.loadAverageAtStart.join(" / ")}` +
      (machine.loadAverageAtStart[0]! > machine.cpus * 0.5 ? " (**the machine was busy: numbers are noisy**)" : "") +
      ".",
    "",
    `Each scenario: ${settings.warmupSeconds} s warm-up, then ${settings.durationSeconds} s measured with autocannon at ` +
      `${settings.connections} connections on loopback. App and floor alternate per scenario, same database ` +
      `(${settings.database}), pool of ${settings.poolMax} each. The app runs as the image starts it: \`${settings.node}\`. Regenerate with \`make bench\`; how to read this: bench/README.md.`,
    "",
    "![req/s per scenario, app against floor](chart.svg)",
    ""
  )

  push(
    "| scenario | app req/s | floor req/s | app ÷ floor | stack floor req/s (÷ floor) | app p50 / p99 ms | floor p50 / p99 ms | stack floor p99 ms | CPU ms per request, app / floor / stack floor | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  )
  for (const s of scenarios) {
    const runs = [s.app, s.floor, s.stack ?? null].filter((r): r is LoadResult => r !== null)
    const errors = runs.reduce((n, r) => n + r.non2xx + r.errors, 0)
    const stack = s.stack ?? null
    push(
      `| ${s.title} | ${fmt(s.app.rps)} | ${s.floor === null ? "—" : fmt(s.floor.rps)} | ${s.ratio === null ? "—" : pct(s.ratio)} | ` +
        `${stack === null || s.floor === null ? "—" : `${fmt(stack.rps)} (${pct(stack.rps / s.floor.rps)})`} | ` +
        `${s.app.p50} / ${s.app.p99} | ${s.floor === null ? "—" : `${s.floor.p50} / ${s.floor.p99}`} | ${stack === null ? "—" : stack.p99} | ` +
        `${cpu(s.app)} / ${s.floor === null ? "—" : cpu(s.floor)} / ${stack === null ? "—" : cpu(stack)} | ${errors === 0 ? "0" : `**${errors}**`} |`
    )
  }
  push(
    "",
    "CPU ms per request is the server process's own CPU time over the measured window divided by the requests it answered: on a machine shared with other work it moves far less than req/s, so its ratio is the steadier comparison of app and floor.",
    "",
    "The *stack floor* is the floor's own code (same statements, same JSON) served by effect's HTTP server and router and run through the @effect/sql-pg driver, the app's stack, with no schemas, spans, logging or middleware: its distance to the raw floor is what the stack costs before any code of the app; the app's distance to it is the app's own.",
    ""
  )

  // Targets
  const floored = scenarios.filter((s) => s.ratio !== null)
  push("## Targets", "", "| target | measured | status |", "|---|---|---|")
  for (const s of floored)
    push(
      `| ${s.title} ≥ ${pct(TARGETS.floorRatio)} of floor req/s | ${pct(s.ratio!)}${stackShare(s) === null ? "" : ` (the stack floor alone: ${pct(stackShare(s)!)})`} | ${mark(s.ratio! >= TARGETS.floorRatio)} |`
    )
  for (const s of scenarios.filter((r) => r.p99TargetMs !== null))
    push(`| ${s.title} p99 < ${s.p99TargetMs} ms | ${s.app.p99} ms | ${mark(s.app.p99 < s.p99TargetMs!)} |`)
  const sweep = results.writeSweep ?? []
  if (sweep.length > 1) {
    const rising = sweep.every((point, i) => i === 0 || point.app.rps >= sweep[i - 1]!.app.rps * 0.9)
    push(
      `| POST /api/articles: req/s rises with connections (${sweep.map((p) => p.connections).join(", ")}), no plateau on a lock | ${sweep.map((p) => fmt(p.app.rps)).join(" → ")} | ${mark(rising)} |`
    )
  }
  if (app.peakRssMbAfterReads !== null)
    push(
      `| peak RSS under read load < ${TARGETS.peakRssMb} MB | ${app.peakRssMbAfterReads} MB | ${mark(app.peakRssMbAfterReads < TARGETS.peakRssMb)} |`
    )
  if (app.peakRssMbAfterAll !== null)
    push(
      `| peak RSS incl. writes and logins < ${TARGETS.peakRssMb} MB | ${app.peakRssMbAfterAll} MB | ${mark(app.peakRssMbAfterAll < TARGETS.peakRssMb)} |`
    )
  push(
    `| ready < ${TARGETS.readyMs} ms after the database is up | ${app.readyMs} ms | ${mark(app.readyMs < TARGETS.readyMs)} |`
  )
  for (const t of tracing) {
    if (t.status !== "measured") {
      push(`| tracing overhead (${t.scenario}) | not measured | ⏸ ${t.note} |`)
      continue
    }
    const off = t.variants.find((v) => v.label.includes("always_off"))
    const sampled = t.variants.find((v) => v.label.includes("10 %"))
    if (sampled?.relative !== undefined)
      push(
        `| ${t.scenario}: tracing sampled at 10 % costs < ${pct(TARGETS.tracingSampledCost)} | ${pct(1 - sampled.relative)} | ${mark(1 - sampled.relative < TARGETS.tracingSampledCost)} |`
      )
    if (off?.relative !== undefined)
      push(
        `| ${t.scenario}: tracing disabled (always_off) costs nothing measurable (< ${pct(TARGETS.tracingOffCost)}) | ${pct(1 - off.relative)} | ${mark(1 - off.relative < TARGETS.tracingOffCost)} |`
      )
  }
  if (tracing.length === 0) push("| tracing overhead | not measured | ⏸ see notes |")
  push("")

  if (sweep.length > 0) {
    push(
      "## Writes by connection count",
      "",
      "POST /api/articles, app then floor at each count (the floor runs the app's statements: the same transaction, the same tag inserts, the outbox rows, the author's profile). *CPU* is the server process's CPU time over the window ÷ its length: a Node process runs its JavaScript on one core, so a row near 100 % is bound by its own CPU per request, not by a lock or a wait.",
      "",
      "| connections | app req/s | floor req/s | app ÷ floor | app p50 / p99 ms | floor p50 / p99 ms | CPU, app / floor | errors |",
      "|---:|---:|---:|---:|---:|---:|---:|---:|",
      ...sweep.map((p) => {
        const errors = p.app.non2xx + p.app.errors + (p.floor === null ? 0 : p.floor.non2xx + p.floor.errors)
        const cores = (r: LoadResult | null) => (r?.cpuCores == null ? "—" : `${Math.round(r.cpuCores * 100)} %`)
        return `| ${p.connections} | ${fmt(p.app.rps)} | ${p.floor === null ? "—" : fmt(p.floor.rps)} | ${p.ratio === null ? "—" : pct(p.ratio)} | ${p.app.p50} / ${p.app.p99} | ${p.floor === null ? "—" : `${p.floor.p50} / ${p.floor.p99}`} | ${cores(p.app)} / ${cores(p.floor)} | ${errors === 0 ? "0" : `**${errors}**`} |`
      }),
      ""
    )
  }

  push("## Why a target is missed, and what it would take", "")
  push(...explanations(results), "")
  push("bench/README.md has the query plans and profiles behind these, and what each change so far bought.", "")

  const login = scenarios.find((s) => s.id === "login")
  push(
    "## Login and the password hash",
    "",
    `${results.passwordHash.cost}. ${results.passwordHash.why}` +
      (login === undefined
        ? ""
        : ` Measured: ${fmt(login.app.rps)} logins/s, p50 ${login.app.p50} ms, p99 ${login.app.p99} ms at ${login.app.connections ?? settings.connections} connections — ` +
          "bound by the hash by design (each login derives one key; the hasher runs at most two at a time)."),
    ""
  )

  push("## Start-up and memory", "")
  push(
    `- Ready: ${app.readyMs} ms from spawning \`node dist/main.js\` to the first 200 on \`/health/ready\` (database up, schema migrated; the app checks migrations on start as in production).`,
    `- Peak RSS (VmHWM) of the app: ${app.peakRssMbAfterReads ?? "?"} MB after the read scenarios, ${app.peakRssMbAfterAll ?? "?"} MB after writes and logins. The floor: ${results.floor.peakRssMb ?? "?"} MB.`,
    ""
  )

  push("## Dataset", "")
  const counts = Object.entries(dataset.counts)
    .map(([k, v]) => `${fmt(v)} ${k}`)
    .join(", ")
  push(
    `${counts}.` +
      (dataset.seedCommand === null ? "" : ` Seeded by \`${dataset.seedCommand}\` in ${dataset.seedSeconds} s.`) +
      ` The authenticated scenarios log in as a user who follows ${dataset.readerFollows} authors (the median of those following at least five); ` +
      `GET /api/articles/:slug rotates through ${dataset.slugsRotated} random slugs.`,
    ""
  )

  push("## Is the floor doing the same work?", "")
  push(
    parity.ok
      ? "Yes, checked in this run: for every scenario with a floor the app and the floor sent the same set of SQL statements (recorded by a proxy in front of PostgreSQL on separate instances) and answered bodies with the same JSON content (for the write, slug, title and timestamps aside). Statements a process runs on its own schedule (the availability probe, the outbox's pollers, the consumers' inbox) are set aside, not compared: *background* counts those that fell into each window, app / floor."
      : "**No — the floor drifted from the app in this run** (`BENCH_ALLOW_DRIFT=1`): the ratios below are not comparable.",
    "",
    "| scenario | status | statements | same SQL | same body | background |",
    "|---|---:|---:|---|---|---:|",
    ...parity.scenarios.map(
      (p) =>
        `| ${p.id} | ${p.status} | ${p.statements} | ${p.sameSql ? "yes" : "**no**"} | ${p.sameBody ? "yes" : "**no**"} | ${p.backgroundSetAside === undefined ? "–" : `${p.backgroundSetAside.app} / ${p.backgroundSetAside.floor}`} |`
    ),
    ""
  )

  push("## Tracing", "")
  if (tracing.length === 0) push("Not measured in this run (see notes).", "")
  for (const t of tracing) {
    if (t.status === "skipped") {
      push(`${t.scenario}: not measured: ${t.note}`, "")
      continue
    }
    push(
      `**${t.scenario}**, every variant on a fresh instance exporting OTLP/HTTP to a sink in the harness that accepts and discards (${t.note}).`,
      "",
      "| variant | req/s (rounds) | relative | p50 / p99 ms | peak RSS MB |",
      "|---|---:|---:|---:|---:|",
      ...t.variants.map(
        (v) =>
          `| ${v.label} | ${fmt(v.rps)} (${(v.rounds ?? []).map(fmt).join(", ")}) | ${v.relative === undefined ? "—" : pct(v.relative)} | ${v.p50} / ${v.p99} | ${v.peakRssMb ?? "?"} |`
      ),
      ""
    )
  }

  if (profile !== null) {
    push("## CPU profile", "")
    if (profile.error !== undefined) push(`Profile of ${profile.scenario} failed: ${profile.error}`, "")
    else {
      push(
        `\`node --cpu-prof\` on a separate app instance under ${profile.scenario} (${fmt(profile.rps)} req/s while profiled; ` +
          `profiling slows it). ${profile.idlePercent} % of the main thread idle. Flame graph: open \`${profile.file}\` (kept beside this report, not committed) in Chrome DevTools or speedscope.`,
        "",
        "Self time by package:",
        "",
        "| package | self ms | % of busy |",
        "|---|---:|---:|",
        ...(profile.byPackage ?? []).map((p) => `| ${p.name} | ${p.selfMs} | ${p.selfPercent} |`),
        "",
        "Top functions by self time:",
        "",
        "| function | where | self ms | % of busy |",
        "|---|---|---:|---:|",
        ...(profile.topSelf ?? []).map((e) => `| \`${e.name}\` | ${e.where} | ${e.selfMs} | ${e.selfPercent} |`),
        "",
        "Top functions by inclusive time (effect's fiber runtime and node internals left out: they are on every stack):",
        "",
        "| function | where | total ms | % of busy |",
        "|---|---|---:|---:|",
        ...(profile.topInclusive ?? []).map((e) => `| \`${e.name}\` | ${e.where} | ${e.selfMs} | ${e.selfPercent} |`),
        ""
      )
    }
  }

  if (results.notes.length > 0) push("## Notes", "", ...results.notes.map((n) => `- ${n}`), "")
  push("What each optimisation bought, and the candidates still open, are in bench/README.md.", "")
  return lines.join("\n")
}

export const writeReport = async (results: BenchResults, dir: string) => {
  await writeFile(join(dir, "report.md"), renderMarkdown(results))
  await writeFile(join(dir, "chart.svg"), renderChart(results))
}

if (import.meta.main) {
  const dir = resolve(process.argv[2] ?? "bench/results")
  const results = JSON.parse(await readFile(join(dir, "results.json"), "utf8")) as BenchResults
  await writeReport(results, dir)
  console.error(`wrote ${dir}/report.md and chart.svg`)
}
