import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns"
import { BlockList, isIP } from "node:net"

// Outbound calls go to addresses an operator configured, but a name can resolve anywhere: a
// webhook URL must not become a way into the cluster (metadata services, databases, the pod
// itself). The check runs where the socket connects, on the addresses DNS answered for that
// connection, so a name that re-resolves to a private address later is caught too.

const blocked = new BlockList()
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this" network
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local, cloud metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4] // reserved, broadcast
] as const) blocked.addSubnet(network, prefix, "ipv4")
for (const [network, prefix] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["ff00::", 8] // multicast
] as const) blocked.addSubnet(network, prefix, "ipv6")

/** Whether `address` (an IP literal) is loopback, link-local, private or otherwise not on the internet. */
export const isPrivateAddress = (address: string): boolean => {
  const bare = address.startsWith("[") ? address.slice(1, -1) : address
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)?.[1]
  if (mapped !== undefined) return blocked.check(mapped, "ipv4")
  const family = isIP(bare)
  if (family === 4) return blocked.check(bare, "ipv4")
  if (family === 6) return blocked.check(bare, "ipv6")
  return false
}

/** The code a refused connection fails with, so the adapter tells it from an unreachable endpoint. */
export const REFUSED_CODE = "ERR_PRIVATE_ADDRESS"

const refusal = (hostname: string, address: string) =>
  Object.assign(new Error(`${hostname} resolves to ${address}, a private address`), { code: REFUSED_CODE })

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | Array<LookupAddress>, family?: number) => void

/** A `lookup` for node:net that fails for any name resolving to a private address. */
export const guardedLookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error !== null) return callback(error, [])
    const bad = addresses.find((entry) => isPrivateAddress(entry.address))
    if (bad !== undefined) return callback(refusal(hostname, bad.address), [])
    if (options.all === true) return callback(null, addresses)
    const first = addresses[0]
    if (first === undefined) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), [])
    callback(null, first.address, first.family)
  })
}

/** An IP literal in a URL skips DNS, so the adapter checks it before connecting. */
export const isPrivateLiteral = (hostname: string): boolean => isPrivateAddress(hostname)
