// A real headless browser for the docs page's test: Debian's chromium package and the libraries it
// needs beyond a stock Debian machine's, fetched with `apt-get download` and unpacked with `dpkg -x`
// into .tools/chromium (nothing installed, no service registered). Development tooling only.
import { execFileSync } from "node:child_process"
import { join, resolve } from "node:path"
import { ensureDebianPackages } from "./debian-packages.ts"

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

/** Debian's Chromium, unpacked once, checked to start. */
export async function ensureChromium(): Promise<Chromium> {
  await ensureDebianPackages({ name: "chromium", packages: PACKAGES, dir: TOOLS, marker: BINARY })
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
