// One sweep, as small IO steps around the pure parts, the same for every kind: call the due Lists
// (plan.ts sweepLists), plan the Gets (planSweep), fetch them, decide what to store, remove and
// enqueue (decide.ts), commit that in one durable write, then the per-parent Lists of the parents
// first seen just now (their children), then the backfill the same way, then each resource's next
// due time (sweep-rules.ts holds the other decisions). Everything decided comes from complete
// answers: a failed List or an unanswered Get leaves its resources as they were (a List stopped
// by its guard keeps the resources it did read: list-guard.ts).
import { classifyError } from '../aws/errors.js';
import { KINDS } from '../kinds/index.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import { callAws } from './call.js';
import type { Conn } from './connections.js';
import type { SweepSpec } from './spec.js';
import { planSweep, sweepLists, type ListResult, type PlannedList, type ResourceRef, type SweepPlan } from './plan.js';
import { decide, type Decision, type Fetched, type Observed } from './decide.js';
import { pollBackoffDelay, isDue } from './due.js';
import { mineOf } from './owner.js';
import { sameTime, timePrecisionMs } from './precision.js';
import { pool } from './pool.js';
import { ListRunawayError, stoppedListResults } from './list-guard.js';
import { readPages } from './pages.js';
import type { SweepDeps } from './sweep-deps.js';
import { dueTimes, getAnswer, stillFailing } from './sweep-rules.js';
import { tagScope, type TagScope } from './tag-scope.js';

export type { SweepDeps } from './sweep-deps.js';

export interface SweepReport {
  ok: boolean;
  startedAt: number;
  durationMs: number;
  listCalls: number;
  getCalls: number;
  resourcesChecked: number;
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
  resourceErrors: number;
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
  const { tracker } = deps;

  // 1. Call every due List. A failed page voids the whole List for this sweep.
  const listed = await listAll(run);

  // 2. Decide which resources need a Get (pure); the listed ones needing nothing were checked.
  const plan = planGets(run, listed.results);
  const failing = stillFailing(plan.notDue, (id) => tracker.get(id));
  markListed(run, plan);

  // 3. Get what changed, decide, and commit it all in one durable write.
  const { fetched, main } = await commitMain(run, plan);
  const mainOk = listed.failed.length === 0 && !listed.retryableFailure && !failing && !main.retryableFailure;
  deps.onCommitted?.(main.enqueue.length, mainOk);
  if (plan.retired.length > 0) deps.log.info({ retired: plan.retired.length }, 'resources at rest past their retention: series removed');

  // 3b. The children of the parents first seen just now, before the backfill.
  const children = await newChildren(run, new Set(listed.called));
  if (children) {
    mergeCalled(listed, children.called);
    if (children.decision.enqueue.length > 0) deps.onCommitted?.(children.decision.enqueue.length, mainOk);
  }
  const ok =
    mainOk &&
    (!children || (children.called.failed.length === 0 && !children.called.retryableFailure && !children.decision.retryableFailure));

  // 4. Backfill after the main commit, so changed resources are never delayed by it.
  const filled = plan.backfill.length > 0 && !signal?.aborted ? await backfill(run, plan) : undefined;

  // 5. When each resource is next due (shown in /api/jobs; the next sweep acts on it); what the tracker keeps.
  keepTrack(run, plan, listed);

  return reportOf(run, { ok, listed, plan, fetched, decisions: [main, children?.decision, filled] });
}

/** The listed resources the plan asks nothing of were checked by their List. */
function markListed(run: Run, plan: SweepPlan): void {
  const busy = new Set([...plan.get.map((r) => r.id), ...plan.backfill.map((r) => r.id), ...plan.notDue]);
  for (const id of plan.listed.keys()) {
    if (!busy.has(id) && run.known.has(id)) run.deps.tracker.checked(id, run.deps.clock.now(), 'list');
  }
}

/**
 * Get what changed, decide, and commit it all in one durable write. A static resource read for
 * the first time may turn out to be covered by another shard's discovery List: that shard watches
 * it (src/poll/owner.ts); it is remembered here so as not to be read again.
 */
