// Every AWS call of a sweep goes through here: the rate limiter, then p-retry with exponential
// backoff and jitter for retryable errors (throttling, 5xx, network); terminal errors (400, 403,
// 404...) end the retries at once.
import pRetry, { AbortError } from 'p-retry';
import { classifyError } from '../aws/errors.js';
import type { AdaptiveRateLimiter } from './limiter.js';

export interface CallOptions {
  limiter: AdaptiveRateLimiter;
  maxAttempts: number;
  signal?: AbortSignal;
  /** First backoff; later ones grow by 2x with jitter, up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export async function callAws<T>(fn: (signal?: AbortSignal) => Promise<T>, opts: CallOptions): Promise<T> {
  return pRetry(
    async () => {
      await opts.limiter.acquire(opts.signal);
      try {
        const out = await fn(opts.signal);
        opts.limiter.onSuccess();
        return out;
      } catch (err) {
        const c = classifyError(err);
        if (c.throttled) opts.limiter.onThrottle();
        if (!c.retryable) throw new AbortError(err as Error);
        throw err;
      }
    },
    {
      retries: Math.max(0, opts.maxAttempts - 1),
      factor: 2,
      minTimeout: opts.minDelayMs ?? 250,
      maxTimeout: opts.maxDelayMs ?? 8_000,
      randomize: true,
      ...(opts.signal ? { signal: opts.signal } : {}),
    },
  );
}
