// Which client and rate limiter read each resource and each List scope. One client per identity
// (role + region) and one adaptive limiter per account and region, since AWS accounts throttling
// per account and region (several roles of one account share it). Built from the sweep spec, so
// a reload builds a new set.
import type { Clock } from '../domain.js';
import type { ResourceClient } from '../aws/resource-client.js';
import { connKey, limiterKey, type ConnSpec } from '../aws/connections.js';
import { AdaptiveRateLimiter } from './limiter.js';
import type { SweepSpec } from './spec.js';

/** The API clients of one identity and the rate limiter of its account and region. */
export interface Conn {
  /** Get and List of every kind. */
  resources: ResourceClient;
  limiter: AdaptiveRateLimiter;
}

export interface Connections {
  /** The default identity's connection (aws.roleArn or the base identity, in aws.region). */
  readonly default: Conn;
  /** The connection of an identity (a List's, a static resource's), or the default one. */
  forConn(c: ConnSpec | undefined): Conn;
  /** Every limiter made so far (the default one at least). */
  limiters(): AdaptiveRateLimiter[];
}

export interface ConnectionsOptions {
  /** A client for an identity (the composition root decides credentials, endpoint, observer). */
  client(c: ConnSpec): ResourceClient;
  maxRequestsPerSecond: number;
  clock: Clock;
}

export function createConnections(spec: Pick<SweepSpec, 'defaultConn'>, opts: ConnectionsOptions): Connections {
  const limiters = new Map<string, AdaptiveRateLimiter>();
  const conns = new Map<string, Conn>();
  const open = (c: ConnSpec): Conn => {
    const key = connKey(c);
    let conn = conns.get(key);
    if (!conn) {
      const lk = limiterKey(c);
      let limiter = limiters.get(lk);
      if (!limiter) limiters.set(lk, (limiter = new AdaptiveRateLimiter({ maxPerSecond: opts.maxRequestsPerSecond, clock: opts.clock })));
      conns.set(key, (conn = { resources: opts.client(c), limiter }));
    }
    return conn;
  };
  const fallback = open(spec.defaultConn);
  return {
    default: fallback,
    forConn(c) {
      return c ? open(c) : fallback;
    },
    limiters: () => [...limiters.values()],
  };
}
