// Scenario times: a duration text ("0s", "1m30s", "-1d": before simulator start) or a number of seconds.
import { parseDuration as parseDurationText } from '../../config/duration.js';

/** Milliseconds of a duration, or undefined when it is not one. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.round(v * 1000) : undefined;
  return typeof v === 'string' ? parseDurationText(v) : undefined;
}
