// The simulator's resources of every kind but audience generation jobs (those keep their own
// store, see store.ts): kept sorted by id, so List pages are cut after an id and stay stable
// while resources come and go between pages. A resource holds its wire members and a list of
// steps (status from a time on), read lazily from the clock like jobs; an operation renders
// exactly the members its output declares, in model order.
import { formatIsoTimestamp } from '../../timestamps.js';
import type { KindName, OperationDecl } from '../../kinds/kind.js';

export interface SimStatusDetails {
  statusCode?: string;
  message?: string;
}

/** A status from a time on; also the resource's updateTime while it holds. */
export interface ResourceStep {
  t: number;
  status: string;
  statusDetails?: SimStatusDetails;
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
  let found: ResourceStep | undefined;
  for (const s of r.steps) {
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
    else v = r.fields[m];
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

export class ResourceStore {
  private readonly byId = new Map<string, SimResource>();
  /** Ids per kind, sorted. */
  private readonly sorted = new Map<KindName, string[]>();

  get(id: string): SimResource | undefined {
    return this.byId.get(id);
  }

  put(r: SimResource): void {
    this.delete(r.id);
    this.byId.set(r.id, r);
    let ids = this.sorted.get(r.kind);
    if (!ids) this.sorted.set(r.kind, (ids = []));
    ids.splice(lowerBound(ids, r.id), 0, r.id);
  }

  delete(id: string): boolean {
    const old = this.byId.get(id);
    if (!old) return false;
    this.byId.delete(id);
    const ids = this.sorted.get(old.kind)!;
    const i = lowerBound(ids, id);
    if (ids[i] === id) ids.splice(i, 1);
    return true;
  }

  clear(): void {
    this.byId.clear();
    this.sorted.clear();
  }

  /** The resources of a kind in id order. */
  all(kind: KindName): SimResource[] {
    return (this.sorted.get(kind) ?? []).map((id) => this.byId.get(id)!);
  }

  /** One page of `kind` matching `keep`, after the id `after`; `more` when any match follows. */
  page(
    kind: KindName,
    keep: (r: SimResource) => boolean,
    after: string | undefined,
    limit: number,
  ): { items: SimResource[]; more: boolean } {
    const ids = this.sorted.get(kind) ?? [];
    let i = after === undefined ? 0 : lowerBound(ids, after);
    if (after !== undefined && ids[i] === after) i++;
    const items: SimResource[] = [];
    for (; i < ids.length; i++) {
      const r = this.byId.get(ids[i]!)!;
      if (!keep(r)) continue;
      if (items.length === limit) return { items, more: true };
      items.push(r);
    }
    return { items, more: false };
  }
}
