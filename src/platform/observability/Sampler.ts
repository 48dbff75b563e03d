import { Option, Tracer } from "effect"
import type { SamplerName } from "./ObservabilityConfig.ts"

/** A trace id's low 52 bits as a number in [0, 1): the same trace gets the same verdict everywhere. */
const traceIdFraction = (traceId: string) => Number.parseInt(traceId.slice(-13), 16) / 2 ** 52

/**
 * Wraps a tracer with one of OpenTelemetry's standard samplers. Effect already marks a span
 * unsampled when its parent is (or its level is filtered out); this decides the rest:
 * - a span whose parent lives in this process follows it, so a trace is kept or dropped whole;
 * - an incoming `traceparent` is followed by the `parentbased_*` samplers and re-decided by the others;
 * - a trace that starts here is kept always, never, or with probability `ratio`.
 * Unsampled spans still carry ids (for logs and outgoing `traceparent`) but are never exported.
 */
export const withSampler = (tracer: Tracer.Tracer, sampler: SamplerName, ratio: number): Tracer.Tracer => {
  const parentBased = sampler.startsWith("parentbased_")
  const rule = sampler.replace("parentbased_", "")
  const keepRoot = (traceId: string | undefined): boolean => {
    if (rule === "always_on") return true
    if (rule === "always_off") return false
    return ratio >= 1 || (ratio > 0 && (traceId === undefined ? Math.random() : traceIdFraction(traceId)) < ratio)
  }
  return Tracer.make({
    span(options) {
      const parent = Option.getOrUndefined(options.parent)
      const sampled =
        options.sampled &&
        (parent !== undefined && (parentBased || parent._tag === "Span") ? parent.sampled : keepRoot(parent?.traceId))
      return tracer.span({ ...options, sampled })
    },
    ...(tracer.context === undefined ? {} : { context: tracer.context })
  })
}
