// The compatibility module of the state: version 1 kept audience generation jobs, the one kind
// the first releases watched, in their own record shape (`jobs` in the checkpoint, `up` journal
// records, outbox events with `job`). They are checked here and read into the snapshot and event
// of every kind, so upgrading loses neither a job nor a pending notification. The only module
// outside src/kinds that names a kind (test/unit/kinds-boundary.test.ts).
import { capText } from '../aws/cap-text.js';
import { numberProblem } from '../aws/number-range.js';
import { shareResourceStrings } from '../intern.js';
import type { ResourceEvent } from '../kinds/event.js';
import type { ResourceSnapshot, ResultSample } from '../kinds/resource.js';
import { corrupt, isObj, num, type Obj, obj, optStr, optText, type Repairs, repaired, statusMembers, str, text } from './read-checks.js';

/** One relevance score, in the AWS shape (RelevanceMetric). */
export interface RelevanceMetric {
  audienceSize: { type: string; value: number };
  score?: number;
}

/** AudienceQualityMetrics, in the AWS shape. */
export interface AudienceQualityMetrics {
  relevanceMetrics: RelevanceMetric[];
  recallMetric?: number;
}

/**
 * An audience generation job as version 1 stored it. Times are epoch milliseconds. `detail` is
 * 'full' when the snapshot came from the Get (metrics and statusDetails are authoritative) and
 * 'summary' when it came from a List page.
 */
export interface JobSnapshot {
  arn: string;
  name: string;
  status: string;
  createTime: number;
  updateTime: number;
  configuredAudienceModelArn: string;
  collaborationId?: string;
  description?: string;
  statusDetails?: { statusCode?: string; message?: string };
  metrics?: AudienceQualityMetrics;
  startedBy?: string;
  protectedQueryIdentifier?: string;
  includeSeedInOutput?: boolean;
  detail: 'full' | 'summary';
  /** When the current status began (epoch ms); absent in state written by older versions. */
  statusSince?: number;
}

/** The event of a notification about a job, as version 1 stored it. */
export interface JobEvent {
  type: 'audience_generation_job.status_changed';
  transition: 'first_seen' | 'status_changed' | 'metrics_appeared' | 'vanished';
  arn: string;
  name: string;
  previousStatus: string | null;
  status: string;
  /** The job's updateTime (epoch ms) that produced the event. */
  updateTime: number;
  /** When the monitor observed it (epoch ms). */
  observedAt: number;
  job: JobSnapshot;
}

function metrics(m: Obj, where: string, r: Repairs): AudienceQualityMetrics | undefined {
  if (!Array.isArray(m['relevanceMetrics'])) {
    repaired(r, `${where}.relevanceMetrics (not a list, metrics dropped)`);
    return undefined;
  }
  const list: RelevanceMetric[] = [];
  for (const [i, e] of (m['relevanceMetrics'] as unknown[]).entries()) {
    const w = `${where}.relevanceMetrics[${i}]`;
    const size = isObj(e) ? e['audienceSize'] : undefined;
    if (!isObj(e) || !isObj(size) || typeof size['type'] !== 'string' || numberProblem(size['value'])) {
      repaired(r, `${w}.audienceSize (invalid, entry dropped)`);
      continue;
    }
    const out: RelevanceMetric = { audienceSize: { type: capText(size['type'], 64), value: size['value'] as number } };
    if (e['score'] !== undefined) {
      if (numberProblem(e['score'])) repaired(r, `${w}.score (${String(e['score'])}, dropped)`);
      else out.score = e['score'] as number;
    }
    list.push(out);
  }
  const result: AudienceQualityMetrics = { relevanceMetrics: list };
  if (m['recallMetric'] !== undefined) {
    if (numberProblem(m['recallMetric'])) repaired(r, `${where}.recallMetric (${String(m['recallMetric'])}, dropped)`);
    else result.recallMetric = m['recallMetric'] as number;
  }
  return result;
}

