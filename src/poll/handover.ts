// What a pod does when the shard layout changes (a new shard count, or a config edit that moves a
// List to another shard). Pure: the layout record of the state dir, the layout in force and the
// time in, the next record out. The pods never talk to each other, so each one decides from what
// it recorded itself:
//
// - A resource it no longer watches is forgotten silently (no `vanished`): another shard watches it
//   now. What was enqueued about it before is still delivered.
// - A resource it gains was watched by another shard until that shard switched, at a moment this
//   pod cannot know. So for a while after the change (the handover) a first sight updated before
//   `from` is taken silently (its shard saw it), and one updated at or after `from` is notified as
//   a change, even at rest. `from` is this pod's own last complete sweep under the previous layout
//   (all pods sweep on the same schedule) minus `lookbackMs`: a rolling restart switches pods one
//   at a time, and a change between an earlier pod's switch and this one's must not be lost.
//   Within the lookback a change may be notified by both shards: with the same event id
//   (src/notify/event-id.ts), so receivers that deduplicate by it see it once.
// - The handover ends after two complete sweeps under the new layout: the first finds the
//   resources of the Lists gained, the second the children of the parents gained.
// A pod with no record under a sharded layout (a new shard of a scale-up, a fresh install, the
// first start of a release that kept no record) cannot tell those apart: it takes its first sweep
// as the switch. One replica alone gains nothing, except from a layout that had several.

/** The layout a pod watches under: the shard count, its own index and the shard of every top-level List. */
export interface Layout {
  total: number;
  index: number;
  /** Top-level List key -> shard. */
  scopes: Readonly<Record<string, number>>;
}

/** What the state dir records of the layout (shard-layout.json). */
export interface LayoutRecord extends Layout {
  version: 1;
  /** Start of the last sweep under this layout in which every List and Get succeeded (epoch ms). */
  lastCompleteSweepAt?: number;
  /** Present while a handover into this layout goes on. */
  handover?: { from: number; completeSweeps: number };
}

/** Complete sweeps under a new layout that end its handover. */
export const HANDOVER_SWEEPS = 2;

/** Did this pod gain anything: a layout with another count or index, or a List now its own that was not? */
export function gainsFrom(recorded: Layout | undefined, current: Layout): boolean {
  if (current.total <= 1) return recorded !== undefined && recorded.total > 1;
  if (recorded === undefined || recorded.total !== current.total || recorded.index !== current.index) return true;
  return Object.entries(current.scopes).some(([key, shard]) => shard === current.index && recorded.scopes[key] !== current.index);
}

const sameLayout = (a: Layout, b: Layout): boolean =>
  a.total === b.total &&
  a.index === b.index &&
  Object.keys(a.scopes).length === Object.keys(b.scopes).length &&
  Object.entries(a.scopes).every(([k, s]) => b.scopes[k] === s);

/**
 * The record to sweep under: the recorded one when the layout is the same (a handover under way
 * goes on), else a record of the current layout, with a handover when this pod gains resources.
 */
export function enterLayout(recorded: LayoutRecord | undefined, current: Layout, now: number, lookbackMs: number): LayoutRecord {
  if (recorded && sameLayout(recorded, current)) return recorded;
  const next: LayoutRecord = { version: 1, total: current.total, index: current.index, scopes: { ...current.scopes } };
  // Nothing gained: a handover still under way (into the previous layout) goes on as it was.
  if (!gainsFrom(recorded, current)) return recorded?.handover ? { ...next, handover: recorded.handover } : next;
  const seenUntil = Math.min(recorded?.lastCompleteSweepAt ?? now, now);
  // A handover still under way keeps its earlier start: its window is not settled yet.
  const from = Math.min(seenUntil - Math.max(0, lookbackMs), recorded?.handover?.from ?? Infinity);
  return { ...next, handover: { from, completeSweeps: 0 } };
}

/** The record after a sweep that started at `startedAt`; `complete`: every List and Get of it succeeded. */
export function afterSweep(r: LayoutRecord, startedAt: number, complete: boolean): LayoutRecord {
  if (!complete) return r;
  const { handover, ...rest } = r;
  const next: LayoutRecord = { ...rest, lastCompleteSweepAt: startedAt };
  if (!handover) return next;
  const completeSweeps = handover.completeSweeps + 1;
  return completeSweeps >= HANDOVER_SWEEPS ? next : { ...next, handover: { ...handover, completeSweeps } };
}

/** A short stable name of a layout (the same in every pod of it), for metrics and logs. */
export function layoutName(l: Layout, hash: (s: string) => string): string {
  const scopes = Object.entries(l.scopes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return hash(JSON.stringify([l.total, scopes])).slice(0, 12);
}

/** Reads a record from its JSON text; throws an Error naming what is wrong. */
export function parseLayoutRecord(text: string): LayoutRecord {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`);
  }
  const o = v as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('not an object');
  if (o.version !== 1) throw new Error(`version ${JSON.stringify(o.version)}: this release reads version 1`);
  const whole = (x: unknown, min: number) => typeof x === 'number' && Number.isInteger(x) && x >= min;
  if (!whole(o.total, 1)) throw new Error('total: must be a whole number >= 1');
  if (!whole(o.index, 0) || (o.index as number) >= (o.total as number)) throw new Error('index: must be a whole number below total');
  if (typeof o.scopes !== 'object' || o.scopes === null || Array.isArray(o.scopes)) throw new Error('scopes: must be an object');
  for (const [k, s] of Object.entries(o.scopes as Record<string, unknown>))
    if (!whole(s, 0) || (s as number) >= (o.total as number)) throw new Error(`scopes.${k}: must be a shard below total`);
  if (o.lastCompleteSweepAt !== undefined && !whole(o.lastCompleteSweepAt, 0)) throw new Error('lastCompleteSweepAt: must be epoch ms');
  const h = o.handover as Record<string, unknown> | undefined;
  if (h !== undefined && (typeof h !== 'object' || h === null || !Number.isFinite(h.from) || !whole(h.completeSweeps, 0)))
    throw new Error('handover: must be {from, completeSweeps}');
  return {
    version: 1,
    total: o.total as number,
    index: o.index as number,
    scopes: { ...(o.scopes as Record<string, number>) },
    ...(o.lastCompleteSweepAt !== undefined ? { lastCompleteSweepAt: o.lastCompleteSweepAt as number } : {}),
    ...(h !== undefined ? { handover: { from: h.from as number, completeSweeps: h.completeSweeps as number } } : {}),
  };
}
