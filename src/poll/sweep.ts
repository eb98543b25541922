// One sweep: read the List scopes, Get what the plan asks for, diff, route, and commit snapshots
// and notifications in one durable write. Everything decided here comes from complete answers:
// a failed List scope or an unanswered Get leaves that job exactly as it was.
import type { Clock, JobSnapshot, Transition } from '../domain.js';
import type { Logger } from '../log.js';
import type { CleanRoomsMlApi } from '../aws/types.js';
import { classifyError } from '../aws/errors.js';
import { snapshotFromJob, snapshotFromSummary } from '../aws/snapshot.js';
import { diff } from '../diff.js';
import { route, type RoutableTarget } from '../notify/route.js';
import type { StateStore } from '../state/types.js';
import { callAws } from './call.js';
import type { AdaptiveRateLimiter } from './limiter.js';
import { listScopes, planSweep, type DiscoveryScope, type ListScope, type ScopeResult } from './plan.js';
import type { JobTracker } from './tracker.js';

/** What the current config asks a sweep to do. Rebuilt on config reload. */
export interface SweepSpec {
  staticArns: ReadonlySet<string>;
  discovery: readonly DiscoveryScope[];
  targets: readonly RoutableTarget[];
  notifyOnFirstSeenTerminal: boolean;
}

export interface SweepDeps {
  api: CleanRoomsMlApi;
  store: StateStore;
  limiter: AdaptiveRateLimiter;
  clock: Clock;
  log: Logger;
  tracker: JobTracker;
  concurrency: number;
  maxAttempts: number;
  /** Gets per sweep for first sight and metric backfill; changed jobs are never held back. */
  detailBudget: number;
  retryDelayMs?: { min: number; max: number };
  /** Called for each transition after it is durably recorded. */
  onTransition?: (t: Transition) => void;
}

export interface SweepReport {
  ok: boolean;
  startedAt: number;
  durationMs: number;
  listCalls: number;
  getCalls: number;
  jobsChecked: number;
  transitions: number;
  notifications: number;
  failedScopes: string[];
  jobErrors: number;
}

const PAGE_SIZE = 100;

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

function sameSnapshot(a: JobSnapshot, b: JobSnapshot): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export async function runSweep(deps: SweepDeps, spec: SweepSpec, signal?: AbortSignal): Promise<SweepReport> {
  const { api, store, clock, log, tracker } = deps;
  const startedAt = clock.now();
  const callOpts = {
    limiter: deps.limiter,
    maxAttempts: deps.maxAttempts,
    ...(signal ? { signal } : {}),
    ...(deps.retryDelayMs ? { minDelayMs: deps.retryDelayMs.min, maxDelayMs: deps.retryDelayMs.max } : {}),
  };
  let listCalls = 0;
  let getCalls = 0;
  let jobErrors = 0;
  let retryableFailure = false;

  // 1. List every scope, page by page. A failed page voids the whole scope for this sweep.
  const known = store.jobs();
  const scopes = listScopes(spec.staticArns, spec.discovery, known);
  const results: ScopeResult[] = [];
  const failedScopes: string[] = [];
  await pool(scopes, Math.min(deps.concurrency, 4), async (scope: ListScope) => {
    const jobs: JobSnapshot[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await callAws(
          (s) => api.listAudienceGenerationJobs({ ...scope.input, maxResults: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) }, s ? { signal: s } : {}),
          callOpts,
        );
        listCalls++;
        for (const summary of page.audienceGenerationJobs) jobs.push(snapshotFromSummary(summary));
        nextToken = page.nextToken;
      } while (nextToken);
      results.push({ scope, jobs });
    } catch (err) {
      listCalls++;
      failedScopes.push(scope.key);
      results.push({ scope, jobs: undefined });
      if (classifyError(err).retryable) retryableFailure = true;
      log.warn({ err: errorSummary(err), scope: scope.input }, 'List scope failed; its jobs keep their last state this sweep');
    }
  });

  // 2. Decide which jobs need a Get.
  const plan = planSweep({ staticArns: spec.staticArns, discovery: spec.discovery, known, results, detailBudget: deps.detailBudget });
  const now = () => clock.now();
  const next = new Map<string, JobSnapshot | undefined>();
  for (const s of plan.adopt) next.set(s.arn, s);
  const getting = new Set(plan.get);
  for (const arn of plan.summaries.keys()) {
    if (!getting.has(arn) && known.has(arn)) tracker.checked(arn, now(), 'list');
  }

  // 3. Get, with bounded concurrency. Terminal errors end that job's attempt for this sweep.
  await pool(plan.get, deps.concurrency, async (arn) => {
    const jobLog = log.child({ arn });
    try {
      const out = await callAws((s) => api.getAudienceGenerationJob({ audienceGenerationJobArn: arn }, s ? { signal: s } : {}), callOpts);
      getCalls++;
      next.set(arn, snapshotFromJob(out));
      tracker.checked(arn, now(), 'get');
    } catch (err) {
      getCalls++;
      const c = classifyError(err);
      if (c.outcome === 'not_found') {
        next.set(arn, undefined);
        tracker.failed(arn, now(), 'not_found', known.has(arn) ? 'vanished (404 after being seen)' : 'not found: check the ARN in the config');
        if (!known.has(arn)) {
          jobErrors++;
          jobLog.error({ err: errorSummary(err) }, 'configured job not found: check the ARN and region');
        }
        return;
      }
      jobErrors++;
      if (c.retryable) retryableFailure = true;
      tracker.failed(arn, now(), c.outcome, errorMessage(err));
      const summary = plan.summaries.get(arn);
      // A job whose details we may never read (AccessDenied on Get only) still gets its List status.
      if (!c.retryable && summary) next.set(arn, summary);
      jobLog.warn({ err: errorSummary(err), retryable: c.retryable }, 'GetAudienceGenerationJob failed');
    }
  });

  // 4. Diff against the last-seen state, route, and commit it all in one durable write.
  const observedAt = clock.now();
  const transitions: Transition[] = [];
  const upsert: JobSnapshot[] = [];
  const remove: string[] = [...plan.unwatched];
  for (const [arn, snap] of next) {
    const prev = known.get(arn);
    transitions.push(...diff(prev, snap, observedAt));
    if (snap === undefined) {
      if (prev) remove.push(arn);
    } else if (!prev || (snap.updateTime >= prev.updateTime && !sameSnapshot(prev, snap))) {
      upsert.push(snap);
    }
  }
  const enqueue = route(transitions, spec.targets, { notifyOnFirstSeenTerminal: spec.notifyOnFirstSeenTerminal, now: observedAt });
  await store.commit({ upsert, remove, enqueue });
  for (const arn of remove) tracker.forget(arn);
  for (const t of transitions) {
    log.info(
      { arn: t.arn, name: t.snapshot.name, kind: t.kind, from: t.from, to: t.to, updateTime: new Date(t.snapshot.updateTime).toISOString() },
      `transition ${t.snapshot.name}: ${t.from ?? '(new)'} -> ${t.to}`,
    );
    deps.onTransition?.(t);
  }
  return {
    ok: failedScopes.length === 0 && !retryableFailure,
    startedAt,
    durationMs: clock.now() - startedAt,
    listCalls,
    getCalls,
    jobsChecked: new Set([...next.keys(), ...plan.summaries.keys()]).size,
    transitions: transitions.length,
    notifications: enqueue.length,
    failedScopes,
    jobErrors,
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Errors are logged by type and message only: never request objects that may carry credentials. */
function errorSummary(err: unknown): { type: string; message: string } {
  return err instanceof Error ? { type: err.name, message: err.message } : { type: 'Error', message: String(err) };
}
