// What the config asks each sweep to do, as plain values: which resources are named in `jobs:`
// (statics), which Lists discovery calls (sources) and which shard owns each, which identity
// (role + region) reads each of them, and the schedule. Pure: built from the config and this
// replica's shard, rebuilt on reload. Every kind is handled alike: a kind's declaration says which
// Lists exist and what they take.
import { type Config, staticResourcesOf } from '../config/schema.js';
import { parseArn } from '../aws/arn.js';
import { entryLists, type PerParent } from '../kinds/discovery.js';
import { kindOfArn } from '../kinds/index.js';
import type { KindName, ListDecl, OperationParams, View } from '../kinds/kind.js';
import { connKey, type ConnSpec } from '../aws/connections.js';
import type { RoutableTarget } from '../notify/route.js';
import { scheduleIntervalMs } from '../config/schedule.js';
import type { DurationSettings } from '../kinds/usual.js';
import type { ScheduleParams } from './due.js';
import { assignScopes, shardOf, type Shard } from './shard.js';
import type { TagSelector } from '../config/tag-selector.js';

/** One List a sweep calls: a discovery entry's List of one kind, or the List that covers static resources. */
export interface Source {
  /** Stable identity: `[<conn>|]<kind>|<List name>|<params>`. */
  key: string;
  kind: KindName;
  list: ListDecl;
  params: OperationParams;
  view: View;
  /** Only resources of this region (from their ARN); absent: any region. */
  region?: string;
  conn?: ConnSpec;
  /** Called once per known parent resource (export jobs); `params` then lack the parent's ARN. */
  perParent?: PerParent;
  /**
   * The shard that calls this List (with shards; a per-parent List has none: each shard calls it
   * for the parents it watches).
   */
  shard?: number;
  /**
   * The discovery entries' `tags` filters (any of them; tag-scope.ts): absent when an entry that
   * calls this List has none, so every resource it lists is watched.
   */
  tagFilters?: readonly TagSelector[];
}

/** A resource named in `jobs:`. */
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
  /** Discovery Lists: every resource they list is watched. */
  sources: readonly Source[];
  /**
   * Resources named in `jobs:` that this replica reads until their facts show a discovery List
   * covers them (its share by the hash of their id), by id.
   */
  statics: ReadonlyMap<string, StaticResource>;
  /** Every static id, this replica's or not: a static resource is never retired, whichever shard watches it. */
  staticIds: ReadonlySet<string>;
  targets: readonly RoutableTarget[];
  notifyOnFirstSeenTerminal: boolean;
  /** The identity everything uses unless it names another: aws.roleArn in aws.region. */
  defaultConn: ConnSpec;
  /** This replica's shard (absent: it watches every resource). Which resources it watches: src/poll/owner.ts. */
  shard?: Shard;
  /** How usual durations are taken and when a resource is slower than usual (`durations:`); absent: no history kept. */
  durations?: DurationSettings;
  /** Adaptive schedule; absent: everything on every sweep, no retention. */
  schedule?: ScheduleParams;
  /** How far a pod looks back for changes it may have missed when it gains resources (src/poll/handover.ts). */
  handoverLookbackMs?: number;
  /** tags.refreshInterval (ms): how often a resource's own tags are read again; 0 or absent: never on their own. */
  tagsRefreshMs?: number;
}

/**
 * The identity that reads something with this role and region, or undefined when that is the
 * default one (so source keys stay the same whether a default is spelled out or not).
 */
function namedConn(defaultConn: ConnSpec, roleArn: string | undefined, region: string): ConnSpec | undefined {
  const c = { roleArn: roleArn ?? defaultConn.roleArn, region };
  return connKey(c) === connKey(defaultConn) ? undefined : c;
}

/**
 * A List's key, also the `scope` label of its health series: its identity (when not the
 * default), kind, List and parameters (`kind|ListName|name=value,...`), and what else tells two
 * Lists apart (the parents a per-parent List is called for).
 */
