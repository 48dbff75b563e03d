// A loopback TCP proxy in front of PostgreSQL that records the text of every statement its clients
// parse (extended protocol `Parse`) or send as a simple `Query`. The benchmark routes a short-lived
// app and a short-lived floor through it to check that both run the same SQL for each read scenario.
// It is never in the path of a measured run.
import { connect, createServer, type Socket } from "node:net"

/** One executed statement, and the unit it ran in: its transaction's, or its own when outside one. */
export interface Recorded {
  readonly sql: string
  readonly unit: number
}

export interface SqlCapture {
  /** The target URL with host and port swapped for the proxy's. */
  readonly url: string
  /**
   * Statements recorded since the given mark (whitespace collapsed), in order. A transaction's are
   * recorded together when it ends, so a window never holds half of one.
   */
  readonly since: (mark: number) => ReadonlyArray<Recorded>
  /** The current position in the record. */
  readonly mark: () => number
  readonly close: () => Promise<void>
}

const SSL_REQUEST = 80877103
const GSSENC_REQUEST = 80877104

export const normaliseSql = (text: string) => text.replace(/\s+/g, " ").trim()

/** A NUL-terminated string at `offset`, and the offset after it. */
const cstring = (body: Buffer, offset: number): [string, number] => {
  const end = body.indexOf(0, offset)
  return [body.toString("utf8", offset, end), end + 1]
}

/**
 * Reads the frontend message stream of one connection and calls `record` with the text of each
 * statement executed: every `Bind` (resolved through the connection's `Parse`d names, so a statement
 * prepared once and executed many times counts each time) and every simple `Query`.
 */
const frontendParser = (record: (sql: string) => void) => {
  let buffer: Buffer = Buffer.alloc(0)
  const prepared = new Map<string, string>()
  // The first message (and an SSL/GSS request before it) has no type byte.
  let untyped = true
  return (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
    for (;;) {
      if (untyped) {
        if (buffer.length < 8) return
        const length = buffer.readInt32BE(0)
        if (buffer.length < length) return
        const code = buffer.readInt32BE(4)
        buffer = buffer.subarray(length)
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) untyped = false
        continue
      }
      if (buffer.length < 5) return
      const type = String.fromCharCode(buffer[0]!)
      const length = buffer.readInt32BE(1)
      if (buffer.length < 1 + length) return
      const body = buffer.subarray(5, 1 + length)
      buffer = buffer.subarray(1 + length)
      if (type === "P") {
        const [name, next] = cstring(body, 0)
        prepared.set(name, normaliseSql(cstring(body, next)[0]))
      } else if (type === "B") {
        const [, next] = cstring(body, 0) // portal
        const name = cstring(body, next)[0]
        record(prepared.get(name) ?? `(unknown prepared statement ${name})`)
      } else if (type === "Q") {
        record(normaliseSql(cstring(body, 0)[0]))
      }
    }
  }
}

const BEGINS = /^(BEGIN|START TRANSACTION)\b/i
const ENDS = /^(COMMIT|END|ROLLBACK(?! TO\b))\b/i

export async function startSqlCapture(targetUrl: string): Promise<SqlCapture> {
  const target = new URL(targetUrl)
  const statements: Array<Recorded> = []
  const sockets = new Set<Socket>()
  let units = 0
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname)
    sockets.add(client).add(upstream)
    // The open transaction's statements on this connection, held until it ends.
    let open: Array<string> | undefined
    const parse = frontendParser((sql) => {
      if (open === undefined && !BEGINS.test(sql)) return void statements.push({ sql, unit: units++ })
      open = [...(open ?? []), sql]
      if (!ENDS.test(sql)) return
      const unit = units++
      for (const held of open) statements.push({ sql: held, unit })
      open = undefined
    })
    client.on("data", (chunk) => {
      parse(chunk)
      upstream.write(chunk)
    })
    upstream.pipe(client)
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on("close", end).on("error", end)
    upstream.on("close", end).on("error", end)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("sql capture: no port")
  const url = new URL(targetUrl)
  url.port = String(address.port)
  return {
    url: url.toString(),
    mark: () => statements.length,
    since: (mark) => statements.slice(mark),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}
