import type { Tracer } from "effect"

/**
 * The span, unless it is the stand-in effect uses while `References.TracerEnabled` is false (trace
 * and span id "noop"): those ids mean nothing outside the process, so no log line, header, event or
 * error report carries them.
 */
export const recordedSpan = <S extends Tracer.AnySpan>(span: S | undefined): S | undefined =>
  span === undefined || span.spanId === "noop" ? undefined : span
