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
import { inRegion, listCovers, type ResourceFacts } from './cover.js';
import { isDue, isRetired, scopeDueAt, type ScheduleParams } from './due.js';
import { mineOf } from './owner.js';
import { atOrAfter, sameTime } from './precision.js';
import type { Shard } from './shard.js';
import { sourceKey, type Source, type StaticResource } from './spec.js';
import { tagsRefreshAt } from './tag-refresh.js';
import { needsTagsFirst } from './tag-scope.js';

/** A List of one sweep: a discovery source, one per-parent List of it, or the List covering static resources. */
export interface PlannedList extends Omit<Source, 'perParent'> {
  /** True for discovery Lists (every resource listed is watched); false for the Lists of statics. */
  discovery: boolean;
  /** The parent a per-parent List is called for. */
  parentArn?: string;
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
  /**
   * The precision (ms) of this List's updateTime values (1000 when it carries whole seconds):
   * compared with a stored snapshot at the coarser of the two (src/poll/precision.ts). Absent: 1.
   */
  precisionMs?: number;
}

/** The watching rules of the current config. */
export interface Watch {
  /** Every discovery List, with the shard of each top-level one when sharded. */
  sources: readonly Source[];
  /** The static resources this replica reads until their facts show a discovery List covers them. */
  statics: ReadonlyMap<string, StaticResource>;
  /** Every static id of the config, any shard's (absent: the keys of `statics`). */
  staticIds?: ReadonlySet<string>;
  /** This replica's shard (absent: every resource). */
  shard?: Shard;
}

/** The ownership rules of a Watch (src/poll/owner.ts). */
const rulesOf = (w: Watch) => ({ sources: w.sources, staticIds: w.staticIds ?? new Set(w.statics.keys()), shard: w.shard });

/** Is this top-level discovery List called by this replica? */
const callsSource = (w: Watch, src: Source): boolean => w.shard === undefined || w.shard.total <= 1 || (src.shard ?? 0) === w.shard.index;

/**
 * The known parents a per-parent source is called for, by ARN (one snapshot each): those this
 * replica watches (`mine`; absent: all).
 */
