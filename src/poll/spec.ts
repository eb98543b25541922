// What the config asks each sweep to do, as plain values: which jobs are static, which scopes are
// discovered, which identity (role + region) reads each of them, and the schedule. Pure: built
// from the config and this replica's shard, rebuilt on reload.
import type { Config } from '../config/schema.js';
import { parseJobArn } from '../aws/arn.js';
import { connKey, type ConnSpec } from '../aws/connections.js';
import type { RoutableTarget } from '../notify/route.js';
import { scheduleIntervalMs } from '../config/schedule.js';
import type { ScheduleParams } from './due.js';
import type { DiscoveryScope } from './plan.js';
import { ownsArn, type Shard } from './shard.js';

/** What the current config asks a sweep to do. */
export interface SweepSpec {
  staticArns: ReadonlySet<string>;
  discovery: readonly DiscoveryScope[];
  targets: readonly RoutableTarget[];
  notifyOnFirstSeenTerminal: boolean;
  /** The identity every job and scope uses unless it names another: aws.roleArn in aws.region. */
  defaultConn: ConnSpec;
  /** Identity of each static job that does not use the default one. */
  staticConn: ReadonlyMap<string, ConnSpec>;
  /** Shard ownership (absent: this replica owns every job). */
  owns?: (arn: string) => boolean;
  /** Adaptive schedule; absent: every job on every sweep, no retention. */
  schedule?: ScheduleParams;
}

/**
 * The identity that reads something with this role and region, or undefined when that is the
 * default one (so scope keys stay the same whether a default is spelled out or not).
 */
function namedConn(defaultConn: ConnSpec, roleArn: string | undefined, region: string): ConnSpec | undefined {
  const c = { roleArn: roleArn ?? defaultConn.roleArn, region };
  return connKey(c) === connKey(defaultConn) ? undefined : c;
}

/** The sweep spec of `run`: every configured target, this replica's share of the jobs, the schedule. */
export function sweepSpec(c: Config, shard?: Shard): SweepSpec {
  const defaultConn: ConnSpec = { roleArn: c.aws.roleArn, region: c.aws.region };
  const staticConn = new Map<string, ConnSpec>();
  for (const j of c.jobs) {
    const conn = namedConn(defaultConn, j.roleArn, j.region ?? parseJobArn(j.arn)?.region ?? c.aws.region);
    if (conn) staticConn.set(j.arn, conn);
  }
  return {
    staticArns: new Set(c.jobs.filter((j) => ownsArn(shard, j.arn)).map((j) => j.arn)),
    discovery: c.discovery.map((d) => {
      const conn = namedConn(defaultConn, d.roleArn, d.region ?? c.aws.region);
      return {
        ...(d.collaborationId !== undefined ? { collaborationId: d.collaborationId } : {}),
        ...(d.configuredAudienceModelArn !== undefined ? { configuredAudienceModelArn: d.configuredAudienceModelArn } : {}),
        ...(d.region !== undefined ? { region: d.region } : {}),
        ...(conn ? { conn } : {}),
      };
    }),
    targets: c.notifications.targets,
    notifyOnFirstSeenTerminal: c.polling.notifyOnFirstSeenTerminal,
    defaultConn,
    staticConn,
    ...(shard ? { owns: (arn: string) => ownsArn(shard, arn) } : {}),
    schedule: {
      activeIntervalMs: scheduleIntervalMs(c.polling.schedule),
      terminalIntervalMs: c.polling.terminalInterval,
      maxBackoffMs: c.polling.maxBackoff,
      retentionMs: c.polling.terminalRetention,
    },
  };
}

/**
 * The sweep spec of `once`: every configured job (no shard), read with the same identities as
 * `run`; nothing is notified, every job is read on this one sweep and nothing retires.
 */
export function onceSpec(c: Config): SweepSpec {
  const { schedule: _schedule, ...spec } = sweepSpec(c);
  return { ...spec, targets: [], notifyOnFirstSeenTerminal: false };
}
