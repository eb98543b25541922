// What the admin API (`GET /api/resources`, `GET /api/resources/{id}`) and the status page show
// about one watched resource: the ResourceView, the one contract both are built on. Pure: built
// from the stored snapshot, the poller's runtime facts about it and `extras` that other parts of
// the monitor fill (tags, the last transition, the history and the usual duration of each phase),
// with `now` given. Times are ISO-8601 strings in UTC; inputs are epoch ms, as in the snapshots.
// Every optional member is absent, never null, when unknown.
import { KIND_NAMES, statusClass, type KindName, type StatusClass } from '../kinds/index.js';
import { phaseJson, sinceOf, type HistoryEntryView, type HistoryPhase } from '../kinds/history.js';
import type { ResourceSnapshot } from '../kinds/resource.js';
import type { ResourceRuntime } from '../poll/tracker.js';
import { resultsOf } from './views.js';

/** One watched resource, as the admin API returns it and the status page shows it. */
export interface ResourceView {
  kind: KindName;
  /** The ARN, or the stable identity of kinds without one; `/api/resources/{id}` takes it URL-encoded. */
  id: string;
  arn?: string;
  /** Trained models: the version this row describes (absent for the base version). */
  versionIdentifier?: string;
  name: string;
  /** As AWS returned it; a value this release does not list is kept and classified by its shape. */
  status: string;
  statusClass: StatusClass;
  /** When the current status began: AWS `updateTime` of the first snapshot seen in it. */
  since: string;
  /** Seconds from `since` to the time of the answer (0 when AWS's clock is ahead of ours). */
  inStatusSeconds: number;
  updateTime: string;
  createTime: string;
  /** `static`: named in the config; `discovery`: found through a List. */
  source: 'static' | 'discovery';
  /** `full` once read with its Get; `summary` while only its List item is known. */
  detail: 'full' | 'summary';
  lastCheckedAt?: string;
  lastCheckedVia?: 'list' | 'get';
  /** Failed reads in a row (0 when the last read worked). */
  consecutiveFailures: number;
  /** When the monitor reads it next (the later of its due time and the next sweep). */
  nextCheckAt?: string;
  /** The monitor's last failed read of it (not the resource's own failure: see `failure`). */
  lastError?: { outcome: string; message: string; at: string };
  /** AWS `statusDetails` (in practice: why a create, delete or cancel failed). */
  failure?: { statusCode?: string; message?: string };
  /** The kind's results by key: a single sample as its number, a list of samples as is. */
  results?: Record<string, unknown>;
  /** The resource's AWS tags: its own, or those it inherits from its parent (`tagsFrom`, that resource's id). */
  tags?: Record<string, string>;
  tagsFrom?: string;
  /** The last status change the monitor saw: `at` by AWS `updateTime`, `seenAt` when the monitor read it. */
  lastTransition?: { from: string; to: string; at: string; seenAt?: string };
  /** Present while the resource has been in its under-way status for longer than its kind usually takes. */
  slowerThanUsual?: { usualP50Seconds: number; usualP90Seconds: number; samples: number };
  /** `GET /api/resources/{id}` only: every status the monitor knows it was in, oldest first, the current one last. */
  history?: HistoryEntryView[];
}

export type { HistoryEntryView };

/** A resource named in the config (or checked) that the monitor has not read yet: a 404, a denied Get, the first sweep. */
export interface UnseenResourceView {
  kind?: string;
  id: string;
  source: 'static' | 'discovery';
  lastCheckedAt?: string;
  consecutiveFailures: number;
  nextCheckAt?: string;
  lastError?: { outcome: string; message: string; at: string };
}

/** What other parts of the monitor know about a resource beyond its snapshot (epoch ms). */
export interface ViewExtras {
  /** Overrides the snapshot's tags. */
  tags?: Readonly<Record<string, string>>;
  lastTransition?: { from: string; to: string; at: number; seenAt?: number };
  slowerThanUsual?: { usualP50Seconds: number; usualP90Seconds: number; samples: number };
  /** Oldest first, with durations (src/kinds/history.ts phasesOf). Absent: the history is derived from the snapshot (its current status only). */
  history?: readonly HistoryPhase[];
}

