// Pure sweep planning: which List scopes to read, and, from their pages, which jobs need a Get.
//
// ListAudienceGenerationJobs returns status and updateTime for up to 100 jobs per call, so a
// sweep reads every scope it knows through List pages and calls Get only for a job whose
// updateTime or status moved (to fetch metrics and statusDetails), that no List covers, or whose
// details were never fetched (backfill). Static ARNs are grouped under the configured audience
// model their first Get revealed.
import type { JobSnapshot } from '../domain.js';
import type { ListAudienceGenerationJobsCommandInput } from '../aws/types.js';

export interface DiscoveryScope {
  collaborationId?: string;
  configuredAudienceModelArn?: string;
}

export interface ListScope {
  /** Stable identity: `c=<collab>|m=<model>`. */
  key: string;
  input: Pick<ListAudienceGenerationJobsCommandInput, 'collaborationId' | 'configuredAudienceModelArn'>;
  /** True for configured discovery scopes (every job listed is watched). */
  discovery: boolean;
}

export function scopeKey(s: DiscoveryScope): string {
  return `c=${s.collaborationId ?? ''}|m=${s.configuredAudienceModelArn ?? ''}`;
}

function matches(scope: DiscoveryScope, job: Pick<JobSnapshot, 'collaborationId' | 'configuredAudienceModelArn'>): boolean {
  return (
    (scope.collaborationId === undefined || scope.collaborationId === job.collaborationId) &&
    (scope.configuredAudienceModelArn === undefined || scope.configuredAudienceModelArn === job.configuredAudienceModelArn)
  );
}

/** Is this known job still a target under the current config? */
export function isWatched(
  job: Pick<JobSnapshot, 'arn' | 'collaborationId' | 'configuredAudienceModelArn'>,
  staticArns: ReadonlySet<string>,
  discovery: readonly DiscoveryScope[],
): boolean {
  return staticArns.has(job.arn) || discovery.some((d) => matches(d, job));
}

/** The List scopes of a sweep: each discovery entry, plus one per model of the known static jobs. */
export function listScopes(
  staticArns: ReadonlySet<string>,
  discovery: readonly DiscoveryScope[],
  known: ReadonlyMap<string, JobSnapshot>,
): ListScope[] {
  const scopes = new Map<string, ListScope>();
  for (const d of discovery) {
    const input: ListScope['input'] = {};
    if (d.collaborationId !== undefined) input.collaborationId = d.collaborationId;
    if (d.configuredAudienceModelArn !== undefined) input.configuredAudienceModelArn = d.configuredAudienceModelArn;
    scopes.set(scopeKey(d), { key: scopeKey(d), input, discovery: true });
  }
  for (const arn of staticArns) {
    const job = known.get(arn);
    if (!job) continue;
    // Already covered by a discovery scope listing it: no second List needed.
    if (discovery.some((d) => matches(d, job))) continue;
    const s = { configuredAudienceModelArn: job.configuredAudienceModelArn };
    const key = scopeKey(s);
    if (!scopes.has(key)) scopes.set(key, { key, input: s, discovery: false });
  }
  return [...scopes.values()];
}

export interface ScopeResult {
  scope: ListScope;
  /** undefined when a page failed: no decision is made from partial data. */
  jobs: JobSnapshot[] | undefined;
}

export interface SweepPlan {
  /** ARNs to Get now, in priority order (changed jobs first, then unlisted, then first sight, then backfill). */
  get: string[];
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
}

export function planSweep(input: PlanInput): SweepPlan {
  const { staticArns, discovery, known, results } = input;
  const summaries = new Map<string, JobSnapshot>();
  const failedScopes: ListScope[] = [];
  for (const r of results) {
    if (r.jobs === undefined) {
      failedScopes.push(r.scope);
      continue;
    }
    for (const j of r.jobs) if (isWatched(j, staticArns, discovery)) summaries.set(j.arn, j);
  }
  const inFailedScope = (job: JobSnapshot | undefined, arn: string): boolean =>
    failedScopes.some((s) =>
      s.discovery ? job !== undefined && matches(s.input, job) : job !== undefined && staticArns.has(arn) && matches(s.input, job),
    );

  const changed: string[] = [];
  const unlisted: string[] = [];
  const firstSight: JobSnapshot[] = [];
  const backfill: string[] = [];
  const deferred: string[] = [];
  const unwatched: string[] = [];

  for (const [arn, s] of summaries) {
    const prev = known.get(arn);
    if (!prev) firstSight.push(s);
    else if (s.updateTime !== prev.updateTime || s.status !== prev.status) changed.push(arn);
    else if (prev.detail === 'summary') backfill.push(arn);
  }
  for (const [arn, prev] of known) {
    if (summaries.has(arn)) continue;
    if (!isWatched(prev, staticArns, discovery)) {
      unwatched.push(arn);
    } else if (inFailedScope(prev, arn)) {
      deferred.push(arn);
    } else {
      // Listed scope but absent from it, or a static job no List covers: ask directly.
      unlisted.push(arn);
    }
  }
  for (const arn of staticArns) {
    if (!known.has(arn) && !summaries.has(arn)) unlisted.push(arn);
  }

  let budget = Math.max(0, input.detailBudget);
  const get = [...changed, ...unlisted];
  const adopt: JobSnapshot[] = [];
  for (const s of firstSight) {
    if (budget > 0) {
      get.push(s.arn);
      budget--;
    } else adopt.push(s);
  }
  for (const arn of backfill) {
    if (budget <= 0) break;
    get.push(arn);
    budget--;
  }
  return { get, adopt, summaries, deferred, unwatched };
}
