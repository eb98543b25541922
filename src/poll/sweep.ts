// One sweep: read the List scopes, Get what the plan asks for, diff, route, and commit snapshots
// and notifications in one durable write. Everything decided here comes from complete answers:
// a failed List scope or an unanswered Get leaves that job exactly as it was.
import type { Clock, JobSnapshot, Transition } from '../domain.js';
import type { Logger } from '../log.js';
import { classifyError } from '../aws/errors.js';
import { snapshotFromJob, snapshotFromSummary } from '../aws/snapshot.js';
import { diff } from '../diff.js';
import { route } from '../notify/route.js';
import type { StateStore } from '../state/types.js';
import { callAws } from './call.js';
import type { Conn, Connections } from './connections.js';
import type { SweepSpec } from './spec.js';
import { coveringScope, listScopes, planSweep, scopeMembers, type ListScope, type ScopeResult } from './plan.js';
import { backoffDelay, isDue, jobDueAt, scopeDueAt, type ScheduleParams } from './due.js';
import type { JobTracker } from './tracker.js';

export interface SweepDeps {
  store: StateStore;
  /** The client and rate limiter of each job and scope. */
  connections: Connections;
  /** Jitter source for backoff (tests pass a fixed one). */
  random?: () => number;
  /**
   * Called after the main results (not the backfill) are durably committed, with their
   * notification count and whether every List and Get so far succeeded.
   */
  onCommitted?: (notifications: number, ok: boolean) => void;
  clock: Clock;
  log: Logger;
  tracker: JobTracker;
  concurrency: number;
  maxAttempts: number;
  /**
   * Gets per sweep for first sight and metric backfill; changed jobs are never held back. A
   * function receives the calls the sweep already made and returns the spare budget.
   */
  detailBudget: number | ((usedCalls: number) => number);
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
  /** Scopes listed slowly that were not due this sweep. */
  skippedScopes: number;
  /** Get calls spent on metric backfill (part of getCalls). */
  backfillCalls: number;
  /** Discovered terminal jobs forgotten after their retention. */
  retired: number;
  /** Jobs left for a later sweep (backoff or slow interval). */
  notDue: number;
}

