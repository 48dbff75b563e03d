// What one login costs: the scrypt parameters the build uses, and one hash timed on this machine.
import { randomBytes, scryptSync } from "node:crypto"
import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { ROOT } from "./settings.ts"

/** The scrypt parameters the build uses, and one hash timed on this machine. */
export const passwordHashCost = async () => {
  const source = await readFile(join(ROOT, "dist/modules/users/adapters/crypto/ScryptPasswordHasher.js"), "utf8").catch(
    () => ""
  )
  const m = /PRODUCTION_COST = \{ N: 2 \*\* (\d+), r: (\d+), p: (\d+) \}/.exec(source)
  const concurrent = Number(/CONCURRENT_HASHES = (\d+)/.exec(source)?.[1] ?? 4)
  if (m === null) return { cost: "Password hash parameters not found in the build", why: "", msPerHash: null }
  const [log2N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const N = 2 ** log2N
  const mib = (128 * N * r) / 2 ** 20
  const t = performance.now()
  scryptSync("benchmark-password", randomBytes(16), 32, { N, r, p, maxmem: 256 * N * r })
  const msPerHash = Math.round(performance.now() - t)
  return {
    cost: `scrypt N = 2^${log2N}, r = ${r}, p = ${p}: ${mib} MiB and ${msPerHash} ms of one core per hash on this machine`,
    why:
      "scrypt's cost is memory as much as time, which is what makes guessing expensive on GPUs; N sets both. " +
      `At ${mib} MiB per hash and at most ${concurrent} hashes at a time (a semaphore in the hasher), a login burst needs ${concurrent * mib} MiB on top of the idle process (what the allocator then keeps shows in the peak RSS after the login scenario); ` +
      "OWASP lists equivalent minimums for r = 8 from N = 2^17 at p = 1 (128 MiB per hash) down to N = 2^13 at p = 10 (8 MiB): the fewer MiB, the more passes of CPU. " +
      "Parameters are stored with each hash, so changing p or N later re-hashes nothing.",
    msPerHash
  }
}
