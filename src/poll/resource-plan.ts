// The pure part of a sweep for the kinds other than audience generation jobs, by the same rules:
// List pages decide; a Get (for kinds that have one) only for what moved, was never read in
// detail (within the detail budget), or is known but absent from its complete listing; kinds
// without a Get take the List item as the whole snapshot. Only complete answers decide: a
// resource of a failed List or an unanswered Get is left as it was.
import { diffResource, stampResourceStatusSince } from '../kinds/diff.js';
import type { ResourceTransition } from '../kinds/event.js';
import { KINDS, statusClass } from '../kinds/index.js';
import type { ParentKey } from '../kinds/kind.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import type { OutboxEntry } from '../domain.js';
import { parseArn } from '../aws/arn.js';
import { route, type RoutableTarget } from '../notify/route.js';
import type { ResourceSource, StaticResource } from './spec.js';

/** What a Get needs: the resource as listed, or a static entry. */
export interface ResourceGet {
  id: string;
  kind: ResourceSnapshot['kind'];
  view: ResourceSnapshot['view'];
  arn?: string;
  versionIdentifier?: string;
  parents: ResourceSnapshot['parents'];
}

export interface SourceResult {
  source: ResourceSource;
  /** undefined: a page failed (or the source was not due); nothing is decided from it. */
  items: ResourceSnapshot[] | undefined;
}

export interface ResourcePlan {
  get: ResourceGet[];
  /** Taken as they are (kinds without a Get, first sight beyond the budget). */
  take: ResourceSnapshot[];
  /** Listed items by id, to fall back on when a Get is refused for good. */
  listed: Map<string, ResourceSnapshot>;
  /** Known ones absent from their complete listing, of kinds without a Get: gone. */
  gone: string[];
  /** Known ones no longer watched (config changed): forgotten without a notification. */
  forget: string[];
}

function inRegion(s: ResourceSnapshot, region: string | undefined): boolean {
  return region === undefined || s.arn === undefined || parseArn(s.arn)?.region === region;
}

/** Does `source` list `s` (same kind and view, same parents as its parameters, its region)? */
export function sourceCovers(source: ResourceSource, s: Pick<ResourceSnapshot, 'kind' | 'view' | 'parents' | 'arn'>): boolean {
  if (s.kind !== source.kind || s.view !== source.view) return false;
  for (const [k, v] of Object.entries(source.params)) {
    if (k in KINDS[s.kind].parents && s.parents[k as ParentKey] !== v) return false;
  }
  return inRegion(s as ResourceSnapshot, source.region);
}

const hasGet = (s: Pick<ResourceSnapshot, 'kind' | 'view'>): boolean => KINDS[s.kind].get[s.view] !== undefined;
const refOf = (s: ResourceSnapshot): ResourceGet => ({
  id: s.id,
  kind: s.kind,
  view: s.view,
  ...(s.arn !== undefined ? { arn: s.arn } : {}),
  ...(s.versionIdentifier !== undefined ? { versionIdentifier: s.versionIdentifier } : {}),
  parents: s.parents,
});

export interface ResourcePlanInput {
  results: readonly SourceResult[];
  statics: readonly StaticResource[];
  known: ReadonlyMap<string, ResourceSnapshot>;
  /** Gets allowed for first sight and backfill (changed ones are never held back). */
  detailBudget: number;
  /** Shard ownership (absent: every resource). */
  owns?: (id: string) => boolean;
  /** Whether a static resource only a Get sees is due now (terminal ones are read slowly). */
  staticDue?: (id: string) => boolean;
}

