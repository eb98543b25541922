// JSON views for /api/jobs and /api/outbox: what an operator wants to see, never a secret
// (outbox entries carry the target name, never its URL).
import type { DeadLetter, JobSnapshot, OutboxEntry } from '../domain.js';
import type { JobTracker } from '../poll/tracker.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * `nextSweepAt`: when the scheduler ticks next. A job is checked by the first sweep at or after
 * its due time (tracker), so nextCheckAt is the later of the two.
 */
export function jobsView(
  jobs: ReadonlyMap<string, JobSnapshot>,
  tracker: JobTracker,
  staticArns: ReadonlySet<string>,
  nextSweepAt?: number,
) {
  const arns = new Set<string>([...jobs.keys(), ...staticArns, ...tracker.arns()]);
  return {
    jobs: [...arns].sort().map((arn) => {
      const j = jobs.get(arn);
      const rt = tracker.get(arn);
      return {
        arn,
        name: j?.name,
        status: j?.status,
        updateTime: iso(j?.updateTime),
        createTime: iso(j?.createTime),
        detail: j?.detail,
        recall: j?.metrics?.recallMetric,
        source: staticArns.has(arn) ? 'static' : 'discovery',
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
