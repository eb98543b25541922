// State written by releases that kept audience generation jobs in their own record shape
// (`jobs` in the checkpoint, `up` journal records, outbox events with `job`): read into the
// snapshot and event of every kind, so upgrading loses neither a job nor a pending notification.
import type { JobEvent, JobSnapshot } from '../domain.js';
import type { ResourceEvent } from '../kinds/event.js';
import type { ResourceSnapshot, ResultSample } from '../kinds/resource.js';
import { shareResourceStrings } from '../intern.js';

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
