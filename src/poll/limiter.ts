// One adaptive token bucket per account and region. No request-rate quota is published for the
// Clean Rooms ML read APIs (https://docs.aws.amazon.com/general/latest/gr/clean-rooms-ml.html), so the monitor finds the rate from ThrottlingException:
// additive increase on success, multiplicative decrease on throttling (AIMD, as TCP does), never
// above the configured ceiling.
import type { Clock } from '../domain.js';
import { systemTimers, type Timers } from '../clock.js';

export interface RateLimiterOptions {
  maxPerSecond: number;
  minPerSecond?: number;
  clock: Clock;
  timers?: Pick<Timers, 'setTimeout' | 'clearTimeout'>;
}

export class AdaptiveRateLimiter {
  private rate: number;
  private tokens: number;
  private last: number;
  private readonly max: number;
  private readonly min: number;
  private lastDecrease = -Infinity;
  private queue: Array<() => void> = [];
  private timer: unknown;

  constructor(private readonly opts: RateLimiterOptions) {
    this.max = opts.maxPerSecond;
    this.min = Math.min(opts.minPerSecond ?? 0.5, this.max);
    this.rate = this.max;
    this.tokens = Math.min(this.max, 1);
    this.last = opts.clock.now();
  }

  /** Current allowed requests per second. */
  get currentRate(): number {
    return this.rate;
  }

  onSuccess(): void {
    // Additive increase: regain the ceiling over about 10 s of clean answers. (A gentler probe near
    // the last throttled rate was tried: fewer throttles, but the 10,000-job backfill took 459 s
    // instead of 338 s in the bench, so it was dropped.)
    this.rate = Math.min(this.max, this.rate + this.max / (10 * Math.max(this.rate, 1)));
  }

  onThrottle(): void {
    const now = this.opts.clock.now();
    // One decrease per burst: requests already in flight report the same congestion event.
    if (now - this.lastDecrease < 1000 / Math.max(this.rate, 0.001)) return;
    this.lastDecrease = now;
    this.rate = Math.max(this.min, this.rate / 2);
    this.tokens = Math.min(this.tokens, 0);
  }

  /** Resolves when a request may be sent. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.queue = this.queue.filter((f) => f !== go);
        reject(signal?.reason);
      };
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(go);
      this.drain();
    });
  }

  private refill(): void {
    const now = this.opts.clock.now();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    // Bucket depth of one second's worth at most: no bursts above the rate after idling.
    this.tokens = Math.min(Math.max(1, this.rate), this.tokens + elapsed * this.rate);
  }

  private drain(): void {
    if (this.timer !== undefined) return;
    this.refill();
    while (this.queue.length > 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.queue.shift()!();
    }
    if (this.queue.length > 0) {
      const wait = Math.ceil(((1 - this.tokens) / this.rate) * 1000);
      const timers = this.opts.timers ?? systemTimers;
      this.timer = timers.setTimeout(
        () => {
          this.timer = undefined;
          this.drain();
        },
        Math.max(1, wait),
      );
    }
  }
}
