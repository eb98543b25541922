// Owns sweeping: runs one sweep with the pipeline in force, keeps its report and the time of the
// last fully successful sweep (readiness), and turns a sweep that throws into a logged failure,
// so a failed sweep never reaches the scheduler or kills the process.
import type { Clock } from '../domain.js';
import type { Logger } from '../log.js';
import type { ResourceTransition } from '../kinds/event.js';
import type { StateStore } from '../state/types.js';
import { createHash } from 'node:crypto';
import { spareDetailBudget } from './budget.js';
import type { Connections } from './connections.js';
import { afterSweep, enterLayout, layoutName, type Layout, type LayoutRecord } from './handover.js';
import type { LayoutStore } from './layout-file.js';
import type { SweepSpec } from './spec.js';
import { runSweep, type SweepDeps, type SweepReport } from './sweep.js';
import type { ResourceTracker } from './tracker.js';

/** The reloadable parts a sweep reads: rebuilt from the config on reload. */
export interface PollerRuntime {
  spec: SweepSpec;
  connections: Connections;
  concurrency: number;
  maxAttempts: number;
  /** Pages one List scope may take in one sweep (polling.maxListPages). */
  maxListPages: number;
  intervalMs: number;
}

export interface PollerOptions {
  store: StateStore;
  tracker: ResourceTracker;
  clock: Clock;
  log: Logger;
  /** The runtime in force at the start of each sweep. */
  runtime: () => PollerRuntime;
  /** Gets per sweep for first sight and backfill; default: the spare rate of one interval. */
  detailBudget?: number;
  /** Jitter source of the per-resource backoff (tests). */
  random?: () => number;
  /** Backoff bounds of AWS retries (tests shorten them). */
  retryDelayMs?: { min: number; max: number };
  /** The main results are durably committed (the backfill may go on); `lastSuccessAt` as updated by them. */
  onCommitted?: (notifications: number, ok: boolean, lastSuccessAt: number | undefined) => void;
  /** A transition was durably recorded. */
  onTransition?: (t: ResourceTransition) => void;
  /** Where the shard layout is recorded (the state dir); absent: no record, no handover (`once`). */
  layoutStore?: LayoutStore;
  /** The layout each sweep runs under. */
  onLayout?: (l: LayoutInfo) => void;
}

/** The layout a sweep runs under, for metrics and logs. */
export interface LayoutInfo {
  /** The same short name in every pod of one layout. */
  name: string;
  total: number;
  index: number;
  /** Top-level Lists this replica calls. */
  lists: number;
  /** A handover into this layout is under way. */
  handover: boolean;
}

/** The layout of a spec: its shard, and the shard of each top-level List. */
export function layoutOf(spec: SweepSpec): Layout {
  const scopes: Record<string, number> = {};
  for (const s of spec.sources) if (!s.perParent) scopes[s.key] = s.shard ?? 0;
  return { total: spec.shard?.total ?? 1, index: spec.shard?.index ?? 0, scopes };
}

/**
 * While only the time of the last complete sweep moves, the record is rewritten at most this often:
 * a handover after a restart then starts at most this much earlier than it could (more repeats
 * within the lookback, never a loss), for one small write per sweep or fewer.
 */
const LAYOUT_WRITE_EVERY_MS = 10_000;

export interface Poller {
  /** One sweep; undefined when it failed as a whole (logged). */
  sweep(signal?: AbortSignal): Promise<SweepReport | undefined>;
  lastReport(): SweepReport | undefined;
  /** When the last sweep whose Lists and Gets all succeeded committed its main results. */
  lastSuccessAt(): number | undefined;
}

/** What a sweep under `layout` reports about it (pure; `hash` names the layout). */
export function layoutInfo(layout: Layout, record: LayoutRecord, hash: (x: string) => string): LayoutInfo {
  return {
    name: layoutName(layout, hash),
    total: layout.total,
    index: layout.index,
    lists: Object.values(layout.scopes).filter((s) => s === layout.index).length,
    handover: record.handover !== undefined,
  };
}

/**
 * Is the record after a sweep written now? When its handover moved (began, advanced or ended),
 * when none was written yet, and else at most every LAYOUT_WRITE_EVERY_MS (pure).
 */
export function recordWriteDue(next: LayoutRecord, written: LayoutRecord | undefined, sinceWrittenMs: number): boolean {
  return (
    JSON.stringify(next.handover) !== JSON.stringify(written?.handover) || written === undefined || sinceWrittenMs >= LAYOUT_WRITE_EVERY_MS
  );
}

