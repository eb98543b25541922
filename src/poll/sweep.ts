// One sweep, as small IO steps around the pure parts: list the due scopes, plan the Gets (plan.ts),
// fetch them, decide what to store, remove and enqueue (decide.ts), commit that in one durable
// write, then the metric backfill the same way, then each job's next due time. Everything decided
// comes from complete answers: a failed List scope or an unanswered Get leaves that job as it was.
import type { JobSnapshot } from '../domain.js';
import { classifyError } from '../aws/errors.js';
import { snapshotFromJob, snapshotFromSummary } from '../aws/snapshot.js';
import { callAws } from './call.js';
import type { Conn } from './connections.js';
import type { SweepSpec } from './spec.js';
import { coveringScope, listScopes, planSweep, scopeMembers, type ListScope, type ScopeResult, type SweepPlan } from './plan.js';
import { decide, type Decision, type Fetched, type Observed } from './decide.js';
import { pollBackoffDelay, isDue, jobDueAt, scopeDueAt, type ScheduleParams } from './due.js';
import type { JobTracker } from './tracker.js';
import { sweepResources } from './resource-sweep.js';
import { pool } from './pool.js';
import type { SweepDeps } from './sweep-deps.js';

export type { SweepDeps } from './sweep-deps.js';

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
  /** Why each failed scope failed (same order as failedScopes). */
  scopeErrors: { scope: ListScope['input'] | { source: string }; error: string }[];
  /** Keys of the scopes this sweep called List for (failed ones included; not-due ones not). */
  listedScopes: string[];
  /** Keys of every scope and source the spec asks for this sweep, due or not (scope health keeps their series). */
  scopes: string[];
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
const MAX_LIST_PAGES = 1000;

/** A List scope that would not end: that scope fails this sweep, the others go on. */
class ListRunawayError extends Error {
  override name = 'ListRunawayError';
}

/** One sweep's fixed inputs and running call counts, shared by its steps. */
interface Run {
  deps: SweepDeps;
  spec: SweepSpec;
  known: ReadonlyMap<string, JobSnapshot>;
  startedAt: number;
  signal: AbortSignal | undefined;
  calls: { list: number; get: number; backfill: number };
}

const callOpts = (run: Run, c: Conn) => ({
  limiter: c.limiter,
  maxAttempts: run.deps.maxAttempts,
  ...(run.signal ? { signal: run.signal } : {}),
  ...(run.deps.retryDelayMs ? { minDelayMs: run.deps.retryDelayMs.min, maxDelayMs: run.deps.retryDelayMs.max } : {}),
});

/** A Get that told us something: the job, or that it does not exist. */
const answered = (f: Fetched): boolean => 'job' in f || f.error.outcome === 'not_found';

