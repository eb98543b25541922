// Pure sweep planning: which List scopes to read, and, from their pages, which jobs need a Get.
//
// ListAudienceGenerationJobs returns status and updateTime for up to 100 jobs per call, so a
// sweep reads every scope it knows through List pages and calls Get only for a job whose
// updateTime or status moved (to fetch metrics and statusDetails), that no List covers, or whose
// details were never fetched (backfill). Static ARNs are grouped under the configured audience
// model their first Get revealed.
import { isTerminal, type JobSnapshot } from '../domain.js';
import type { ListAudienceGenerationJobsCommandInput } from '../aws/types.js';
import { parseArn } from '../aws/arn.js';
import { connKey, type ConnSpec } from '../aws/connections.js';
import { isRetired } from './due.js';

export interface DiscoveryScope {
  collaborationId?: string;
  configuredAudienceModelArn?: string;
  /** Only jobs of this region (from their ARN); absent: any region. */
  region?: string;
  /** Which identity (role + region) reads this scope; absent: the default one. */
  conn?: ConnSpec;
}

export interface ListScope {
  /** Stable identity: `c=<collab>|m=<model>`. */
  key: string;
  input: Pick<ListAudienceGenerationJobsCommandInput, 'collaborationId' | 'configuredAudienceModelArn'>;
  /** True for configured discovery scopes (every job listed is watched). */
  discovery: boolean;
  /** Identity (role + region) to list it with; absent: the default one. */
  conn?: ConnSpec;
}

export function scopeKey(s: DiscoveryScope): string {
  const base = `c=${s.collaborationId ?? ''}|m=${s.configuredAudienceModelArn ?? ''}`;
  return s.conn ? `${connKey(s.conn)}|${base}` : base;
}

export type Matchable = Pick<JobSnapshot, 'arn' | 'collaborationId' | 'configuredAudienceModelArn'>;

function matches(scope: DiscoveryScope, job: Matchable): boolean {
  return (
    (scope.collaborationId === undefined || scope.collaborationId === job.collaborationId) &&
    (scope.configuredAudienceModelArn === undefined || scope.configuredAudienceModelArn === job.configuredAudienceModelArn) &&
    (scope.region === undefined || scope.region === parseArn(job.arn)?.region)
  );
}

/** The discovery scope that covers a job, if any (the first one in config order). */
export function coveringScope(job: Matchable, discovery: readonly DiscoveryScope[]): DiscoveryScope | undefined {
  return discovery.find((d) => matches(d, job));
}

/** Is this known job still a target under the current config? */
export function isWatched(
  job: Matchable,
  staticArns: ReadonlySet<string>,
  discovery: readonly DiscoveryScope[],
  owns: (arn: string) => boolean = () => true,
): boolean {
  return owns(job.arn) && (staticArns.has(job.arn) || discovery.some((d) => matches(d, job)));
}

/** The List scopes of a sweep: each discovery entry, plus one per model of the known static jobs. */
export function listScopes(
  staticArns: ReadonlySet<string>,
  discovery: readonly DiscoveryScope[],
  known: ReadonlyMap<string, JobSnapshot>,
  staticConn: ReadonlyMap<string, ConnSpec> = new Map(),
): ListScope[] {
  const scopes = new Map<string, ListScope>();
  for (const d of discovery) {
    const input: ListScope['input'] = {};
    if (d.collaborationId !== undefined) input.collaborationId = d.collaborationId;
    if (d.configuredAudienceModelArn !== undefined) input.configuredAudienceModelArn = d.configuredAudienceModelArn;
    scopes.set(scopeKey(d), { key: scopeKey(d), input, discovery: true, ...(d.conn ? { conn: d.conn } : {}) });
  }
  for (const arn of staticArns) {
    const job = known.get(arn);
    if (!job) continue;
    // Already covered by a discovery scope listing it: no second List needed.
    if (discovery.some((d) => matches(d, job))) continue;
    const conn = staticConn.get(arn);
    const s = { configuredAudienceModelArn: job.configuredAudienceModelArn, ...(conn ? { conn } : {}) };
    const key = scopeKey(s);
    if (!scopes.has(key))
      scopes.set(key, {
        key,
        input: { configuredAudienceModelArn: job.configuredAudienceModelArn },
        discovery: false,
        ...(conn ? { conn } : {}),
      });
  }
  return [...scopes.values()];
}

/** The static jobs a non-discovery scope stands for (to decide whether it may be listed slowly). */
export function scopeMembers(
  scope: ListScope,
  staticArns: ReadonlySet<string>,
  discovery: readonly DiscoveryScope[],
  known: ReadonlyMap<string, JobSnapshot>,
): JobSnapshot[] {
  const out: JobSnapshot[] = [];
  for (const arn of staticArns) {
    const job = known.get(arn);
    if (job && !discovery.some((d) => matches(d, job)) && job.configuredAudienceModelArn === scope.input.configuredAudienceModelArn)
      out.push(job);
  }
  return out;
}

export interface ScopeResult {
  scope: ListScope;
  /** undefined when a page failed (or the scope was not due): no decision is made from partial data. */
  jobs: JobSnapshot[] | undefined;
  /** Not listed this sweep because it was not due (slow scope): its jobs wait, the sweep is still ok. */
  skipped?: boolean;
}

