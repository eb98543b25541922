// The delivery worker: drains the durable outbox into the one HTTP path (send.ts).
//
// - One lane per target: a slow or broken target never delays another.
// - Within a lane, per resource, strictly in order: only the oldest pending entry of a resource (its
//   head) may be sent; later events of that resource wait until it is delivered or dead-lettered.
//   Heads of different resources proceed independently.
// - Rate limit per lane (Slack: about one message per second per webhook,
//   https://api.slack.com/apis/rate-limits#incoming-webhooks); a 429/503 Retry-After pauses the
//   whole lane until then (the receiver speaks for the endpoint, not for one event).
// - Every attempt's result is durable (recordAttempt / markDelivered / deadLetter) before the next
//   attempt of that entry is scheduled, so a crash repeats at most the in-flight send, same id.
// - Outcomes, one per attempt: delivered | retried | failed; plus dead_lettered when an entry is
//   moved to the dead letters (after a permanent failure, maxAttempts or maxAgeMs).
import type { Logger } from 'pino';
import type { Clock, OutboxEntry } from '../domain.js';
import type { NotificationTarget } from '../config/schema.js';
import type { OutboxStore } from '../state/types.js';
import { systemTimers, type Timers } from '../clock.js';
import { afterAttempt, type RetryPolicy } from './after-attempt.js';
import { redactUrl, scrubText, secretMaterial } from './redact.js';
import { buildRequest } from './request.js';
import { secretsOf } from './webhook.js';
import { send as defaultSend, type SendResult } from './send.js';

export type DeliveryOutcome = 'delivered' | 'retried' | 'failed' | 'dead_lettered';

export type { RetryPolicy } from './after-attempt.js';

/** A configured target, with the config's defaults filled in (ratePerSecond, allowPrivate, retry). */
export type WorkerTarget = NotificationTarget;