/** An audience generation job as stored by version 1 (checked and repaired in place). */
function readJobSnapshot(v: unknown, where: string, r: Repairs): JobSnapshot {
  const o = obj(v, where);
  str(o, 'arn', where);
  str(o, 'status', where);
  str(o, 'configuredAudienceModelArn', where);
  text(o, 'name', where, r);
  num(o, 'createTime', where);
  num(o, 'updateTime', where);
  optStr(o, 'collaborationId', where);
  optStr(o, 'startedBy', where);
  optStr(o, 'protectedQueryIdentifier', where);
  optText(o, 'description', where, r);
  if (o['includeSeedInOutput'] !== undefined && typeof o['includeSeedInOutput'] !== 'boolean')
    corrupt(`${where}.includeSeedInOutput`, 'is not a boolean');
  statusMembers(o, where, r);
  if (o['metrics'] !== undefined) {
    const m = isObj(o['metrics']) ? metrics(o['metrics'], `${where}.metrics`, r) : undefined;
    if (m) o['metrics'] = m;
    else {
      if (!isObj(o['metrics'])) repaired(r, `${where}.metrics (not an object, dropped)`);
      delete o['metrics'];
    }
  }
  return o as unknown as JobSnapshot;
}

/** A job snapshot as version 1 stored it, checked and repaired, as the snapshot of any kind. */
export function readLegacySnapshot(v: unknown, where: string, r: Repairs): ResourceSnapshot {
  return resourceFromJob(readJobSnapshot(v, where, r));
}

/**
 * An outbox event as version 1 stored it (its common members already checked by the caller),
 * with its `job` checked and repaired, as the event of any kind.
 */
export function readLegacyEvent(o: Obj, where: string, r: Repairs): ResourceEvent {
  readJobSnapshot(o['job'], `${where}.job`, r);
  return resourceEventFromJobEvent(o as unknown as JobEvent);
}

export function resourceFromJob(j: JobSnapshot): ResourceSnapshot {
  const parents: ResourceSnapshot['parents'] = {};
  const labels: Record<string, string> = {};
  if (j.collaborationId !== undefined) {
    parents.collaborationId = j.collaborationId;
    labels['collaboration_id'] = j.collaborationId;
  }
  parents.configuredAudienceModelArn = j.configuredAudienceModelArn;
  labels['configured_audience_model_arn'] = j.configuredAudienceModelArn;
  const results: ResourceSnapshot['results'] = {};
  if (j.metrics !== undefined) {
    const scores: ResultSample[] = [];
    for (const m of j.metrics.relevanceMetrics)
      if (m.score !== undefined)
        scores.push({ labels: { audience_size_type: m.audienceSize.type, audience_size: String(m.audienceSize.value) }, value: m.score });
    // Kept when empty too: the Get shape requires relevanceMetrics whenever metrics are given.
    results['relevance_score'] = scores;
    if (j.metrics.recallMetric !== undefined) results['recall_ratio'] = [{ labels: {}, value: j.metrics.recallMetric }];
  }
  const attributes: Record<string, string | boolean> = {};
  if (j.description !== undefined) attributes['description'] = j.description;
  if (j.includeSeedInOutput !== undefined) attributes['includeSeedInOutput'] = j.includeSeedInOutput;
  if (j.startedBy !== undefined) attributes['startedBy'] = j.startedBy;
  if (j.protectedQueryIdentifier !== undefined) attributes['protectedQueryIdentifier'] = j.protectedQueryIdentifier;
  const s: ResourceSnapshot = {
    kind: 'audienceGenerationJob',
    id: j.arn,
    arn: j.arn,
    name: j.name,
    status: j.status,
    createTime: j.createTime,
    updateTime: j.updateTime,
    parents,
    results,
    labels,
    detail: j.detail,
    view: 'member',
  };
  if (j.statusDetails !== undefined) s.statusDetails = { ...j.statusDetails };
  if (Object.keys(attributes).length > 0) s.attributes = attributes;
  if (j.statusSince !== undefined) s.statusSince = j.statusSince;
  return shareResourceStrings(s);
}

export function resourceEventFromJobEvent(e: JobEvent): ResourceEvent {
  return {
    type: e.type,
    kind: 'audienceGenerationJob',
    transition: e.transition,
    arn: e.arn,
    name: e.name,
    previousStatus: e.previousStatus,
    status: e.status,
    updateTime: e.updateTime,
    observedAt: e.observedAt,
    resource: resourceFromJob(e.job),
  };
}
