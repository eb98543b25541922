import type { Clock } from './domain.js';

/** The wall clock. Used where another system compares our time with its own (webhook-timestamp). */
export const systemClock: Clock = { now: () => Date.now() };

/**
 * The daemon's clock for everything it schedules and measures: wall time at start plus monotonic
 * time since. A wall-clock step (NTP correcting by an hour, a VM resumed) then moves no due time,
 * backoff or outbox age: no retry storm, no early dead letter, no hour of silence. A divergence
 * that persists (the wall clock really was wrong) is adopted after `reanchorAfterMs`, once.
 */
export function createSteadyClock(opts: { wall?: () => number; mono?: () => number; toleranceMs?: number; reanchorAfterMs?: number; onReanchor?: (skewMs: number) => void } = {}): Clock {
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
