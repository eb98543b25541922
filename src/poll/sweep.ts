// One sweep, as small IO steps around the pure parts, the same for every kind: call the due Lists
// (plan.ts sweepLists), plan the Gets (planSweep), fetch them, decide what to store, remove and
// enqueue (decide.ts), commit that in one durable write, then the backfill the same way, then
// each resource's next due time. Everything decided comes from complete answers: a failed List
// or an unanswered Get leaves its resources as they were (a List stopped by its guard keeps the
// resources it did read: list-guard.ts).
import { classifyError } from '../aws/errors.js';
import { KINDS } from '../kinds/index.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import { callAws } from './call.js';
import type { Conn } from './connections.js';
import type { SweepSpec } from './spec.js';
import {
  coveringSource,
  parentIndex,
  planSweep,
  sweepLists,
  type ListResult,
  type PlannedList,
  type ResourceRef,
  type SweepPlan,
} from './plan.js';
import { decide, type Decision, type Fetched, type Observed } from './decide.js';
import { pollBackoffDelay, isDue, jobDueAt, scopeDueAt, type ScheduleParams } from './due.js';
import type { JobTracker } from './tracker.js';
import { pool } from './pool.js';
import { listRunaway, ListRunawayError, stoppedListResults } from './list-guard.js';
import type { SweepDeps } from './sweep-deps.js';
import { tagScope, type TagScope } from './tag-scope.js';

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
  /** Keys of the Lists that failed. */
  failedScopes: string[];
  /** Why each failed List failed (same order as failedScopes). */
  scopeErrors: { scope: { kind: string; list: string; params: Record<string, string> }; error: string }[];
  /** Keys of the Lists this sweep called (failed ones included; not-due ones not). */
  listedScopes: string[];
  /** Keys of every List the spec asks for this sweep, due or not (scope health keeps their series). */
  scopes: string[];
  jobErrors: number;
  /** Lists not due this sweep (slow Lists). */
  skippedScopes: number;
  /** Get calls spent on backfill (part of getCalls). */
  backfillCalls: number;
  /** Gets planned only to read a resource's tags again (part of the backfill; tag-refresh.ts). */
  tagRefreshes: number;
  /** Discovered resources at rest forgotten after their retention. */
  retired: number;
  /** Resources left for a later sweep (backoff or slow interval). */
  notDue: number;
}

/** One sweep's fixed inputs and running call counts, shared by its steps. */
interface Run {
  deps: SweepDeps;
  spec: SweepSpec;
  known: ReadonlyMap<string, ResourceSnapshot>;
  startedAt: number;
  signal: AbortSignal | undefined;
  calls: { list: number; get: number; backfill: number };
  /** The discovery entries' tag filters, and whether this sweep checks every stored resource against them. */
  tagScope: TagScope | undefined;
  rescope: boolean;
}

/** Specs whose tag filters every stored resource was checked against (a reload brings a new spec). */
const rescoped = new WeakSet<SweepSpec>();

const callOpts = (run: Run, c: Conn) => ({
  limiter: c.limiter,
  maxAttempts: run.deps.maxAttempts,
  ...(run.signal ? { signal: run.signal } : {}),
  ...(run.deps.retryDelayMs ? { minDelayMs: run.deps.retryDelayMs.min, maxDelayMs: run.deps.retryDelayMs.max } : {}),
});

/** A Get that told us something: the resource, or that it does not exist. */
const answered = (f: Fetched): boolean => 'snapshot' in f || f.error.outcome === 'not_found';

