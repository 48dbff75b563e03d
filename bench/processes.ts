// Processes: every child is tracked and killed however the run ends.
import { type ChildProcess, spawn } from "node:child_process"
import { closeSync, openSync, rmSync } from "node:fs"
import { rm } from "node:fs/promises"
import type { RunningPostgres } from "../scripts/embedded-postgres.ts"
import { log, ROOT } from "./settings.ts"

export const children = new Set<ChildProcess>()
/** What the clean-up must stop and remove, set as the run creates it. */
export const state: { postgres?: RunningPostgres; workDir?: string } = {}

export const startProcess = (
  name: string,
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  logFile: string
) => {
  // The log file is the child's stdout itself: the access log never waits on this (busy) process.
  const fd = openSync(logFile, "a")
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", fd, fd]
  })
  closeSync(fd)
  children.add(child)
  child.on("exit", () => children.delete(child))
  log(`started ${name} (pid ${child.pid}), log ${logFile}`)
  return child
}

export const stopProcess = async (child: ChildProcess, timeoutMs = 8_000) => {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((r) => child.once("exit", () => r()))
  child.kill("SIGTERM")
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
  await exited
  clearTimeout(timer)
}

/** Runs a command to completion, failing with its output when it fails. */
export const runToEnd = async (args: ReadonlyArray<string>, env: Record<string, string>, timeoutMs: number) => {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env } })
  children.add(child)
  let output = ""
  child.stdout.on("data", (d) => (output += d))
  child.stderr.on("data", (d) => (output += d))
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)))
  clearTimeout(timer)
  children.delete(child)
  if (code !== 0) throw new Error(`${args.join(" ")} exited with ${code}:\n${output}`)
  return output
}

export let cleaning: Promise<void> | undefined
export const cleanup = () =>
  (cleaning ??= (async () => {
    await Promise.all([...children].map((c) => stopProcess(c, 3_000)))
    await state.postgres?.stop().catch(() => {})
    if (state.workDir !== undefined) await rm(state.workDir, { recursive: true, force: true }).catch(() => {})
  })())

// Last resort, synchronous: embedded-postgres's own exit hook may end the process on a signal before
// the async clean-up above finishes.
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL")
  if (state.workDir !== undefined) rmSync(state.workDir, { recursive: true, force: true })
})
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    log(`${signal}: stopping`)
    void cleanup().finally(() => process.exit(130))
  })
