// The delivery worker: drains the durable outbox into the one HTTP path (send.ts). Its parts:
//
// - lane.ts: one lane per target (a slow or broken target never delays another), and which entry a
//   lane sends next: per resource strictly in order (only a resource's oldest pending entry, its
//   head, may be sent), heads of different resources independently.
// - Here: the lanes' timers, the rate limit per lane (the target's ratePerSecond, by default its
//   type's: Slack about one message per second per webhook) and the type's concurrency
//   (src/targets/<type>.ts); a 429/503 Retry-After pauses the whole lane until then (the receiver
//   speaks for the endpoint, not for one event); start, stop and re-sending dead letters.
// - deliver.ts: one attempt; after-attempt.ts: what follows it; settle.ts: recording that before
//   the entry's next attempt is scheduled, so a crash repeats at most the in-flight send, same id
//   (held in memory, never sent again, when the state cannot record it).
// - Outcomes, one per attempt: delivered | retried | failed; plus dead_lettered when an entry is
//   moved to the dead letters (after a permanent failure, maxAgeMs, or maxAttempts when set).
// - dead-letter-bounder.ts: dead letters bounded per target (deadLetters.maxCount / maxAgeMs).
import type { Logger } from 'pino';
import { systemTimers, type Timers } from '../clock.js';
import { DEFAULT_DEAD_LETTER_BOUNDS } from '../config/schema.js';
import type { Clock } from '../domain.js';
import type { OutboxEntry, OutboxStore } from '../state/types.js';
import { afterAttempt, type RetryPolicy } from './after-attempt.js';
import { createDeadLetterBounder, type DeadLetterBounder } from './dead-letter-bounder.js';
import type { EvictionReason } from './dead-letter-bounds.js';
import { deliver } from './deliver.js';
import { createLanes, pickNext, type Lane, type WorkerTarget } from './lane.js';
import { redactUrl } from './redact.js';
import { send as defaultSend } from './send.js';
import { createSettler, type DeliveryOutcome, type Settler } from './settle.js';

export type { EvictionReason } from './dead-letter-bounds.js';
export type { WorkerTarget } from './lane.js';
export type { DeliveryOutcome } from './settle.js';

export interface OutboxWorkerOptions {
  store: OutboxStore;
  targets: readonly WorkerTarget[];
  clock: Clock;
  log: Logger;
  send?: typeof defaultSend;
  onOutcome?: (target: string, outcome: DeliveryOutcome) => void;
  /** One call per dead letter dropped by the target's deadLetters bounds. */
  onEvicted?: (target: string, reason: EvictionReason) => void;
  // The four below, when given, override every target's `retry` (tests compress time with them).
  /** Attempts before a retryable failure is dead-lettered (0: no limit). Default: the target's retry.maxAttempts. */
  maxAttempts?: number;
  /** Age after which a failing entry is dead-lettered at its next failure. Default: the target's retry.maxAgeMs. */
  maxAgeMs?: number;
  /** Backoff floor and first ceiling. Default: the target's retry.baseDelayMs. */
  baseDelayMs?: number;
  /** Backoff cap. Default: the target's retry.maxDelayMs. */
  maxDelayMs?: number;
  random?: () => number;
  timers?: Pick<Timers, 'setTimeout' | 'clearTimeout'>;
  /** Shown in Slack messages' context line. */
  monitorName?: string;
  /** The tag keys messages show (`tags.keys`). */
  tagKeys?: readonly string[];
  /** Time for webhook-timestamp headers (receivers compare it with their clock). Default: `clock`. */
  wallClock?: Clock;
}

export interface OutboxWorker {
  start(): void;
  /** Stops starting sends and waits up to `deadlineMs` (a duration) for in-flight ones; then aborts them (they stay pending). */
  stop(deadlineMs: number): Promise<void>;
  /** Re-examines the outbox now (new entries were committed). */
  kick(): void;
  /** Moves dead letters back to pending and delivers them. Returns how many moved. */
  retryDeadLetters(ids: readonly string[] | 'all'): Promise<number>;
}

/** The worker's parts and flags, shared by the functions below. */
interface Worker {
  opts: OutboxWorkerOptions;
  timers: Pick<Timers, 'setTimeout' | 'clearTimeout'>;
  lanes: Map<string, Lane>;
  settler: Settler;
  bounder: DeadLetterBounder;
  running: Set<Promise<void>>;
  controllers: Set<AbortController>;
  started: boolean;
  stopping: boolean;
  /** Past stop()'s deadline: results of sends still in flight are not recorded. */
  abandoned: boolean;
  unsubscribe: (() => void) | undefined;
}

export function createOutboxWorker(opts: OutboxWorkerOptions): OutboxWorker {
  const { store, clock } = opts;
  const lanes = createLanes(
    opts.targets,
    (t): RetryPolicy => ({
      maxAttempts: opts.maxAttempts ?? t.retry.maxAttempts,
      maxAgeMs: opts.maxAgeMs ?? t.retry.maxAgeMs,
      baseDelayMs: opts.baseDelayMs ?? t.retry.baseDelayMs,
      maxDelayMs: opts.maxDelayMs ?? t.retry.maxDelayMs,
    }),
  );
  const timers = opts.timers ?? systemTimers;
  const w: Worker = {
    opts,
    timers,
    lanes,
    running: new Set(),
    controllers: new Set(),
    started: false,
    stopping: false,
    abandoned: false,
    unsubscribe: undefined,
    bounder: createDeadLetterBounder({
      store,
      clock,
      timers,
      log: opts.log,
      boundsOf: (target) => lanes.get(target)?.target.deadLetters ?? DEFAULT_DEAD_LETTER_BOUNDS,
      ...(opts.onEvicted ? { onEvicted: opts.onEvicted } : {}),
      active: () => w.started && !w.stopping,
    }),
    settler: createSettler({
      store,
      timers,
      retryRecordMs: opts.baseDelayMs ?? 1_000,
      onOutcome: (target, o) => opts.onOutcome?.(target, o),
      onDeadLettered: () => w.bounder.soon(),
      onRecorded: () => kick(w),
    }),
  };
  return {
    start() {
      if (w.started) return;
      w.started = true;
      w.unsubscribe = store.onPending(() => kick(w));
      void deadLetterOrphans(w).finally(() => {
        kick(w);
        // The bounds may have shrunk since the dead letters were kept (a new config, a restart).
        w.bounder.soon();
      });
    },
    stop: (deadlineMs) => stopWorker(w, deadlineMs),
    kick: () => kick(w),
    async retryDeadLetters(ids) {
      const moved = await store.retryDeadLetters(ids, clock.now());
      kick(w);
      return moved;
    },
  };
}