export async function runSweep(deps: SweepDeps, spec: SweepSpec, signal?: AbortSignal): Promise<SweepReport> {
  const run: Run = {
    deps,
    spec,
    known: deps.store.resources(),
    startedAt: deps.clock.now(),
    signal,
    calls: { list: 0, get: 0, backfill: 0 },
    tagScope: tagScope(spec),
    rescope: !rescoped.has(spec),
  };
  const { tracker, log } = deps;

  // 1. Call every due List. A failed page voids the whole List for this sweep.
  const listed = await listAll(run);

  // 2. Decide which resources need a Get (pure).
  const plan = planGets(run, listed.results);
  // A resource held back by its backoff after throttling, 5xx or network errors is still failing:
  // a sweep that made no call because everything is backing off is not a success (readiness).
  const stillFailing = plan.notDue.some((id) => {
    const rt = tracker.get(id);
    return (rt?.consecutiveFailures ?? 0) > 0 && (rt?.lastError?.outcome === 'throttled' || rt?.lastError?.outcome === 'error');
  });
  const busy = new Set([...plan.get.map((r) => r.id), ...plan.backfill.map((r) => r.id), ...plan.notDue]);
  for (const id of plan.listed.keys()) {
    if (!busy.has(id) && run.known.has(id)) tracker.checked(id, deps.clock.now(), 'list');
  }

  // 3. Get what changed, decide, and commit it all in one durable write.
  const fetched = await fetchAll(run, plan.get, plan.listed, false);
  const main = await commit(run, {
    adopted: plan.adopt,
    fetched,
    listed: plan.listed,
    gone: plan.gone,
    forget: [...plan.unwatched, ...plan.retired],
    backfill: false,
  });
  const ok = listed.failed.length === 0 && !listed.retryableFailure && !stillFailing && !main.retryableFailure;
  deps.onCommitted?.(main.enqueue.length, ok);
  if (plan.retired.length > 0) log.info({ retired: plan.retired.length }, 'resources at rest past their retention: series removed');

  // 4. Backfill after the main commit, so changed resources are never delayed by it.
  const filled =
    plan.backfill.length > 0 && !signal?.aborted
      ? await commit(run, {
          adopted: [],
          fetched: await fetchAll(run, plan.backfill, plan.listed, true),
          listed: plan.listed,
          gone: [],
          forget: [],
          backfill: true,
        })
      : undefined;

  // 5. When each resource is next due (shown in /api/jobs; the next sweep acts on it).
  if (spec.schedule) for (const [id, dueAt] of dueTimes(run, listed.members, spec.schedule)) tracker.setDue(id, dueAt);

  return {
    ok,
    startedAt: run.startedAt,
    durationMs: deps.clock.now() - run.startedAt,
    listCalls: run.calls.list,
    getCalls: run.calls.get,
    jobsChecked: new Set([...plan.adopt.map((s) => s.id), ...fetched.filter(answered).map((f) => f.id), ...plan.listed.keys()]).size,
    transitions: main.transitions.length + (filled?.transitions.length ?? 0),
    notifications: main.enqueue.length + (filled?.enqueue.length ?? 0),
    failedScopes: listed.failed.map((l) => l.key),
    scopeErrors: listed.errors,
    listedScopes: listed.called,
    scopes: listed.all,
    jobErrors: main.errors + (filled?.errors ?? 0),
    skippedScopes: listed.skipped,
    backfillCalls: run.calls.backfill,
    tagRefreshes: plan.tagRefreshes,
    retired: plan.retired.length,
    notDue: plan.notDue.length,
  };
}

/** Call every List that is due, page by page. */
async function listAll(run: Run): Promise<{
  results: ListResult[];
  failed: PlannedList[];
  errors: SweepReport['scopeErrors'];
  called: string[];
  all: string[];
  skipped: number;
  members: Map<string, ResourceSnapshot[]>;
  retryableFailure: boolean;
}> {
  const { deps, spec, known, startedAt } = run;
  const lists = sweepLists({
    watch: spec,
    known,
    now: startedAt,
    lastListedAt: (key) => deps.tracker.scopeLastListedAt(key),
    ...(spec.schedule ? { schedule: spec.schedule } : {}),
  });
  const results: ListResult[] = lists.skipped.map((list) => ({ list, items: undefined, skipped: true }));
  const failed: PlannedList[] = [];
  const errors: SweepReport['scopeErrors'] = [];
  const called: string[] = [];
  let retryableFailure = false;
  await pool(lists.due, Math.min(deps.concurrency, 4), async (list: PlannedList) => {
    called.push(list.key);
    try {
      const { items, refused } = await listPages(run, list);
      results.push({ list, items, ...(refused.ids.length > 0 || refused.unidentified ? { refused } : {}) });
      deps.tracker.scopeListed(list.key, startedAt);
    } catch (err) {
      failed.push(list);
      errors.push({ scope: { kind: list.kind, list: list.list.name, params: { ...list.params } }, error: errorMessage(err) });
      results.push(...(err instanceof ListRunawayError ? stoppedListResults(list, err.items) : [{ list, items: undefined }]));
      if (classifyError(err).retryable) retryableFailure = true;
      deps.log.warn(
        { err: errorSummary(err), kind: list.kind, list: list.list.name, params: list.params },
        'List scope failed; its resources keep their last state this sweep',
      );
    }
  });
  return {
    results,
    failed,
    errors,
    called,
    all: [...spec.sources.map((s) => s.key), ...lists.due.map((l) => l.key), ...lists.skipped.map((l) => l.key)],
    skipped: lists.skipped.length,
    members: lists.members,
    retryableFailure,
  };
}

