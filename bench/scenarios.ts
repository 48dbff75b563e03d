// The scenarios, and one autocannon run of one of them.
import autocannon from "autocannon"
import { CONCURRENT_HASHES, MAX_WAITING_HASHES } from "../src/modules/users/adapters/crypto/ScryptPasswordHasher.ts"
import { cpuMs } from "./http.ts"
import type { LoadResult } from "./results.ts"
import { settings } from "./settings.ts"

export interface Fixtures {
  /** Token of the feed user: follows several authors (chosen from the seeded follows). */
  readonly readerToken: string
  readonly readerFollows: number
  /** Slugs the article scenario rotates through. */
  readonly slugs: ReadonlyArray<string>
  /** A tag of typical frequency for the tag-filtered list. */
  readonly tag: string
  readonly login: { readonly email: string; readonly password: string }
}

export interface Scenario {
  readonly id: string
  readonly title: string
  readonly kind: "hot-read" | "read" | "write"
  /** Run against the floor as well, and held to app ÷ floor ≥ 85 % (every scenario but login). */
  readonly floor: boolean
  /** The p99 target at 50 connections, for reads. */
  readonly p99TargetMs?: number
  readonly needsArticles: boolean
  /** Login has none: requests left in flight at the end of a warm-up are 100 ms hashes that would eat the window. */
  readonly warmup?: false
  /**
   * Login needs a longer window: a login waits for the hashes ahead of it, two at a time, so answers
   * arrive in waves.
   */
  readonly minDurationSeconds?: number
  /** Connections when not the run's (BENCH_CONNECTIONS). */
  readonly connections?: number
  readonly request: (f: Fixtures) => {
    readonly method: "GET" | "POST"
    readonly paths: ReadonlyArray<string>
    readonly headers?: Record<string, string>
    readonly body?: string
  }
}

export const auth = (token: string) => ({ authorization: `Token ${token}` })
export const json = { "content-type": "application/json" }

export const SCENARIOS: ReadonlyArray<Scenario> = [
  {
    id: "articles-anon",
    floor: true,
    p99TargetMs: 100,
    title: "GET /api/articles (anonymous)",
    kind: "hot-read",
    needsArticles: true,
    request: () => ({ method: "GET", paths: ["/api/articles?limit=20&offset=0"] })
  },
  {
    id: "articles-auth",
    floor: true,
    p99TargetMs: 100,
    title: "GET /api/articles (authenticated)",
    kind: "hot-read",
    needsArticles: true,
    request: (f) => ({ method: "GET", paths: ["/api/articles?limit=20&offset=0"], headers: auth(f.readerToken) })
  },
  {
    id: "feed",
    floor: true,
    p99TargetMs: 100,
    title: "GET /api/articles/feed",
    kind: "hot-read",
    needsArticles: true,
    request: (f) => ({ method: "GET", paths: ["/api/articles/feed?limit=20&offset=0"], headers: auth(f.readerToken) })
  },
  {
    id: "articles-tag",
    floor: true,
    p99TargetMs: 100,
    title: "GET /api/articles?tag=",
    kind: "read",
    needsArticles: true,
    request: (f) => ({ method: "GET", paths: [`/api/articles?tag=${encodeURIComponent(f.tag)}&limit=20&offset=0`] })
  },
  {
    id: "article",
    floor: true,
    p99TargetMs: 50,
    title: "GET /api/articles/:slug",
    kind: "hot-read",
    needsArticles: true,
    request: (f) => ({ method: "GET", paths: f.slugs.map((s) => `/api/articles/${encodeURIComponent(s)}`) })
  },
  {
    id: "user",
    floor: true,
    p99TargetMs: 50,
    title: "GET /api/user",
    kind: "hot-read",
    needsArticles: false,
    request: (f) => ({ method: "GET", paths: ["/api/user"], headers: auth(f.readerToken) })
  },
  {
    id: "create-article",
    floor: true,
    title: "POST /api/articles",
    kind: "write",
    needsArticles: true,
    request: (f) => ({
      method: "POST",
      paths: ["/api/articles"],
      headers: { ...auth(f.readerToken), ...json },
      body: JSON.stringify({
        article: {
          title: "Benchmark article [<id>]",
          description: "Written by the benchmark",
          body: "A short body, as most are. ".repeat(20),
          tagList: ["benchmark", "performance"]
        }
      })
    })
  },
  {
    id: "login",
    // As many as the hasher admits (hashing or waiting for a permit): beyond them a login is refused
    // at once with a 503 by design, and the run would measure the refusals instead of the logins.
    connections: CONCURRENT_HASHES + MAX_WAITING_HASHES,
    floor: false,
    title: "POST /api/users/login",
    kind: "write",
    needsArticles: false,
    warmup: false,
    minDurationSeconds: 10,
    request: (f) => ({
      method: "POST",
      paths: ["/api/users/login"],
      headers: json,
      body: JSON.stringify({ user: f.login })
    })
  }
]

/** One autocannon run: `warmup` seconds discarded, then `duration` seconds measured. */
export const load = async (
  base: string,
  spec: ReturnType<Scenario["request"]>,
  duration: number,
  warmup: number,
  connections = settings.connections,
  pid?: number
): Promise<LoadResult> => {
  const run = (seconds: number) => {
    let next = 0
    return autocannon({
      url: base,
      connections,
      duration: seconds,
      method: spec.method,
      headers: spec.headers ?? {},
      idReplacement: spec.body?.includes("[<id>]") ?? false,
      timeout: 10,
      requests: [
        {
          method: spec.method,
          ...(spec.body === undefined ? {} : { body: spec.body }),
          setupRequest: (req) => {
            req.path = spec.paths[next++ % spec.paths.length]!
            return req
          }
        }
      ]
    })
  }
  if (warmup > 0) await run(warmup)
  const cpuBefore = await cpuMs(pid)
  const r = await run(duration)
  const cpuAfter = await cpuMs(pid)
  return {
    cpuMsPerRequest:
      cpuBefore === null || cpuAfter === null || r.requests.total === 0
        ? null
        : Math.round(((cpuAfter - cpuBefore) / r.requests.total) * 1000) / 1000,
    cpuCores:
      cpuBefore === null || cpuAfter === null || r.duration === 0
        ? null
        : Math.round(((cpuAfter - cpuBefore) / (r.duration * 1000)) * 100) / 100,
    connections,
    rps: Math.round(r.requests.total / r.duration),
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts
  }
}
