// The delivery worker: drains the durable outbox into the one HTTP path (send.ts).
//
// - One lane per target: a slow or broken target never delays another.
// - Within a lane, per resource, strictly in order: only the oldest pending entry of a resource (its
//   head) may be sent; later events of that resource wait until it is delivered or dead-lettered.
//   Heads of different resources proceed independently.
// - Rate limit per lane (the target's ratePerSecond, by default its type's: Slack about one message
//   per second per webhook) and the type's concurrency (src/targets/<type>.ts); a 429/503
//   Retry-After pauses the whole lane until then (the receiver speaks for the endpoint, not for one event).
// - Every attempt's result is durable (recordAttempt / markDelivered / deadLetter) before the next
//   attempt of that entry is scheduled, so a crash repeats at most the in-flight send, same id.
//   When the state cannot record it (full disk, journal over its bound), the result is held in
//   memory instead: the attempt count and its backoff go on as recorded ones would (never faster
//   than the policy), and a delivered or dead-lettered entry is never sent again by this process
//   while its record is retried.
// - Outcomes, one per attempt: delivered | retried | failed; plus dead_lettered when an entry is
//   moved to the dead letters (after a permanent failure, maxAgeMs, or maxAttempts when set).
// - Dead letters are bounded per target (deadLetters.maxCount / maxAgeMs): past them the oldest
//   are dropped, each logged and counted (onEvicted).
import type { Logger } from 'pino';
import type { Clock } from '../domain.js';
import type { OutboxEntry } from '../state/types.js';
import { DEFAULT_DEAD_LETTER_BOUNDS, type NotificationTarget } from '../config/schema.js';
import type { OutboxStore } from '../state/types.js';
import { systemTimers, type Timers } from '../clock.js';
import { afterAttempt, type RetryPolicy } from './after-attempt.js';
import { deadLettersOverBounds, type DeadLetterBounds, type EvictionReason } from './dead-letter-bounds.js';
import { redactUrl, scrubText, secretMaterial } from './redact.js';
import { send as defaultSend, type SendResult } from './send.js';
import { reasonLine } from '../targets/classify.js';
import { deliveryType, targetSecrets, type DeliveryType } from '../targets/index.js';

export type DeliveryOutcome = 'delivered' | 'retried' | 'failed' | 'dead_lettered';

export type { EvictionReason } from './dead-letter-bounds.js';

/** A configured target, with the config's defaults filled in (ratePerSecond, allowPrivate, retry, deadLetters). */
export type WorkerTarget = NotificationTarget;

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

/** An outcome decided for good, whose record has not landed yet. */
type Settled = { kind: 'delivered' } | { kind: 'dead'; attempts: number; at: number; reason: string; lastError: string };

/** Longest single timer of the dead-letter bounds: setTimeout caps near 24.8 days; re-planned daily. */
const BOUND_TIMER_MAX_MS = 86_400_000;
/** Next try to drop dead letters after the state refused to record it. */
const BOUND_RETRY_MS = 60_000;
/**
 * Least time between two checks of the bounds after new dead letters: each check reads every dead
 * letter, and a burst of dead letters (a fast target going away) would otherwise check once each.
 */
const BOUND_SPACING_MS = 1_000;

