// Pure sweep planning for every kind: which Lists to call, and, from their pages, which resources
// need a Get.
//
// A List page returns status and updateTime for up to 100 resources, so a sweep reads every List
// it knows and calls Get only for a resource whose updateTime or status moved (for its results
// and statusDetails), that no List covers, or whose details were never fetched (backfill, within
// a budget). Kinds without a Get take the List item as the whole snapshot. Static resources
// (named in `jobs:`) are grouped, once their first Get revealed their parents, under the
// narrowest List of their kind those parents fill, so 500 static jobs of one model cost a few
// List pages a sweep instead of 500 Gets.
import type { ConnSpec } from '../aws/connections.js';
import { atRest, KINDS } from '../kinds/index.js';
import type { ListDecl, OperationParams, ParentKey } from '../kinds/kind.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import { isDue, isRetired, scopeDueAt, type ScheduleParams } from './due.js';
import { sourceKey, type Source, type StaticResource } from './spec.js';
import { inRegion, listCovers } from './covers.js';
import { tagsRefreshAt } from './tag-refresh.js';
import { needsTagsFirst } from './tag-scope.js';

/** A List of one sweep: a discovery source, one per-parent List of it, or the List covering static resources. */
export interface PlannedList extends Omit<Source, 'perParent'> {
  /** True for discovery Lists (every resource listed is watched); false for the Lists of statics. */
  discovery: boolean;
}

/** What a Get needs: the resource as known or listed, or a static entry. */
export interface ResourceRef {
  id: string;
  kind: ResourceSnapshot['kind'];
  view: ResourceSnapshot['view'];
  arn?: string;
  versionIdentifier?: string;
  parents: ResourceSnapshot['parents'];
  /** The identity to read it with; absent: the default one. */
  conn?: ConnSpec;
}

export interface ListResult {
  list: PlannedList;
  /** undefined when a page failed or the List was not due: nothing is decided from it. */
  items: ResourceSnapshot[] | undefined;
  /**
   * Items of its pages that could not be read (src/aws/resource-deserialize.ts): the resources
   * they name keep their last state; when one names none, absence from this List proves nothing.
   */
  refused?: { ids: readonly string[]; unidentified: boolean };
  /** Not called this sweep because it was not due: its resources wait, the sweep is still ok. */
  skipped?: boolean;
}

/** The watching rules of the current config. */
export interface Watch {
  sources: readonly Source[];
  statics: ReadonlyMap<string, StaticResource>;
  /** Shard ownership (absent: every resource). */
  owns?: (id: string) => boolean;
}

/** The known parents a per-parent source is called for, by ARN (one snapshot each). */
export function parentsOf(source: Source, known: ReadonlyMap<string, ResourceSnapshot>): Map<string, ResourceSnapshot> {
  const out = new Map<string, ResourceSnapshot>();
  const pp = source.perParent;
  if (!pp) return out;
  for (const s of known.values()) {
    // A parent outside the tag filters is not watched: its children are not listed either.
    if (s.kind !== pp.kind || s.arn === undefined || s.tagFiltered === true) continue;
    if (!Object.entries(pp.match).every(([k, v]) => s.parents[k as ParentKey] === v)) continue;
    const had = out.get(s.arn);
    if (!had || s.updateTime > had.updateTime) out.set(s.arn, s);
  }
  return out;
}

/** Is `s` covered by a discovery source (for a per-parent one: of a parent it is called for)? */
export function coveringSource(
  s: ResourceSnapshot,
  sources: readonly Source[],
  parentArns: (src: Source) => ReadonlySet<string>,
): Source | undefined {
  return sources.find((src) => {
    if (!listCovers(src, s)) return false;
    if (!src.perParent) return true;
    const p = s.parents[src.perParent.key];
    return p !== undefined && parentArns(src).has(p);
  });
}

/** Memoised parent ARNs of per-parent sources, for one sweep's known state. */
export function parentIndex(known: ReadonlyMap<string, ResourceSnapshot>): (src: Source) => ReadonlySet<string> {
  const memo = new Map<string, Set<string>>();
  return (src) => {
    let set = memo.get(src.key);
    if (!set) memo.set(src.key, (set = new Set(parentsOf(src, known).keys())));
    return set;
  };
}

/** Is this known resource still watched under the current config? */
export function isWatched(s: ResourceSnapshot, w: Watch, parentArns: (src: Source) => ReadonlySet<string>): boolean {
  if (!(w.owns?.(s.id) ?? true)) return false;
  return w.statics.has(s.id) || coveringSource(s, w.sources, parentArns) !== undefined;
}