export async function runSweep(deps: SweepDeps, spec: SweepSpec, signal?: AbortSignal): Promise<SweepReport> {
  const run: Run = { deps, spec, known: deps.store.jobs(), startedAt: deps.clock.now(), signal, calls: { list: 0, get: 0, backfill: 0 } };
  const { tracker, log } = deps;
  const sched = spec.schedule;

  // 1. List every due scope. A failed page voids the whole scope for this sweep.
  const listed = await listAll(run);

  // 2. Decide which jobs need a Get (pure).
  const plan = planGets(run, listed.results);
  // A job held back by its backoff after throttling, 5xx or network errors is still failing: a
  // sweep that made no call because everything is backing off is not a success (readiness).
  const stillFailing = plan.notDue.some((arn) => {
    const rt = tracker.get(arn);
    return (rt?.consecutiveFailures ?? 0) > 0 && (rt?.lastError?.outcome === 'throttled' || rt?.lastError?.outcome === 'error');
  });
  const busy = new Set([...plan.get, ...plan.backfill, ...plan.notDue]);
  for (const arn of plan.summaries.keys()) {
    if (!busy.has(arn) && run.known.has(arn)) tracker.checked(arn, deps.clock.now(), 'list');
  }

  // 3. Get what changed, decide, and commit it all in one durable write.
  const fetched = await fetchAll(run, plan.get, plan.summaries, false);
  const main = await commit(run, {
    adopted: plan.adopt,
    fetched,
    summaries: plan.summaries,
    forget: [...plan.unwatched, ...plan.retired],
    backfill: false,
  });
  // 3b. The other kinds, by the same rules (resource-sweep.ts), before readiness counts the sweep.
  const res = await sweepResources(deps, spec, run.startedAt, signal);
  run.calls.list += res.listCalls;
  run.calls.get += res.getCalls;
  const ok =
    listed.failedScopes.length === 0 &&
    !listed.retryableFailure &&
    !stillFailing &&
    !main.retryableFailure &&
    res.failedSources.length === 0 &&
    !res.retryableFailure;
  deps.onCommitted?.(main.enqueue.length + res.notifications, ok);
  if (plan.retired.length > 0) log.info({ retired: plan.retired.length }, 'terminal jobs past their retention: series removed');

  // 4. Metric backfill after the main commit, so changed jobs are never delayed by it.
  const filled =
    plan.backfill.length > 0 && !signal?.aborted
      ? await commit(run, {
          adopted: [],
          fetched: await fetchAll(run, plan.backfill, plan.summaries, true),
          summaries: plan.summaries,
          forget: [],
          backfill: true,
        })
      : undefined;

  // 5. When each job is next due (shown in /api/jobs; the next sweep acts on it).
  if (sched) {
    for (const [arn, dueAt] of dueTimes(
      spec,
      deps.store.jobs(),
      tracker,
      listed.results.map((r) => r.scope),
      sched,
    ))
      tracker.setDue(arn, dueAt);
  }

  return {
    ok,
    startedAt: run.startedAt,
    durationMs: deps.clock.now() - run.startedAt,
    listCalls: run.calls.list,
    getCalls: run.calls.get,
    jobsChecked:
      new Set([...plan.adopt.map((s) => s.arn), ...fetched.filter(answered).map((f) => f.arn), ...plan.summaries.keys()]).size +
      res.checked,
    transitions: main.transitions.length + (filled?.transitions.length ?? 0) + res.transitions.length,
    notifications: main.enqueue.length + (filled?.enqueue.length ?? 0) + res.notifications,
    failedScopes: [...listed.failedScopes, ...res.failedSources],
    scopeErrors: [...listed.scopeErrors, ...res.sourceErrors.map((e) => ({ scope: { source: e.source }, error: e.error }))],
    listedScopes: [...listed.listedScopes, ...res.listedSources],
    scopes: [...listed.scopes, ...spec.resourceSources.map((s) => s.key), ...res.listedSources],
    jobErrors: main.jobErrors + (filled?.jobErrors ?? 0) + res.errors,
    skippedScopes: listed.skippedScopes,
    backfillCalls: run.calls.backfill,
    retired: plan.retired.length,
    notDue: plan.notDue.length,
  };
}

/** List every scope that is due, page by page. */
async function listAll(run: Run): Promise<{
  results: ScopeResult[];
  failedScopes: string[];
  scopeErrors: SweepReport['scopeErrors'];
  listedScopes: string[];
  scopes: string[];
  skippedScopes: number;
  retryableFailure: boolean;
}> {
  const { deps, spec, known, startedAt } = run;
  const sched = spec.schedule;
  const results: ScopeResult[] = [];
  const failedScopes: string[] = [];
  const scopeErrors: SweepReport['scopeErrors'] = [];
  const listedScopes: string[] = [];
  let skippedScopes = 0;
  let retryableFailure = false;
  const scopes = listScopes(spec.staticArns, spec.discovery, known, spec.staticConn);
  await pool(scopes, Math.min(deps.concurrency, 4), async (scope: ListScope) => {
    if (sched && !scope.discovery) {
      const dueAt = scopeDueAt(
        scopeMembers(scope, spec.staticArns, spec.discovery, known),
        deps.tracker.scopeLastListedAt(scope.key),
        sched,
      );
      if (!isDue(dueAt, startedAt, sched.activeIntervalMs)) {
        skippedScopes++;
        results.push({ scope, jobs: undefined, skipped: true });
        return;
      }
    }
    listedScopes.push(scope.key);
    try {
      results.push({ scope, jobs: await listScope(run, scope) });
      deps.tracker.scopeListed(scope.key, startedAt);
    } catch (err) {
      failedScopes.push(scope.key);
      scopeErrors.push({ scope: scope.input, error: errorMessage(err) });
      results.push({ scope, jobs: undefined });
      if (classifyError(err).retryable) retryableFailure = true;
      deps.log.warn({ err: errorSummary(err), scope: scope.input }, 'List scope failed; its jobs keep their last state this sweep');
    }
  });
  return { results, failedScopes, scopeErrors, listedScopes, scopes: scopes.map((sc) => sc.key), skippedScopes, retryableFailure };
}

