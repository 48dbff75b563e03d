// A real headless browser for the docs page's test: Debian's chromium package and the libraries it
// needs beyond a stock Debian machine's, fetched with `apt-get download` and unpacked with `dpkg -x`
// into .tools/chromium (nothing installed, no service registered). Development tooling only.
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises"
import { join, resolve } from "node:path"

/**
 * chromium and chromium-common, and the shared libraries chromium links that Debian 12 does not
 * have installed by default (found with `ldd`; X11, GTK, NSS and fonts are already there).
 */
const PACKAGES = [
  "chromium",
  "chromium-common",
  "libasyncns0",
  "libdouble-conversion3",
  "libflac12",
  "libharfbuzz-subset0",
  "libminizip1",
  "libmp3lame0",
  "libmpg123-0",
  "libogg0",
  "libopenh264-7",
  "libopenjp2-7",
  "libopus0",
  "libpulse0",
  "libsndfile1",
  "libvorbis0a",
  "libvorbisenc2",
  "libxnvctrl0"
]
const TOOLS = resolve(import.meta.dirname, "../.tools/chromium")
const BINARY = join(TOOLS, "root/usr/lib/chromium/chromium")
const LIBS = ["root/usr/lib/x86_64-linux-gnu", "root/usr/lib/x86_64-linux-gnu/pulseaudio"].map((dir) =>
  join(TOOLS, dir)
)

/** The flags that run chromium here: headless, no sandbox (root), no GPU, and no traffic of its own. */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

export interface Chromium {
  readonly executablePath: string
  /** The environment to start it in: the unpacked libraries on the loader's path. */
  readonly env: Record<string, string>
}

const environment = (): Record<string, string> => {
  const env = Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined)
  )
  return { ...env, LD_LIBRARY_PATH: [...LIBS, env.LD_LIBRARY_PATH].filter(Boolean).join(":") }
}

/** Unpacks the Debian packages once; concurrent callers race to a rename, and the loser's copy is dropped. */
export async function ensureChromium(): Promise<Chromium> {
  if (!existsSync(BINARY)) {
    await mkdir(resolve(TOOLS, ".."), { recursive: true })
    const work = await mkdtemp(`${TOOLS}.download-`)
    try {
      const download = () => execFileSync("apt-get", ["download", ...PACKAGES], { cwd: work, stdio: "pipe" })
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
      await rename(unpacked, TOOLS).catch((error: NodeJS.ErrnoException) => {
        if (!existsSync(BINARY)) throw error
      })
    } catch (error) {
      const detail = String((error as { stderr?: unknown }).stderr ?? error).trim()
      throw new Error(`chromium: could not fetch and unpack Debian's ${PACKAGES.join(", ")}: ${detail}`)
    } finally {
      await rm(work, { recursive: true, force: true })
    }
  }
  const env = environment()
  try {
    execFileSync(BINARY, ["--version"], { env, stdio: "pipe" })
  } catch (error) {
    const missing = execFileSync("ldd", [BINARY], { env, encoding: "utf8" })
      .split("\n")
      .filter((line) => line.includes("not found"))
    throw new Error(`chromium does not start (missing libraries: ${missing.join(", ").trim() || "none"})`, {
      cause: error
    })
  }
  return { executablePath: BINARY, env }
}
