// Pure: what follows one delivery attempt. Delivered; dead-lettered (a permanent failure, or the
// target's age, or attempts when it counts them, used up); or retried after a backoff with full
// jitter, never sooner than the receiver's Retry-After, which on a 429/503 also pauses the whole
// lane (the receiver speaks for the endpoint, not for one event). The worker records the outcome;
// this decides it.
import { deliveryBackoffDelay } from './backoff.js';
import type { SendResult } from '../targets/classify.js';

/** Retry policy of one target (config `notifications.targets[].retry`). */
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** 0: no count limit (retried until maxAgeMs). */
  maxAttempts: number;
  maxAgeMs: number;
}

export type AttemptDecision =
  | { kind: 'delivered' }
  | { kind: 'dead'; reason: string; lastError: string }
  | { kind: 'retry'; delayMs: number; lastError: string; pauseLaneUntil?: number };

export interface AttemptFacts {
  /** Attempts made so far, this one included (1, 2, ...). */
  attempt: number;
  /** Age of the entry (now - createdAt). */
  ageMs: number;
  now: number;
  policy: RetryPolicy;
  /** Jitter draw in [0, 1). */
  random: () => number;
}

export function afterAttempt(result: SendResult, f: AttemptFacts): AttemptDecision {
  if (result.outcome === 'delivered') return { kind: 'delivered' };
  if (result.outcome === 'permanent') return { kind: 'dead', reason: result.reason, lastError: result.reason };
  const { policy } = f;
  if ((policy.maxAttempts > 0 && f.attempt >= policy.maxAttempts) || f.ageMs >= policy.maxAgeMs) {
    return {
      kind: 'dead',
      reason: `gave up after ${f.attempt} attempts over ${Math.round(f.ageMs / 1000)} s: ${result.reason}`,
      lastError: result.reason,
    };
  }
  // The last try falls on maxAgeMs rather than up to maxDelayMs past it, so "retried for maxAgeMs"
  // holds to the minute; never sooner than the base delay, so the end of the age is no tight loop.
  const backoff = deliveryBackoffDelay(f.attempt, { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, random: f.random });
  const untilDeadline = Math.max(policy.baseDelayMs, policy.maxAgeMs - f.ageMs);
  const retryAfter = result.retryAfterMs;
  const delayMs = Math.max(Math.min(backoff, untilDeadline), retryAfter ?? 0);
  const pauses = retryAfter !== undefined && (result.status === 429 || result.status === 503);
  return { kind: 'retry', delayMs, lastError: result.reason, ...(pauses ? { pauseLaneUntil: f.now + retryAfter } : {}) };
}
