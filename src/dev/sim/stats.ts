// Request counts per operation and outcome (the labels of cleanroomsml_monitor_api_requests_total).
import type { ApiOutcome } from '../../aws/api.js';

export const OUTCOMES: readonly ApiOutcome[] = ['success', 'throttled', 'not_found', 'access_denied', 'validation', 'error'];
export type SimStats = {
  requests: Record<string, Record<ApiOutcome, number>>;
  /** TCP connections that carried AWS requests (the control API's are not counted). */
  connections: number;
  /** AWS requests that arrived on a connection idle past resetIdleAfterMs, and were reset. */
  idleResets: number;
};

export function outcomeOfStatus(status: number): ApiOutcome {
  if (status >= 200 && status < 300) return 'success';
  if (status === 429) return 'throttled';
  if (status === 404) return 'not_found';
  if (status === 401 || status === 403) return 'access_denied';
  if (status === 400) return 'validation';
  return 'error';
}

export class StatsCounter {
  private counts = new Map<string, Record<ApiOutcome, number>>();
  private connections = 0;
  private idleResets = 0;
  // The generation a connection was last counted in: a reset starts a new one, so a connection
  // kept alive across it is counted again.
  private counted = new WeakMap<object, number>();
  private generation = 0;

  /** `listed`: operations the snapshot always lists, counted or not. */
  constructor(private readonly listed: readonly string[] = []) {
    this.reset();
  }

  record(operation: string, outcome: ApiOutcome): void {
    let row = this.counts.get(operation);
    if (!row) this.counts.set(operation, (row = zero()));
    row[outcome]++;
  }

  /** An AWS request arrived on `connection` (its socket): counted once per connection. */
  connectionUsed(connection: object): void {
    if (this.counted.get(connection) === this.generation) return;
    this.counted.set(connection, this.generation);
    this.connections++;
  }

  idleReset(): void {
    this.idleResets++;
  }

  reset(): void {
    this.counts = new Map(this.listed.map((op) => [op, zero()]));
    this.connections = 0;
    this.idleResets = 0;
    this.generation++;
  }

  snapshot(): SimStats {
    return {
      requests: Object.fromEntries([...this.counts].map(([k, v]) => [k, { ...v }])),
      connections: this.connections,
      idleResets: this.idleResets,
    };
  }
}

function zero(): Record<ApiOutcome, number> {
  return Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<ApiOutcome, number>;
}

/** One AWS request as the simulator answered it: status 0 = connection reset. */
export interface RequestLogEntry {
  t: number;
  op: string;
  status: number;
  /** Raw request path and query. */
  url?: string;
  fault?: string;
}

/**
 * The last AWS requests (GET /_sim/requests), so tests can measure retries and backoff gaps
 * rather than infer them from counts. Bounded: the oldest entries are dropped.
 */
export class RequestLog {
  private entries: RequestLogEntry[] = [];

  constructor(private readonly max = 10_000) {}

  add(e: RequestLogEntry): void {
    this.entries.push(e);
    if (this.entries.length > this.max) this.entries.splice(0, this.entries.length - this.max);
  }

  /** Entries at or after `since` (epoch ms of the simulator's clock). */
  since(since = 0): RequestLogEntry[] {
    return this.entries.filter((e) => e.t >= since);
  }

  reset(): void {
    this.entries = [];
  }
}
