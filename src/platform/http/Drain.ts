import type { Server } from "node:http"
import { Context, Duration, Effect, Layer } from "effect"
import { HttpEffect, type HttpServerResponse } from "effect/http"
import { HttpServerResponse as Response } from "effect/http"

/**
 * Shutdown that tells clients the truth. On SIGTERM the server stops accepting and closes idle
 * keep-alive connections at once; requests in flight are finished and answered with
 * `Connection: close`, so no client sends another request on a connection about to close. Whatever is
 * still running at SHUTDOWN_TIMEOUT is answered 503 in the envelope (saying a write may have been
 * applied, by DependencyGuard) before the remaining connections are closed.
 */
export class Drain {
  private inFlight = 0
  private draining = false
  private cut = false
  private readonly cutListeners = new Set<() => void>()

  get isDraining() {
    return this.draining
  }

  /** Calls the listener when the deadline has come (API requests still running are answered 503, see DependencyGuard); returns its removal. */
  readonly onCut = (listener: () => void): (() => void) => {
    if (this.cut) {
      listener()
      return () => {}
    }
    this.cutListeners.add(listener)
    return () => this.cutListeners.delete(listener)
  }

  /** Serve-level middleware: counts requests in flight and marks their responses `Connection: close` once draining. */
  readonly middleware = <E, R>(app: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
    Effect.withFiber<HttpServerResponse.HttpServerResponse, E, R>((fiber) => {
      HttpEffect.appendPreResponseHandlerUnsafe(fiber.context, (_, response) =>
        Effect.succeed(this.draining ? Response.setHeader(response, "connection", "close") : response)
      )
      this.inFlight++
      return Effect.ensuring(app, Effect.sync(() => this.inFlight--))
    })

  /** The shutdown sequence, for the given Node server and deadline. */
  readonly shutdown = (server: Server, deadline: Duration.Duration) => {
    const drain = this
    return Effect.gen(function* () {
      drain.draining = true
      server.close()
      server.closeIdleConnections()
      yield* Effect.logInfo("shutting down: no new connections, finishing requests in flight", {
        in_flight: drain.inFlight,
        deadline: Duration.format(deadline)
      })
      const finished = yield* drain.settled.pipe(Effect.timeoutOption(deadline))
      if (finished._tag === "None") {
        yield* Effect.logWarning("shutdown deadline reached: answering the requests still running with 503", {
          in_flight: drain.inFlight
        })
        drain.cut = true
        for (const listener of [...drain.cutListeners]) listener()
        yield* drain.settled.pipe(Effect.timeoutOption(Duration.seconds(1)))
      }
      server.closeAllConnections()
      yield* Effect.logInfo("drained")
    })
  }

  private readonly settled = Effect.suspend(() => {
    const poll: Effect.Effect<void> = Effect.suspend(() =>
      this.inFlight === 0 ? Effect.void : Effect.andThen(Effect.sleep(Duration.millis(20)), poll)
    )
    return poll
  })
}

/** The process's drain; tests, whose servers never drain, get one that is never triggered. */
export const CurrentDrain = Context.Reference<Drain>("app/platform/Drain", { defaultValue: () => new Drain() })

/**
 * Runs the drain when the layer is released: provide the HTTP app to it, so this finalizer runs
 * before the server's own (which would otherwise interrupt requests in flight).
 */
export const drainOnShutdown = (drain: Drain, server: Server, deadline: Duration.Duration) =>
  Layer.effectDiscard(Effect.addFinalizer(() => drain.shutdown(server, deadline)))