async function commitMain(run: Run, plan: SweepPlan): Promise<{ fetched: Fetched[]; main: Decision }> {
  const fetched = keepMine(run, await fetchAll(run, plan.get, plan.listed, false));
  const main = await commit(run, {
    adopted: plan.adopt,
    fetched,
    listed: plan.listed,
    gone: plan.gone,
    forget: [...plan.unwatched, ...plan.retired],
    backfill: false,
  });
  return { fetched, main };
}

/** The backfill's Gets, decided and committed like the main ones. */
async function backfill(run: Run, plan: SweepPlan): Promise<Decision> {
  return commit(run, {
    adopted: [],
    fetched: await fetchAll(run, plan.backfill, plan.listed, true),
    listed: plan.listed,
    gone: [],
    forget: [],
    backfill: true,
  });
}

/** The Lists of a later round counted with the sweep's. */
function mergeCalled(listed: Called & { all: string[] }, more: Called): void {
  listed.called.push(...more.called);
  listed.all.push(...more.called);
  listed.failed.push(...more.failed);
  listed.errors.push(...more.errors);
}

/**
 * Each resource's next due time, then what the tracker keeps: the Lists of this sweep (a retired
 * parent's per-parent List is gone from it), and the resources stored, configured or listed (a
 * failed first read included).
 */
function keepTrack(run: Run, plan: SweepPlan, listed: { all: string[]; members: Map<string, ResourceSnapshot[]> }): void {
  const { deps, spec } = run;
  const { tracker } = deps;
  const stored = deps.store.resources();
  if (spec.schedule) {
    const input = {
      spec,
      known: stored,
      members: listed.members,
      scopeLastListedAt: (key: string) => tracker.scopeLastListedAt(key),
      runtimeOf: (id: string) => tracker.get(id),
    };
    for (const [id, dueAt] of dueTimes(input, spec.schedule)) tracker.setDue(id, dueAt);
  }
  tracker.retainScopes(new Set(listed.all));
  tracker.retainResources((id) => stored.has(id) || spec.statics.has(id) || plan.listed.has(id));
}

/** The sweep's report, from what its steps did (pure). */
function reportOf(
  run: Run,
  r: {
    ok: boolean;
    listed: Called & { all: string[]; skipped: number };
    plan: SweepPlan;
    fetched: readonly Fetched[];
    decisions: readonly (Decision | undefined)[];
  },
): SweepReport {
  const { listed, plan } = r;
  const sum = (f: (d: Decision) => number) => r.decisions.reduce((n, d) => n + (d ? f(d) : 0), 0);
  return {
    ok: r.ok,
    startedAt: run.startedAt,
    durationMs: run.deps.clock.now() - run.startedAt,
    listCalls: run.calls.list,
    getCalls: run.calls.get,
    resourcesChecked: new Set([...plan.adopt.map((s) => s.id), ...r.fetched.filter(answered).map((f) => f.id), ...plan.listed.keys()]).size,
    transitions: sum((d) => d.transitions.length),
    notifications: sum((d) => d.enqueue.length),
    failedScopes: listed.failed.map((l) => l.key),
    scopeErrors: listed.errors,
    listedScopes: listed.called,
    scopes: listed.all,
    resourceErrors: sum((d) => d.errors),
    skippedScopes: listed.skipped,
    backfillCalls: run.calls.backfill,
    tagRefreshes: plan.tagRefreshes,
    retired: plan.retired.length,
    notDue: plan.notDue.length,
  };
}

/** Call every List that is due, page by page. */
async function listAll(run: Run): Promise<Called & { all: string[]; skipped: number; members: Map<string, ResourceSnapshot[]> }> {
  const { deps, spec, known, startedAt } = run;
  const lists = sweepLists({
    watch: spec,
    known,
    now: startedAt,
    lastListedAt: (key) => deps.tracker.scopeLastListedAt(key),
    ...(spec.schedule ? { schedule: spec.schedule } : {}),
  });
  const called = await callLists(run, lists.due);
  return {
    ...called,
    results: [...lists.skipped.map((list): ListResult => ({ list, items: undefined, skipped: true })), ...called.results],
    // The Lists this replica answers for (with shards, another shard's top-level Lists are not).
    all: [
      ...spec.sources.filter((s) => s.perParent || !spec.shard || (s.shard ?? 0) === spec.shard.index).map((s) => s.key),
      ...lists.due.map((l) => l.key),
      ...lists.skipped.map((l) => l.key),
    ],
    skipped: lists.skipped.length,
    members: lists.members,
  };
}

