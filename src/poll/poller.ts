// Owns sweeping: runs one sweep with the pipeline in force, keeps its report and the time of the
// last fully successful sweep (readiness), and turns a sweep that throws into a logged failure,
// so a failed sweep never reaches the scheduler or kills the process.
import type { Clock } from '../domain.js';
import type { Logger } from '../log.js';
import type { ResourceTransition } from '../kinds/event.js';
import type { StateStore } from '../state/types.js';
import { spareDetailBudget } from './budget.js';
import type { Connections } from './connections.js';
import type { SweepSpec } from './spec.js';
import { runSweep, type SweepReport } from './sweep.js';
import type { JobTracker } from './tracker.js';

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
  tracker: JobTracker;
  clock: Clock;
  log: Logger;
  /** The runtime in force at the start of each sweep. */
  runtime: () => PollerRuntime;
  /** Gets per sweep for first sight and backfill; default: the spare rate of one interval. */
  detailBudget?: number;
  /** Jitter source of the per-job backoff (tests). */
  random?: () => number;
  /** Backoff bounds of AWS retries (tests shorten them). */
  retryDelayMs?: { min: number; max: number };
  /** The main results are durably committed (the backfill may go on); `lastSuccessAt` as updated by them. */
  onCommitted?: (notifications: number, ok: boolean, lastSuccessAt: number | undefined) => void;
  /** A transition was durably recorded. */
  onTransition?: (t: ResourceTransition) => void;
}

export interface Poller {
  /** One sweep; undefined when it failed as a whole (logged). */
  sweep(signal?: AbortSignal): Promise<SweepReport | undefined>;
  lastReport(): SweepReport | undefined;
  /** When the last sweep whose Lists and Gets all succeeded committed its main results. */
  lastSuccessAt(): number | undefined;
}

export function createPoller(o: PollerOptions): Poller {
  let lastReport: SweepReport | undefined;
  let lastSuccessAt: number | undefined;
  return {
    async sweep(signal) {
      const rt = o.runtime();
      try {
        const r = await runSweep(
          {
            store: o.store,
            connections: rt.connections,
            clock: o.clock,
            log: o.log,
            tracker: o.tracker,
            concurrency: rt.concurrency,
            maxAttempts: rt.maxAttempts,
            detailBudget:
              o.detailBudget ?? ((used: number) => spareDetailBudget(rt.connections.default.limiter.currentRate, rt.intervalMs, used)),
            ...(o.random ? { random: o.random } : {}),
            ...(o.retryDelayMs ? { retryDelayMs: o.retryDelayMs } : {}),
            maxListPages: rt.maxListPages,
            onCommitted: (n, ok) => {
              // Readiness and notifications follow the main results; the backfill may go on.
              if (ok) lastSuccessAt = o.clock.now();
              o.onCommitted?.(n, ok, lastSuccessAt);
            },
            ...(o.onTransition ? { onTransition: o.onTransition } : {}),
          },
          rt.spec,
          signal,
        );
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
