// The IO steps of a sweep for the kinds other than audience generation jobs: list every source
// (all its pages; a failed page voids the source for this sweep), plan (resource-plan.ts), Get
// what the plan asks, decide, and commit in one durable write. Same calls, limiter, retries and
// tracker as the audience generation job steps in sweep.ts.
import { classifyError } from '../aws/errors.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import type { ResourceTransition } from '../kinds/event.js';
import { KINDS, statusClass } from '../kinds/index.js';
import { callAws } from './call.js';
import type { Conn } from './connections.js';
import { isDue } from './due.js';
import { decideResources, planResources, type ResourceFetched, type ResourceGet, type SourceResult } from './resource-plan.js';
import type { ResourceSource } from './spec.js';
import { pool } from './pool.js';
import type { SweepDeps } from './sweep-deps.js';
import type { SweepSpec } from './spec.js';

export interface ResourceSweepReport {
  listCalls: number;
  getCalls: number;
  checked: number;
  transitions: ResourceTransition[];
  notifications: number;
  failedSources: string[];
  sourceErrors: { source: string; error: string }[];
  listedSources: string[];
  errors: number;
  retryableFailure: boolean;
}

const MAX_LIST_PAGES = 1000;

/**
 * The Lists of per-model sources, one per known trained model of the collaboration. A model's
 * export jobs are listed on every sweep while the model changed within terminalInterval, while
 * one of its export jobs is unfinished, or before they were ever listed; otherwise once per
 * terminalInterval (the others are `skipped`: their export jobs keep their state, not a failure).
 */
export function expandPerParent(
  spec: Pick<SweepSpec, 'resourceSources' | 'schedule'>,
  known: ReadonlyMap<string, ResourceSnapshot>,
  now: number,
  deps: Pick<SweepDeps, 'tracker'>,
): { due: ResourceSource[]; skipped: ResourceSource[] } {
  const due: ResourceSource[] = [];
  const skipped: ResourceSource[] = [];
  const sched = spec.schedule;
  const unfinished = new Set<string>();
  for (const s of known.values()) {
    if (s.parents.trainedModelArn !== undefined && statusClass(KINDS[s.kind], s.status) === 'inProgress')
      unfinished.add(`${s.kind}|${s.parents.trainedModelArn}`);
  }
  for (const src of spec.resourceSources) {
    if (!src.perParent) {
      due.push(src);
      continue;
    }
    const models = new Map<string, ResourceSnapshot>();
    for (const s of known.values()) {
      if (
        s.kind === 'trainedModel' &&
        s.arn !== undefined &&
        s.parents.collaborationId === src.params.collaborationId &&
        !models.has(s.arn)
      )
        models.set(s.arn, s);
    }
    for (const [arn, model] of models) {
      const { perParent: _p, ...base } = src;
      const child: ResourceSource = { ...base, key: `${src.key}|${arn}`, params: { ...src.params, trainedModelArn: arn } };
      const listedAt = deps.tracker.scopeLastListedAt(child.key);
      const busy =
        listedAt === undefined ||
        sched === undefined ||
        now - model.updateTime < sched.terminalIntervalMs ||
        unfinished.has(`${src.kind}|${arn}`);
      if (busy || isDue(listedAt + sched.terminalIntervalMs, now, sched.activeIntervalMs)) due.push(child);
      else skipped.push(child);
    }
  }
  return { due, skipped };
}