/**
 * Every page of one List; throws on the first page that fails. Items a page could not read
 * (reported and counted by the client) are collected by id: their resources keep their state.
 */
async function listPages(
  run: Run,
  list: PlannedList,
): Promise<{ items: ResourceSnapshot[]; refused: { ids: string[]; unidentified: boolean } }> {
  const c = run.deps.connections.forConn(list.conn);
  const kind = KINDS[list.kind];
  const items: ResourceSnapshot[] = [];
  const refused = { ids: [] as string[], unidentified: false };
  // A List that loops or pages on without end is stopped by its guard (list-guard.ts).
  const seen = new Set<string>();
  let nextToken: string | undefined;
  for (let pages = 0; ; ) {
    const page = await callAws(
      (s) => c.resources.list(kind, list.list, list.params, { ...(nextToken ? { nextToken } : {}), ...(s ? { signal: s } : {}) }),
      callOpts(run, c),
    ).finally(() => run.calls.list++);
    pages++;
    for (const r of page.refused ?? []) {
      if (r.id !== undefined) refused.ids.push(r.id);
      else refused.unidentified = true;
    }
    for (const s of page.items) {
      // An unchanged resource stands in the results as its stored snapshot (the plan compares
      // status and updateTime only), so nothing parsed from the page outlives the page for it:
      // at 10,000 resources that is ~10,000 objects per sweep that would live until the plan and
      // be promoted to the old generation as garbage.
      const prev = run.known.get(s.id);
      items.push(prev && prev.status === s.status && prev.updateTime === s.updateTime ? prev : s);
    }
    nextToken = page.nextToken;
    if (!nextToken) return { items, refused };
    const stop = listRunaway(pages, nextToken, seen, run.deps.maxListPages);
    if (stop) throw new ListRunawayError(stop, items);
    seen.add(nextToken);
  }
}