export interface SweepPlan {
  /** ARNs to Get now, in priority order (changed jobs first, then unlisted, then first sight). */
  get: string[];
  /** ARNs to Get after the main results are committed: metric backfill of summary-only jobs. */
  backfill: string[];
  /** Known discovered jobs past their retention: forgotten, series removed, no notification. */
  retired: string[];
  /** Jobs left alone this sweep because they are backing off or not due (slow interval). */
  notDue: string[];
  /** Summary snapshots to adopt as-is (first sight beyond the Get budget). Backfilled by later sweeps. */
  adopt: JobSnapshot[];
  /** Summaries by ARN, to fall back on when a Get is refused for good (e.g. AccessDenied). */
  summaries: Map<string, JobSnapshot>;
  /** Watched jobs in a failed scope: left untouched this sweep. */
  deferred: string[];
  /** Known jobs no longer watched (config changed): forgotten, series removed, no notification. */
  unwatched: string[];
}

export interface PlanInput {
  staticArns: ReadonlySet<string>;
  discovery: readonly DiscoveryScope[];
  known: ReadonlyMap<string, JobSnapshot>;
  results: readonly ScopeResult[];
  /** Gets allowed this sweep for first sight and backfill (changed jobs are never limited). */
  detailBudget: number;
  /** Sweep start (epoch ms); needed for retention. */
  now?: number;
  /** Retire discovered terminal jobs not updated for this long (0 or absent: never). */
  retentionMs?: number;
  /** Shard ownership (absent: every job). */
  owns?: (arn: string) => boolean;
  /** Whether a known job may be called now (backoff, slow interval); absent: always. */
  isDue?: (arn: string) => boolean;
}

export function planSweep(input: PlanInput): SweepPlan {
  const { staticArns, discovery, known, results } = input;
  const owns = input.owns ?? (() => true);
  const due = input.isDue ?? (() => true);
  const now = input.now ?? 0;
  const retentionMs = input.retentionMs ?? 0;
  const summaries = new Map<string, JobSnapshot>();
  const retiredListed = new Set<string>();
  const failedScopes: ListScope[] = [];
  for (const r of results) {
    if (r.jobs === undefined) {
      failedScopes.push(r.scope);
      continue;
    }
    for (const j of r.jobs) {
      if (!isWatched(j, staticArns, discovery, owns)) continue;
      // Static jobs stay while configured (the operator named them); discovered ones retire.
      if (!staticArns.has(j.arn) && isRetired(j, now, retentionMs)) retiredListed.add(j.arn);
      else summaries.set(j.arn, j);
    }
  }
  const inFailedScope = (job: JobSnapshot | undefined, arn: string): boolean =>
    failedScopes.some((s) =>
      s.discovery ? job !== undefined && matches(s.input, job) : job !== undefined && staticArns.has(arn) && matches(s.input, job),
    );

  const changed: string[] = [];
  const unlisted: string[] = [];
  const firstSight: JobSnapshot[] = [];
  const backfillCandidates: string[] = [];
  const deferred: string[] = [];
  const unwatched: string[] = [];
  const retired: string[] = [];
  const notDue: string[] = [];

  for (const [arn, s] of summaries) {
    const prev = known.get(arn);
    if (!prev) firstSight.push(s);
    else if (s.updateTime !== prev.updateTime || s.status !== prev.status) (due(arn) ? changed : notDue).push(arn);
    else if (prev.detail === 'summary') (due(arn) ? backfillCandidates : notDue).push(arn);
  }
  for (const [arn, prev] of known) {
    if (summaries.has(arn)) continue;
    if (retiredListed.has(arn)) {
      retired.push(arn);
    } else if (!isWatched(prev, staticArns, discovery, owns)) {
      unwatched.push(arn);
    } else if (inFailedScope(prev, arn)) {
      deferred.push(arn);
    } else if (!staticArns.has(arn) && isRetired(prev, now, retentionMs)) {
      // Absent from its complete listing and past retention: nothing left worth a Get.
      retired.push(arn);
    } else if (!due(arn)) {
      notDue.push(arn);
    } else {
      // Listed scope but absent from it, or a static job no List covers: ask directly.
      unlisted.push(arn);
    }
  }
  for (const arn of staticArns) {
    if (!owns(arn)) continue;
    if (!known.has(arn) && !summaries.has(arn)) (due(arn) ? unlisted : notDue).push(arn);
  }

  // New jobs still running are read in full now (within the budget); jobs first seen already
  // finished are adopted from their summary at once (the sweep stays short and the monitor ready)
  // and their details fetched by the backfill, after the main commit.
  firstSight.sort((a, b) => Number(isTerminal(a.status)) - Number(isTerminal(b.status)));
  let budget = Math.max(0, input.detailBudget);
  const get = [...changed, ...unlisted];
  const adopt: JobSnapshot[] = [];
  const backfill: string[] = [];
  for (const s of firstSight) {
    if (!isTerminal(s.status) && budget > 0) {
      get.push(s.arn);
      budget--;
    } else {
      adopt.push(s);
      if (budget > 0) {
        backfill.push(s.arn);
        budget--;
      }
    }
  }
  for (const arn of backfillCandidates) {
    if (budget <= 0) break;
    backfill.push(arn);
    budget--;
  }
  return { get, backfill, retired, notDue, adopt, summaries, deferred, unwatched };
}
