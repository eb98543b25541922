// What the config asks each sweep to do, as plain values: which jobs are static, which scopes are
// discovered, which identity (role + region) reads each of them, and the schedule. Pure: built
// from the config and this replica's shard, rebuilt on reload.
import type { Config } from '../config/schema.js';
import { parseArn } from '../aws/arn.js';
import { entryLists } from '../kinds/discovery.js';
import { kindOfArn } from '../kinds/index.js';
import type { KindName, ListDecl, OperationParams, View } from '../kinds/kind.js';
import { connKey, type ConnSpec } from '../aws/connections.js';
import type { RoutableTarget } from '../notify/route.js';
import { scheduleIntervalMs } from '../config/schedule.js';
import type { ScheduleParams } from './due.js';
import type { DiscoveryScope } from './plan.js';
import { ownsArn, type Shard } from './shard.js';

/** One List of a discovery entry for a kind other than audience generation jobs. */
export interface ResourceSource {
  /** Stable identity: `[<conn>|]<kind>|<List name>|<params>`. */
  key: string;
  kind: KindName;
  list: ListDecl;
  params: OperationParams;
  view: View;
  /** Only resources of this region (from their ARN); absent: any region. */
  region?: string;
  conn?: ConnSpec;
  /** Listed once per known trained model of its collaboration (trained model export jobs). */
  perParent?: 'trainedModelArn';
}

/** A resource named in `jobs:` that is not an audience generation job. */
export interface StaticResource {
  /** Its id: the ARN, `<ARN>#version=<versionIdentifier>` for a trained model version. */
  id: string;
  kind: KindName;
  arn: string;
  versionIdentifier?: string;
  /** The Get's parameters known from the ARN (its membership). */
  params: OperationParams;
  conn?: ConnSpec;
}

/** The membership id in a membership-scoped ARN (`...:membership/<id>/<type>/...`). */
export function membershipOfArn(arn: string): string | undefined {
  return /:membership\/([0-9a-f-]{36})\//.exec(arn)?.[1];
}

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
  /** Discovery Lists of the other kinds. */
  resourceSources: readonly ResourceSource[];
  /** Static resources of the other kinds (this replica's share). */
  staticResources: readonly StaticResource[];
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
  const isJob = (arn: string) => kindOfArn(arn)?.kind === 'audienceGenerationJob';
  const staticResources: StaticResource[] = [];
  for (const j of c.jobs) {
    const conn = namedConn(defaultConn, j.roleArn, j.region ?? parseArn(j.arn)?.region ?? c.aws.region);
    if (isJob(j.arn)) {
      if (conn) staticConn.set(j.arn, conn);
      continue;
    }
    const kind = kindOfArn(j.arn)!;
    const id = j.versionIdentifier !== undefined ? `${j.arn}#version=${j.versionIdentifier}` : j.arn;
    if (!ownsArn(shard, id)) continue;
    const m = membershipOfArn(j.arn);
    staticResources.push({
      id,
      kind: kind.kind,
      arn: j.arn,
      ...(j.versionIdentifier !== undefined ? { versionIdentifier: j.versionIdentifier } : {}),
      params: m !== undefined ? { membershipId: m } : {},
      ...(conn ? { conn } : {}),
    });
  }
  const resourceSources: ResourceSource[] = [];
  for (const d of c.discovery) {
    const conn = namedConn(defaultConn, d.roleArn, d.region ?? c.aws.region);
    for (const l of entryLists(d)) {
      if (l.kind.kind === 'audienceGenerationJob') continue;
      const base = `${l.kind.kind}|${l.list.name}|${JSON.stringify(l.params)}`;
      resourceSources.push({
        key: conn ? `${connKey(conn)}|${base}` : base,
        kind: l.kind.kind,
        list: l.list,
        params: l.params,
        view: l.list.view,
        ...(l.perParent ? { perParent: l.perParent } : {}),
        ...(d.region !== undefined ? { region: d.region } : {}),
        ...(conn ? { conn } : {}),
      });
    }
  }
  return {
    resourceSources: [...new Map(resourceSources.map((s) => [s.key, s])).values()],
    staticResources,
    staticArns: new Set(c.jobs.filter((j) => isJob(j.arn) && ownsArn(shard, j.arn)).map((j) => j.arn)),
    // Entries that list audience generation jobs (by default those naming a collaboration or a configured audience model).
    discovery: c.discovery
      .filter((d) => entryLists(d).some((l) => l.kind.kind === 'audienceGenerationJob'))
      .map((d) => {
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