export function parentsOf(
  source: Source,
  known: ReadonlyMap<string, ResourceSnapshot>,
  mine: (s: ResourceFacts) => boolean = () => true,
): Map<string, ResourceSnapshot> {
  const out = new Map<string, ResourceSnapshot>();
  const pp = source.perParent;
  if (!pp) return out;
  for (const s of known.values()) {
    // A parent outside the tag filters is not watched: its children are not listed either.
    if (s.kind !== pp.kind || s.arn === undefined || s.tagFiltered === true || !mine(s)) continue;
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

/** Memoised parent ARNs of per-parent sources (parents this replica watches), for one sweep's known state. */
export function parentIndex(
  known: ReadonlyMap<string, ResourceSnapshot>,
  mine: (s: ResourceFacts) => boolean = () => true,
): (src: Source) => ReadonlySet<string> {
  const memo = new Map<string, Set<string>>();
  return (src) => {
    let set = memo.get(src.key);
    if (!set) memo.set(src.key, (set = new Set(parentsOf(src, known, mine).keys())));
    return set;
  };
}

/**
 * Is this known resource still watched here under the current config: named in `jobs:` or
 * covered by a discovery List, and this replica's (`mine`; absent: from the Watch alone).
 */
export function isWatched(
  s: ResourceSnapshot,
  w: Watch,
  parentArns: (src: Source) => ReadonlySet<string>,
  mine: (s: ResourceFacts) => boolean = mineOf(rulesOf(w), new Map([[s.id, s]])),
): boolean {
  if (!mine(s)) return false;
  return (w.staticIds ?? w.statics).has(s.id) || coveringSource(s, w.sources, parentArns) !== undefined;
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
  const mine = mineOf(rulesOf(watch), known);
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
      // With shards, each top-level List is called by its own shard only.
      if (callsSource(watch, src)) due.push({ ...base, discovery: true });
      continue;
    }
    // A per-parent List goes with its parent: called here for the parents this replica watches.
    for (const [arn, parent] of parentsOf(src, known, mine)) {
      const child: PlannedList = {
        ...base,
        key: `${src.key}|${arn}`,
        params: { ...src.params, [perParent.key]: arn },
        discovery: true,
        parentArn: arn,
      };
      const busy = (sched !== undefined && now - parent.updateTime < sched.terminalIntervalMs) || working.has(`${src.kind}|${arn}`);
      (slowOk(child.key, busy) ? due : skipped).push(child);
    }
  }
  const parentArns = parentIndex(known, mine);
  const members = new Map<string, ResourceSnapshot[]>();
  const lists = new Map<string, PlannedList>();
  for (const st of watch.statics.values()) {
    const s = known.get(st.id);
    if (!s || !mine(s) || coveringSource(s, watch.sources, parentArns)) continue;
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
  /**
   * Facts of static resources this replica read once and found covered by a discovery List
   * (another shard's, then): not read again while that shard watches them.
   */
  seenStatics?: ReadonlyMap<string, ResourceFacts>;
  /**
   * While this replica takes over resources after the shard layout changed: a first sight updated
   * at or after this instant may be a change their previous shard did not see, so it is read in
   * full now, like a change (src/poll/handover.ts). Absent: no handover.
   */
  handoverFrom?: number;
  /**
   * Decide only what these results show (a second round of Lists within one sweep): a known
   * resource or a static one absent from them is left as it is.
   */
  partial?: boolean;
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

/** What the complete Lists of a sweep showed, for this replica. */
interface Listing {
  listed: Map<string, ResourceSnapshot>;
  /** The identity each listed resource is read with. */
  conn: Map<string, ConnSpec | undefined>;
  /** The precision of each listed resource's updateTime. */
  precision: Map<string, number>;
  /** Discovered resources listed past their retention. */
  retired: Set<string>;
  /** Ids named by items that could not be read. */
  refused: Set<string>;
  /** Lists that failed, were not due, or hold an item naming no resource: absence from them proves nothing. */
  waiting: PlannedList[];
  complete: PlannedList[];
}

/** The plan's running lists, filled by its steps in priority order. */
interface Planning {
  changed: ResourceRef[];
  handover: ResourceRef[];
  unlisted: ResourceRef[];
  firstSight: ResourceSnapshot[];
  backfillCandidates: ResourceRef[];
  adopt: ResourceSnapshot[];
  deferred: string[];
  unwatched: string[];
  retired: string[];
  notDue: string[];
  gone: string[];
}

/** The rules every step of one plan reads. */
interface PlanContext {
  input: PlanInput;
  mine: (s: ResourceFacts) => boolean;
  staticIds: ReadonlySet<string>;
  due: (id: string) => boolean;
  now: number;
  retentionMs: number;
  parentArns: (src: Source) => ReadonlySet<string>;
}

function readListings(ctx: PlanContext): Listing {
  const { watch } = ctx.input;
  const l: Listing = {
    listed: new Map(),
    conn: new Map(),
    precision: new Map(),
    retired: new Set(),
    refused: new Set(),
    waiting: [],
    complete: [],
  };
  for (const r of ctx.input.results) {
    if (r.items === undefined) {
      l.waiting.push(r.list);
      continue;
    }
    l.complete.push(r.list);
    for (const id of r.refused?.ids ?? []) l.refused.add(id);
    if (r.refused?.unidentified) l.waiting.push(r.list);
    for (const s of r.items) {
      if (!inRegion(s, r.list.region) || !ctx.mine(s)) continue;
      const isStatic = ctx.staticIds.has(s.id);
      // A static List also returns its statics' neighbours: only the statics are watched from it.
      if (!r.list.discovery && !isStatic) continue;
      // Static resources stay while configured (the operator named them); discovered ones retire.
      if (!isStatic && isRetired(s, ctx.now, ctx.retentionMs)) l.retired.add(s.id);
      else {
        l.listed.set(s.id, s);
        l.conn.set(s.id, watch.statics.get(s.id)?.conn ?? r.list.conn);
        l.precision.set(s.id, r.precisionMs ?? 1);
      }
    }
  }
  return l;
}

/** Each listed resource: first sight, a change to read, a summary to backfill, or nothing to do. */
function planListed(ctx: PlanContext, l: Listing, p: Planning): void {
  const { known, handoverFrom } = ctx.input;
  for (const [id, s] of l.listed) {
    const prev = known.get(id);
    const precision = l.precision.get(id) ?? 1;
    if (!prev) {
      // Taken over from another shard and updated since it may last have been seen there: read
      // in full now, so its notification carries what a Get says (the same id as the previous
      // shard's, src/notify/event-id.ts, should that shard have seen it too).
      if (handoverFrom !== undefined && hasGet(s) && atOrAfter(s.updateTime, handoverFrom, precision))
        p.handover.push(refOf(s, l.conn.get(id)));
      else p.firstSight.push(s);
    } else if (!sameTime(s.updateTime, prev.updateTime, precision) || s.status !== prev.status) {
      if (!hasGet(s)) p.adopt.push(s);
      else if (ctx.due(id)) p.changed.push(refOf(s, l.conn.get(id)));
      else p.notDue.push(id);
    } else if (prev.detail === 'summary' && hasGet(s)) {
      if (ctx.due(id)) p.backfillCandidates.push(refOf(s, l.conn.get(id)));
      else p.notDue.push(id);
    }
  }
}

/** The identity that reads a known resource: its static entry's, or that of the List covering it. */
function connOfKnown(ctx: PlanContext, s: ResourceSnapshot): ConnSpec | undefined {
  const { watch } = ctx.input;
  return watch.statics.has(s.id) ? watch.statics.get(s.id)!.conn : coveringSource(s, watch.sources, ctx.parentArns)?.conn;
}

/** Each known resource its Lists did not show: retired, unwatched, left as it is, gone, or asked directly. */
function planAbsent(ctx: PlanContext, l: Listing, p: Planning): void {
  const { watch, known } = ctx.input;
  const connOf = (s: ResourceSnapshot): ConnSpec | undefined => connOfKnown(ctx, s);
  for (const [id, prev] of known) {
    if (l.listed.has(id)) continue;
    if (l.retired.has(id)) {
      p.retired.push(id);
    } else if (!isWatched(prev, watch, ctx.parentArns, ctx.mine)) {
      // No longer watched here (the config changed, or another shard watches it now): forgotten
      // without a notification; what was already enqueued about it is still delivered.
      p.unwatched.push(id);
    } else if (l.refused.has(id)) {
      // Listed, but its item could not be read: its last state stands (neither gone nor asked again).
      p.deferred.push(id);
    } else if (l.waiting.some((w) => listCovers(w, prev) && (w.discovery || watch.statics.has(id)))) {
      // A List of statics stands for its statics only: a discovered resource absent from its own
      // complete List is asked directly even when a failed List of statics would also return it.
      p.deferred.push(id);
    } else if (!ctx.staticIds.has(id) && isRetired(prev, ctx.now, ctx.retentionMs)) {
      // Absent from its complete listing and past retention: nothing left worth a Get.
      p.retired.push(id);
    } else if (!hasGet(prev)) {
      // Absent from a complete listing: without a Get to ask, it is gone.
      if (l.complete.some((c) => listCovers(c, prev))) p.gone.push(id);
    } else if (!ctx.due(id)) {
      p.notDue.push(id);
    } else {
      // Absent from a complete listing, or a static resource no List covers: ask directly.
      p.unlisted.push(refOf(prev, connOf(prev)));
    }
  }
}

/** Static resources neither known nor listed: read directly, unless another shard watches them. */
function planUnseenStatics(ctx: PlanContext, l: Listing, p: Planning): void {
  const { watch, known, seenStatics } = ctx.input;
  for (const [id, st] of watch.statics) {
    if (known.has(id) || l.listed.has(id)) continue;
    // Read once and found in another shard's discovery List: that shard watches it.
    const seen = seenStatics?.get(id);
    if (seen !== undefined && !ctx.mine(seen)) continue;
    if (!ctx.due(id)) {
      p.notDue.push(id);
      continue;
    }
    p.unlisted.push({
      id,
      kind: st.kind,
      view: 'member',
      arn: st.arn,
      ...(st.versionIdentifier !== undefined ? { versionIdentifier: st.versionIdentifier } : {}),
      parents: { ...st.params },
      ...(st.conn ? { conn: st.conn } : {}),
    });
  }
}

/**
 * The detail budget spent on first sights, then on backfill. New resources at work are read in
 * full now (within the budget); those first seen at rest are adopted from their List item at once
 * (the sweep stays short and the monitor ready) and read in detail by the backfill, after the
 * main commit. Kinds without a Get: the item is all.
 */
function spendBudget(ctx: PlanContext, l: Listing, p: Planning): { get: ResourceRef[]; backfill: ResourceRef[]; budget: number } {
  const resting = (s: ResourceSnapshot) => atRest(s.status);
  const firstSight = [...p.firstSight].sort((a, b) => Number(resting(a)) - Number(resting(b)));
  let budget = Math.max(0, ctx.input.detailBudget);
  const get = [...p.changed, ...p.handover, ...p.unlisted];
  const backfill: ResourceRef[] = [];
  for (const s of firstSight) {
    if (!hasGet(s)) {
      p.adopt.push(s);
    } else if (needsTagsFirst(s, ctx.input.watch)) {
      // Whether it is watched depends on its tags, which only its Get carries: read before kept.
      // Beyond the budget it is left for a later sweep, unknown (first seen then).
      if (budget > 0) {
        get.push(refOf(s, l.conn.get(s.id)));
        budget--;
      }
    } else if (!resting(s) && budget > 0) {
      get.push(refOf(s, l.conn.get(s.id)));
      budget--;
    } else {
      p.adopt.push(s);
      if (budget > 0) {
        backfill.push(refOf(s, l.conn.get(s.id)));
        budget--;
      }
    }
  }
  for (const ref of p.backfillCandidates) {
    if (budget <= 0) break;
    backfill.push(ref);
    budget--;
  }
  return { get, backfill, budget };
}

/**
 * Tags read again (tag-refresh.ts), most overdue first, with what the budget leaves: a resource
 * this plan reads or leaves alone for another reason is not refreshed on top. Appended to
 * `backfill`; returns how many.
 */
function planTagRefreshes(ctx: PlanContext, p: Planning, get: readonly ResourceRef[], backfill: ResourceRef[], budget: number): number {
  const interval = ctx.input.tagsRefreshMs ?? 0;
  if (interval <= 0 || budget <= 0) return 0;
  const planned = new Set<string>([...get, ...backfill, ...p.backfillCandidates].map((r) => r.id));
  for (const ids of [p.notDue, p.deferred, p.unwatched, p.retired, p.gone]) for (const id of ids) planned.add(id);
  const refresh: Array<{ at: number; s: ResourceSnapshot }> = [];
  for (const [id, s] of ctx.input.known) {
    // A resource in backoff (its Gets fail) waits for it: the refresh never hammers a failing Get.
    if (planned.has(id) || !ctx.mine(s) || !hasGet(s) || !ctx.due(id)) continue;
    const at = tagsRefreshAt(s, interval, ctx.now);
    if (at !== undefined && at <= ctx.now) refresh.push({ at, s });
  }
  refresh.sort((a, b) => a.at - b.at);
  const taken = refresh.slice(0, budget);
  for (const { s } of taken) backfill.push(refOf(s, connOfKnown(ctx, s)));
  return taken.length;
}

export function planSweep(input: PlanInput): SweepPlan {
  const mine = mineOf(rulesOf(input.watch), input.known);
  const ctx: PlanContext = {
    input,
    mine,
    staticIds: input.watch.staticIds ?? new Set(input.watch.statics.keys()),
    due: input.isDue ?? (() => true),
    now: input.now ?? 0,
    retentionMs: input.retentionMs ?? 0,
    parentArns: parentIndex(input.known, mine),
  };
  const listing = readListings(ctx);
  const p: Planning = {
    changed: [],
    handover: [],
    unlisted: [],
    firstSight: [],
    backfillCandidates: [],
    adopt: [],
    deferred: [],
    unwatched: [],
    retired: [],
    notDue: [],
    gone: [],
  };
  planListed(ctx, listing, p);
  if (!input.partial) {
    planAbsent(ctx, listing, p);
    planUnseenStatics(ctx, listing, p);
  }
  const { get, backfill, budget } = spendBudget(ctx, listing, p);
  const tagRefreshes = planTagRefreshes(ctx, p, get, backfill, budget);
  const { retired, notDue, adopt, deferred, unwatched, gone } = p;
  return { get, backfill, tagRefreshes, retired, notDue, adopt, listed: listing.listed, deferred, unwatched, gone };
}
