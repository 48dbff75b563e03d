// HTTP from the harness: one-off calls, readiness, and what a process holds in memory.
import type { ChildProcess } from "node:child_process"
import { readFile } from "node:fs/promises"
import { request } from "node:http"
import { sleep } from "./settings.ts"

export interface Reply {
  readonly status: number
  readonly body: string
}

export const call = (
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
  timeoutMs = 10_000
) =>
  new Promise<Reply>((resolveReply, reject) => {
    const req = request(`${base}${path}`, { method, headers, timeout: timeoutMs, agent: false }, (res) => {
      let data = ""
      res.setEncoding("utf8")
      res.on("data", (chunk) => (data += chunk))
      res.on("end", () => resolveReply({ status: res.statusCode ?? 0, body: data }))
    })
    req.on("error", reject)
    req.on("timeout", () => req.destroy(new Error(`timeout on ${method} ${path}`)))
    req.end(body)
  })

/**
 * Milliseconds from `since` to the first 200 on /health/ready. Each probe gives up after 200 ms: the
 * app's port accepts connections before its routes are installed, and a request in that window is
 * never answered (see bench/README.md).
 */
export const waitReady = async (base: string, since: number, child: ChildProcess, limitMs = 30_000) => {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before it was ready`)
    const reply = await call(base, "GET", "/health/ready", {}, undefined, 200).catch(() => undefined)
    if (reply?.status === 200) return performance.now() - since
    if (performance.now() - since > limitMs) throw new Error(`${base} not ready after ${limitMs} ms`)
    await sleep(5)
  }
}

/** Peak resident set (VmHWM) of a live process, in MiB. */
export const peakRssMb = async (pid: number | undefined) => {
  if (pid === undefined) return null
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "")
  const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1]
  return kb === undefined ? null : Math.round((Number(kb) / 1024) * 10) / 10
}

/** CPU time (user + system) a live process has used so far, in milliseconds (Linux clock ticks are 10 ms). */
export const cpuMs = async (pid: number | undefined) => {
  if (pid === undefined) return null
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "")
  // Fields after the command name (which may hold spaces) start at the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  const [utime, stime] = [Number(fields[11]), Number(fields[12])]
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) * 10 : null
}