const sha256 = (x: string) => createHash('sha256').update(x).digest('hex');

/** The shard layout record around each sweep: read once, entered before, advanced after. */
function layoutKeeper(o: PollerOptions) {
  // The layout record as last read or written (undefined: none yet), and when it was written.
  let record: LayoutRecord | undefined;
  let recordRead = false;
  let writtenAt = 0;
  let written: LayoutRecord | undefined;
  const writeRecord = async (r: LayoutRecord): Promise<void> => {
    try {
      await o.layoutStore!.write(r);
      written = r;
      writtenAt = o.clock.now();
    } catch (err) {
      o.log.warn({ err: { message: (err as Error).message } }, 'shard layout record not written; retried after the next sweep');
    }
  };
  return {
    /** The layout record this sweep runs under (a handover starts when the layout changed). */
    async enter(spec: SweepSpec): Promise<LayoutRecord | undefined> {
      if (!o.layoutStore) return undefined;
      if (!recordRead) {
        record = await o.layoutStore.read();
        written = record;
        recordRead = true;
      }
      const layout = layoutOf(spec);
      const next = enterLayout(record, layout, o.clock.now(), spec.handoverLookbackMs ?? 0);
      if (next !== record) {
        if (next.handover && next.handover !== record?.handover)
          o.log.info(
            {
              from: { total: record?.total, index: record?.index },
              to: { total: next.total, index: next.index },
              handoverFrom: new Date(next.handover.from).toISOString(),
            },
            'shard layout changed: resources gained are read in full, and a change since handoverFrom is notified',
          );
        record = next;
        await writeRecord(next);
      }
      o.onLayout?.(layoutInfo(layout, next, sha256));
      return next;
    },
    async leave(r: SweepReport): Promise<void> {
      if (!o.layoutStore || !record) return;
      const next = afterSweep(record, r.startedAt, r.ok);
      record = next;
      const handoverMoved = JSON.stringify(next.handover) !== JSON.stringify(written?.handover);
      if (recordWriteDue(next, written, o.clock.now() - writtenAt)) await writeRecord(next);
      if (!next.handover && handoverMoved) o.log.info({ total: next.total, index: next.index }, 'shard handover complete');
    },
  };
}

/** What one sweep is given, from the poller's options and the runtime in force. */
function sweepDepsOf(
  o: PollerOptions,
  rt: PollerRuntime,
  layout: LayoutRecord | undefined,
  onCommitted: (notifications: number, ok: boolean) => void,
): SweepDeps {
  return {
    store: o.store,
    connections: rt.connections,
    clock: o.clock,
    log: o.log,
    tracker: o.tracker,
    concurrency: rt.concurrency,
    maxAttempts: rt.maxAttempts,
    detailBudget: o.detailBudget ?? ((used: number) => spareDetailBudget(rt.connections.default.limiter.currentRate, rt.intervalMs, used)),
    ...(o.random ? { random: o.random } : {}),
    ...(o.retryDelayMs ? { retryDelayMs: o.retryDelayMs } : {}),
    maxListPages: rt.maxListPages,
    onCommitted,
    ...(o.onTransition ? { onTransition: o.onTransition } : {}),
    ...(layout?.handover ? { handoverFrom: layout.handover.from } : {}),
  };
}

export function createPoller(o: PollerOptions): Poller {
  let lastReport: SweepReport | undefined;
  let lastSuccessAt: number | undefined;
  const layouts = layoutKeeper(o);
  const onCommitted = (n: number, ok: boolean): void => {
    // Readiness and notifications follow the main results; the backfill may go on.
    if (ok) lastSuccessAt = o.clock.now();
    o.onCommitted?.(n, ok, lastSuccessAt);
  };
  return {
    async sweep(signal) {
      const rt = o.runtime();
      try {
        const layout = await layouts.enter(rt.spec);
        const r = await runSweep(sweepDepsOf(o, rt, layout, onCommitted), rt.spec, signal);
        await layouts.leave(r);
        lastReport = r;
        if (r.ok) lastSuccessAt = o.clock.now();
        o.log.debug({ ...r }, 'sweep finished');
        return r;
      } catch (err) {
        o.log.error({ err: { type: (err as Error).name, message: (err as Error).message } }, 'sweep failed; the next tick retries');
        return undefined;
      }
    },
    lastReport: () => lastReport,
    lastSuccessAt: () => lastSuccessAt,
  };
}
