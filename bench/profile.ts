// Profiling: one more app instance started with --cpu-prof, loaded with one scenario, then stopped;
// self time per function and per package from the V8 `.cpuprofile` it writes. Open the file itself in
// Chrome DevTools (Performance → Load profile) or speedscope for a flame graph.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { state, stopProcess } from "./processes.ts"
import type { ProfileSummary } from "./results.ts"
import { type Fixtures, load, type Scenario } from "./scenarios.ts"
import { startApp } from "./servers.ts"
import { log, RESULTS_DIR, ROOT, settings } from "./settings.ts"

interface CpuProfileNode {
  readonly id: number
  readonly children?: ReadonlyArray<number>
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<CpuProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const IDLE = new Set(["(idle)", "(program)"])

/** Which package a script belongs to: the npm package, the app (dist/), or node's own modules. */
const packageOf = (url: string, root: string) => {
  if (url === "") return "(V8/native)"
  if (url.startsWith("node:")) return "node internals"
  const path = url.replace(/^file:\/\//, "")
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)
  if (match !== null) return match[1]!
  if (path.startsWith(`${root}/dist/`))
    return `app: ${path
      .slice(root.length + 6)
      .split("/")
      .slice(0, 2)
      .join("/")}`
  return path.startsWith(root) ? path.slice(root.length + 1) : path
}

/** `skipMs`: samples in the profile's first milliseconds (start-up, warm-up) are left out. */
export const summariseCpuProfile = (
  profile: CpuProfile,
  root: string,
  skipMs = 0
): Omit<ProfileSummary, "scenario" | "rps"> => {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  // A sample's time is the delta to the next sample (as DevTools counts it).
  let elapsedUs = 0
  for (let i = 0; i < profile.samples.length; i++) {
    elapsedUs += profile.timeDeltas[i] ?? 0
    if (elapsedUs < skipMs * 1000) continue
    const id = profile.samples[i]!
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0))
  }
  const byFunction = new Map<string, { name: string; where: string; us: number }>()
  const byPackage = new Map<string, number>()
  let total = 0
  let idle = 0
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = nodes.get(id)!.callFrame
    total += us
    if (IDLE.has(functionName)) {
      idle += us
      continue
    }
    const pkg = packageOf(url, root)
    const file = url
      .replace(/^file:\/\//, "")
      .replace(`${root}/`, "")
      .replace(/.*node_modules\//, "")
    const key = `${functionName}@${url}:${lineNumber}`
    const entry = byFunction.get(key) ?? {
      name: functionName || "(anonymous)",
      where: url === "" ? pkg : `${file}:${lineNumber + 1}`,
      us: 0
    }
    entry.us += us
    byFunction.set(key, entry)
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us)
  }
  // Inclusive time: each sample counts once for every distinct function on its stack. Effect's
  // fiber runtime (internal/) and node's event loop plumbing sit on every stack, so they are left out
  // to show what the request work itself costs.
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const inclusive = new Map<string, { name: string; where: string; us: number }>()
  for (const [id, us] of selfUs) {
    if (IDLE.has(nodes.get(id)!.callFrame.functionName)) continue
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url, lineNumber } = nodes.get(at)!.callFrame
      if (url === "" || url.startsWith("node:") || url.includes("/effect/dist/internal/") || functionName === "")
        continue
      const key = `${functionName}@${url}:${lineNumber}`
      if (seen.has(key)) continue
      seen.add(key)
      const file = url
        .replace(/^file:\/\//, "")
        .replace(`${root}/`, "")
        .replace(/.*node_modules\//, "")
      const entry = inclusive.get(key) ?? { name: functionName, where: `${file}:${lineNumber + 1}`, us: 0 }
      entry.us += us
      inclusive.set(key, entry)
    }
  }
  const busy = total - idle
  const pct = (us: number) => Math.round((us / busy) * 1000) / 10
  const ms = (us: number) => Math.round(us / 100) / 10
  return {
    totalMs: ms(total),
    idlePercent: Math.round((idle / total) * 1000) / 10,
    topSelf: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, 20)
      .map((e) => ({ name: e.name, where: e.where, selfMs: ms(e.us), selfPercent: pct(e.us) })),
    topInclusive: [...inclusive.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, 30)
      .map((e) => ({ name: e.name, where: e.where, selfMs: ms(e.us), selfPercent: pct(e.us) })),
    byPackage: [...byPackage.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([name, us]) => ({ name, selfMs: ms(us), selfPercent: pct(us) }))
  }
}

export const profileScenario = async (
  databaseUrl: string,
  fixtures: Fixtures,
  runnable: ReadonlyArray<Scenario>,
  id: string
) => {
  const scenario = runnable.find((s) => s.id === id) ?? runnable.find((s) => s.id === "user")!
  const dir = join(state.workDir!, "profile")
  await mkdir(dir, { recursive: true })
  const profiled = await startApp("app-profiled", databaseUrl, {}, ["--cpu-prof", `--cpu-prof-dir=${dir}`])
  log(`profile: ${scenario.id}`)
  const run = await load(profiled.base, scenario.request(fixtures), settings.durationSeconds, settings.warmupSeconds)
  await stopProcess(profiled.child, 15_000)
  const file = (await readdir(dir)).find((f) => f.endsWith(".cpuprofile"))
  if (file === undefined)
    return { scenario: scenario.id, rps: run.rps, error: "no .cpuprofile written (did the app exit cleanly?)" }
  await mkdir(join(RESULTS_DIR, "profile"), { recursive: true })
  const kept = join(RESULTS_DIR, "profile", `${scenario.id}.cpuprofile`)
  const raw = await readFile(join(dir, file), "utf8")
  await writeFile(kept, raw)
  // Start-up and warm-up are left out of the summary (not of the file).
  const skipMs = profiled.readyMs + settings.warmupSeconds * 1000
  return {
    scenario: scenario.id,
    rps: run.rps,
    file: `profile/${scenario.id}.cpuprofile`,
    ...summariseCpuProfile(JSON.parse(raw), ROOT, skipMs)
  }
}