export function sourceKey(kind: KindName, list: ListDecl, params: OperationParams, conn: ConnSpec | undefined, extra = ''): string {
  const p = Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const base = `${kind}|${list.name}|${p}${extra}`;
  return conn ? `${connKey(conn)}|${base}` : base;
}

/** The sweep spec of `run`: every configured target, this replica's share of the resources, the schedule. */
export function sweepSpec(c: Config, shard?: Shard): SweepSpec {
  const defaultConn: ConnSpec = { roleArn: c.aws.roleArn, region: c.aws.region };
  const statics = new Map<string, StaticResource>();
  const staticIds = new Set<string>();
  for (const j of staticResourcesOf(c)) {
    const kind = kindOfArn(j.arn);
    if (!kind) continue; // the schema refused it already
    const id = j.versionIdentifier !== undefined ? `${j.arn}#version=${j.versionIdentifier}` : j.arn;
    staticIds.add(id);
    if (shard && shardOf(id, shard.total) !== shard.index) continue;
    const conn = namedConn(defaultConn, j.roleArn, j.region ?? parseArn(j.arn)?.region ?? c.aws.region);
    const m = membershipOfArn(j.arn);
    statics.set(id, {
      id,
      kind: kind.kind,
      arn: j.arn,
      ...(j.versionIdentifier !== undefined ? { versionIdentifier: j.versionIdentifier } : {}),
      params: m !== undefined ? { membershipId: m } : {},
      ...(conn ? { conn } : {}),
    });
  }
  const sources = new Map<string, Source>();
  for (const d of c.discovery) {
    const conn = namedConn(defaultConn, d.roleArn, d.region ?? c.aws.region);
    for (const l of entryLists(d)) {
      // Per-parent Lists of two entries differ by the parents they are called for.
      const extra = l.perParent
        ? `|per ${l.perParent.kind}${Object.entries(l.perParent.match)
            .map(([k, v]) => ` ${k}=${v}`)
            .join('')}`
        : '';
      const key = sourceKey(l.kind.kind, l.list, l.params, conn, extra);
      // Two entries calling the same List: its resources are watched when either entry would watch them.
      const had = sources.get(key);
      const tagFilters =
        d.tags === undefined || (had !== undefined && had.tagFilters === undefined) ? undefined : [...(had?.tagFilters ?? []), d.tags];
      sources.set(key, {
        key,
        kind: l.kind.kind,
        list: l.list,
        params: l.params,
        view: l.list.view,
        ...(l.perParent ? { perParent: l.perParent } : {}),
        ...(d.region !== undefined ? { region: d.region } : {}),
        ...(conn ? { conn } : {}),
        ...(tagFilters !== undefined ? { tagFilters } : {}),
      });
    }
  }
  // Every pod places the top-level Lists alike; per-parent Lists follow their parents.
  const placed = shard
    ? assignScopes(
        [...sources.values()].filter((s) => !s.perParent).map((s) => ({ key: s.key, group: s.kind })),
        shard.total,
      )
    : undefined;
  return {
    sources: [...sources.values()].map((s) => (placed?.has(s.key) ? { ...s, shard: placed.get(s.key)! } : s)),
    statics,
    staticIds,
    targets: c.notifications.targets,
    notifyOnFirstSeenTerminal: c.polling.notifyOnFirstSeenTerminal,
    durations: c.durations,
    defaultConn,
    ...(shard ? { shard } : {}),
    handoverLookbackMs: c.sharding.handoverLookback,
    schedule: {
      activeIntervalMs: scheduleIntervalMs(c.polling.schedule),
      terminalIntervalMs: c.polling.terminalInterval,
      maxBackoffMs: c.polling.maxBackoff,
      retentionMs: c.polling.terminalRetention,
    },
    tagsRefreshMs: c.tags.refreshInterval,
  };
}

/**
 * The sweep spec of `once`: every configured resource (no shard), read with the same identities
 * as `run`; nothing is notified, everything is read on this one sweep and nothing retires.
 */
export function onceSpec(c: Config): SweepSpec {
  const { schedule: _schedule, ...spec } = sweepSpec(c);
  return { ...spec, targets: [], notifyOnFirstSeenTerminal: false };
}
