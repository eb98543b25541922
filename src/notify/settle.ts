// Recording what follows an attempt (after-attempt.ts decides it): delivered, dead-lettered or
// retried, each durable before the entry's next attempt is scheduled, so a crash repeats at most
// the in-flight send, with the same id. When the state cannot record it (full disk, journal over
// its bound), the result is held in memory instead: the attempt count and its backoff go on as
// recorded ones would (never faster than the policy), and a delivered or dead-lettered entry is
// never sent again by this process while its record is retried.
import type { Logger } from 'pino';
import type { Timers } from '../clock.js';
import type { OutboxEntry, OutboxStore } from '../state/types.js';
import type { AttemptDecision } from './after-attempt.js';
import type { HeldBack } from './lane.js';

export type DeliveryOutcome = 'delivered' | 'retried' | 'failed' | 'dead_lettered';

/** An outcome decided for good, whose record has not landed yet. */
type Settled = { kind: 'delivered' } | { kind: 'dead'; attempts: number; at: number; reason: string; lastError: string };

export interface SettlerOptions {
  store: OutboxStore;
  timers: Pick<Timers, 'setTimeout' | 'clearTimeout'>;
  /** How long before a record the state refused is tried again. */
  retryRecordMs: number;
  onOutcome: (target: string, o: DeliveryOutcome) => void;
  /** A dead letter was recorded (the dead-letter bounds may apply). */
  onDeadLettered: () => void;
  /** Records that had been held back landed: the lanes may go on. */
  onRecorded: () => void;
}

/** One attempt's facts, as logged with its outcome. */
export interface AttemptRecord {
  entry: OutboxEntry;
  /** This attempt's number (1, 2, ...). */
  attempt: number;
  now: number;
  decision: AttemptDecision;
  log: Logger;
  fields: Record<string, unknown>;
}

export interface Settler extends HeldBack {
  /** Attempts of `entry` so far, those the state could not record included. */
  attemptsOf(entry: OutboxEntry): number;
  /** Records the decision (or holds it when the state refuses), logs and counts it. */
  record(r: AttemptRecord): Promise<void>;
  stop(): void;
}

/** What the state could not record yet, and the timer that retries it. */
interface Held {
  o: SettlerOptions;
  /**
   * Failed attempts the state could not record (full disk): their count and next due time, so the
   * backoff grows as if they had been recorded. Lost with the process: a restart goes on from the
   * last recorded attempt.
   */
  attempts: Map<string, { attempts: number; nextAttemptAt: number }>;
  /**
   * Delivered or dead-lettered, but the state could not record it. Never sent again by this
   * process: only the record is retried. A crash before it lands can repeat the send once, same id.
   */
  settled: Map<string, Settled>;
  timer: unknown;
  stopped: boolean;
}

export function createSettler(o: SettlerOptions): Settler {
  const h: Held = { o, attempts: new Map(), settled: new Map(), timer: undefined, stopped: false };
  return {
    isSettled: (id) => h.settled.has(id),
    dueAt: (id) => h.attempts.get(id)?.nextAttemptAt,
    attemptsOf: (entry) => Math.max(entry.attempts, h.attempts.get(entry.id)?.attempts ?? 0),
    record: (r) => record(h, r),
    stop() {
      h.stopped = true;
      if (h.timer !== undefined) o.timers.clearTimeout(h.timer);
    },
  };
}

async function record(h: Held, r: AttemptRecord): Promise<void> {
  const d = r.decision;
  const target = r.entry.target;
  if (d.kind === 'delivered') {
    await settle(h, r, { kind: 'delivered' }, { outcome: 'delivered' }, [
      'notification delivered',
      'notification delivered but the state could not record it; it will not be sent again',
    ]);
    h.o.onOutcome(target, 'delivered');
  } else if (d.kind === 'dead') {
    const settled: Settled = { kind: 'dead', attempts: r.attempt, at: r.now, reason: d.reason, lastError: d.lastError };
    await settle(h, r, settled, { outcome: 'dead_lettered', reason: d.reason }, [
      'notification dead-lettered',
      'notification dead-lettered but the state could not record it; it will not be sent again',
    ]);
    h.o.onOutcome(target, 'failed');
    h.o.onOutcome(target, 'dead_lettered');
  } else {
    await recordRetry(h, r, d);
    h.o.onOutcome(target, 'retried');
  }
}

async function recordSettled(store: OutboxStore, id: string, s: Settled): Promise<void> {
  if (s.kind === 'delivered') return store.markDelivered(id);
  await store.recordAttempt(id, { attempts: s.attempts, nextAttemptAt: s.at, lastError: s.lastError });
  await store.deadLetter(id, s.reason, s.at);
}

/** Delivered or dead-lettered: recorded, or held until it can be. `words`: the log line of each. */
async function settle(h: Held, r: AttemptRecord, settled: Settled, extra: object, words: [string, string]): Promise<void> {
  h.attempts.delete(r.entry.id);
  try {
    await recordSettled(h.o.store, r.entry.id, settled);
    (settled.kind === 'dead' ? r.log.error : r.log.info).call(r.log, { ...r.fields, ...extra }, words[0]);
    if (settled.kind === 'dead') h.o.onDeadLettered();
  } catch (err) {
    h.settled.set(r.entry.id, settled);
    retryRecords(h);
    r.log.error({ ...r.fields, ...extra, err: (err as Error).message }, words[1]);
  }
}

async function recordRetry(h: Held, r: AttemptRecord, d: Extract<AttemptDecision, { kind: 'retry' }>): Promise<void> {
  const nextAttemptAt = r.now + d.delayMs;
  try {
    await h.o.store.recordAttempt(r.entry.id, { attempts: r.attempt, nextAttemptAt, lastError: d.lastError });
    h.attempts.delete(r.entry.id);
  } catch (err) {
    // Kept pending (at-least-once), on the schedule the policy gave: a state that cannot record
    // must not turn backoff into a retry every baseDelayMs.
    h.attempts.set(r.entry.id, { attempts: r.attempt, nextAttemptAt });
    r.log.error({ ...r.fields, err: (err as Error).message }, 'could not record a delivery attempt; retrying on its backoff schedule');
  }
  r.log.warn({ ...r.fields, outcome: 'retried', reason: d.lastError, retryInMs: d.delayMs }, 'notification failed; will retry');
}

/** Tries the held records again after retryRecordMs, in order, until one fails or none is left. */
function retryRecords(h: Held): void {
  if (h.timer !== undefined || h.settled.size === 0 || h.stopped) return;
  h.timer = h.o.timers.setTimeout(() => {
    h.timer = undefined;
    void (async () => {
      for (const [id, settled] of [...h.settled]) {
        try {
          await recordSettled(h.o.store, id, settled);
          h.settled.delete(id);
          if (settled.kind === 'dead') h.o.onDeadLettered();
        } catch {
          break; // still failing: try again later
        }
      }
      retryRecords(h);
      h.o.onRecorded();
    })();
  }, h.o.retryRecordMs);
}
