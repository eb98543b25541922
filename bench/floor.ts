// The physical floor of a sweep: the fewest API calls that can still see every change. Each List
// scope costs its pages (a page holds at most 100 items, and an empty scope still takes one call
// to learn that it is empty); each change of a kind that has a Get costs one Get, since only the
// Get carries the detail (statusDetails, results) a notification needs; kinds without a Get
// (the export jobs) are read whole from their List; each resource whose Get carries its tags costs
// one Get per tags.refreshInterval, to see a retag that nothing else shows. Pure, plain values: the bench feeds it what
// it knows of the simulated fleet and compares the daemon's measured calls to it.

/** Items per List page (the model's maxResults range is 1..100; the monitor always asks for 100). */
export const LIST_PAGE_SIZE = 100;

/** One List scope (one List operation with one set of parameters) at one sweep. */
export interface ScopeLoad {
  /** The List operation, for the per-operation breakdown. */
  operation: string;
  /** Items the scope returns. */
  items: number;
  /**
   * Share of sweeps that must list the scope (1: every sweep). Less for a scope that only has to
   * be listed once per slower interval (a quiet parent's export jobs: active / terminal interval).
   */
  share?: number;
}

/** The status changes of one kind during a window. */
export interface ChangeLoad {
  /** The Get operation of the kind; undefined for kinds without a Get (no call needed). */
  getOperation: string | undefined;
  changes: number;
}

/**
 * Resources whose tags are read again (tags.refreshInterval): each costs one Get per interval, so
 * `share` (sweep interval / refresh interval) of a Get per sweep.
 */
export interface RefreshLoad {
  getOperation: string;
  resources: number;
  share: number;
}

export interface Floor {
  list: number;
  get: number;
  total: number;
  /** Calls by operation name. */
  byOperation: Record<string, number>;
}

/** Pages needed to read a scope of `items` items: ceil(items / 100), at least 1. */
export function listPagesNeeded(items: number): number {
  if (!Number.isInteger(items) || items < 0) throw new RangeError(`items must be a whole number >= 0, got ${items}`);
  return Math.max(1, Math.ceil(items / LIST_PAGE_SIZE));
}

function add(to: Record<string, number>, op: string, n: number): void {
  to[op] = (to[op] ?? 0) + n;
}

/**
 * The floor per sweep over a window of `sweeps` sweeps: the List pages of the scopes each sweep
 * must read (`ticks`: one scope list per sweep of the window, averaged), plus one Get per change
 * of a kind with a Get, spread over the sweeps.
 */
export function floorPerSweep(
  ticks: readonly (readonly ScopeLoad[])[],
  changes: readonly ChangeLoad[],
  sweeps: number,
  refreshes: readonly RefreshLoad[] = [],
): Floor {
  if (!(sweeps > 0)) throw new RangeError(`sweeps must be > 0, got ${sweeps}`);
  if (ticks.length === 0) throw new RangeError('ticks must hold at least one sweep');
  const byOperation: Record<string, number> = {};
  let list = 0;
  for (const scopes of ticks) {
    for (const s of scopes) {
      const share = s.share ?? 1;
      if (!(share >= 0 && share <= 1)) throw new RangeError(`share of ${s.operation} must be within 0..1, got ${share}`);
      const n = (listPagesNeeded(s.items) * share) / ticks.length;
      list += n;
      add(byOperation, s.operation, n);
    }
  }
  let get = 0;
  for (const c of changes) {
    if (!Number.isInteger(c.changes) || c.changes < 0) throw new RangeError(`changes must be a whole number >= 0, got ${c.changes}`);
    if (c.getOperation === undefined || c.changes === 0) continue;
    const n = c.changes / sweeps;
    get += n;
    add(byOperation, c.getOperation, n);
  }
  for (const r of refreshes) {
    if (!(r.share >= 0 && r.share <= 1)) throw new RangeError(`refresh share of ${r.getOperation} must be within 0..1, got ${r.share}`);
    const n = r.resources * r.share;
    get += n;
    add(byOperation, r.getOperation, n);
  }
  return { list, get, total: list + get, byOperation };
}

/** What the bench knows of one parent whose children are listed per parent (a trained model's export jobs). */
export interface ParentHistory {
  /** Every updateTime the parent has had (epoch ms), in any order. */
  updates: readonly number[];
  /** Periods [from, to) during which one of its children was unfinished. */
  unfinished: ReadonlyArray<readonly [number, number]>;
}

/** Why a parent's children must be listed at a sweep: it changed lately, a child is unfinished, or neither (quiet). */
export type ParentDue = { share: number; why: 'changed' | 'unfinished' | 'quiet' };

/**
 * Share of the sweep starting at `tick` that must list one parent's children, by the rule the
 * monitor documents for export jobs: every sweep while the parent changed within the terminal
 * interval or a child is unfinished, otherwise once per terminal interval. Judged from what the
 * previous sweep (`tick - intervalMs`) could have seen, as the monitor can know no more. A child
 * unfinished counts first: that listing is needed by any rule, the parent's change only by this one.
 */
export function perParentShare(h: ParentHistory, tick: number, intervalMs: number, terminalMs: number): ParentDue {
  if (!(intervalMs > 0) || !(terminalMs >= intervalMs)) throw new RangeError('need 0 < intervalMs <= terminalMs');
  const seen = tick - intervalMs;
  if (h.unfinished.some(([from, to]) => from <= seen && seen < to)) return { share: 1, why: 'unfinished' };
  const last = Math.max(-Infinity, ...h.updates.filter((u) => u <= seen));
  if (tick - last < terminalMs) return { share: 1, why: 'changed' };
  return { share: intervalMs / terminalMs, why: 'quiet' };
}