/** Every page of one scope; throws on the first page that fails. */
async function listScope(run: Run, scope: ListScope): Promise<JobSnapshot[]> {
  const c = run.deps.connections.forScope(scope);
  const maxPages = run.deps.maxListPages ?? MAX_LIST_PAGES;
  const jobs: JobSnapshot[] = [];
  // A List that hands back a token it gave before, or pages on without end, would hold the sweep
  // (and every other scope, static job and notification behind it) forever.
  const seen = new Set<string>();
  let nextToken: string | undefined;
  for (let pages = 0; ; ) {
    if (pages >= maxPages)
      throw new ListRunawayError(
        `stopped after ${maxPages} pages: the scope has more jobs than one sweep may list, or the List does not end`,
      );
    const page = await callAws(
      (s) =>
        c.api.listAudienceGenerationJobs(
          { ...scope.input, maxResults: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) },
          s ? { signal: s } : {},
        ),
      callOpts(run, c),
    ).finally(() => run.calls.list++);
    pages++;
    for (const summary of page.audienceGenerationJobs) {
      // An unchanged job stands in the results as its stored snapshot (the plan compares
      // status and updateTime only), so nothing parsed from the page outlives the page for
      // it: at 10,000 jobs that is ~10,000 objects per sweep that would live until the
      // plan and be promoted to the old generation as garbage.
      const prev = run.known.get(summary.audienceGenerationJobArn);
      jobs.push(
        prev && prev.status === summary.status && prev.updateTime === summary.updateTime.getTime() ? prev : snapshotFromSummary(summary),
      );
    }
    nextToken = page.nextToken;
    if (!nextToken) return jobs;
    if (seen.has(nextToken))
      throw new ListRunawayError(`stopped after ${pages} pages: the List returned a nextToken it had returned before`);
    seen.add(nextToken);
  }
}

/** The plan of Gets, with the detail budget left once the mandatory calls are paid for. */
function planGets(run: Run, results: readonly ScopeResult[]): SweepPlan {
  const { deps, spec, known, startedAt } = run;
  const sched = spec.schedule;
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
            const rt = deps.tracker.get(arn);
            return rt === undefined || isDue(rt.dueAt, startedAt, sched.activeIntervalMs);
          },
        }
      : {}),
  };
  // Planning is pure and cheap: plan the mandatory part first, then plan again with the budget.
  const mandatory = planSweep({ ...planInput, detailBudget: 0 });
  const budget = typeof deps.detailBudget === 'function' ? deps.detailBudget(run.calls.list + mandatory.get.length) : deps.detailBudget;
  return budget > 0 ? planSweep({ ...planInput, detailBudget: budget }) : mandatory;
}

/**
 * Get each job, with bounded concurrency; records each answer in the tracker. The backfill stops
 * at its first Get that fails after all retries (AWS in trouble): its jobs are caught up by later
 * sweeps, and the sweep ends instead of retrying hundreds of Gets into an outage while the next
 * List (which sees real changes) waits.
 */
