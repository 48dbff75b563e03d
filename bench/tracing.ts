// What tracing costs: fresh app instances with no exporter, exporting with always_off, and sampled
// at 10 % to a sink in the harness, in alternating order.
import { readdir, readFile } from "node:fs/promises"
import { join } from "node:path"
import { peakRssMb } from "./http.ts"
import { stopProcess } from "./processes.ts"
import type { LoadResult, TracingVariant } from "./results.ts"
import { type Fixtures, load, SCENARIOS } from "./scenarios.ts"
import { startApp } from "./servers.ts"
import { freePort, log, ROOT, settings } from "./settings.ts"

/** A loopback OTLP/HTTP sink: accepts every export and discards it, counting bytes. */
export const startOtlpSink = async () => {
  const { createServer } = await import("node:http")
  let requests = 0
  let bytes = 0
  const server = createServer((req, res) => {
    req.on("data", (chunk: Buffer) => (bytes += chunk.length))
    req.on("end", () => {
      requests++
      res.writeHead(200, { "content-type": "application/json" })
      res.end("{}")
    })
  })
  const port = await freePort()
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r))
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ requests, bytes }),
    close: () => new Promise<void>((r) => server.close(() => r()))
  }
}

/** Which environment the app reads to export traces; undefined while the build has no OTLP export. */
export const tracingSupport = async () => {
  const files = await readdir(join(ROOT, "dist/platform/observability")).catch(() => [] as Array<string>)
  if (files.length === 0) return undefined
  const sources = await Promise.all(
    files.filter((f) => f.endsWith(".js")).map((f) => readFile(join(ROOT, "dist/platform/observability", f), "utf8"))
  )
  const text = sources.join("\n")
  return text.includes("OTEL_EXPORTER_OTLP_ENDPOINT") && text.includes("OTEL_TRACES_SAMPLER") ? text : undefined
}

export const measureTracing = async (databaseUrl: string, fixtures: Fixtures, scenarioId: string) => {
  if ((await tracingSupport()) === undefined)
    return {
      status: "skipped" as const,
      scenario: scenarioId,
      note: "this build has no OTLP trace export yet (src/platform/observability reading OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_TRACES_SAMPLER): not measured.",
      variants: [] as Array<TracingVariant>
    }
  const scenario = SCENARIOS.find((s) => s.id === scenarioId)!
  const spec = scenario.request(fixtures)
  const sink = await startOtlpSink()
  const configs: ReadonlyArray<readonly [string, Record<string, string>]> = [
    ["tracing off (no exporter: the default)", {}],
    ["exporter on, sampler always_off", { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_TRACES_SAMPLER: "always_off" }],
    [
      "exporter on, sampled at 10 % (parentbased_traceidratio 0.1)",
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG: "0.1"
      }
    ]
  ]
  // Every variant on a fresh instance, in alternating order over the rounds, so drift in the machine's
  // load falls on all of them alike.
  const runs = new Map<string, Array<LoadResult & { peakRssMb: number | null }>>()
  try {
    for (let round = 0; round < settings.tracingRounds; round++) {
      for (const [label, env] of round % 2 === 0 ? configs : [...configs].reverse()) {
        const app = await startApp(
          `app-tracing-${scenarioId}-${round}-${configs.findIndex(([l]) => l === label)}`,
          databaseUrl,
          env
        )
        log(`tracing ${scenarioId}, round ${round + 1}: ${label}`)
        const run = await load(app.base, spec, settings.durationSeconds, settings.warmupSeconds)
        runs.set(label, [...(runs.get(label) ?? []), { ...run, peakRssMb: await peakRssMb(app.child.pid) }])
        await stopProcess(app.child)
        log(`  ${run.rps} req/s, p99 ${run.p99} ms`)
      }
    }
  } finally {
    await sink.close()
  }
  const mean = (xs: ReadonlyArray<number>) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length)
  const variants: Array<TracingVariant> = configs.map(([label]) => {
    const r = runs.get(label)!
    return {
      label,
      rps: mean(r.map((x) => x.rps)),
      p50: mean(r.map((x) => x.p50)),
      p99: Math.max(...r.map((x) => x.p99)),
      max: Math.max(...r.map((x) => x.max)),
      requests: r.reduce((a, x) => a + x.requests, 0),
      non2xx: r.reduce((a, x) => a + x.non2xx, 0),
      errors: r.reduce((a, x) => a + x.errors, 0),
      peakRssMb: Math.max(...r.map((x) => x.peakRssMb ?? 0)),
      rounds: r.map((x) => x.rps)
    }
  })
  for (const v of variants) v.relative = Math.round((v.rps / variants[0]!.rps) * 1000) / 1000
  const { requests, bytes } = sink.stats()
  return {
    status: "measured" as const,
    scenario: scenario.title,
    note: `${settings.tracingRounds} rounds of fresh instances, mean req/s; the OTLP sink received ${requests} exports, ${Math.round(bytes / 1024)} KiB`,
    variants
  }
}
