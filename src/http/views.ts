// JSON views for /api/jobs and /api/outbox: what an operator wants to see, never a secret
// (outbox entries carry the target name, never its URL).
import type { DeadLetter, OutboxEntry } from '../state/types.js';
import { singleResult, type ResourceSnapshot } from '../kinds/resource.js';
import type { ResourceTracker } from '../poll/tracker.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** A result's value as a view shows it: a single sample as its number, a list of samples as is. */
export function resultsOf(s: ResourceSnapshot | undefined): Record<string, unknown> | undefined {
  if (s === undefined || Object.keys(s.results).length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s.results)) out[k] = singleResult(s, k) ?? v;
  return out;
}

/**
 * Every watched resource of every kind, and every configured one never seen (this shard's). `nextSweepAt`: when
 * the scheduler ticks next. A resource is checked by the first sweep at or after its due time
 * (tracker), so nextCheckAt is the later of the two.
 */
export function jobsView(
  resources: ReadonlyMap<string, ResourceSnapshot>,
  tracker: ResourceTracker,
  statics: ReadonlyMap<string, { kind: string }>,
  nextSweepAt?: number,
) {
  // A static resource another shard's discovery List covers is watched there: not listed here.
  const elsewhere = tracker.staticsSeenElsewhere();
  const ids = new Set<string>([...resources.keys(), ...[...statics.keys(), ...tracker.ids()].filter((id) => !elsewhere.has(id))]);
  return {
    jobs: [...ids].sort().map((id) => {
      const j = resources.get(id);
      const rt = tracker.get(id);
      return {
        arn: id,
        kind: j?.kind ?? statics.get(id)?.kind,
        name: j?.name,
        status: j?.status,
        updateTime: iso(j?.updateTime),
        createTime: iso(j?.createTime),
        detail: j?.detail,
        // The field /api/jobs had for audience generation jobs before it listed every kind.
        recall: j && singleResult(j, 'recall_ratio'),
        results: resultsOf(j),
        source: statics.has(id) ? 'static' : 'discovery',
        lastCheckedAt: iso(rt?.lastCheckedAt),
        lastCheckedVia: rt?.lastCheckedVia,
        consecutiveFailures: rt?.consecutiveFailures ?? 0,
        nextCheckAt: nextSweepAt === undefined && !rt?.dueAt ? undefined : iso(Math.max(nextSweepAt ?? 0, rt?.dueAt ?? 0)),
        lastError: rt?.lastError ? { ...rt.lastError, at: iso(rt.lastError.at) } : undefined,
      };
    }),
  };
}

const entryView = (e: OutboxEntry) => ({
  id: e.id,
  target: e.target,
  arn: e.event.arn,
  name: e.event.name,
  previousStatus: e.event.previousStatus,
  status: e.event.status,
  createdAt: iso(e.createdAt),
  attempts: e.attempts,
  nextAttemptAt: iso(e.nextAttemptAt),
  lastError: e.lastError,
});

export function outboxView(pending: readonly OutboxEntry[], dead: readonly DeadLetter[]) {
  return {
    pending: pending.map(entryView),
    deadLetters: dead.map((d) => ({ ...entryView(d), deadAt: iso(d.deadAt), reason: d.reason })),
  };
}
