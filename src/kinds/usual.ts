// How long a status usually lasts, per kind and status, and when a resource is slower than that.
// Pure: samples (seconds of finished phases, oldest first, as the state keeps them) and settings
// in, values out; `now` is given.
//
// Quantiles are nearest-rank (https://en.wikipedia.org/wiki/Percentile#The_nearest-rank_method):
// the q-quantile of n sorted samples is the ceil(q x n)-th smallest. It is always a duration some
// phase really took (no interpolation between two phases), needs no tuning and gives the same
// answer on every replica and after every restart for the same samples.
import type { KindName } from './kind.js';
import { statusClass } from './statuses.js';

/** The usual duration of one kind's status, from its last finished phases. */
export interface Usual {
  p50Seconds: number;
  p90Seconds: number;
  /** How many finished phases the quantiles come from. */
  samples: number;
}

/** `durations:` of the config, as this module reads it (times in ms). */
export interface DurationSettings {
  /** Finished phases per kind and status the usual duration is taken from (the last ones). */
  samples: number;
  slowerThanUsual: {
    /** Slower than usual past factor x p90 ... */
    factor: number;
    /** ... and never before this long in the status (ms). */
    minimum: number;
    /** Phases needed before a usual duration is given at all. */
    minSamples: number;
  };
}

/** The quantiles exported and shown, as the metric's `quantile` label writes them. */
export const USUAL_QUANTILES = [
  { label: '0.5', q: 0.5, key: 'p50Seconds' },
  { label: '0.9', q: 0.9, key: 'p90Seconds' },
] as const;

/** The nearest-rank q-quantile (0 < q <= 1) of samples sorted ascending; undefined when there are none. */
export function nearestRank(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}

/**
 * The usual duration from the last `settings.samples` of `seconds` (oldest first), once there
 * are at least `minSamples` of them; undefined before.
 */
export function usualOf(seconds: readonly number[], settings: DurationSettings): Usual | undefined {
  const last = seconds.length > settings.samples ? seconds.slice(seconds.length - settings.samples) : seconds;
  if (last.length === 0 || last.length < settings.slowerThanUsual.minSamples) return undefined;
  const sorted = [...last].sort((a, b) => a - b);
  return { p50Seconds: nearestRank(sorted, 0.5)!, p90Seconds: nearestRank(sorted, 0.9)!, samples: sorted.length };
}

/** The key of a kind and status in the state's samples. */
export const durationKey = (kind: KindName, status: string): string => `${kind} ${status}`;

/** The kind and status of a key made by durationKey. */
export function splitDurationKey(key: string): { kind: KindName; status: string } {
  const at = key.indexOf(' ');
  return { kind: key.slice(0, at) as KindName, status: key.slice(at + 1) };
}

/** Finished phases by durationKey, oldest first. */
export type DurationSamples = ReadonlyMap<string, readonly number[]>;

/** The usual of each kind and status, worked out once per key for the life of the function (one scrape, one sweep, one answer). */
export function usualLookup(samples: DurationSamples, settings: DurationSettings): (kind: KindName, status: string) => Usual | undefined {
  const memo = new Map<string, Usual | undefined>();
  return (kind, status) => {
    const key = durationKey(kind, status);
    if (memo.has(key)) return memo.get(key);
    const seconds = samples.get(key);
    const u = seconds === undefined ? undefined : usualOf(seconds, settings);
    memo.set(key, u);
    return u;
  };
}

/** Seconds in a status past which a resource is slower than usual: max(factor x p90, minimum). */
export function slowerThreshold(usual: Usual, settings: DurationSettings): number {
  return Math.max(settings.slowerThanUsual.factor * usual.p90Seconds, settings.slowerThanUsual.minimum / 1000);
}

/**
 * Whether a resource in `status` since `since` (epoch ms, AWS updateTime) is slower than usual at
 * `now`: the status is under way (src/kinds/statuses.ts), its usual is known (minSamples phases),
 * and it has lasted longer than slowerThreshold. The time is measured from AWS's updateTime, which
 * is never later than the status began, so a resource is never called slow too early.
 */
export function isSlower(status: string, since: number, now: number, usual: Usual | undefined, settings: DurationSettings): boolean {
  if (usual === undefined || statusClass(status) !== 'inProgress') return false;
  return (now - since) / 1000 > slowerThreshold(usual, settings);
}