/**
 * The narrowest member List of the resource's kind that its parents fill (every path parameter,
 * and each filter it can), to read a static resource with; undefined when none can.
 */
export function staticList(s: ResourceSnapshot, st: StaticResource): PlannedList | undefined {
  const kind = KINDS[s.kind];
  const have: OperationParams = { ...s.parents, ...st.params };
  let best: { list: ListDecl; params: OperationParams } | undefined;
  for (const list of kind.lists) {
    if (list.view !== 'member' || !list.pathParams.every((p) => have[p.from] !== undefined)) continue;
    const params: OperationParams = {};
    for (const p of [...list.pathParams, ...list.queryParams])
      if (Object.hasOwn(kind.parents, p.from) && have[p.from] !== undefined) params[p.from] = have[p.from]!;
    if (!best || Object.keys(params).length > Object.keys(best.params).length) best = { list, params };
  }
  if (!best) return undefined;
  const key = `static|${sourceKey(kind.kind, best.list, best.params, st.conn)}`;
  return {
    key,
    kind: kind.kind,
    list: best.list,
    params: best.params,
    view: 'member',
    discovery: false,
    ...(st.conn ? { conn: st.conn } : {}),
  };
}

export interface ListsInput {
  watch: Watch;
  known: ReadonlyMap<string, ResourceSnapshot>;
  now: number;
  /** When a List was last called completely (by key). */
  lastListedAt: (key: string) => number | undefined;
  /** Absent: every List on every sweep. */
  schedule?: ScheduleParams;
}

export interface SweepLists {
  due: PlannedList[];
  /** Lists left for a later sweep (slow Lists): their resources keep their state, not a failure. */
  skipped: PlannedList[];
  /** The static resources each static List stands for (its members). */
  members: Map<string, ResourceSnapshot[]>;
}

/**
 * The Lists of a sweep. Discovery Lists are called every sweep. A per-parent List (export jobs)
 * is called every sweep while its parent changed within terminalInterval, while one of its
 * resources is at work, or before it was ever called; otherwise once per terminalInterval. A
 * List of static resources is called every sweep while one of them is at work, else at
 * terminalInterval.
 */
export function sweepLists(input: ListsInput): SweepLists {
  const { watch, known, now, schedule: sched } = input;
  const due: PlannedList[] = [];
  const skipped: PlannedList[] = [];
  const slowOk = (key: string, busy: boolean): boolean => {
    const at = input.lastListedAt(key);
    return busy || at === undefined || sched === undefined || isDue(at + sched.terminalIntervalMs, now, sched.activeIntervalMs);
  };
  const working = new Set<string>();
  for (const s of known.values()) {
    if (atRest(s.status)) continue;
    for (const v of Object.values(s.parents)) working.add(`${s.kind}|${v}`);
  }
  for (const src of watch.sources) {
    const { perParent, ...base } = src;
    if (!perParent) {
      due.push({ ...base, discovery: true });
      continue;
    }
    for (const [arn, parent] of parentsOf(src, known)) {
      const child: PlannedList = { ...base, key: `${src.key}|${arn}`, params: { ...src.params, [perParent.key]: arn }, discovery: true };
      const busy = (sched !== undefined && now - parent.updateTime < sched.terminalIntervalMs) || working.has(`${src.kind}|${arn}`);
      (slowOk(child.key, busy) ? due : skipped).push(child);
    }
  }
  const parentArns = parentIndex(known);
  const members = new Map<string, ResourceSnapshot[]>();
  const lists = new Map<string, PlannedList>();
  for (const st of watch.statics.values()) {
    const s = known.get(st.id);
    if (!s || coveringSource(s, watch.sources, parentArns)) continue;
    const list = staticList(s, st);
    if (!list) continue;
    lists.set(list.key, list);
    const ms = members.get(list.key);
    if (ms) ms.push(s);
    else members.set(list.key, [s]);
  }
  for (const [key, list] of lists) {
    const at = input.lastListedAt(key);
    const dueAt = sched ? scopeDueAt(members.get(key)!, at, sched) : 0;
    (sched === undefined || isDue(dueAt, now, sched.activeIntervalMs) ? due : skipped).push(list);
  }
  return { due, skipped, members };
}

