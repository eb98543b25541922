// Lane scheduling: one lane per target, and the pure choice of what a lane sends next.
//
// Within a lane, per resource, strictly in order: only the oldest pending entry of a resource (its
// head) may be sent; later events of that resource wait until it is delivered or dead-lettered.
// Heads of different resources proceed independently.
import type { NotificationTarget } from '../config/schema.js';
import type { OutboxEntry } from '../state/types.js';
import { deliveryType, type DeliveryType } from '../targets/index.js';
import type { RetryPolicy } from './after-attempt.js';

/** A configured target, with the config's defaults filled in (ratePerSecond, allowPrivate, retry, deadLetters). */
export type WorkerTarget = NotificationTarget;

export interface Lane {
  target: WorkerTarget;
  /** What the target's type builds and how it reads answers (the config gave the target that type's keys). */
  type: DeliveryType;
  policy: RetryPolicy;
  intervalMs: number;
  concurrency: number;
  /** In-flight entry id -> resource id (event.arn). */
  inFlight: Map<string, string>;
  nextSendAt: number;
  pausedUntil: number;
  timer: unknown;
  timerAt: number;
}

/** One lane per target: its type, its retry policy (`policyOf`), its rate and concurrency. */
export function createLanes(targets: readonly WorkerTarget[], policyOf: (t: WorkerTarget) => RetryPolicy): Map<string, Lane> {
  const lanes = new Map<string, Lane>();
  for (const t of targets) {
    const rate = t.ratePerSecond;
    const type = deliveryType(t.type);
    lanes.set(t.name, {
      target: t,
      type,
      policy: policyOf(t),
      intervalMs: rate > 0 ? Math.ceil(1000 / rate) : 0,
      concurrency: type.defaults.concurrency,
      inFlight: new Map(),
      nextSendAt: 0,
      pausedUntil: 0,
      timer: undefined,
      timerAt: Infinity,
    });
  }
  return lanes;
}

/** What the worker holds in memory about entries whose records have not landed (settle.ts). */
export interface HeldBack {
  /** Delivered or dead-lettered, record pending: never sent again, and its resource's later events wait. */
  isSettled(id: string): boolean;
  /** The next attempt time of a failed attempt the state could not record. */
  dueAt(id: string): number | undefined;
}

export type LanePick = { send: OutboxEntry } | { wakeAt: number } | { idle: true };

/**
 * Pure: the entry `lane` may send at `now` (the first head, in outbox order, that is due), or
 * when to look again (the rate gate, a pause, the earliest due head), or nothing to do.
 */
export function pickNext(lane: Lane, pending: Iterable<OutboxEntry>, now: number, held: HeldBack): LanePick {
  const gate = Math.max(lane.nextSendAt, lane.pausedUntil);
  if (gate > now) return { wakeAt: gate };
  const blocked = new Set(lane.inFlight.values());
  let earliest = Infinity;
  for (const e of pending) {
    if (e.target !== lane.target.name || blocked.has(e.event.arn)) continue;
    // The oldest pending entry of a resource is its head; everything after it waits (a settled one
    // whose record has not landed included).
    blocked.add(e.event.arn);
    if (held.isSettled(e.id)) continue;
    const due = Math.max(e.nextAttemptAt, held.dueAt(e.id) ?? 0);
    if (due <= now) return { send: e };
    earliest = Math.min(earliest, due);
  }
  return earliest < Infinity ? { wakeAt: earliest } : { idle: true };
}
