// Which client and rate limiter read each job and each List scope. One client per identity
// (role + region) and one adaptive limiter per account and region, since AWS accounts throttling
// per account and region (several roles of one account share it). Built from the sweep spec, so
// a reload builds a new set.
import type { Clock } from '../domain.js';
import type { CleanRoomsMlApi } from '../aws/types.js';
import type { ResourceClient } from '../aws/resource-client.js';
import { connKey, limiterKey, type ConnSpec } from '../aws/connections.js';
import { AdaptiveRateLimiter } from './limiter.js';
import { coveringScope, type ListScope, type Matchable } from './plan.js';
import type { SweepSpec } from './spec.js';

/** The API clients of one identity and the rate limiter of its account and region. */
export interface Conn {
  /** Get and List of every kind. */
  resources: ResourceClient;
  /**
   * The audience generation job client of the first releases, still read by src/poll/sweep.ts;
   * goes away with it, every kind then reads through `resources`.
   */
  // bridge: removed when the sweep stores every kind as a ResourceSnapshot
  api: CleanRoomsMlApi;
  limiter: AdaptiveRateLimiter;
}

export interface Connections {
  /** The default identity's connection (aws.roleArn or the base identity, in aws.region). */
  readonly default: Conn;
  /** The connection of a job: its static entry's identity, else its covering discovery scope's. */
  forJob(arn: string, job: Matchable | undefined): Conn;
  forScope(scope: ListScope): Conn;
  /** The connection of a resource List source or a static resource: its own identity, else the default. */
  forConn(c: ConnSpec | undefined): Conn;
  /** Every limiter made so far (the default one at least). */
  limiters(): AdaptiveRateLimiter[];
}

export interface ConnectionsOptions {
  /** The client of every kind for an identity (the composition root decides credentials, endpoint, observer). */
  resourceClient(c: ConnSpec): ResourceClient;
  /** The audience generation job client for an identity (same transport and credentials); see Conn.api. */
  // bridge: removed when the sweep stores every kind as a ResourceSnapshot
  client(c: ConnSpec): CleanRoomsMlApi;
  maxRequestsPerSecond: number;
  clock: Clock;
}

export function createConnections(spec: SweepSpec, opts: ConnectionsOptions): Connections {
  const limiters = new Map<string, AdaptiveRateLimiter>();
  const conns = new Map<string, Conn>();
  const open = (c: ConnSpec): Conn => {
    const key = connKey(c);
    let conn = conns.get(key);
    if (!conn) {
      const lk = limiterKey(c);
      let limiter = limiters.get(lk);
      if (!limiter) limiters.set(lk, (limiter = new AdaptiveRateLimiter({ maxPerSecond: opts.maxRequestsPerSecond, clock: opts.clock })));
      conns.set(key, (conn = { resources: opts.resourceClient(c), api: opts.client(c), limiter }));
    }
    return conn;
  };
  const fallback = open(spec.defaultConn);
  return {
    default: fallback,
    forJob(arn, job) {
      if (spec.staticArns.has(arn) || spec.staticConn.has(arn)) {
        const c = spec.staticConn.get(arn);
        return c ? open(c) : fallback;
      }
      const c = job ? coveringScope(job, spec.discovery)?.conn : undefined;
      return c ? open(c) : fallback;
    },
    forScope(scope) {
      return scope.conn ? open(scope.conn) : fallback;
    },
    forConn(c) {
      return c ? open(c) : fallback;
    },
    limiters: () => [...limiters.values()],
  };
}
