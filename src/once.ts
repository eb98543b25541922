// `once`: one read-only sweep of every configured job (List-first, then Get for details), printed
// as a table or JSON. It touches no state dir and sends no notification.
import type { Config } from './config/schema.js';
import type { Clock, JobSnapshot } from './domain.js';
import type { Logger } from './log.js';
import type { CleanRoomsMlApi } from './aws/types.js';
import { jobToWire } from './aws/snapshot.js';
import { createMemoryStore } from './state/memory.js';
import { AdaptiveRateLimiter } from './poll/limiter.js';
import { JobTracker } from './poll/tracker.js';
import { runSweep } from './poll/sweep.js';

export interface OnceResult {
  ok: boolean;
  jobs: JobSnapshot[];
  errors: { arn: string; error: string }[];
}

export async function runOnce(config: Config, deps: { api: CleanRoomsMlApi; clock: Clock; log: Logger }): Promise<OnceResult> {
  const store = createMemoryStore();
  const tracker = new JobTracker();
  const report = await runSweep(
    {
      api: deps.api,
      store,
      limiter: new AdaptiveRateLimiter({ maxPerSecond: config.polling.maxRequestsPerSecond, clock: deps.clock }),
      clock: deps.clock,
      log: deps.log,
      tracker,
      concurrency: config.polling.concurrency,
      maxAttempts: config.aws.maxAttempts,
      detailBudget: Number.POSITIVE_INFINITY,
    },
    { staticArns: new Set(config.jobs.map((j) => j.arn)), discovery: config.discovery, targets: [], notifyOnFirstSeenTerminal: false },
  );
  const jobs = [...store.jobs().values()].sort((a, b) => a.name.localeCompare(b.name) || a.arn.localeCompare(b.arn));
  const errors: OnceResult['errors'] = [];
  for (const arn of tracker.arns()) {
    const e = tracker.get(arn)?.lastError;
    if (e) errors.push({ arn, error: e.message });
  }
  return { ok: report.ok && errors.length === 0, jobs, errors };
}

export function formatOnceJson(r: OnceResult): string {
  return `${JSON.stringify({ jobs: r.jobs.map(jobToWire), errors: r.errors }, null, 2)}\n`;
}

export function formatOnceTable(r: OnceResult): string {
  const rows = [
    ['NAME', 'STATUS', 'UPDATED', 'RECALL'],
    ...r.jobs.map((j) => [j.name, j.status, new Date(j.updateTime).toISOString().replace('.000Z', 'Z'), j.metrics?.recallMetric?.toFixed(3) ?? '-']),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const lines = rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
  for (const e of r.errors) lines.push(`error: ${e.arn}: ${e.error}`);
  return `${lines.join('\n')}\n`;
}
