// The pure diff for a resource of any kind: what changed between two observations of it.
import type { ResourceTransition } from './event.js';
import { KINDS } from './index.js';
import type { ResourceSnapshot } from './resource.js';

import { VANISHED } from '../domain.js';

/**
 * Compares the last-seen snapshot with a new observation (`undefined` = the API answered 404).
 * An observation older than the last-seen one (a List page from a lagging replica) yields
 * nothing: a status never goes backwards because of eventual consistency.
 */
export function diffResource(
  prev: ResourceSnapshot | undefined,
  next: ResourceSnapshot | undefined,
  observedAt: number,
): ResourceTransition[] {
  if (next === undefined) {
    if (prev === undefined) return [];
    return [{ kind: 'vanished', id: prev.id, from: prev.status, to: VANISHED, observedAt, snapshot: prev }];
  }
  if (prev === undefined) return [{ kind: 'first_seen', id: next.id, from: null, to: next.status, observedAt, snapshot: next }];
  if (next.updateTime < prev.updateTime) return [];
  if (next.status !== prev.status)
    return [{ kind: 'status_changed', id: next.id, from: prev.status, to: next.status, observedAt, snapshot: next }];
  // Quality metrics can land after the status flips to ACTIVE; only two full (Get) views can
  // tell: a List item never carries them, so a resource first adopted from its List item and then
  // read in detail (the backfill) did not gain metrics, the monitor just had not read them yet.
  if (prev.detail === 'full' && next.detail === 'full' && hasLateResults(next) && !hasLateResults(prev))
    return [{ kind: 'metrics_appeared', id: next.id, from: prev.status, to: next.status, observedAt, snapshot: next }];
  return [];
}

function hasLateResults(s: ResourceSnapshot): boolean {
  return KINDS[s.kind].results.some((r) => {
    if (r.type !== 'number' || r.arrivesLate !== true) return false;
    const v = s.results[r.key];
    return Array.isArray(v) && v.length > 0;
  });
}

/**
 * `next` with statusSince carried over from `prev` while the status stays the same, or set to
 * next.updateTime when it changed (or on first sight).
 */
export function stampResourceStatusSince(prev: ResourceSnapshot | undefined, next: ResourceSnapshot): ResourceSnapshot {
  const since = prev !== undefined && prev.status === next.status ? (prev.statusSince ?? prev.updateTime) : next.updateTime;
  return next.statusSince === since ? next : { ...next, statusSince: since };
}