export interface SweepPlan {
  /** Resources to Get now, in priority order (changed first, then unlisted, then first sight). */
  get: ResourceRef[];
  /** Resources to Get after the main results are committed: backfill of summary-only ones, then tag refreshes. */
  backfill: ResourceRef[];
  /** How many of `backfill` are there only to read their tags again (tag-refresh.ts). */
  tagRefreshes: number;
  /** Known discovered resources past their retention: forgotten, series removed, no notification. */
  retired: string[];
  /** Resources left alone this sweep because they are backing off or not due. */
  notDue: string[];
  /** Listed snapshots taken as they are (kinds without a Get; first sight beyond the Get budget). */
  adopt: ResourceSnapshot[];
  /** Listed snapshots by id, to fall back on when a Get is refused for good (e.g. AccessDenied). */
  listed: Map<string, ResourceSnapshot>;
  /** Watched resources of a failed or not-due List: left untouched this sweep. */
  deferred: string[];
  /** Known resources no longer watched (config changed): forgotten, series removed, no notification. */
  unwatched: string[];
  /** Known resources of kinds without a Get absent from their complete listing: gone. */
  gone: string[];
}

export interface PlanInput {
  watch: Watch;
  known: ReadonlyMap<string, ResourceSnapshot>;
  results: readonly ListResult[];
  /** Gets allowed this sweep for first sight and backfill (changed resources are never limited). */
  detailBudget: number;
  /** Sweep start (epoch ms); needed for retention. */
  now?: number;
  /** Retire discovered resources at rest not updated for this long (0 or absent: never). */
  retentionMs?: number;
  /** Whether a known resource may be called now (backoff, slow interval); absent: always. */
  isDue?: (id: string) => boolean;
  /** tags.refreshInterval (ms): own tags read again this long after they were (tag-refresh.ts); 0 or absent: never on their own. */
  tagsRefreshMs?: number;
}

const hasGet = (s: Pick<ResourceSnapshot, 'kind' | 'view'>): boolean => KINDS[s.kind].get[s.view] !== undefined;

function refOf(s: ResourceSnapshot, conn: ConnSpec | undefined): ResourceRef {
  return {
    id: s.id,
    kind: s.kind,
    view: s.view,
    ...(s.arn !== undefined ? { arn: s.arn } : {}),
    ...(s.versionIdentifier !== undefined ? { versionIdentifier: s.versionIdentifier } : {}),
    parents: s.parents,
    ...(conn ? { conn } : {}),
  };
}

