// Fault injection for AWS requests: latency, a token bucket (maxRequestsPerSecond, burst = one
// second's worth), random throttling and random 500s, connection resets (random, on one page of
// every List pagination, or of connections left idle too long), malformed 200 answers for one job
// and short List pages. Randomness comes from the seeded PRNG and time from the injected clock,
// so a test replays the same sequence.
import type { Rng } from './prng.js';

/** How a malformed answer breaks the model (see MalformedFault). */
export const MALFORMED_KINDS = ['missingField', 'badTimestamp', 'wrongType', 'nonFinite', 'nonJson', 'hugeBody'] as const;
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

/**
 * A 200 answer that breaks the wire model, for one job (or one resource of another kind, by id):
 * - missingField: the job (Get) or its List summary lacks the required `status` and `updateTime`
 * - badTimestamp: its `updateTime` is "not-a-timestamp"
 * - wrongType: its `status` is the number 7 (a string in the model)
 * - nonFinite: the first number member of its kind the answer carries (an audience size, a recall)
 *   is written `1e400`, which JSON allows and parses to Infinity; without one, its `updateTime` is
 *   (the number where the model has a timestamp string)
 * - nonJson: the whole answer (Get, or the List page holding the job) is an HTML error page with status 200
 * - hugeBody: the whole answer is valid JSON padded past 6 MiB (above the client's 5 MiB cap)
 */
export interface MalformedFault {
  arn: string;
  kind: MalformedKind;
  /** Which operations answer malformed (default both). */
  operations: Array<'get' | 'list'>;
}

export interface Faults {
  /** Share of AWS requests answered 429 ThrottlingException (0..1). */
  throttleRatio: number;
  /** Share of AWS requests answered 500 InternalServiceException (0..1). */
  errorRatio: number;
  /** Delay before every AWS response (real time: it is network latency). */
  latencyMs: number;
  /** Token bucket over AWS requests; excess -> 429 ThrottlingException. 0 = unlimited. */
  maxRequestsPerSecond: number;
  /** Share of AWS requests whose connection is reset (destroyed, no answer) (0..1). */
  resetRatio?: number;
  /** Every List request for this page number (1 = first page) is reset: a failure mid-pagination. */
  resetListPage?: number;
  /** Malformed 200 answers for given jobs. */
  malformed?: MalformedFault[];
  /**
   * List pages hold at most this many items, whatever maxResults asks (the service may answer
   * fewer): long paginations from a small fleet.
   */
  maxPageSize?: number;
  /**
   * A connection idle for longer than this (simulator clock) is reset when a request arrives on
   * it, as a load balancer that forgot the flow answers a late packet (an NLB sends a TCP RST).
   */
  resetIdleAfterMs?: number;
}

export const NO_FAULTS: Readonly<Faults> = { throttleRatio: 0, errorRatio: 0, latencyMs: 0, maxRequestsPerSecond: 0 };

export type FaultVerdict = 'ok' | 'throttle' | 'error' | 'reset';

export class FaultInjector {
  private faults: Faults = { ...NO_FAULTS };
  private tokens = 0;
  private lastRefill = 0;

  constructor(
    private readonly rng: Rng,
    private readonly now: () => number,
  ) {}

  /** The faults in force: the four documented members (README "Simulator") always, the others only when on. */
  get current(): Faults {
    return {
      ...this.faults,
      ...(this.faults.malformed ? { malformed: this.faults.malformed.map((m) => ({ ...m, operations: [...m.operations] })) } : {}),
    };
  }

  set(f: Partial<Faults>): Faults {
    // PUT semantics: absent = off. Optional faults that are off are not listed.
    const on = Object.entries(f).filter(
      ([k, v]) => v !== undefined && (k in NO_FAULTS || (v !== 0 && !(Array.isArray(v) && v.length === 0))),
    );
    this.faults = { ...NO_FAULTS, ...Object.fromEntries(on) };
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
    if ((this.faults.resetRatio ?? 0) > 0 && this.rng() < this.faults.resetRatio!) return 'reset';
    return 'ok';
  }

  /** The items a List page may hold when `maxResults` were asked. */
  pageLimit(maxResults: number): number {
    return Math.min(maxResults, this.faults.maxPageSize ?? maxResults);
  }

  /** Is a request arriving on a connection idle for `idleMs` (undefined: a new one) to be reset? */
  resetsIdle(idleMs: number | undefined): boolean {
    const limit = this.faults.resetIdleAfterMs;
    return limit !== undefined && idleMs !== undefined && idleMs > limit;
  }

  /** Is this List page (1-based) one to reset? */
  resetsListPage(page: number): boolean {
    return this.faults.resetListPage !== undefined && this.faults.resetListPage === page;
  }

  /** The malformed fault for this job and operation, if any. */
  malformedFor(arn: string, op: 'get' | 'list'): MalformedFault | undefined {
    return this.faults.malformed?.find((m) => m.arn === arn && m.operations.includes(op));
  }
}