function kick(w: Worker): void {
  for (const lane of w.lanes.values()) pump(w, lane);
}

/** Wakes `lane` at `at` (the earliest of what was asked). */
function schedule(w: Worker, lane: Lane, at: number): void {
  if (lane.timer !== undefined && lane.timerAt <= at) return;
  if (lane.timer !== undefined) w.timers.clearTimeout(lane.timer);
  lane.timerAt = at;
  lane.timer = w.timers.setTimeout(
    () => {
      lane.timer = undefined;
      lane.timerAt = Infinity;
      pump(w, lane);
    },
    Math.max(0, at - w.opts.clock.now()),
  );
}

/** Starts what `lane` may send now, up to its concurrency; plans its next look. */
function pump(w: Worker, lane: Lane): void {
  while (w.started && !w.stopping && lane.inFlight.size < lane.concurrency) {
    const now = w.opts.clock.now();
    const pick = pickNext(lane, w.opts.store.pending(), now, w.settler);
    if ('wakeAt' in pick) return schedule(w, lane, pick.wakeAt);
    if (!('send' in pick)) return;
    const next = pick.send;
    lane.inFlight.set(next.id, next.event.arn);
    lane.nextSendAt = now + lane.intervalMs;
    const p = attempt(w, lane, next).finally(() => {
      w.running.delete(p);
      lane.inFlight.delete(next.id);
      pump(w, lane);
    });
    w.running.add(p);
  }
}

/** One attempt of `entry`: sent, decided, recorded. */
async function attempt(w: Worker, lane: Lane, entry: OutboxEntry): Promise<void> {
  const { opts } = w;
  const n = w.settler.attemptsOf(entry) + 1;
  const t0 = opts.clock.now();
  const controller = new AbortController();
  w.controllers.add(controller);
  const result = await deliver(lane, entry, {
    send: opts.send ?? defaultSend,
    now: (opts.wallClock ?? opts.clock).now(),
    ...(opts.monitorName !== undefined ? { monitorName: opts.monitorName } : {}),
    ...(opts.tagKeys !== undefined && opts.tagKeys.length > 0 ? { tagKeys: opts.tagKeys } : {}),
    signal: controller.signal,
  }).finally(() => w.controllers.delete(controller));
  // After stop()'s deadline the store may be closing: leave the entry pending, as a crash would.
  if (w.abandoned) return;
  const now = opts.clock.now();
  const decision = afterAttempt(result, {
    attempt: n,
    ageMs: now - entry.createdAt,
    now,
    policy: lane.policy,
    random: opts.random ?? Math.random,
  });
  if (decision.kind === 'retry' && decision.pauseLaneUntil !== undefined)
    lane.pausedUntil = Math.max(lane.pausedUntil, decision.pauseLaneUntil);
  await w.settler.record({
    entry,
    attempt: n,
    now,
    decision,
    log: opts.log.child({ arn: entry.event.arn }),
    fields: {
      target: lane.target.name,
      eventId: entry.id,
      jobStatus: entry.event.status,
      attempt: n,
      endpoint: redactUrl(lane.target.url),
      durationMs: now - t0,
      ...('status' in result && result.status !== undefined ? { httpStatus: result.status } : {}),
    },
  });
}

/** Entries of targets no longer configured: dead-lettered (visible and re-sendable beats stuck forever). */
async function deadLetterOrphans(w: Worker): Promise<void> {
  const { store, log } = w.opts;
  const now = w.opts.clock.now();
  for (const e of store.pending()) {
    if (w.lanes.has(e.target)) continue;
    await store
      .deadLetter(e.id, `target "${e.target}" is not configured`, now)
      .catch((err: Error) => log.error({ eventId: e.id, err: err.message }, 'could not dead-letter an orphan entry'));
    w.opts.onOutcome?.(e.target, 'dead_lettered');
  }
}

async function stopWorker(w: Worker, deadlineMs: number): Promise<void> {
  w.stopping = true;
  w.unsubscribe?.();
  w.settler.stop();
  for (const lane of w.lanes.values()) {
    if (lane.timer !== undefined) w.timers.clearTimeout(lane.timer);
    lane.timer = undefined;
    lane.timerAt = Infinity;
  }
  // A discard being recorded finishes first: the store closes after stop().
  await w.bounder.stop();
  if (w.running.size === 0) return;
  let timer: unknown;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = w.timers.setTimeout(() => resolve('deadline'), deadlineMs);
  });
  const r = await Promise.race([Promise.allSettled([...w.running]).then(() => 'done' as const), deadline]);
  w.timers.clearTimeout(timer);
  if (r === 'deadline') {
    w.abandoned = true;
    for (const c of w.controllers) c.abort();
    w.opts.log.warn(
      { inFlight: w.running.size },
      'stop deadline reached; in-flight notifications stay pending and will be re-sent with the same id',
    );
  }
}