export interface OutboxWorkerOptions {
  store: OutboxStore;
  targets: readonly WorkerTarget[];
  clock: Clock;
  log: Logger;
  send?: typeof defaultSend;
  onOutcome?: (target: string, outcome: DeliveryOutcome) => void;
  // The four below, when given, override every target's `retry` (tests compress time with them).
  /** Attempts before a retryable failure is dead-lettered. Default: the target's retry.maxAttempts. */
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

interface Lane {
  target: WorkerTarget;
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
    lanes.set(t.name, {
      target: t,
      policy: policyOf(t),
      intervalMs: rate > 0 ? Math.ceil(1000 / rate) : 0,
      // Slack posts in order one at a time; generic receivers may take a few at once.
      concurrency: t.type === 'slack' ? 1 : 4,
      inFlight: new Map(),
      nextSendAt: 0,
      pausedUntil: 0,
      timer: undefined,
      timerAt: Infinity,
    });
  }
  /** Local hold after a failed store write, so a broken disk does not become a tight loop. */
  const holdUntil = new Map<string, number>();
  /**
   * Delivered, but the state could not record it (full disk). Never sent again by this process:
   * only the record is retried. A crash before it lands can repeat the send once, same id.
   */
  const deliveredUnrecorded = new Set<string>();
  let recordTimer: unknown;
  function retryRecords(): void {
    if (recordTimer !== undefined || deliveredUnrecorded.size === 0 || stopping) return;
    recordTimer = timers.setTimeout(() => {
      recordTimer = undefined;
      void (async () => {
        for (const id of [...deliveredUnrecorded]) {
          try {
            await store.markDelivered(id);
            deliveredUnrecorded.delete(id);
          } catch {
            break; // still failing: try again later
          }
        }
        retryRecords();
        kick();
      })();
    }, opts.baseDelayMs ?? 1_000);
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
        if (deliveredUnrecorded.has(e.id)) {
          // Sent already; its job's later events wait until the record lands (per-job order).
          blocked.add(e.event.arn);
          continue;
        }
        // The oldest pending entry of a job is its head; everything after it waits.
        blocked.add(e.event.arn);
        const due = Math.max(e.nextAttemptAt, holdUntil.get(e.id) ?? 0);
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
    const n = entry.attempts + 1;
    const endpoint = redactUrl(target.url);
    const elog = log.child({ arn: entry.event.arn });
    const t0 = clock.now();
    const controller = new AbortController();
    controllers.add(controller);
    let result: SendResult;
    let sentHeaders: Record<string, string> | undefined;
    try {
      const req = buildRequest(
        { id: entry.id, event: entry.event },
        target,
        (opts.wallClock ?? clock).now(),
        opts.monitorName !== undefined ? { monitorName: opts.monitorName } : {},
      );
      sentHeaders = req.headers;
      result = await sendFn({
        ...req,
        timeoutMs: target.timeoutMs,
        allowHttp: target.allowHttp,
        allowPrivate: target.allowPrivate,
        signal: controller.signal,
      }).catch((err: unknown): SendResult => ({ outcome: 'retryable', reason: `send failed: ${(err as Error).name}` }));
    } catch (err) {
      // Only buildRequest throws (e.g. an undecodable secret): no retry can fix it.
      result = { outcome: 'permanent', reason: `cannot build the payload: ${(err as Error).message}` };
    } finally {
      controllers.delete(controller);
    }
    if (result.outcome !== 'delivered') {
      // Every reason is kept (journal, /api/outbox) and logged: whatever a receiver echoed of the
      // URL, the secret or a header we sent is cut out here, whichever send function produced it.
      result = {
        ...result,
        reason: scrubText(
          result.reason,
          secretMaterial({ url: target.url, secrets: secretsOf(target.secret), ...(sentHeaders ? { headers: sentHeaders } : {}) }),
        ),
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
    try {
      if (next.kind === 'delivered') {
        try {
          await store.markDelivered(entry.id);
        } catch (err) {
          deliveredUnrecorded.add(entry.id);
          retryRecords();
          elog.error(
            { ...fields, outcome: 'delivered', err: (err as Error).message },
            'notification delivered but the state could not record it; it will not be sent again',
          );
          outcome(target.name, 'delivered');
          return;
        }
        holdUntil.delete(entry.id);
        elog.info({ ...fields, outcome: 'delivered' }, 'notification delivered');
        outcome(target.name, 'delivered');
        return;
      }
      if (next.kind === 'dead') {
        await store.recordAttempt(entry.id, { attempts: n, nextAttemptAt: now, lastError: next.lastError });
        await store.deadLetter(entry.id, next.reason, now);
        holdUntil.delete(entry.id);
        elog.error({ ...fields, outcome: 'dead_lettered', reason: next.reason }, 'notification dead-lettered');
        outcome(target.name, 'failed');
        outcome(target.name, 'dead_lettered');
        return;
      }
      if (next.pauseLaneUntil !== undefined) lane.pausedUntil = Math.max(lane.pausedUntil, next.pauseLaneUntil);
      await store.recordAttempt(entry.id, { attempts: n, nextAttemptAt: now + next.delayMs, lastError: next.lastError });
      elog.warn({ ...fields, outcome: 'retried', reason: next.lastError, retryInMs: next.delayMs }, 'notification failed; will retry');
      outcome(target.name, 'retried');
    } catch (err) {
      // The result could not be recorded: keep the entry pending (at-least-once) and back off locally.
      holdUntil.set(entry.id, now + Math.max(lane.policy.baseDelayMs, 1_000));
      elog.error({ ...fields, err: (err as Error).message }, 'could not record a delivery attempt; will retry');
    }
  }

  function kick(): void {
    for (const lane of lanes.values()) pump(lane);
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
      void deadLetterOrphans().finally(kick);
    },
    async stop(deadlineMs: number) {
      stopping = true;
      unsubscribe?.();
      if (recordTimer !== undefined) timers.clearTimeout(recordTimer);
      for (const lane of lanes.values()) {
        if (lane.timer !== undefined) timers.clearTimeout(lane.timer);
        lane.timer = undefined;
        lane.timerAt = Infinity;
      }
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
