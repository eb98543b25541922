// The simulator's one store: the resources of every kind, kept sorted by id per kind, so List
// pages are cut after an id and stay stable while resources come and go between pages. Each
// resource is also indexed under its ARN and each parent it names (the members its declaration
// lists), so a Get, or a List filtered by a parent (the jobs of one collaboration, the export
// jobs of one job), costs O(log N + page) even in a fleet of 10,000. A resource holds its wire
// members and a list of steps (status from a time on), read lazily from the clock; an operation
// renders exactly the members its output declares, in model order.
import { KINDS } from '../../kinds/index.js';
import type { KindName, OperationDecl } from '../../kinds/kind.js';
import { formatIsoTimestamp } from '../../timestamps.js';

export interface SimStatusDetails {
  statusCode?: string;
  message?: string;
}

/** A status from a time on; also the resource's updateTime while it holds. */
export interface ResourceStep {
  t: number;
  status: string;
  statusDetails?: SimStatusDetails;
  /**
   * Members that change with the status, over those of the resource: results that land late
   * (an audience generation job's metrics), in force from this step on.
   */
  fields?: Record<string, unknown>;
}

export interface SimResource {
  kind: KindName;
  id: string;
  /** Every wire member except status, statusDetails, createTime and updateTime. */
  fields: Record<string, unknown>;
  createTime: number;
  /** Sorted by t, at least one. One for a resource set through the control API, several for a scenario timeline. */
  steps: ResourceStep[];
}

/** The step in force at `now`; undefined before the first (the resource does not exist yet). */
export function stepAt(r: SimResource, now: number): ResourceStep | undefined {
  const steps = r.steps;
  if (steps[steps.length - 1]!.t <= now) return steps[steps.length - 1];
  let found: ResourceStep | undefined;
  for (const s of steps) {
    if (s.t > now) break;
    found = s;
  }
  return found;
}

/** The output of `op` for `r` during `step`: its declared members, in model order, absent ones omitted. */
export function renderResource(r: SimResource, op: Pick<OperationDecl, 'members'>, step: ResourceStep): Record<string, unknown> {
  const w: Record<string, unknown> = {};
  for (const m of op.members) {
    let v: unknown;
    if (m === 'status') v = step.status;
    else if (m === 'statusDetails') v = step.statusDetails;
    else if (m === 'createTime') v = formatIsoTimestamp(r.createTime);
    else if (m === 'updateTime') v = formatIsoTimestamp(step.t);
    else v = step.fields?.[m] ?? r.fields[m];
    if (v !== undefined) w[m] = v;
  }
  return w;
}

function lowerBound(a: readonly string[], x: string): number {
  let lo = 0,
    hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(a: string[], x: string): void {
  const i = lowerBound(a, x);
  if (a[i] !== x) a.splice(i, 0, x);
}

function removeSorted(a: string[] | undefined, x: string): void {
  if (!a) return;
  const i = lowerBound(a, x);
  if (a[i] === x) a.splice(i, 1);
}

/** The members a kind's resources are indexed under: its ARN and its parents. */
const indexedMembers = new Map<KindName, readonly string[]>(
  Object.values(KINDS).map((k) => [
    k.kind,
    [...new Set([...(k.arn ? [k.arn.member] : []), ...Object.values(k.parents).map((p) => p.member)])],
  ]),
);

/** A member's value, in one List filter or index key. */
export type MemberFilter = readonly [member: string, value: string];

export class ResourceStore {
  private readonly byId = new Map<string, SimResource>();
  /** Ids per kind, sorted. */
  private readonly sorted = new Map<KindName, string[]>();
  /** Ids per (kind, member, value), sorted. */
  private readonly index = new Map<string, string[]>();

  private key(kind: KindName, member: string, value: string): string {
    return `${kind}\u0000${member}\u0000${value}`;
  }

  private indexKeys(r: SimResource): string[] {
    const out: string[] = [];
    for (const m of indexedMembers.get(r.kind) ?? []) {
      const v = r.fields[m];
      if (typeof v === 'string') out.push(this.key(r.kind, m, v));
    }
    return out;
  }

  get(id: string): SimResource | undefined {
    return this.byId.get(id);
  }

  put(r: SimResource): void {
    this.delete(r.id);
    this.byId.set(r.id, r);
    let ids = this.sorted.get(r.kind);
    if (!ids) this.sorted.set(r.kind, (ids = []));
    insertSorted(ids, r.id);
    for (const k of this.indexKeys(r)) {
      let a = this.index.get(k);
      if (!a) this.index.set(k, (a = []));
      insertSorted(a, r.id);
    }
  }

  delete(id: string): boolean {
    const old = this.byId.get(id);
    if (!old) return false;
    this.byId.delete(id);
    removeSorted(this.sorted.get(old.kind), id);
    for (const k of this.indexKeys(old)) {
      const a = this.index.get(k);
      removeSorted(a, id);
      if (a?.length === 0) this.index.delete(k);
    }
    return true;
  }

  clear(): void {
    this.byId.clear();
    this.sorted.clear();
    this.index.clear();
  }

  /** The resources of a kind in id order. */
  all(kind: KindName): SimResource[] {
    return (this.sorted.get(kind) ?? []).map((id) => this.byId.get(id)!);
  }

  /** The resources of a kind whose `member` (an indexed one: the ARN or a parent) is `value`, in id order. */
  where(kind: KindName, member: string, value: string): SimResource[] {
    return (this.index.get(this.key(kind, member, value)) ?? []).map((id) => this.byId.get(id)!);
  }

  /**
   * One page of `kind` after the id `after`: the resources whose `filters` members have those
   * values and that `keep` keeps; `more` when any match follows. An indexed filter narrows the
   * scan to its resources.
   */
  page(
    kind: KindName,
    filters: readonly MemberFilter[],
    keep: (r: SimResource) => boolean,
    after: string | undefined,
    limit: number,
  ): { items: SimResource[]; more: boolean } {
    let ids: readonly string[] = this.sorted.get(kind) ?? [];
    for (const [member, value] of filters) {
      if (!indexedMembers.get(kind)?.includes(member)) continue;
      const narrowed = this.index.get(this.key(kind, member, value)) ?? [];
      if (narrowed.length < ids.length) ids = narrowed;
    }
    let i = after === undefined ? 0 : lowerBound(ids, after);
    if (after !== undefined && ids[i] === after) i++;
    const items: SimResource[] = [];
    for (; i < ids.length; i++) {
      const r = this.byId.get(ids[i]!)!;
      if (!filters.every(([m, v]) => r.fields[m] === v) || !keep(r)) continue;
      if (items.length === limit) return { items, more: true };
      items.push(r);
    }
    return { items, more: false };
  }
}
