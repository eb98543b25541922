// Pure scheduling decisions: when each resource (and each List) is next worth an API call.
//
// - Resources at work are checked on every sweep (the cron schedule is the active interval).
// - Resources at rest (ACTIVE, a failure, INACTIVE: src/kinds atRest) change only when someone
//   acts on them, so one that only a Get can see is asked again after `terminalIntervalMs`; a
//   List made only of static resources at rest is listed at that slow interval too. Discovery
//   Lists are called on every sweep: a new resource can appear at any moment, and one List call
//   covers 100 of them.
// - A resource whose calls keep failing backs off exponentially (with jitter) up to maxBackoffMs.
// - Discovered resources at rest whose last update is older than `retentionMs` are retired: their
//   series are removed. The decision depends only on (status, updateTime, now), so it never
//   flaps: a retired resource comes back only if AWS reports a newer update (e.g. its deletion).
import { atRest } from '../kinds/index.js';
import type { ResourceSnapshot } from '../kinds/resource.js';

type Status = Pick<ResourceSnapshot, 'kind' | 'status'>;
const resting = (s: Status): boolean => atRest(s.status);

export interface ScheduleParams {
  activeIntervalMs: number;
  terminalIntervalMs: number;
  maxBackoffMs: number;
  /** 0 = keep terminal jobs forever. */
  retentionMs: number;
}

/** Delay before retrying a job after `failures` consecutive failures (1, 2, ...). `rand` in [0, 1). */
export function pollBackoffDelay(failures: number, p: Pick<ScheduleParams, 'activeIntervalMs' | 'maxBackoffMs'>, rand: number): number {
  const exp = Math.min(p.maxBackoffMs, p.activeIntervalMs * 2 ** Math.max(0, Math.min(30, failures - 1)));
  // "Equal jitter": between half and all of the exponential delay, so failing jobs spread out
  // without ever retrying sooner than half the nominal delay.
  return Math.round(exp / 2 + (rand * exp) / 2);
}

/** Is this discovered resource past its retention (at rest and not updated for retentionMs)? */
export function isRetired(s: Pick<ResourceSnapshot, 'kind' | 'status' | 'updateTime'>, now: number, retentionMs: number): boolean {
  return retentionMs > 0 && resting(s) && now - s.updateTime >= retentionMs;
}

export interface ResourceDueInput {
  job: Status | undefined;
  /** How the job is covered by the next sweep. */
  coverage: 'discovery' | 'scope' | 'get';
  /** When a 'scope'-covered job's List scope is next due (undefined: every sweep). */
  scopeDueAt?: number;
  lastCheckedAt: number | undefined;
  consecutiveFailures: number;
  lastFailureAt: number | undefined;
  /** Backoff of the current failure streak (from pollBackoffDelay, drawn once per failure). */
  backoffMs: number;
}

/**
 * Earliest time the job is worth checking again. The sweep that runs at or after it checks it;
 * 0 means "the next sweep".
 */
export function resourceDueAt(i: ResourceDueInput, p: ScheduleParams): number {
  if (i.consecutiveFailures > 0 && i.lastFailureAt !== undefined) return i.lastFailureAt + i.backoffMs;
  if (i.coverage === 'discovery') return 0;
  if (i.coverage === 'scope') return i.scopeDueAt ?? 0;
  if (i.job === undefined || !resting(i.job) || i.lastCheckedAt === undefined) return 0;
  return i.lastCheckedAt + p.terminalIntervalMs;
}

/**
 * Whether a sweep starting at `now` should act on something due at `dueAt`. Half an interval
 * of slack: a sweep that starts a few ms before the due time must not push it a whole interval.
 */
export function isDue(dueAt: number, now: number, activeIntervalMs: number): boolean {
  return dueAt <= now + activeIntervalMs / 2;
}

/**
 * When a List of static resources is next due: every sweep while one of them is not at
 * rest (or was never seen), else `terminalIntervalMs` after it was last listed.
 */
export function scopeDueAt(
  jobs: ReadonlyArray<Status | undefined>,
  lastListedAt: number | undefined,
  p: Pick<ScheduleParams, 'terminalIntervalMs'>,
): number {
  if (lastListedAt === undefined) return 0;
  if (jobs.some((j) => j === undefined || !resting(j))) return 0;
  return lastListedAt + p.terminalIntervalMs;
}
