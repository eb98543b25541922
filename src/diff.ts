// The pure heart of the monitor: what changed between two observations of one job.
import { VANISHED, type JobSnapshot, type Transition } from './domain.js';

function hasMetrics(s: JobSnapshot): boolean {
  const m = s.metrics;
  return m !== undefined && (m.relevanceMetrics.length > 0 || m.recallMetric !== undefined);
}

/**
 * Compares the last-seen snapshot with a new observation (`undefined` = the API answered 404).
 * Returns the transitions in the order they should be reported. An observation older than the
 * last-seen one (a List page served from a lagging replica) yields nothing: the monitor never
 * reports a status going backwards because of eventual consistency.
 */
export function diff(prev: JobSnapshot | undefined, next: JobSnapshot | undefined, observedAt: number): Transition[] {
  if (next === undefined) {
    if (prev === undefined) return [];
    return [{ kind: 'vanished', arn: prev.arn, from: prev.status, to: VANISHED, observedAt, snapshot: prev }];
  }
  if (prev === undefined) {
    return [{ kind: 'first_seen', arn: next.arn, from: null, to: next.status, observedAt, snapshot: next }];
  }
  if (next.updateTime < prev.updateTime) return [];
  const out: Transition[] = [];
  if (next.status !== prev.status) {
    out.push({ kind: 'status_changed', arn: next.arn, from: prev.status, to: next.status, observedAt, snapshot: next });
  } else if (next.detail === 'full' && hasMetrics(next) && !hasMetrics(prev)) {
    // Metrics can land after the status flips to ACTIVE; only a full (Get) view can tell.
    out.push({ kind: 'metrics_appeared', arn: next.arn, from: prev.status, to: next.status, observedAt, snapshot: next });
  }
  return out;
}