/** The poller's facts about one resource. */
export interface CheckFacts {
  runtime: ResourceRuntime | undefined;
  source: 'static' | 'discovery';
  /** When the scheduler ticks next: a resource is read by the first sweep at or after its due time. */
  nextSweepAt?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function checkView(c: CheckFacts) {
  const rt = c.runtime;
  const next = c.nextSweepAt === undefined && !rt?.dueAt ? undefined : Math.max(c.nextSweepAt ?? 0, rt?.dueAt ?? 0);
  return {
    ...(rt?.lastCheckedAt !== undefined ? { lastCheckedAt: iso(rt.lastCheckedAt) } : {}),
    ...(rt?.lastCheckedVia ? { lastCheckedVia: rt.lastCheckedVia } : {}),
    consecutiveFailures: rt?.consecutiveFailures ?? 0,
    ...(next !== undefined ? { nextCheckAt: iso(next) } : {}),
    ...(rt?.lastError ? { lastError: { outcome: rt.lastError.outcome, message: rt.lastError.message, at: iso(rt.lastError.at) } } : {}),
  };
}

function failureOf(s: ResourceSnapshot): ResourceView['failure'] {
  const d = s.statusDetails;
  if (d === undefined || (d.statusCode === undefined && d.message === undefined)) return undefined;
  return {
    ...(d.statusCode !== undefined ? { statusCode: d.statusCode } : {}),
    ...(d.message !== undefined ? { message: d.message } : {}),
  };
}

/** The view of one stored resource, without its history (the list's rows). */
export function resourceView(s: ResourceSnapshot, check: CheckFacts, extras: ViewExtras, now: number): ResourceView {
  const since = sinceOf(s);
  const failure = failureOf(s);
  const results = resultsOf(s);
  const t = extras.lastTransition;
  const tags = extras.tags ?? s.tags;
  return {
    kind: s.kind,
    id: s.id,
    ...(s.arn !== undefined ? { arn: s.arn } : {}),
    ...(s.versionIdentifier !== undefined ? { versionIdentifier: s.versionIdentifier } : {}),
    name: s.name,
    status: s.status,
    statusClass: statusClass(s.status),
    since: iso(since),
    inStatusSeconds: Math.max(0, Math.floor((now - since) / 1000)),
    updateTime: iso(s.updateTime),
    createTime: iso(s.createTime),
    source: check.source,
    detail: s.detail,
    ...checkView(check),
    ...(failure ? { failure } : {}),
    ...(results ? { results } : {}),
    ...(tags && Object.keys(tags).length > 0 ? { tags: { ...tags }, ...(s.tagsFrom !== undefined ? { tagsFrom: s.tagsFrom } : {}) } : {}),
    ...(t
      ? { lastTransition: { from: t.from, to: t.to, at: iso(t.at), ...(t.seenAt !== undefined ? { seenAt: iso(t.seenAt) } : {}) } }
      : {}),
    ...(extras.slowerThanUsual ? { slowerThanUsual: { ...extras.slowerThanUsual } } : {}),
  };
}

/**
 * The history as far as the snapshot tells: the current status since it began, seen when the last
 * transition into it was seen (when the monitor saw that transition).
 */
function currentEntry(s: ResourceSnapshot, extras: ViewExtras): HistoryPhase {
  const since = sinceOf(s);
  const t = extras.lastTransition;
  const d = s.statusDetails;
  return {
    status: s.status,
    startedAt: since,
    ...(t && t.to === s.status && t.seenAt !== undefined ? { seenAt: t.seenAt } : {}),
    ...(d?.statusCode !== undefined ? { statusCode: d.statusCode } : {}),
    ...(d?.message !== undefined ? { message: d.message } : {}),
  };
}

/**
 * The view of one resource with its history, oldest first. The history ends with the current
 * status: a recorded history that does not (recorded before the last read) gets it appended.
 */
export function resourceDetailView(s: ResourceSnapshot, check: CheckFacts, extras: ViewExtras, now: number): ResourceView {
  const recorded = extras.history ?? [];
  const last = recorded[recorded.length - 1];
  const current = last !== undefined && last.status === s.status && last.startedAt === sinceOf(s);
  const history = current ? recorded : [...recorded, currentEntry(s, extras)];
  return { ...resourceView(s, check, extras, now), history: history.map(phaseJson) };
}

/** Inputs of the list: the store, the poller's facts, the extras of each resource. */
export interface ResourceListInput {
  resources: ReadonlyMap<string, ResourceSnapshot>;
  runtime(id: string): ResourceRuntime | undefined;
  /** Ids the poller has facts about (a configured resource never read is among them). */
  runtimeIds(): Iterable<string>;
  /** Resources named in the config, by id. */
  statics: ReadonlyMap<string, { kind: string }>;
  extras(s: ResourceSnapshot): ViewExtras;
  nextSweepAt?: number;
  now: number;
}

export interface ResourceList {
  /** Sorted by kind (in the order of the kind declarations), then name, then id: a row keeps its place as its status changes. */
  resources: ResourceView[];
  /** Sorted by id. */
  unseen: UnseenResourceView[];
}

const KIND_ORDER = new Map<string, number>(KIND_NAMES.map((k, i) => [k, i]));

/** Stable order of the rows: kind, name, id (code-point order: the same on every machine and locale). */
export function compareViews(a: ResourceView, b: ResourceView): number {
  const k = (KIND_ORDER.get(a.kind) ?? 99) - (KIND_ORDER.get(b.kind) ?? 99);
  if (k !== 0) return k;
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Every watched resource (without history), and every configured or checked one never read. */
export function resourceList(input: ResourceListInput): ResourceList {
  const resources: ResourceView[] = [];
  for (const s of input.resources.values()) {
    // Outside the discovery tag filters: kept for its tags, not watched, so not shown.
    if (s.tagFiltered === true) continue;
    const check = {
      runtime: input.runtime(s.id),
      source: input.statics.has(s.id) ? 'static' : 'discovery',
      nextSweepAt: input.nextSweepAt,
    } as const;
    resources.push(resourceView(s, check, input.extras(s), input.now));
  }
  resources.sort(compareViews);
  const unseenIds = new Set<string>([...input.statics.keys(), ...input.runtimeIds()].filter((id) => !input.resources.has(id)));
  const unseen = [...unseenIds].sort().map((id): UnseenResourceView => {
    const kind = input.statics.get(id)?.kind;
    return {
      ...(kind !== undefined ? { kind } : {}),
      id,
      source: input.statics.has(id) ? 'static' : 'discovery',
      ...checkView({
        runtime: input.runtime(id),
        source: 'static',
        ...(input.nextSweepAt !== undefined ? { nextSweepAt: input.nextSweepAt } : {}),
      }),
    };
  });
  return { resources, unseen };
}
