// Time in one place: the clocks and timers every component takes as options. Production passes
// these; tests pass fakes and move time by hand (no sleeps, no libfaketime).
import type { Clock } from './domain.js';

/** Timers (one-shot and repeating). Handles are opaque; unref'd where Node supports it. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

/** Monotonic milliseconds (never stepped; only differences mean anything). */
export const monotonic = (): number => performance.now();

/** The wall clock. Used where another system compares our time with its own (webhook-timestamp). */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * The daemon's clock for everything it schedules and measures: wall time at start plus monotonic
 * time since. A wall-clock step (NTP correcting by an hour, a VM resumed) then moves no due time,
 * backoff or outbox age: no retry storm, no early dead letter, no hour of silence. A divergence
 * that persists (the wall clock really was wrong) is adopted after `reanchorAfterMs`, once.
 */
export function createSteadyClock(
  opts: {
    wall?: () => number;
    mono?: () => number;
    toleranceMs?: number;
    reanchorAfterMs?: number;
    onReanchor?: (skewMs: number) => void;
  } = {},
): Clock {
  const wall = opts.wall ?? (() => Date.now());
  const mono = opts.mono ?? (() => performance.now());
  const tolerance = opts.toleranceMs ?? 60_000;
  const reanchorAfter = opts.reanchorAfterMs ?? 15 * 60_000;
  let base = wall() - mono();
  let divergedSince: number | undefined;
  return {
    now() {
      const m = mono();
      const t = base + m;
      const skew = wall() - t;
      if (Math.abs(skew) <= tolerance) divergedSince = undefined;
      else if (divergedSince === undefined) divergedSince = m;
      else if (m - divergedSince >= reanchorAfter) {
        base += skew;
        divergedSince = undefined;
        opts.onReanchor?.(skew);
        return base + m;
      }
      return t;
    },
  };
}