interface Lane {
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

export function createOutboxWorker(opts: OutboxWorkerOptions): OutboxWorker {
  const { store, clock, log } = opts;
  const sendFn = opts.send ?? defaultSend;
  const timers = opts.timers ?? systemTimers;
  const policyOf = (t: WorkerTarget): RetryPolicy => ({
    maxAttempts: opts.maxAttempts ?? t.retry.maxAttempts,
    maxAgeMs: opts.maxAgeMs ?? t.retry.maxAgeMs,
    baseDelayMs: opts.baseDelayMs ?? t.retry.baseDelayMs,
    maxDelayMs: opts.maxDelayMs ?? t.retry.maxDelayMs,
  });
  const random = opts.random ?? Math.random;
  const outcome = (target: string, o: DeliveryOutcome) => opts.onOutcome?.(target, o);

  const lanes = new Map<string, Lane>();
  for (const t of opts.targets) {
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
  /**
   * Failed attempts the state could not record (full disk): their count and next due time, so the
   * backoff grows as if they had been recorded. Lost with the process: a restart goes on from the
   * last recorded attempt.
   */
  const unrecordedAttempts = new Map<string, { attempts: number; nextAttemptAt: number }>();
  /**
   * Delivered or dead-lettered, but the state could not record it. Never sent again by this
   * process: only the record is retried. A crash before it lands can repeat the send once, same id.
   */
  const settledUnrecorded = new Map<string, Settled>();
  let recordTimer: unknown;
  function retryRecords(): void {
    if (recordTimer !== undefined || settledUnrecorded.size === 0 || stopping) return;
    recordTimer = timers.setTimeout(() => {
      recordTimer = undefined;
      void (async () => {
        for (const [id, settled] of [...settledUnrecorded]) {
          try {
            await recordSettled(id, settled);
            settledUnrecorded.delete(id);
            if (settled.kind === 'dead') boundSoon();
          } catch {
            break; // still failing: try again later
          }
        }
        retryRecords();
        kick();
      })();
    }, opts.baseDelayMs ?? 1_000);
  }
  async function recordSettled(id: string, s: Settled): Promise<void> {
    if (s.kind === 'delivered') return store.markDelivered(id);
    await store.recordAttempt(id, { attempts: s.attempts, nextAttemptAt: s.at, lastError: s.lastError });
    await store.deadLetter(id, s.reason, s.at);
  }
  const running = new Set<Promise<void>>();
  const controllers = new Set<AbortController>();
  let started = false;
  let stopping = false;
  let abandoned = false;
  let unsubscribe: (() => void) | undefined;

  function schedule(lane: Lane, at: number): void {
    if (lane.timer !== undefined && lane.timerAt <= at) return;
    if (lane.timer !== undefined) timers.clearTimeout(lane.timer);
    lane.timerAt = at;
    lane.timer = timers.setTimeout(
      () => {
        lane.timer = undefined;
        lane.timerAt = Infinity;
        pump(lane);
      },
      Math.max(0, at - clock.now()),
    );
  }

  function pump(lane: Lane): void {
    while (started && !stopping && lane.inFlight.size < lane.concurrency) {
      const now = clock.now();
      const gate = Math.max(lane.nextSendAt, lane.pausedUntil);
      if (gate > now) return schedule(lane, gate);
      const blocked = new Set(lane.inFlight.values());
      let next: OutboxEntry | undefined;
      let earliest = Infinity;
      for (const e of store.pending()) {
        if (e.target !== lane.target.name || blocked.has(e.event.arn)) continue;
        if (settledUnrecorded.has(e.id)) {
          // Settled already; its job's later events wait until the record lands (per-job order).
          blocked.add(e.event.arn);
          continue;
        }
        // The oldest pending entry of a job is its head; everything after it waits.
        blocked.add(e.event.arn);
        const due = Math.max(e.nextAttemptAt, unrecordedAttempts.get(e.id)?.nextAttemptAt ?? 0);
        if (due <= now) {
          next = e;
          break;
        }
        earliest = Math.min(earliest, due);
      }
      if (next === undefined) {
        if (earliest < Infinity) schedule(lane, earliest);
        return;
      }
      lane.inFlight.set(next.id, next.event.arn);
      lane.nextSendAt = now + lane.intervalMs;
      const p = attempt(lane, next).finally(() => {
        running.delete(p);
        lane.inFlight.delete(next.id);
        pump(lane);
      });
      running.add(p);
    }
  }

  async function attempt(lane: Lane, entry: OutboxEntry): Promise<void> {
    const target = lane.target;
    const n = Math.max(entry.attempts, unrecordedAttempts.get(entry.id)?.attempts ?? 0) + 1;
    const endpoint = redactUrl(target.url);
    const elog = log.child({ arn: entry.event.arn });
    const t0 = clock.now();
    const controller = new AbortController();
    controllers.add(controller);
    let result: SendResult;
    let sentHeaders: Record<string, string> | undefined;
    try {
      const req = lane.type.request({ id: entry.id, event: entry.event }, target, (opts.wallClock ?? clock).now(), {
        ...(opts.monitorName !== undefined ? { monitorName: opts.monitorName } : {}),
        ...(opts.tagKeys !== undefined && opts.tagKeys.length > 0 ? { tagKeys: opts.tagKeys } : {}),
      });
      sentHeaders = req.headers;
      result = await sendFn({
        ...req,
        timeoutMs: target.timeoutMs,
        allowHttp: target.allowHttp,
        allowPrivate: target.allowPrivate,
        classify: lane.type.classify,
        signal: controller.signal,
      }).catch((err: unknown): SendResult => ({ outcome: 'retryable', reason: `send failed: ${(err as Error).name}` }));
    } catch (err) {
      // Only the request builder throws (e.g. an undecodable secret): no retry can fix it.
      result = { outcome: 'permanent', reason: `cannot build the payload: ${(err as Error).message}` };
    } finally {
      controllers.delete(controller);
    }
    if (result.outcome !== 'delivered') {
      // Every reason is kept (journal, /api/outbox) and logged: whatever a receiver echoed of the
      // URL, the secret or a header we sent is cut out of its words here, whichever send function
      // produced them; then they join our own words in one line.
      const { detail, ...rest } = result;
      const material = secretMaterial({
        url: target.url,
        secrets: targetSecrets(target),
        ...(sentHeaders ? { headers: sentHeaders } : {}),
      });
      result = {
        ...rest,
        reason: reasonLine({ reason: rest.reason, ...(detail !== undefined ? { detail: scrubText(detail, material) } : {}) }),
      };
    }
    // After stop()'s deadline the store may be closing: leave the entry pending, as a crash would.
    if (abandoned) return;
    const now = clock.now();
    const fields = {
      target: target.name,
      eventId: entry.id,
      jobStatus: entry.event.status,
      attempt: n,
      endpoint,
      durationMs: now - t0,
      ...('status' in result && result.status !== undefined ? { httpStatus: result.status } : {}),
    };
    const next = afterAttempt(result, { attempt: n, ageMs: now - entry.createdAt, now, policy: lane.policy, random });
    if (next.kind === 'delivered') {
      unrecordedAttempts.delete(entry.id);
      try {
        await store.markDelivered(entry.id);
        elog.info({ ...fields, outcome: 'delivered' }, 'notification delivered');
      } catch (err) {
        settledUnrecorded.set(entry.id, { kind: 'delivered' });
        retryRecords();
        elog.error(
          { ...fields, outcome: 'delivered', err: (err as Error).message },
          'notification delivered but the state could not record it; it will not be sent again',
        );
      }
      outcome(target.name, 'delivered');
      return;
    }
    if (next.kind === 'dead') {
      unrecordedAttempts.delete(entry.id);
      const settled: Settled = { kind: 'dead', attempts: n, at: now, reason: next.reason, lastError: next.lastError };
      try {
        await recordSettled(entry.id, settled);
        elog.error({ ...fields, outcome: 'dead_lettered', reason: next.reason }, 'notification dead-lettered');
        boundSoon();
      } catch (err) {
        settledUnrecorded.set(entry.id, settled);
        retryRecords();
        elog.error(
          { ...fields, outcome: 'dead_lettered', reason: next.reason, err: (err as Error).message },
          'notification dead-lettered but the state could not record it; it will not be sent again',
        );
      }
      outcome(target.name, 'failed');
      outcome(target.name, 'dead_lettered');
      return;
    }
    if (next.pauseLaneUntil !== undefined) lane.pausedUntil = Math.max(lane.pausedUntil, next.pauseLaneUntil);
    const nextAttemptAt = now + next.delayMs;
    try {
      await store.recordAttempt(entry.id, { attempts: n, nextAttemptAt, lastError: next.lastError });
      unrecordedAttempts.delete(entry.id);
    } catch (err) {
      // Kept pending (at-least-once), on the schedule the policy gave: a state that cannot record
      // must not turn backoff into a retry every baseDelayMs.
      unrecordedAttempts.set(entry.id, { attempts: n, nextAttemptAt });
      elog.error({ ...fields, err: (err as Error).message }, 'could not record a delivery attempt; retrying on its backoff schedule');
    }
    elog.warn({ ...fields, outcome: 'retried', reason: next.lastError, retryInMs: next.delayMs }, 'notification failed; will retry');
    outcome(target.name, 'retried');
  }

  function kick(): void {
    for (const lane of lanes.values()) pump(lane);
  }

  // ---- dead-letter bounds: one run at a time; a request during a run makes one more run.
  const boundsOf = (target: string): DeadLetterBounds => lanes.get(target)?.target.deadLetters ?? DEFAULT_DEAD_LETTER_BOUNDS;
  let boundTimer: unknown;
  let boundTimerAt = Infinity;
  let bounding: Promise<void> | undefined;
  let boundAgain = false;
  let lastBoundAt = -Infinity;
  function boundAt(at: number): void {
    if (stopping || !started) return;
    if (boundTimer !== undefined && boundTimerAt <= at) return;
    if (boundTimer !== undefined) timers.clearTimeout(boundTimer);
    const delay = Math.min(Math.max(0, at - clock.now()), BOUND_TIMER_MAX_MS);
    boundTimerAt = at;
    boundTimer = timers.setTimeout(() => {
      boundTimer = undefined;
      boundTimerAt = Infinity;
      bound();
    }, delay);
  }
  /** After new dead letters: the count bound applies within BOUND_SPACING_MS (coalesced into one run). */
  function boundSoon(): void {
    boundAt(Math.max(clock.now(), lastBoundAt + BOUND_SPACING_MS));
  }
  function bound(): void {
    if (bounding) {
      boundAgain = true;
      return;
    }
    const run = dropOverBounds().finally(() => {
      bounding = undefined;
      if (boundAgain) {
        boundAgain = false;
        boundSoon();
      }
    });
    bounding = run;
  }
  async function dropOverBounds(): Promise<void> {
    const now = clock.now();
    lastBoundAt = now;
    const plan = deadLettersOverBounds(store.deadLetters(), boundsOf, now);
    let nextAt = plan.nextAt;
    if (plan.evict.length > 0) {
      try {
        await store.discardDeadLetters(plan.evict.map((e) => e.entry.id));
        for (const { entry, reason } of plan.evict) {
          const b = boundsOf(entry.target);
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
          opts.onEvicted?.(entry.target, reason);
        }
      } catch (err) {
        log.error(
          { err: (err as Error).message, dropping: plan.evict.length },
          'could not drop dead letters over their bounds; will try again',
        );
        nextAt = Math.min(nextAt, now + BOUND_RETRY_MS);
      }
    }
    if (nextAt < Infinity) boundAt(nextAt);
  }

  async function deadLetterOrphans(): Promise<void> {
    const now = clock.now();
    for (const e of store.pending()) {
      if (lanes.has(e.target)) continue;
      // A target removed from the config: visible and re-sendable beats stuck forever.
      await store
        .deadLetter(e.id, `target "${e.target}" is not configured`, now)
        .catch((err: Error) => log.error({ eventId: e.id, err: err.message }, 'could not dead-letter an orphan entry'));
      outcome(e.target, 'dead_lettered');
    }
  }

  return {
    start() {
      if (started) return;
      started = true;
      unsubscribe = store.onPending(kick);
      void deadLetterOrphans().finally(() => {
        kick();
        // The bounds may have shrunk since the dead letters were kept (a new config, a restart).
        boundSoon();
      });
    },
    async stop(deadlineMs: number) {
      stopping = true;
      unsubscribe?.();
      if (recordTimer !== undefined) timers.clearTimeout(recordTimer);
      if (boundTimer !== undefined) timers.clearTimeout(boundTimer);
      boundTimer = undefined;
      for (const lane of lanes.values()) {
        if (lane.timer !== undefined) timers.clearTimeout(lane.timer);
        lane.timer = undefined;
        lane.timerAt = Infinity;
      }
      // A discard being recorded finishes first: the store closes after stop().
      await bounding;
      if (running.size === 0) return;
      let timer: unknown;
      const deadline = new Promise<'deadline'>((resolve) => {
        timer = timers.setTimeout(() => resolve('deadline'), deadlineMs);
      });
      const r = await Promise.race([Promise.allSettled([...running]).then(() => 'done' as const), deadline]);
      timers.clearTimeout(timer);
      if (r === 'deadline') {
        abandoned = true;
        for (const c of controllers) c.abort();
        log.warn(
          { inFlight: running.size },
          'stop deadline reached; in-flight notifications stay pending and will be re-sent with the same id',
        );
      }
    },
    kick,
    async retryDeadLetters(ids) {
      const moved = await store.retryDeadLetters(ids, clock.now());
      kick();
      return moved;
    },
  };
}