/** The plan of Gets, with the detail budget left once the mandatory calls are paid for. */
function planGets(run: Run, results: readonly ListResult[]): SweepPlan {
  const { deps, spec, known, startedAt } = run;
  const sched = spec.schedule;
  const planInput = {
    watch: spec,
    known,
    results,
    now: startedAt,
    ...(sched ? { retentionMs: sched.retentionMs } : {}),
    ...(spec.tagsRefreshMs !== undefined ? { tagsRefreshMs: spec.tagsRefreshMs } : {}),
    ...(sched
      ? {
          isDue: (id: string) => {
            const rt = deps.tracker.get(id);
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
 * Get each resource, with bounded concurrency; records each answer in the tracker. The backfill
 * stops at its first Get that fails after all retries (AWS in trouble): its resources are caught
 * up by later sweeps, and the sweep ends instead of retrying hundreds of Gets into an outage
 * while the next List (which sees real changes) waits.
 */
async function fetchAll(
  run: Run,
  refs: readonly ResourceRef[],
  listed: ReadonlyMap<string, ResourceSnapshot>,
  backfill: boolean,
): Promise<Fetched[]> {
  const { deps, spec } = run;
  const out: Fetched[] = [];
  let halted = false;
  const now = () => deps.clock.now();
  await pool(
    refs,
    deps.concurrency,
    async (ref) => {
      const kind = KINDS[ref.kind];
      const known = deps.store.resources().has(ref.id);
      const c = deps.connections.forConn(ref.conn);
      try {
        const got = await callAws((s) => c.resources.get(kind, ref, { view: ref.view, ...(s ? { signal: s } : {}) }), callOpts(run, c));
        // A trained model read without a version is answered with its latest one. For a static
        // entry without versionIdentifier that is what was asked (it follows the latest version);
        // for a listed (or known) version without an identifier (the first one, once others exist)
        // the Get cannot name it, so its List item is all there is to know: kept as its full view,
        // so the backfill does not ask again every sweep.
        if (got.id === ref.id || spec.statics.has(ref.id))
          out.push({ id: ref.id, snapshot: got.id === ref.id ? got : { ...got, id: ref.id } });
        else {
          const item = listed.get(ref.id) ?? run.known.get(ref.id);
          // Versions share their model's ARN, and AWS tags belong to the ARN: the latest version's
          // tags are this one's too (read now, so its refresh is not asked again every sweep).
          if (item) {
            const { tagsReadAt: _r, tagsFrom: _f, ...rest } = item;
            out.push({
              id: ref.id,
              snapshot: got.tags !== undefined ? { ...rest, detail: 'full', tags: got.tags } : { ...item, detail: 'full' },
            });
          }
        }
        deps.tracker.checked(ref.id, now(), 'get');
      } catch (err) {
        const e = classifyError(err);
        out.push({ id: ref.id, error: { outcome: e.outcome, retryable: e.retryable } });
        const failures = (deps.tracker.get(ref.id)?.consecutiveFailures ?? 0) + 1;
        const backoff = spec.schedule ? pollBackoffDelay(failures, spec.schedule, (deps.random ?? Math.random)()) : 0;
        const log = deps.log.child({ id: ref.id, kind: ref.kind });
        if (e.outcome === 'not_found') {
          deps.tracker.failed(
            ref.id,
            now(),
            'not_found',
            known ? 'vanished (404 after being seen)' : 'not found: check the ARN in the config',
            backoff,
          );
          if (!known) log.error({ err: errorSummary(err) }, `configured ${kind.title} not found: check the ARN and region`);
          return;
        }
        if (e.retryable && backfill && !halted) {
          halted = true;
          deps.log.warn({ err: errorSummary(err) }, 'backfill paused until the next sweep: AWS calls are failing');
        }
        deps.tracker.failed(ref.id, now(), e.outcome, errorMessage(err), backoff);
        log.warn({ err: errorSummary(err), retryable: e.retryable }, `${kind.get[ref.view]?.name ?? 'Get'} failed`);
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
  const d = decide(deps.store.resources(), observed, { ...spec, tagScope: run.tagScope, rescope: run.rescope }, deps.clock.now());
  if (d.upsert.length === 0 && d.remove.length === 0 && d.enqueue.length === 0) {
    rescoped.add(spec);
    run.rescope = false;
    return d;
  }
  await deps.store.commit({ upsert: d.upsert, remove: d.remove, enqueue: d.enqueue });
  // Checked once the result is durable: a failed commit checks again on the next sweep.
  if (run.rescope) {
    rescoped.add(spec);
    run.rescope = false;
  }
  for (const id of d.remove) deps.tracker.forget(id);
  for (const t of d.transitions) {
    const s = t.snapshot;
    deps.log.info(
      {
        id: t.id,
        kind: s.kind,
        name: s.name,
        transition: t.kind,
        from: t.from,
        to: t.to,
        updateTime: new Date(s.updateTime).toISOString(),
      },
      // Metrics landing while the status stays the same are not a status transition.
      t.kind === 'metrics_appeared' ? `metrics appeared for ${s.name} (${t.to})` : `transition ${s.name}: ${t.from ?? '(new)'} -> ${t.to}`,
    );
    deps.onTransition?.(t);
  }
  return d;
}

/** When each stored (and each configured, never seen) resource is next due. */
function dueTimes(run: Run, members: ReadonlyMap<string, ResourceSnapshot[]>, sched: ScheduleParams): Map<string, number> {
  const { spec, deps } = run;
  const tracker: JobTracker = deps.tracker;
  const known = deps.store.resources();
  const listDue = new Map<string, number>();
  for (const [key, ms] of members) {
    const dueAt = scopeDueAt(ms, tracker.scopeLastListedAt(key), sched);
    for (const m of ms) listDue.set(m.id, dueAt);
  }
  const parentArns = parentIndex(known);
  const due = new Map<string, number>();
  const dueOf = (id: string, s: ResourceSnapshot | undefined): number => {
    const rt = tracker.get(id);
    const covered = s !== undefined && !spec.statics.has(id) && coveringSource(s, spec.sources, parentArns) !== undefined;
    const viaList = listDue.get(id);
    return jobDueAt(
      {
        job: s,
        coverage: covered ? 'discovery' : viaList !== undefined ? 'scope' : 'get',
        ...(viaList !== undefined ? { scopeDueAt: viaList } : {}),
        lastCheckedAt: rt?.lastCheckedAt,
        consecutiveFailures: rt?.consecutiveFailures ?? 0,
        lastFailureAt: rt?.lastError?.at,
        backoffMs: rt?.backoffMs ?? 0,
      },
      sched,
    );
  };
  for (const [id, s] of known) due.set(id, dueOf(id, s));
  for (const id of spec.statics.keys()) if (!known.has(id)) due.set(id, dueOf(id, undefined));
  return due;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Errors are logged by type and message only: never request objects that may carry credentials. */
function errorSummary(err: unknown): { type: string; message: string } {
  return err instanceof Error ? { type: err.name, message: err.message } : { type: 'Error', message: String(err) };
}