export function planSweep(input: PlanInput): SweepPlan {
  const { watch, known, results } = input;
  const owns = watch.owns ?? (() => true);
  const due = input.isDue ?? (() => true);
  const now = input.now ?? 0;
  const retentionMs = input.retentionMs ?? 0;
  const parentArns = parentIndex(known);
  const listed = new Map<string, ResourceSnapshot>();
  const listedConn = new Map<string, ConnSpec | undefined>();
  const retiredListed = new Set<string>();
  const refused = new Set<string>();
  const waiting: PlannedList[] = [];
  const complete: PlannedList[] = [];
  for (const r of results) {
    if (r.items === undefined) {
      waiting.push(r.list);
      continue;
    }
    complete.push(r.list);
    for (const id of r.refused?.ids ?? []) refused.add(id);
    if (r.refused?.unidentified) waiting.push(r.list);
    for (const s of r.items) {
      if (!owns(s.id) || !inRegion(s, r.list.region)) continue;
      const isStatic = watch.statics.has(s.id);
      // A static List also returns its statics' neighbours: only the statics are watched from it.
      if (!r.list.discovery && !isStatic) continue;
      // Static resources stay while configured (the operator named them); discovered ones retire.
      if (!isStatic && isRetired(s, now, retentionMs)) retiredListed.add(s.id);
      else {
        listed.set(s.id, s);
        listedConn.set(s.id, watch.statics.get(s.id)?.conn ?? r.list.conn);
      }
    }
  }
  const connOf = (s: ResourceSnapshot): ConnSpec | undefined =>
    watch.statics.has(s.id) ? watch.statics.get(s.id)!.conn : coveringSource(s, watch.sources, parentArns)?.conn;

  const changed: ResourceRef[] = [];
  const unlisted: ResourceRef[] = [];
  const firstSight: ResourceSnapshot[] = [];
  const backfillCandidates: ResourceRef[] = [];
  const adopt: ResourceSnapshot[] = [];
  const deferred: string[] = [];
  const unwatched: string[] = [];
  const retired: string[] = [];
  const notDue: string[] = [];
  const gone: string[] = [];

  for (const [id, s] of listed) {
    const prev = known.get(id);
    if (!prev) firstSight.push(s);
    else if (s.updateTime !== prev.updateTime || s.status !== prev.status) {
      if (!hasGet(s)) adopt.push(s);
      else if (due(id)) changed.push(refOf(s, listedConn.get(id)));
      else notDue.push(id);
    } else if (prev.detail === 'summary' && hasGet(s)) {
      if (due(id)) backfillCandidates.push(refOf(s, listedConn.get(id)));
      else notDue.push(id);
    }
  }
  for (const [id, prev] of known) {
    if (listed.has(id)) continue;
    if (retiredListed.has(id)) {
      retired.push(id);
    } else if (!isWatched(prev, watch, parentArns)) {
      unwatched.push(id);
    } else if (refused.has(id)) {
      // Listed, but its item could not be read: its last state stands (neither gone nor asked again).
      deferred.push(id);
    } else if (waiting.some((l) => listCovers(l, prev) && (l.discovery || watch.statics.has(id)))) {
      // A List of statics stands for its statics only: a discovered resource absent from its own
      // complete List is asked directly even when a failed List of statics would also return it.
      deferred.push(id);
    } else if (!watch.statics.has(id) && isRetired(prev, now, retentionMs)) {
      // Absent from its complete listing and past retention: nothing left worth a Get.
      retired.push(id);
    } else if (!hasGet(prev)) {
      // Absent from a complete listing: without a Get to ask, it is gone.
      if (complete.some((l) => listCovers(l, prev))) gone.push(id);
    } else if (!due(id)) {
      notDue.push(id);
    } else {
      // Absent from a complete listing, or a static resource no List covers: ask directly.
      unlisted.push(refOf(prev, connOf(prev)));
    }
  }
  for (const [id, st] of watch.statics) {
    // Another replica's static resource (the spec holds this replica's share; a plan never
    // reads what it would forget as unwatched once known).
    if (known.has(id) || listed.has(id) || !owns(id)) continue;
    if (!due(id)) {
      notDue.push(id);
      continue;
    }
    unlisted.push({
      id,
      kind: st.kind,
      view: 'member',
      arn: st.arn,
      ...(st.versionIdentifier !== undefined ? { versionIdentifier: st.versionIdentifier } : {}),
      parents: { ...st.params },
      ...(st.conn ? { conn: st.conn } : {}),
    });
  }

  // New resources at work are read in full now (within the budget); those first seen at rest
  // are adopted from their List item at once (the sweep stays short and the monitor ready) and
  // read in detail by the backfill, after the main commit. Kinds without a Get: the item is all.
  const resting = (s: ResourceSnapshot) => atRest(s.status);
  firstSight.sort((a, b) => Number(resting(a)) - Number(resting(b)));
  let budget = Math.max(0, input.detailBudget);
  const get = [...changed, ...unlisted];
  const backfill: ResourceRef[] = [];
  for (const s of firstSight) {
    if (!hasGet(s)) {
      adopt.push(s);
    } else if (needsTagsFirst(s, watch)) {
      // Whether it is watched depends on its tags, which only its Get carries: read before kept.
      // Beyond the budget it is left for a later sweep, unknown (first seen then).
      if (budget > 0) {
        get.push(refOf(s, listedConn.get(s.id)));
        budget--;
      }
    } else if (!resting(s) && budget > 0) {
      get.push(refOf(s, listedConn.get(s.id)));
      budget--;
    } else {
      adopt.push(s);
      if (budget > 0) {
        backfill.push(refOf(s, listedConn.get(s.id)));
        budget--;
      }
    }
  }
  for (const ref of backfillCandidates) {
    if (budget <= 0) break;
    backfill.push(ref);
    budget--;
  }
  // Tags read again (tag-refresh.ts), most overdue first, with what the budget leaves: a resource
  // this plan reads or leaves alone for another reason is not refreshed on top.
  let tagRefreshes = 0;
  const interval = input.tagsRefreshMs ?? 0;
  if (interval > 0 && budget > 0) {
    const planned = new Set<string>([...get, ...backfill, ...backfillCandidates].map((r) => r.id));
    for (const ids of [notDue, deferred, unwatched, retired, gone]) for (const id of ids) planned.add(id);
    const refresh: Array<{ at: number; s: ResourceSnapshot }> = [];
    for (const [id, s] of known) {
      // A resource in backoff (its Gets fail) waits for it: the refresh never hammers a failing Get.
      if (planned.has(id) || !owns(id) || !hasGet(s) || !due(id)) continue;
      const at = tagsRefreshAt(s, interval, now);
      if (at !== undefined && at <= now) refresh.push({ at, s });
    }
    refresh.sort((a, b) => a.at - b.at);
    for (const { s } of refresh.slice(0, budget)) {
      backfill.push(refOf(s, connOf(s)));
      tagRefreshes++;
    }
  }
  return { get, backfill, tagRefreshes, retired, notDue, adopt, listed, deferred, unwatched, gone };
}
