// The pure decision of a sweep: from the last-seen state and what the Lists and Gets observed,
// what to store, what to remove, what to enqueue, and what to report. Only complete answers
// decide: a resource whose Get failed in a way a later sweep may fix is left exactly as it was.
import type { HistoryUpdate, OutboxEntry, PhaseSample } from '../state/types.js';
import type { ApiOutcome } from '../aws/api.js';
import { diffResource, stampResourceStatusSince } from '../kinds/diff.js';
import type { ResourceTransition } from '../kinds/event.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import { route, type RoutableTarget } from '../notify/route.js';
import { timesOf, type TimesInput } from './times.js';

/** The answer to one Get: the resource, or the classified error after all retries. */
export type Fetched = { id: string; snapshot: ResourceSnapshot } | { id: string; error: { outcome: ApiOutcome; retryable: boolean } };

export interface Observed {
  /** Listed snapshots taken without a Get (kinds without one; first sight, backfilled later). */
  adopted: readonly ResourceSnapshot[];
  /** The Gets' answers. */
  fetched: readonly Fetched[];
  /** Listed snapshots: the view of a resource whose Get is refused for good (e.g. AccessDenied on Get only). */
  listed: ReadonlyMap<string, ResourceSnapshot>;
  /** Known resources that are gone (absent from a complete listing, for kinds without a Get). */
  gone: readonly string[];
  /** Known resources to drop without a notification (no longer watched, or past their retention). */
  forget: readonly string[];
  /** The backfill: its retryable failures do not fail the sweep (later sweeps catch up). */
  backfill: boolean;
}

export interface Targets {
  targets: readonly RoutableTarget[];
  notifyOnFirstSeenTerminal: boolean;
  /**
   * During a shard handover (src/poll/handover.ts): a resource seen here for the first time was
   * watched by another shard until the layout changed. Updated before this instant, that shard saw
   * it: taken silently, whatever its status. Updated at or after it: a change that shard may have
   * missed, notified as the target's statuses say even when at rest.
   */
  handoverFrom?: number;
}

export interface Decision {
  upsert: ResourceSnapshot[];
  remove: string[];
  enqueue: OutboxEntry[];
  transitions: ResourceTransition[];
  /** History entries and finished phases to record (src/poll/times.ts); absent without `times`. */
  history?: HistoryUpdate[];
  durations?: { keep: number; add: PhaseSample[] };
  /** Gets that failed, and configured resources AWS does not know (one seen before that answers 404 vanished: not an error). */
  errors: number;
  /** A Get of the main pass failed in a way the next sweep may fix: the sweep is not ok. */
  retryableFailure: boolean;
}

function sameSnapshot(a: ResourceSnapshot, b: ResourceSnapshot): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function decide(
  before: ReadonlyMap<string, ResourceSnapshot>,
  observed: Observed,
  t: Targets,
  now: number,
  times?: TimesInput,
): Decision {
  // What each resource looks like now; undefined: AWS answered 404, or it left its listing.
  const next = new Map<string, ResourceSnapshot | undefined>();
  for (const s of observed.adopted) next.set(s.id, s);
  for (const id of observed.gone) next.set(id, undefined);
  let errors = 0;
  let retryableFailure = false;
  for (const f of observed.fetched) {
    if ('snapshot' in f) {
      next.set(f.id, f.snapshot);
      continue;
    }
    if (f.error.outcome === 'not_found') {
      next.set(f.id, undefined);
      if (!before.has(f.id)) errors++;
      continue;
    }
    errors++;
    if (f.error.retryable) {
      if (!observed.backfill) retryableFailure = true;
      continue;
    }
    const summary = observed.listed.get(f.id);
    if (summary) next.set(f.id, summary);
  }

  const transitions: ResourceTransition[] = [];
  const upsert: ResourceSnapshot[] = [];
  const remove: string[] = [...observed.forget];
  for (const [id, observedSnap] of next) {
    const prev = before.get(id);
    // When the current status began survives every snapshot that keeps the status.
    const snap = observedSnap && stampResourceStatusSince(prev, observedSnap);
    transitions.push(...diffResource(prev, snap, now));
    if (snap === undefined) {
      if (prev) remove.push(id);
    } else if (!prev || (snap.updateTime >= prev.updateTime && !sameSnapshot(prev, snap))) {
      upsert.push(snap);
    }
  }
  if (times === undefined) {
    const enqueue = routeAll(transitions, t, now);
    return { upsert, remove, enqueue, transitions, errors, retryableFailure };
  }
  const timed = timesOf(transitions, before, storedAfter(before, upsert, remove), times, now);
  const enqueue = routeAll(timed.transitions, t, now);
  return {
    upsert,
    remove,
    enqueue,
    transitions: timed.transitions,
    history: timed.history,
    durations: timed.durations,
    errors,
    retryableFailure,
  };
}

/** Every resource as stored once `upsert` and `remove` apply to `before`. */
function* storedAfter(
  before: ReadonlyMap<string, ResourceSnapshot>,
  upsert: readonly ResourceSnapshot[],
  remove: readonly string[],
): Generator<ResourceSnapshot> {
  const up = new Map(upsert.map((s) => [s.id, s]));
  const gone = new Set(remove);
  for (const [id, s] of before) if (!gone.has(id)) yield up.get(id) ?? s;
  for (const [id, s] of up) if (!before.has(id) && !gone.has(id)) yield s;
}

/** The outbox entries of the transitions: as `route` says, first sights during a handover as `Targets.handoverFrom` says. */
function routeAll(transitions: readonly ResourceTransition[], t: Targets, now: number): OutboxEntry[] {
  const from = t.handoverFrom;
  if (from === undefined) return route(transitions, t.targets, { notifyOnFirstSeenTerminal: t.notifyOnFirstSeenTerminal, now });
  const taken = transitions.filter((x) => x.kind === 'first_seen' && x.snapshot.updateTime >= from);
  const rest = transitions.filter((x) => x.kind !== 'first_seen');
  return [
    ...route(rest, t.targets, { notifyOnFirstSeenTerminal: t.notifyOnFirstSeenTerminal, now }),
    ...route(taken, t.targets, { notifyOnFirstSeenTerminal: true, now }),
  ];
}
