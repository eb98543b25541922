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

export function createDeadLetterBounder(o: DeadLetterBounderOptions): DeadLetterBounder {
  const { store, clock, timers, log } = o;
  let timer: unknown;
  let timerAt = Infinity;
  let running: Promise<void> | undefined;
  let again = false;
  let lastRunAt = -Infinity;

  function runAt(at: number): void {
    if (!o.active()) return;
    if (timer !== undefined && timerAt <= at) return;
    if (timer !== undefined) timers.clearTimeout(timer);
    timerAt = at;
    timer = timers.setTimeout(
      () => {
        timer = undefined;
        timerAt = Infinity;
        run();
      },
      Math.min(Math.max(0, at - clock.now()), BOUND_TIMER_MAX_MS),
    );
  }
  function soon(): void {
    runAt(Math.max(clock.now(), lastRunAt + BOUND_SPACING_MS));
  }
  function run(): void {
    if (running) {
      again = true;
      return;
    }
    running = dropOverBounds().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        soon();
      }
    });
  }
  async function dropOverBounds(): Promise<void> {
    const now = clock.now();
    lastRunAt = now;
    const plan = deadLettersOverBounds(store.deadLetters(), o.boundsOf, now);
    let nextAt = plan.nextAt;
    if (plan.evict.length > 0) {
      try {
        await store.discardDeadLetters(plan.evict.map((e) => e.entry.id));
        for (const { entry, reason } of plan.evict) logEviction(entry, reason);
      } catch (err) {
        log.error(
          { err: (err as Error).message, dropping: plan.evict.length },
          'could not drop dead letters over their bounds; will try again',
        );
        nextAt = Math.min(nextAt, now + BOUND_RETRY_MS);
      }
    }
    if (nextAt < Infinity) runAt(nextAt);
  }
  function logEviction(entry: DeadLetter, reason: EvictionReason): void {
    const b = o.boundsOf(entry.target);
    log.warn(
      {
        target: entry.target,
        eventId: entry.id,
        arn: entry.event.arn,
        jobStatus: entry.event.status,
        deadAt: new Date(entry.deadAt).toISOString(),
        deadReason: entry.reason,
        evicted: reason,
        ...(reason === 'max_age' ? { maxAgeMs: b.maxAgeMs } : { maxCount: b.maxCount }),
      },
      reason === 'max_age'
        ? "dead letter dropped: older than the target's deadLetters.maxAgeMs; it can no longer be re-sent"
        : 'dead letter dropped: the target holds more than deadLetters.maxCount (oldest first); it can no longer be re-sent',
    );
    o.onEvicted?.(entry.target, reason);
  }

  return {
    soon,
    async stop() {
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