export function planResources(input: ResourcePlanInput): ResourcePlan {
  const owns = input.owns ?? (() => true);
  const listed = new Map<string, ResourceSnapshot>();
  const failed: ResourceSource[] = [];
  const complete: ResourceSource[] = [];
  for (const r of input.results) {
    if (r.items === undefined) {
      failed.push(r.source);
      continue;
    }
    complete.push(r.source);
    for (const s of r.items) if (owns(s.id) && inRegion(s, r.source.region)) listed.set(s.id, s);
  }
  const statics = new Map(input.statics.map((s) => [s.id, s]));
  const get: ResourceGet[] = [];
  const take: ResourceSnapshot[] = [];
  const firstSight: ResourceSnapshot[] = [];
  const backfill: ResourceSnapshot[] = [];
  for (const [id, s] of listed) {
    const prev = input.known.get(id);
    if (prev && prev.status === s.status && prev.updateTime === s.updateTime) {
      if (prev.detail === 'summary' && hasGet(s)) backfill.push(s);
      continue;
    }
    if (!hasGet(s)) take.push(s);
    else if (prev) get.push(refOf(s));
    else firstSight.push(s);
  }
  // New resources at work are read in full first; those at rest are adopted from the List (so
  // nothing waits for them) and read in detail as the budget allows, now or by later sweeps.
  const atRest = (s: ResourceSnapshot) => statusClass(KINDS[s.kind], s.status) !== 'inProgress';
  firstSight.sort((a, b) => Number(atRest(a)) - Number(atRest(b)));
  let budget = Math.max(0, input.detailBudget);
  for (const s of firstSight) {
    if (budget > 0) {
      get.push(refOf(s));
      budget--;
      if (atRest(s)) take.push(s);
    } else take.push(s);
  }
  for (const s of backfill) {
    if (budget-- <= 0) break;
    get.push(refOf(s));
  }
  const gone: string[] = [];
  const forget: string[] = [];
  for (const [id, prev] of input.known) {
    if (listed.has(id) || statics.has(id)) continue;
    if (!owns(id)) {
      forget.push(id);
      continue;
    }
    if (failed.some((src) => sourceCovers(src, prev))) continue;
    if (complete.some((src) => sourceCovers(src, prev))) {
      // Absent from a complete listing: a Get tells whether it is gone; without a Get, it is.
      if (hasGet(prev)) get.push(refOf(prev));
      else gone.push(id);
      continue;
    }
    forget.push(id);
  }
  for (const [id, st] of statics) {
    if (listed.has(id)) continue;
    if (input.staticDue && !input.staticDue(id)) continue;
    get.push({
      id,
      kind: st.kind,
      view: 'member',
      arn: st.arn,
      ...(st.versionIdentifier !== undefined ? { versionIdentifier: st.versionIdentifier } : {}),
      parents: { ...st.params },
    });
  }
  return { get, take, listed, gone, forget };
}

/** The answer to one Get: the resource, or the classified error after all retries. */
export type ResourceFetched = { id: string; snapshot: ResourceSnapshot } | { id: string; error: { notFound: boolean; retryable: boolean } };

export interface ResourceDecision {
  upsert: ResourceSnapshot[];
  remove: string[];
  enqueue: OutboxEntry[];
  transitions: ResourceTransition[];
  /** Gets that failed for good, and static resources AWS does not know. */
  errors: number;
  /** A Get failed in a way the next sweep may fix. */
  retryableFailure: boolean;
}

export function decideResources(
  before: ReadonlyMap<string, ResourceSnapshot>,
  plan: Pick<ResourcePlan, 'take' | 'listed' | 'gone' | 'forget'>,
  fetched: readonly ResourceFetched[],
  t: { targets: readonly RoutableTarget[]; notifyOnFirstSeenTerminal: boolean },
  now: number,
): ResourceDecision {
  const next = new Map<string, ResourceSnapshot | undefined>();
  for (const s of plan.take) next.set(s.id, s);
  for (const id of plan.gone) next.set(id, undefined);
  let errors = 0;
  let retryableFailure = false;
  for (const f of fetched) {
    if ('snapshot' in f) {
      next.set(f.id, f.snapshot);
      continue;
    }
    if (f.error.notFound) {
      next.set(f.id, undefined);
      if (!before.has(f.id)) errors++;
      continue;
    }
    errors++;
    if (f.error.retryable) {
      retryableFailure = true;
      continue;
    }
    const summary = plan.listed.get(f.id);
    if (summary) next.set(f.id, summary);
  }
  const transitions: ResourceTransition[] = [];
  const upsert: ResourceSnapshot[] = [];
  const remove: string[] = [...plan.forget];
  for (const [id, observed] of next) {
    const prev = before.get(id);
    const snap = observed && stampResourceStatusSince(prev, observed);
    transitions.push(...diffResource(prev, snap, now));
    if (snap === undefined) {
      if (prev) remove.push(id);
    } else if (!prev || (snap.updateTime >= prev.updateTime && JSON.stringify(prev) !== JSON.stringify(snap))) {
      upsert.push(snap);
    }
  }
  const enqueue = route(transitions, t.targets, { notifyOnFirstSeenTerminal: t.notifyOnFirstSeenTerminal, now });
  return { upsert, remove, enqueue, transitions, errors, retryableFailure };
}