/** What calling some Lists gave: their results, and which failed and why. */
interface Called {
  results: ListResult[];
  failed: PlannedList[];
  errors: SweepReport['scopeErrors'];
  called: string[];
  retryableFailure: boolean;
}

/** Call these Lists, page by page (a few at a time). A failed page voids its whole List. */
async function callLists(run: Run, lists: readonly PlannedList[]): Promise<Called> {
  const { deps, startedAt } = run;
  const results: ListResult[] = [];
  const failed: PlannedList[] = [];
  const errors: SweepReport['scopeErrors'] = [];
  const called: string[] = [];
  let retryableFailure = false;
  await pool(lists, Math.min(deps.concurrency, 4), async (list: PlannedList) => {
    called.push(list.key);
    try {
      const { items, refused, precisionMs } = await listPages(run, list);
      results.push({ list, items, precisionMs, ...(refused.ids.length > 0 || refused.unidentified ? { refused } : {}) });
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
  return { results, failed, errors, called, retryableFailure };
}

/**
 * The per-parent Lists of parents first seen in this sweep (a new job's export jobs, a new
 * model's versions and export jobs), called right after the main commit and before the backfill:
 * the children are seen in the same sweep as their parent, not a sweep (and a backfill) later. Only
 * what these Lists show is decided; nothing else is touched. undefined: no such List.
 */
async function newChildren(run: Run, alreadyCalled: ReadonlySet<string>): Promise<{ called: Called; decision: Decision } | undefined> {
  const { deps, spec } = run;
  const known = deps.store.resources();
  const lists = sweepLists({
    watch: spec,
    known,
    now: run.startedAt,
    lastListedAt: (key) => deps.tracker.scopeLastListedAt(key),
  }).due.filter((l) => l.parentArn !== undefined && !alreadyCalled.has(l.key) && deps.tracker.scopeLastListedAt(l.key) === undefined);
  if (lists.length === 0 || run.signal?.aborted) return undefined;
  const called = await callLists(run, lists);
  const plan = planSweep({
    watch: spec,
    known,
    results: called.results,
    detailBudget: 0,
    now: run.startedAt,
    partial: true,
    ...(spec.schedule ? { retentionMs: spec.schedule.retentionMs } : {}),
    ...(deps.handoverFrom !== undefined ? { handoverFrom: deps.handoverFrom } : {}),
  });
  const fetched = keepMine(run, await fetchAll(run, plan.get, plan.listed, false));
  const decision = await commit(run, {
    adopted: plan.adopt,
    fetched,
    listed: plan.listed,
    gone: [],
    forget: plan.retired,
    backfill: false,
  });
  return { called, decision };
}

/**
 * Every page of one List (readPages in pages.ts), and the precision of its updateTime values;
 * throws on the first page that fails. Items a page could not read (reported and counted by the
 * client) are collected by id: their resources keep their state.
 */
async function listPages(
  run: Run,
  list: PlannedList,
): Promise<{ items: ResourceSnapshot[]; refused: { ids: string[]; unidentified: boolean }; precisionMs: number }> {
  const c = run.deps.connections.forConn(list.conn);
  const kind = KINDS[list.kind];
  const refused = { ids: [] as string[], unidentified: false };
  let precisionMs = run.deps.tracker.timePrecision(list.list.name);
  const fetchPage = (nextToken: string | undefined) =>
    callAws(
      (s) => c.resources.list(kind, list.list, list.params, { ...(nextToken ? { nextToken } : {}), ...(s ? { signal: s } : {}) }),
      callOpts(run, c),
    ).finally(() => run.calls.list++);
  const items = await readPages(fetchPage, run.deps.maxListPages, (page) => {
    for (const r of page.refused ?? []) {
      if (r.id !== undefined) refused.ids.push(r.id);
      else refused.unidentified = true;
    }
    // The precision this List operation writes its times in: the finest it has shown so far.
    if (page.items.length > 0)
      precisionMs = run.deps.tracker.timePrecision(list.list.name, timePrecisionMs(page.items.map((s) => s.updateTime)));
    // An unchanged resource stands in the results as its stored snapshot (the plan compares
    // status and updateTime only), so nothing parsed from the page outlives the page for it:
    // at 10,000 resources that is ~10,000 objects per sweep that would live until the plan and
    // be promoted to the old generation as garbage.
    return page.items.map((s) => {
      const prev = run.known.get(s.id);
      return prev && prev.status === s.status && sameTime(s.updateTime, prev.updateTime, precisionMs) ? prev : s;
    });
  });
  return { items, refused, precisionMs };
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
    seenStatics: deps.tracker.staticsSeenElsewhere(),
    ...(deps.handoverFrom !== undefined ? { handoverFrom: deps.handoverFrom } : {}),
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
        const snapshot = getAnswer(ref, got, { listed, stored: run.known }, spec.statics.has(ref.id));
        if (snapshot) out.push({ id: ref.id, snapshot });
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

/** The Gets' answers without the static resources another shard watches (remembered in the tracker). */
function keepMine(run: Run, fetched: Fetched[]): Fetched[] {
  const { spec, deps } = run;
  if (!spec.shard || spec.shard.total <= 1) return fetched;
  const mine = mineOf({ sources: spec.sources, staticIds: spec.staticIds, shard: spec.shard }, run.known);
  return fetched.filter((f) => {
    if (!('snapshot' in f) || mine(f.snapshot)) return true;
    deps.tracker.seenElsewhere(f.id, f.snapshot);
    deps.log.info({ id: f.id, kind: f.snapshot.kind }, "static resource covered by another shard's discovery List: watched there");
    return false;
  });
}

/** Decide from what was observed and commit it in one durable write; then tell the tracker and the log. */
async function commit(run: Run, observed: Observed): Promise<Decision> {
  const { deps, spec } = run;
  const store = deps.store;
  const times = spec.durations
    ? {
        history: (id: string) => store.history(id),
        durations: store.durations(),
        settings: spec.durations,
        checkSlower: !observed.backfill,
      }
    : undefined;
  const d = decide(
    store.resources(),
    observed,
    {
      ...spec,
      tagScope: run.tagScope,
      rescope: run.rescope,
      ...(deps.handoverFrom !== undefined ? { handoverFrom: deps.handoverFrom } : {}),
    },
    deps.clock.now(),
    times,
  );
  const timed = (d.history?.length ?? 0) > 0 || (d.durations?.add.length ?? 0) > 0;
  if (d.upsert.length === 0 && d.remove.length === 0 && d.enqueue.length === 0 && !timed) {
    rescoped.add(spec);
    run.rescope = false;
    return d;
  }
  await store.commit({
    upsert: d.upsert,
    remove: d.remove,
    enqueue: d.enqueue,
    ...(d.history ? { history: d.history } : {}),
    ...(d.durations ? { durations: d.durations } : {}),
  });
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
        ...(t.durationSeconds !== undefined ? { durationSeconds: t.durationSeconds } : {}),
      },
      // Metrics landing while the status stays the same are not a status transition; nor is being slow.
      t.kind === 'metrics_appeared'
        ? `metrics appeared for ${s.name} (${t.to})`
        : t.kind === 'slower_than_usual'
          ? `slower than usual: ${s.name} in ${t.to} for ${Math.round(t.inStatusSeconds ?? 0)} s (usual p90 ${t.usual?.p90Seconds ?? '?'} s)`
          : `transition ${s.name}: ${t.from ?? '(new)'} -> ${t.to}`,
    );
    deps.onTransition?.(t);
  }
  return d;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Errors are logged by type and message only: never request objects that may carry credentials. */
function errorSummary(err: unknown): { type: string; message: string } {
  return err instanceof Error ? { type: err.name, message: err.message } : { type: 'Error', message: String(err) };
}