export async function sweepResources(
  deps: SweepDeps,
  spec: SweepSpec,
  startedAt: number,
  signal: AbortSignal | undefined,
): Promise<ResourceSweepReport> {
  const report: ResourceSweepReport = {
    listCalls: 0,
    getCalls: 0,
    checked: 0,
    transitions: [],
    notifications: 0,
    failedSources: [],
    sourceErrors: [],
    listedSources: [],
    errors: 0,
    retryableFailure: false,
  };
  if (spec.resourceSources.length === 0 && spec.staticResources.length === 0 && deps.store.resources().size === 0) return report;
  const callOpts = (c: Conn) => ({
    limiter: c.limiter,
    maxAttempts: deps.maxAttempts,
    ...(signal ? { signal } : {}),
    ...(deps.retryDelayMs ? { minDelayMs: deps.retryDelayMs.min, maxDelayMs: deps.retryDelayMs.max } : {}),
  });
  const known = deps.store.resources();

  // 1. Every source, page by page. Per-model sources (trained model export jobs) stand for one
  // List per trained model of their collaboration known at the start of the sweep.
  const results: SourceResult[] = [];
  const sources = expandPerParent(spec, known, startedAt, deps);
  for (const s of sources.skipped) results.push({ source: s, items: undefined });
  await pool(sources.due, Math.min(deps.concurrency, 4), async (source: ResourceSource) => {
    report.listedSources.push(source.key);
    const c = deps.connections.forConn(source.conn);
    try {
      const client = c.resources;
      if (!client) throw new Error('no client for this kind');
      const kind = KINDS[source.kind];
      const items: ResourceSnapshot[] = [];
      const seen = new Set<string>();
      let token: string | undefined;
      for (let pages = 0; ; pages++) {
        if (pages >= (deps.maxListPages ?? MAX_LIST_PAGES)) throw new Error(`stopped after ${pages} pages: the List does not end`);
        const page = await callAws(
          (s) => client.list(kind, source.list, source.params, { ...(token ? { nextToken: token } : {}), ...(s ? { signal: s } : {}) }),
          callOpts(c),
        ).finally(() => report.listCalls++);
        for (const s of page.items) {
          // An unchanged resource stands as its stored snapshot: nothing parsed from the page outlives it.
          const prev = known.get(s.id);
          items.push(prev && prev.status === s.status && prev.updateTime === s.updateTime ? prev : s);
        }
        token = page.nextToken;
        if (!token) break;
        if (seen.has(token)) throw new Error(`stopped after ${pages + 1} pages: the List returned a nextToken it had returned before`);
        seen.add(token);
      }
      results.push({ source, items });
      deps.tracker.scopeListed(source.key, startedAt);
    } catch (err) {
      results.push({ source, items: undefined });
      report.failedSources.push(source.key);
      report.sourceErrors.push({ source: source.key, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
      if (classifyError(err).retryable) report.retryableFailure = true;
      deps.log.warn(
        { err: { type: (err as Error).name, message: (err as Error).message }, source: source.key },
        'List failed; its resources keep their last state this sweep',
      );
    }
  });

  // 2. Plan (pure).
  const sched = spec.schedule;
  const budget = typeof deps.detailBudget === 'function' ? deps.detailBudget(report.listCalls) : deps.detailBudget;
  const plan = planResources({
    results,
    statics: spec.staticResources,
    known,
    detailBudget: budget,
    ...(spec.owns ? { owns: spec.owns } : {}),
    staticDue: (id) => {
      const rt = deps.tracker.get(id);
      if (!sched || rt === undefined) return true;
      if (rt.consecutiveFailures > 0 && rt.lastError) return isDue(rt.lastError.at + rt.backoffMs, startedAt, sched.activeIntervalMs);
      const prev = known.get(id);
      const atRest = prev !== undefined && statusClass(KINDS[prev.kind], prev.status) !== 'inProgress';
      return (
        !atRest || rt.lastCheckedAt === undefined || isDue(rt.lastCheckedAt + sched.terminalIntervalMs, startedAt, sched.activeIntervalMs)
      );
    },
  });

  // 3. The Gets.
  const statics = new Map(spec.staticResources.map((s) => [s.id, s]));
  const fetched: ResourceFetched[] = [];
  await pool(plan.get, deps.concurrency, async (ref: ResourceGet) => {
    const c = deps.connections.forConn(
      statics.get(ref.id)?.conn ?? spec.resourceSources.find((s) => s.kind === ref.kind && plan.listed.has(ref.id))?.conn,
    );
    const now = () => deps.clock.now();
    try {
      if (!c.resources) throw new Error('no client for this kind');
      const client = c.resources;
      const got = await callAws((s) => client.get(KINDS[ref.kind], ref, { view: ref.view, ...(s ? { signal: s } : {}) }), callOpts(c));
      // A trained model read without a version is answered with its latest one: it stands for
      // what was asked (a static entry without versionIdentifier follows the latest version).
      fetched.push({ id: ref.id, snapshot: got.id === ref.id ? got : { ...got, id: ref.id } });
      deps.tracker.checked(ref.id, now(), 'get');
    } catch (err) {
      const e = classifyError(err);
      fetched.push({ id: ref.id, error: { notFound: e.outcome === 'not_found', retryable: e.retryable } });
      deps.tracker.failed(ref.id, now(), e.outcome, err instanceof Error ? `${err.name}: ${err.message}` : String(err), 0);
      if (!(e.outcome === 'not_found' && known.has(ref.id)))
        deps.log
          .child({ id: ref.id })
          .warn({ err: { type: (err as Error).name, message: (err as Error).message } }, `Get of ${KINDS[ref.kind].title} failed`);
    } finally {
      report.getCalls++;
    }
  });
  for (const id of plan.listed.keys()) if (known.has(id)) deps.tracker.checked(id, deps.clock.now(), 'list');

  // 4. Decide and commit in one durable write.
  const d = decideResources(
    deps.store.resources(),
    plan,
    fetched,
    { targets: spec.targets, notifyOnFirstSeenTerminal: spec.notifyOnFirstSeenTerminal },
    deps.clock.now(),
  );
  if (d.upsert.length > 0 || d.remove.length > 0 || d.enqueue.length > 0) {
    await deps.store.commit({ upsert: [], remove: [], enqueue: d.enqueue, upsertResources: d.upsert, removeResources: d.remove });
  }
  for (const id of d.remove) deps.tracker.forget(id);
  for (const t of d.transitions) {
    const kind = KINDS[t.snapshot.kind];
    deps.log.info(
      { id: t.id, kind: t.snapshot.kind, name: t.snapshot.name, transition: t.kind, from: t.from, to: t.to },
      `transition ${kind.title} ${t.snapshot.name}: ${t.from ?? '(new)'} -> ${t.to}`,
    );
    deps.onResourceTransition?.(t);
  }
  report.checked = new Set([...plan.listed.keys(), ...fetched.filter((f) => 'snapshot' in f).map((f) => f.id)]).size;
  report.transitions = d.transitions;
  report.notifications = d.enqueue.length;
  report.errors = d.errors;
  report.retryableFailure ||= d.retryableFailure;
  return report;
}
