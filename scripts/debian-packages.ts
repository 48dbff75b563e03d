// Debian packages for development servers and tools: fetched with `apt-get download` and unpacked
// with `dpkg -x` under `.tools/<name>/root` (nothing installed, no service registered).
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises"
import { join, resolve } from "node:path"

export interface DebianTool {
  /** What the packages are for, in error messages. */
  readonly name: string
  readonly packages: ReadonlyArray<string>
  /** The folder they are unpacked into (`root/` beneath it holds the packages' files). */
  readonly dir: string
  /** A file that exists once the unpacking is complete. */
  readonly marker: string
}

/** Unpacks the packages once; concurrent callers race to a rename, and the loser's copy is dropped. */
export async function ensureDebianPackages(tool: DebianTool): Promise<void> {
  if (existsSync(tool.marker)) return
  await mkdir(resolve(tool.dir, ".."), { recursive: true })
  const work = await mkdtemp(`${tool.dir}.download-`)
  try {
    const download = () => execFileSync("apt-get", ["download", ...tool.packages], { cwd: work, stdio: "pipe" })
    try {
      download()
    } catch {
      // A fresh machine may have no package lists yet: fetch them once, then retry.
      execFileSync("apt-get", ["update"], { stdio: "pipe" })
      download()
    }
    const unpacked = join(work, "tools")
    await mkdir(join(unpacked, "root"), { recursive: true })
    for (const deb of (await readdir(work)).filter((name) => name.endsWith(".deb")))
      execFileSync("dpkg", ["-x", join(work, deb), join(unpacked, "root")])
    await rename(unpacked, tool.dir).catch((error: NodeJS.ErrnoException) => {
      if (!existsSync(tool.marker)) throw error
    })
  } catch (error) {
    const detail = String((error as { stderr?: unknown }).stderr ?? error).trim()
    throw new Error(`${tool.name}: could not fetch and unpack Debian's ${tool.packages.join(", ")}: ${detail}`)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
