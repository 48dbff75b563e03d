// The shape of bench/results/results.json: written by bench/run.ts, read by bench/report.ts.

export interface LoadResult {
  /** autocannon's connections in this run. */
  readonly connections?: number
  /** Requests completed per second over the measured window (total / duration). */
  readonly rps: number
  /** Latency percentiles in milliseconds, as autocannon measures them. */
  readonly p50: number
  readonly p99: number
  readonly max: number
  readonly requests: number
  readonly non2xx: number
  readonly errors: number
  /**
   * CPU milliseconds the server process spent per request over the measured window. Unlike req/s it
   * hardly moves with what else the machine runs, so it compares app and floor even on a busy machine.
   */
  readonly cpuMsPerRequest?: number | null
  /**
   * The server process's CPU time over the measured window ÷ its length (1 = one core busy). A Node
   * process runs its JavaScript on one core: near 1, it is bound by its own CPU, not waiting on anything.
   */
  readonly cpuCores?: number | null
}

export interface ScenarioResult {
  readonly id: string
  readonly title: string
  readonly kind: "hot-read" | "read" | "write"
  readonly app: LoadResult
  /** The raw floor on the same scenario (every scenario but login). */
  readonly floor: LoadResult | null
  /**
   * The same floor on the app's stack (FLOOR_STACK=effect: effect's HTTP server and router, the
   * @effect/sql-pg driver) and no code of the app: what the stack alone costs. Absent in older runs.
   */
  readonly stack?: LoadResult | null
  /** p99 target at the run's connection count (reads); the ratio target applies wherever there is a floor. */
  readonly p99TargetMs: number | null
  /** The app's VmHWM right after this scenario (monotonic: the scenario that raises it is the one to look at). */
  readonly appPeakRssMb: number | null
  /** app req/s ÷ floor req/s. */
  readonly ratio: number | null
}

/** POST /api/articles at one connection count, app then floor. */
export interface SweepPoint {
  readonly connections: number
  readonly app: LoadResult
  readonly floor: LoadResult | null
  readonly ratio: number | null
}

export interface TracingVariant extends LoadResult {
  readonly label: string
  readonly peakRssMb: number | null
  /** req/s of each round. */
  readonly rounds?: ReadonlyArray<number>
  /** req/s relative to the first variant (tracing off). */
  relative?: number
}

export interface TracingResult {
  readonly status: "measured" | "skipped"
  readonly scenario: string
  readonly note: string
  readonly variants: ReadonlyArray<TracingVariant>
}

export interface ProfileEntry {
  readonly name: string
  readonly where: string
  readonly selfMs: number
  readonly selfPercent: number
}

export interface ProfileSummary {
  readonly scenario: string
  readonly rps: number
  readonly file?: string
  readonly error?: string
  readonly totalMs?: number
  readonly idlePercent?: number
  readonly topSelf?: ReadonlyArray<ProfileEntry>
  /** Time with the function on the stack (selfMs/selfPercent hold the inclusive figures here). */
  readonly topInclusive?: ReadonlyArray<ProfileEntry>
  readonly byPackage?: ReadonlyArray<{ readonly name: string; readonly selfMs: number; readonly selfPercent: number }>
}

export interface ParityScenario {
  readonly id: string
  readonly status: number
  readonly sameSql: boolean
  readonly sameBody: boolean
  readonly statements: number
  /** Statements of the processes' own schedules recorded in the scenario's window and set aside (parity.ts BACKGROUND). */
  readonly backgroundSetAside?: { readonly app: number; readonly floor: number }
  readonly onlyApp: ReadonlyArray<string>
  readonly onlyFloor: ReadonlyArray<string>
}

export interface BenchResults {
  readonly version: 2
  readonly startedAt: string
  readonly finishedAt: string
  readonly wallSeconds: number
  readonly machine: {
    readonly cpus: number
    readonly cpuModel: string
    readonly memoryGb: number
    readonly freeMemoryGbAtStart: number
    readonly loadAverageAtStart: ReadonlyArray<number>
    readonly node: string
  }
  readonly settings: {
    readonly durationSeconds: number
    readonly warmupSeconds: number
    readonly connections: number
    readonly poolMax: number
    /** How the app was started (the image's flags). */
    readonly node: string
    readonly database: string
  }
  readonly dataset: {
    readonly counts: Record<string, number>
    readonly seedSeconds: number | null
    readonly seedCommand: string | null
    readonly readerFollows: number
    readonly slugsRotated: number
  }
  readonly app: {
    /** Spawn of `node dist/main.js` to the first 200 on /health/ready, database already up and migrated. */
    readonly readyMs: number
    readonly peakRssMbAfterReads: number | null
    /** Including POST /api/articles and the scrypt-bound login. */
    readonly peakRssMbAfterAll: number | null
  }
  readonly floor: { readonly peakRssMb: number | null }
  /** The password hash's cost parameter, read from the build, and what one hash costs here. */
  readonly passwordHash: { readonly cost: string; readonly why: string; readonly msPerHash: number | null }
  readonly parity: { readonly ok: boolean; readonly scenarios: ReadonlyArray<ParityScenario> }
  readonly scenarios: ReadonlyArray<ScenarioResult>
  /** The write at rising connection counts: throughput must rise, not flatten on a lock. */
  readonly writeSweep: ReadonlyArray<SweepPoint>
  readonly tracing: ReadonlyArray<TracingResult>
  readonly profile: ProfileSummary | null
  readonly notes: ReadonlyArray<string>
}
