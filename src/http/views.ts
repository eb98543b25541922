// JSON views for /api/jobs and /api/outbox: what an operator wants to see, never a secret
// (outbox entries carry the target name, never its URL).
import type { DeadLetter, OutboxEntry } from '../domain.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import type { JobTracker } from '../poll/tracker.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * The audience generation jobs among `resources` (keyed by id, the ARN for these jobs).
 * `nextSweepAt`: when the scheduler ticks next. A job is checked by the first sweep at or after
 * its due time (tracker), so nextCheckAt is the later of the two.
 */
export function jobsView(
  resources: ReadonlyMap<string, ResourceSnapshot>,
  tracker: JobTracker,
  staticArns: ReadonlySet<string>,
  nextSweepAt?: number,
) {
  const jobs = new Map<string, ResourceSnapshot>();
  for (const [id, s] of resources) if (s.kind === 'audienceGenerationJob') jobs.set(id, s);
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
        recall: recallOf(j),
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

function recallOf(s: ResourceSnapshot | undefined): number | undefined {
  const v = s?.results['recall_ratio'];
  return Array.isArray(v) ? v[0]?.value : undefined;
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
