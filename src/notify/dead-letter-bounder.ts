// Keeps each target's dead letters within its bounds (deadLetters.maxCount / maxAgeMs; which ones
// are over them is decided by dead-letter-bounds.ts): past them the oldest are dropped through the
// journal, each logged and counted. One run at a time; a request during a run makes one more run.
import type { Logger } from 'pino';
import type { Timers } from '../clock.js';
import type { Clock } from '../domain.js';
import type { DeadLetter, OutboxStore } from '../state/types.js';
import { deadLettersOverBounds, type DeadLetterBounds, type EvictionReason } from './dead-letter-bounds.js';

/** Longest single timer: setTimeout caps near 24.8 days; re-planned daily. */
const BOUND_TIMER_MAX_MS = 86_400_000;
/** Next try to drop dead letters after the state refused to record it. */
const BOUND_RETRY_MS = 60_000;
/**
 * Least time between two checks of the bounds after new dead letters: each check reads every dead
 * letter, and a burst of dead letters (a fast target going away) would otherwise check once each.
 */
const BOUND_SPACING_MS = 1_000;

export interface DeadLetterBounderOptions {
  store: OutboxStore;
  clock: Clock;
  timers: Pick<Timers, 'setTimeout' | 'clearTimeout'>;
  log: Logger;
  boundsOf: (target: string) => DeadLetterBounds;
  onEvicted?: (target: string, reason: EvictionReason) => void;
  /** False before the worker starts and once it stops: no run is planned then. */
  active: () => boolean;
}

export interface DeadLetterBounder {
  /** After new dead letters: the count bound applies within BOUND_SPACING_MS (coalesced into one run). */
  soon(): void;
  /** Cancels planned runs and waits for a running one (a discard being recorded finishes first). */
  stop(): Promise<void>;
}

/** One run at a time, its timer, and when the last began. */
interface Bounder {
  o: DeadLetterBounderOptions;
  timer: unknown;
  timerAt: number;
  running: Promise<void> | undefined;
  /** A run was asked for during one: one more follows it. */
  again: boolean;
  lastRunAt: number;
}

export function createDeadLetterBounder(o: DeadLetterBounderOptions): DeadLetterBounder {
  const b: Bounder = { o, timer: undefined, timerAt: Infinity, running: undefined, again: false, lastRunAt: -Infinity };
  return {
    soon: () => soon(b),
    async stop() {
      if (b.timer !== undefined) o.timers.clearTimeout(b.timer);
      b.timer = undefined;
      await b.running;
    },
  };
}

function soon(b: Bounder): void {
  runAt(b, Math.max(b.o.clock.now(), b.lastRunAt + BOUND_SPACING_MS));
}

function runAt(b: Bounder, at: number): void {
  const { timers, clock } = b.o;
  if (!b.o.active()) return;
  if (b.timer !== undefined && b.timerAt <= at) return;
  if (b.timer !== undefined) timers.clearTimeout(b.timer);
  b.timerAt = at;
  b.timer = timers.setTimeout(
    () => {
      b.timer = undefined;
      b.timerAt = Infinity;
      run(b);
    },
    Math.min(Math.max(0, at - clock.now()), BOUND_TIMER_MAX_MS),
  );
}

function run(b: Bounder): void {
  if (b.running) {
    b.again = true;
    return;
  }
  b.running = dropOverBounds(b).finally(() => {
    b.running = undefined;
    if (b.again) {
      b.again = false;
      soon(b);
    }
  });
}

async function dropOverBounds(b: Bounder): Promise<void> {
  const { store, clock, log } = b.o;
  const now = clock.now();
  b.lastRunAt = now;
  const plan = deadLettersOverBounds(store.deadLetters(), b.o.boundsOf, now);
  let nextAt = plan.nextAt;
  if (plan.evict.length > 0) {
    try {
      await store.discardDeadLetters(plan.evict.map((e) => e.entry.id));
      for (const { entry, reason } of plan.evict) logEviction(b.o, entry, reason);
    } catch (err) {
      log.error(
        { err: (err as Error).message, dropping: plan.evict.length },
        'could not drop dead letters over their bounds; will try again',
      );
      nextAt = Math.min(nextAt, now + BOUND_RETRY_MS);
    }
  }
  if (nextAt < Infinity) runAt(b, nextAt);
}

function logEviction(o: DeadLetterBounderOptions, entry: DeadLetter, reason: EvictionReason): void {
  const bounds = o.boundsOf(entry.target);
  o.log.warn(
    {
      target: entry.target,
      eventId: entry.id,
      arn: entry.event.arn,
      jobStatus: entry.event.status,
      deadAt: new Date(entry.deadAt).toISOString(),
      deadReason: entry.reason,
      evicted: reason,
      ...(reason === 'max_age' ? { maxAgeMs: bounds.maxAgeMs } : { maxCount: bounds.maxCount }),
    },
    reason === 'max_age'
      ? "dead letter dropped: older than the target's deadLetters.maxAgeMs; it can no longer be re-sent"
      : 'dead letter dropped: the target holds more than deadLetters.maxCount (oldest first); it can no longer be re-sent',
  );
  o.onEvicted?.(entry.target, reason);
}