const PAGE_SIZE = 100;

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>, halted: () => boolean = () => false): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !halted()) {
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
  const { store, clock, log, tracker } = deps;
  const startedAt = clock.now();
  const random = deps.random ?? Math.random;
  const sched = spec.schedule;
  const callOpts = (c: Conn) => ({
    limiter: c.limiter,
    maxAttempts: deps.maxAttempts,
    ...(signal ? { signal } : {}),
    ...(deps.retryDelayMs ? { minDelayMs: deps.retryDelayMs.min, maxDelayMs: deps.retryDelayMs.max } : {}),
  });
  let listCalls = 0;
  let getCalls = 0;
  let backfillCalls = 0;
  let jobErrors = 0;
  let retryableFailure = false;

  // 1. List every due scope, page by page. A failed page voids the whole scope for this sweep.
  const known = store.jobs();
  const scopes = listScopes(spec.staticArns, spec.discovery, known, spec.staticConn);
  const results: ScopeResult[] = [];
  const failedScopes: string[] = [];
  let skippedScopes = 0;
  await pool(scopes, Math.min(deps.concurrency, 4), async (scope: ListScope) => {
    if (sched && !scope.discovery) {
      const dueAt = scopeDueAt(scopeMembers(scope, spec.staticArns, spec.discovery, known), tracker.scopeLastListedAt(scope.key), sched);
      if (!isDue(dueAt, startedAt, sched.activeIntervalMs)) {
        skippedScopes++;
        results.push({ scope, jobs: undefined, skipped: true });
        return;
      }
    }
    const c = deps.connections.forScope(scope);
    const jobs: JobSnapshot[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page = await callAws(
          (s) => c.api.listAudienceGenerationJobs({ ...scope.input, maxResults: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) }, s ? { signal: s } : {}),
          callOpts(c),
        );
        listCalls++;
        for (const summary of page.audienceGenerationJobs) {
          // An unchanged job stands in the results as its stored snapshot (the plan compares
          // status and updateTime only), so nothing parsed from the page outlives the page for
          // it: at 10,000 jobs that is ~10,000 objects per sweep that would live until the
          // plan and be promoted to the old generation as garbage.
          const prev = known.get(summary.audienceGenerationJobArn);
          jobs.push(prev && prev.status === summary.status && prev.updateTime === summary.updateTime.getTime() ? prev : snapshotFromSummary(summary));
        }
        nextToken = page.nextToken;
      } while (nextToken);
      results.push({ scope, jobs });
      tracker.scopeListed(scope.key, startedAt);
    } catch (err) {
      listCalls++;
      failedScopes.push(scope.key);
      results.push({ scope, jobs: undefined });
      if (classifyError(err).retryable) retryableFailure = true;
      log.warn({ err: errorSummary(err), scope: scope.input }, 'List scope failed; its jobs keep their last state this sweep');
    }
  });

  // 2. Decide which jobs need a Get.
  const now = () => clock.now();
  const planInput = {
    staticArns: spec.staticArns,
    discovery: spec.discovery,
    known,
    results,
    now: startedAt,
    ...(sched ? { retentionMs: sched.retentionMs } : {}),
    ...(spec.owns ? { owns: spec.owns } : {}),
    ...(sched
      ? {
          isDue: (arn: string) => {
            const rt = tracker.get(arn);
            return rt === undefined || isDue(rt.dueAt, startedAt, sched.activeIntervalMs);
          },
        }
      : {}),
  };
  // The detail budget is what is left once the List pages and the Gets that must happen are paid
  // for, so plan the mandatory part first (planning is pure and cheap), then plan with the budget.
  const mandatory = planSweep({ ...planInput, detailBudget: 0 });
  const budget = typeof deps.detailBudget === 'function' ? deps.detailBudget(listCalls + mandatory.get.length) : deps.detailBudget;
  const full = budget > 0 ? planSweep({ ...planInput, detailBudget: budget }) : mandatory;

  const busy = new Set([...full.get, ...full.backfill, ...full.notDue]);
  // A job held back by its backoff after throttling, 5xx or network errors is still failing: a
  // sweep that made no call because everything is backing off is not a success (readiness).
  for (const arn of full.notDue) {
    const o = tracker.get(arn)?.lastError?.outcome;
    if ((tracker.get(arn)?.consecutiveFailures ?? 0) > 0 && (o === 'throttled' || o === 'error')) retryableFailure = true;
  }
  for (const arn of full.summaries.keys()) {
    if (!busy.has(arn) && known.has(arn)) tracker.checked(arn, now(), 'list');
  }

  // 3. Get, with bounded concurrency. Terminal errors end that job's attempt for this sweep.
  // The backfill stops at its first Get that fails after all retries (AWS in trouble): its jobs
  // are caught up by later sweeps, and the sweep ends instead of retrying hundreds of Gets into
  // an outage while the next List (which sees real changes) waits.
  let backfillHalted = false;
  const getAll = async (arns: readonly string[], next: Map<string, JobSnapshot | undefined>, backfill: boolean) =>
    pool(arns, deps.concurrency, async (arn) => {
      const jobLog = () => log.child({ arn }); // only when there is something to say
      const c = deps.connections.forJob(arn, known.get(arn) ?? full.summaries.get(arn));
      try {
        const out = await callAws((s) => c.api.getAudienceGenerationJob({ audienceGenerationJobArn: arn }, s ? { signal: s } : {}), callOpts(c));
        getCalls++;
        if (backfill) backfillCalls++;
        next.set(arn, snapshotFromJob(out));
        tracker.checked(arn, now(), 'get');
      } catch (err) {
        getCalls++;
        if (backfill) backfillCalls++;
        const c = classifyError(err);
        const failures = (tracker.get(arn)?.consecutiveFailures ?? 0) + 1;
        const backoff = sched ? backoffDelay(failures, sched, random()) : 0;
        if (c.outcome === 'not_found') {
          next.set(arn, undefined);
          tracker.failed(arn, now(), 'not_found', known.has(arn) ? 'vanished (404 after being seen)' : 'not found: check the ARN in the config', backoff);
          if (!known.has(arn)) {
            jobErrors++;
            jobLog().error({ err: errorSummary(err) }, 'configured job not found: check the ARN and region');
          }
          return;
        }
        jobErrors++;
        // A backfill Get that ran out of retries is caught up later; it does not fail the sweep.
        if (c.retryable && !backfill) retryableFailure = true;
        if (c.retryable && backfill && !backfillHalted) {
          backfillHalted = true;
          log.warn({ err: errorSummary(err) }, 'metric backfill paused until the next sweep: AWS calls are failing');
        }
        tracker.failed(arn, now(), c.outcome, errorMessage(err), backoff);
        const summary = full.summaries.get(arn);
        // A job whose details we may never read (AccessDenied on Get only) still gets its List status.
        if (!c.retryable && summary) next.set(arn, summary);
        jobLog().warn({ err: errorSummary(err), retryable: c.retryable }, 'GetAudienceGenerationJob failed');
      }
    }, backfill ? () => backfillHalted : undefined);

  // 4. Diff against the last-seen state, route, and commit it all in one durable write.
  let transitionCount = 0;
  let notificationCount = 0;
  const commit = async (next: Map<string, JobSnapshot | undefined>, extraRemove: readonly string[]) => {
    const before = store.jobs();
    const observedAt = clock.now();
    const transitions: Transition[] = [];
    const upsert: JobSnapshot[] = [];
    const remove: string[] = [...extraRemove];
    for (const [arn, snap] of next) {
      const prev = before.get(arn);
      transitions.push(...diff(prev, snap, observedAt));
      if (snap === undefined) {
        if (prev) remove.push(arn);
      } else if (!prev || (snap.updateTime >= prev.updateTime && !sameSnapshot(prev, snap))) {
        upsert.push(snap);
      }
    }
    const enqueue = route(transitions, spec.targets, { notifyOnFirstSeenTerminal: spec.notifyOnFirstSeenTerminal, now: observedAt });
    if (upsert.length === 0 && remove.length === 0 && enqueue.length === 0) return;
    await store.commit({ upsert, remove, enqueue });
    for (const arn of remove) tracker.forget(arn);
    for (const t of transitions) {
      log.info(
        { arn: t.arn, name: t.snapshot.name, kind: t.kind, from: t.from, to: t.to, updateTime: new Date(t.snapshot.updateTime).toISOString() },
        `transition ${t.snapshot.name}: ${t.from ?? '(new)'} -> ${t.to}`,
      );
      deps.onTransition?.(t);
    }
    transitionCount += transitions.length;
    notificationCount += enqueue.length;
  };

  const main = new Map<string, JobSnapshot | undefined>();
  for (const s of full.adopt) main.set(s.arn, s);
  await getAll(full.get, main, false);
  await commit(main, [...full.unwatched, ...full.retired]);
  deps.onCommitted?.(notificationCount, failedScopes.length === 0 && !retryableFailure);
  if (full.retired.length > 0) log.info({ retired: full.retired.length }, 'terminal jobs past their retention: series removed');

  // 5. Metric backfill after the main commit, so changed jobs are never delayed by it.
  if (full.backfill.length > 0 && !signal?.aborted) {
    const filled = new Map<string, JobSnapshot | undefined>();
    await getAll(full.backfill, filled, true);
    await commit(filled, []);
  }

  // 6. When each job is next due (shown in /api/jobs; the next sweep acts on it).
  if (sched) {
    const jobs = store.jobs();
    const scopeDue = new Map<string, number>();
    for (const r of results) {
      if (!r.scope.discovery) scopeDue.set(r.scope.input.configuredAudienceModelArn ?? '', scopeDueAt(scopeMembers(r.scope, spec.staticArns, spec.discovery, jobs), tracker.scopeLastListedAt(r.scope.key), sched));
    }
    const setDue = (arn: string, job: JobSnapshot | undefined) => {
      const rt = tracker.get(arn);
      const covered = job ? coveringScope(job, spec.discovery) : undefined;
      const modelScope = job && !covered ? scopeDue.get(job.configuredAudienceModelArn) : undefined;
      const coverage = covered ? 'discovery' : modelScope !== undefined ? 'scope' : 'get';
      const dueAt = jobDueAt(
        {
          job,
          coverage,
          ...(modelScope !== undefined ? { scopeDueAt: modelScope } : {}),
          lastCheckedAt: rt?.lastCheckedAt,
          consecutiveFailures: rt?.consecutiveFailures ?? 0,
          lastFailureAt: rt?.lastError?.at,
          backoffMs: rt?.backoffMs ?? 0,
        },
        sched,
      );
      tracker.setDue(arn, dueAt);
    };
    for (const [arn, job] of jobs) setDue(arn, job);
    for (const arn of spec.staticArns) if (!jobs.has(arn) && (spec.owns?.(arn) ?? true)) setDue(arn, undefined);
  }

  return {
    ok: failedScopes.length === 0 && !retryableFailure,
    startedAt,
    durationMs: clock.now() - startedAt,
    listCalls,
    getCalls,
    jobsChecked: new Set([...main.keys(), ...full.summaries.keys()]).size,
    transitions: transitionCount,
    notifications: notificationCount,
    failedScopes,
    jobErrors,
    skippedScopes,
    backfillCalls,
    retired: full.retired.length,
    notDue: full.notDue.length,
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Errors are logged by type and message only: never request objects that may carry credentials. */
function errorSummary(err: unknown): { type: string; message: string } {
  return err instanceof Error ? { type: err.name, message: err.message } : { type: 'Error', message: String(err) };
}
