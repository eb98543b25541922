// Fault injection for AWS requests: latency, a token bucket (maxRequestsPerSecond, burst = one
// second's worth), random throttling and random 500s. Randomness comes from the seeded PRNG and
// time from the injected clock, so a test replays the same sequence.
import type { Rng } from './prng.js';

export interface Faults {
  /** Share of AWS requests answered 429 ThrottlingException (0..1). */
  throttleRatio: number;
  /** Share of AWS requests answered 500 InternalServiceException (0..1). */
  errorRatio: number;
  /** Delay before every AWS response (real time: it is network latency). */
  latencyMs: number;
  /** Token bucket over AWS requests; excess -> 429 ThrottlingException. 0 = unlimited. */
  maxRequestsPerSecond: number;
}

export const NO_FAULTS: Readonly<Faults> = { throttleRatio: 0, errorRatio: 0, latencyMs: 0, maxRequestsPerSecond: 0 };

export type FaultVerdict = 'ok' | 'throttle' | 'error';

export class FaultInjector {
  private faults: Faults = { ...NO_FAULTS };
  private tokens = 0;
  private lastRefill = 0;

  constructor(private readonly rng: Rng, private readonly now: () => number) {}

  get current(): Faults {
    return { ...this.faults };
  }

  set(f: Partial<Faults>): Faults {
    // PUT semantics (GUIDE §2): absent = off.
    this.faults = { ...NO_FAULTS, ...Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) };
    this.tokens = this.faults.maxRequestsPerSecond;
    this.lastRefill = this.now();
    return this.current;
  }

  /** Decide the fate of one AWS request (after authentication). */
  decide(): FaultVerdict {
    const rate = this.faults.maxRequestsPerSecond;
    if (rate > 0) {
      const now = this.now();
      const burst = Math.max(1, rate);
      this.tokens = Math.min(burst, this.tokens + ((now - this.lastRefill) / 1000) * rate);
      this.lastRefill = now;
      if (this.tokens < 1) return 'throttle';
      this.tokens -= 1;
    }
    if (this.faults.throttleRatio > 0 && this.rng() < this.faults.throttleRatio) return 'throttle';
    if (this.faults.errorRatio > 0 && this.rng() < this.faults.errorRatio) return 'error';
    return 'ok';
  }
}
