// What a sweep is given: the store, the clients, the clock, the knobs and the callbacks.
import type { Clock } from '../domain.js';
import type { ResourceTransition } from '../kinds/event.js';
import type { Logger } from '../log.js';
import type { StateStore } from '../state/types.js';
import type { Connections } from './connections.js';
import type { ResourceTracker } from './tracker.js';

export interface SweepDeps {
  store: StateStore;
  /** The client and rate limiter of each resource and scope. */
  connections: Connections;
  /** Jitter source for backoff (tests pass a fixed one). */
  random?: () => number;
  /**
   * Called after the main results (not the backfill) are durably committed, with their
   * notification count and whether every List and Get so far succeeded.
   */
  onCommitted?: (notifications: number, ok: boolean) => void;
  clock: Clock;
  log: Logger;
  tracker: ResourceTracker;
  concurrency: number;
  maxAttempts: number;
  /**
   * Gets per sweep for first sight and metric backfill; changed jobs are never held back. A
   * function receives the calls the sweep already made and returns the spare budget.
   */
  detailBudget: number | ((usedCalls: number) => number);
  retryDelayMs?: { min: number; max: number };
  /** Pages one List scope may take in one sweep (polling.maxListPages). */
  maxListPages: number;
  /** Called for each transition after it is durably recorded. */
  onTransition?: (t: ResourceTransition) => void;
  /**
   * While this replica takes over resources after the shard layout changed: first sights updated
   * at or after this instant are notified as changes, earlier ones are taken silently
   * (src/poll/handover.ts). Absent: no handover.
   */
  handoverFrom?: number;
}
