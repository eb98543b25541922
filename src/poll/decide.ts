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
import { sameTags, stampOwnTags, tagParentIds, withInheritedTags } from '../kinds/tags.js';
import type { TagScope } from './tag-scope.js';

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
  /** The discovery entries' tag filters (tag-scope.ts); absent: none. */
  tagScope?: TagScope | undefined;
  /**
   * Check every stored resource against the tag filters, not only those observed: the filters
   * changed (a reload), or the state was written under another config (the first sweep).
   */
  rescope?: boolean;
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

  // Settle each observation: when its status began, its own tags (read now, or kept from the last read).
  const settled = new Map<string, ResourceSnapshot | undefined>();
  for (const [id, observedSnap] of next) {
    const prev = before.get(id);
    settled.set(id, observedSnap && stampOwnTags(prev, stampResourceStatusSince(prev, observedSnap), now));
  }
  const removed = new Set(observed.forget);
  inheritTags(before, settled, removed);
  if (t.tagScope !== undefined || t.rescope === true) applyTagScope(before, settled, removed, t);

  const transitions: ResourceTransition[] = [];
  const upsert: ResourceSnapshot[] = [];
  const remove: string[] = [...observed.forget];
  for (const [id, snap] of settled) {
    const prev = before.get(id);
    // A resource outside the tag filters was never announced: coming into them is its first sight.
    if (snap?.tagFiltered !== true) transitions.push(...diffResource(prev?.tagFiltered === true ? undefined : prev, snap, now));
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

/**
 * Resources that take their tags from a parent (src/kinds/tags.ts) get them from the parent as it
 * is after this decision: observed ones, and stored ones whose parent's tags changed or left.
 */
function inheritTags(
  before: ReadonlyMap<string, ResourceSnapshot>,
  settled: Map<string, ResourceSnapshot | undefined>,
  removed: ReadonlySet<string>,
): void {
  const current = (id: string): ResourceSnapshot | undefined =>
    settled.has(id) ? settled.get(id) : removed.has(id) ? undefined : before.get(id);
  const inherit = (s: ResourceSnapshot, parentIds: readonly string[]): ResourceSnapshot => {
    for (const pid of parentIds) {
      const p = current(pid);
      if (p !== undefined) return withInheritedTags(s, p.tags, p.id);
    }
    return withInheritedTags(s, undefined, undefined);
  };
  // Parents whose tags this decision changes (or that leave): their stored children follow.
  const moved = new Set<string>(removed);
  for (const [id, s] of settled) {
    const prev = before.get(id);
    if (prev !== undefined && (s === undefined || !sameTags(prev.tags, s.tags))) moved.add(id);
    else if (prev === undefined && s?.tags !== undefined) moved.add(id);
  }
  for (const [id, s] of settled) {
    if (s === undefined) continue;
    const parentIds = tagParentIds(s);
    if (parentIds.length > 0) settled.set(id, inherit(s, parentIds));
  }
  if (moved.size === 0) return;
  for (const [id, s] of before) {
    if (settled.has(id) || removed.has(id)) continue;
    const parentIds = tagParentIds(s);
    if (parentIds.length === 0 || !parentIds.some((p) => moved.has(p))) continue;
    const updated = inherit(s, parentIds);
    if (updated !== s) settled.set(id, updated);
  }
}

/** Mark what falls outside the tag filters (tag-scope.ts); with `rescope`, every stored resource too. */
function applyTagScope(
  before: ReadonlyMap<string, ResourceSnapshot>,
  settled: Map<string, ResourceSnapshot | undefined>,
  removed: ReadonlySet<string>,
  t: Targets,
): void {
  const mark = (s: ResourceSnapshot): ResourceSnapshot => {
    const outside = t.tagScope?.(s) ?? false;
    if (outside === (s.tagFiltered === true)) return s;
    if (outside) return { ...s, tagFiltered: true };
    const { tagFiltered: _f, ...rest } = s;
    return rest;
  };
  for (const [id, s] of settled) if (s !== undefined) settled.set(id, mark(s));
  if (t.rescope !== true) return;
  for (const [id, s] of before) {
    if (settled.has(id) || removed.has(id)) continue;
    const m = mark(s);
    if (m !== s) settled.set(id, m);
  }
}