async function fetchAll(
  run: Run,
  arns: readonly string[],
  summaries: ReadonlyMap<string, JobSnapshot>,
  backfill: boolean,
): Promise<Fetched[]> {
  const { deps, spec } = run;
  const out: Fetched[] = [];
  let halted = false;
  const now = () => deps.clock.now();
  await pool(
    arns,
    deps.concurrency,
    async (arn) => {
      const known = deps.store.jobs().has(arn);
      const c = deps.connections.forJob(arn, run.known.get(arn) ?? summaries.get(arn));
      try {
        const job = await callAws(
          (s) => c.api.getAudienceGenerationJob({ audienceGenerationJobArn: arn }, s ? { signal: s } : {}),
          callOpts(run, c),
        );
        out.push({ arn, job: snapshotFromJob(job) });
        deps.tracker.checked(arn, now(), 'get');
      } catch (err) {
        const e = classifyError(err);
        out.push({ arn, error: { outcome: e.outcome, retryable: e.retryable } });
        const failures = (deps.tracker.get(arn)?.consecutiveFailures ?? 0) + 1;
        const backoff = spec.schedule ? pollBackoffDelay(failures, spec.schedule, (deps.random ?? Math.random)()) : 0;
        if (e.outcome === 'not_found') {
          deps.tracker.failed(
            arn,
            now(),
            'not_found',
            known ? 'vanished (404 after being seen)' : 'not found: check the ARN in the config',
            backoff,
          );
          if (!known) deps.log.child({ arn }).error({ err: errorSummary(err) }, 'configured job not found: check the ARN and region');
          return;
        }
        if (e.retryable && backfill && !halted) {
          halted = true;
          deps.log.warn({ err: errorSummary(err) }, 'metric backfill paused until the next sweep: AWS calls are failing');
        }
        deps.tracker.failed(arn, now(), e.outcome, errorMessage(err), backoff);
        deps.log.child({ arn }).warn({ err: errorSummary(err), retryable: e.retryable }, 'GetAudienceGenerationJob failed');
      } finally {
        run.calls.get++;
        if (backfill) run.calls.backfill++;
      }
    },
    backfill ? () => halted : undefined,
  );
  return out;
}

/** Decide from what was observed and commit it in one durable write; then tell the tracker and the log. */
async function commit(run: Run, observed: Observed): Promise<Decision> {
  const { deps, spec } = run;
  const d = decide(deps.store.jobs(), observed, spec, deps.clock.now());
  if (d.upsert.length === 0 && d.remove.length === 0 && d.enqueue.length === 0) return d;
  await deps.store.commit({ upsert: d.upsert, remove: d.remove, enqueue: d.enqueue });
  for (const arn of d.remove) deps.tracker.forget(arn);
  for (const t of d.transitions) {
    deps.log.info(
      {
        arn: t.arn,
        name: t.snapshot.name,
        kind: t.kind,
        from: t.from,
        to: t.to,
        updateTime: new Date(t.snapshot.updateTime).toISOString(),
      },
      // Metrics landing on a job whose status stayed the same are not a status transition.
      t.kind === 'metrics_appeared'
        ? `metrics appeared for ${t.snapshot.name} (${t.to})`
        : `transition ${t.snapshot.name}: ${t.from ?? '(new)'} -> ${t.to}`,
    );
    deps.onTransition?.(t);
  }
  return d;
}

/** When each stored (and each configured, never seen) job is next due. */
function dueTimes(
  spec: SweepSpec,
  jobs: ReadonlyMap<string, JobSnapshot>,
  tracker: JobTracker,
  scopes: readonly ListScope[],
  sched: ScheduleParams,
): Map<string, number> {
  const scopeDue = new Map<string, number>();
  for (const scope of scopes) {
    if (!scope.discovery)
      scopeDue.set(
        scope.input.configuredAudienceModelArn ?? '',
        scopeDueAt(scopeMembers(scope, spec.staticArns, spec.discovery, jobs), tracker.scopeLastListedAt(scope.key), sched),
      );
  }
  const due = new Map<string, number>();
  const dueOf = (arn: string, job: JobSnapshot | undefined): number => {
    const rt = tracker.get(arn);
    const covered = job ? coveringScope(job, spec.discovery) : undefined;
    const modelScope = job && !covered ? scopeDue.get(job.configuredAudienceModelArn) : undefined;
    return jobDueAt(
      {
        job,
        coverage: covered ? 'discovery' : modelScope !== undefined ? 'scope' : 'get',
        ...(modelScope !== undefined ? { scopeDueAt: modelScope } : {}),
        lastCheckedAt: rt?.lastCheckedAt,
        consecutiveFailures: rt?.consecutiveFailures ?? 0,
        lastFailureAt: rt?.lastError?.at,
        backoffMs: rt?.backoffMs ?? 0,
      },
      sched,
    );
  };
  for (const [arn, job] of jobs) due.set(arn, dueOf(arn, job));
  for (const arn of spec.staticArns) if (!jobs.has(arn) && (spec.owns?.(arn) ?? true)) due.set(arn, dueOf(arn, undefined));
  return due;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Errors are logged by type and message only: never request objects that may carry credentials. */
function errorSummary(err: unknown): { type: string; message: string } {
  return err instanceof Error ? { type: err.name, message: err.message } : { type: 'Error', message: String(err) };
}
