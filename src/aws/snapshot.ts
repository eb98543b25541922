// Typed API outputs <-> JobSnapshot. An allow-list copy: seedAudience (it may hold
// ProtectedQuerySQLParameters, a `sensitive` shape in the model) and tags never enter a
// snapshot, so they can reach neither the state file, nor metrics, nor a webhook body.
import type { AudienceQualityMetrics, JobSnapshot } from '../domain.js';
import { shareSnapshotStrings } from '../intern.js';
import { formatIsoTimestamp } from './timestamps.js';
import type { AudienceGenerationJobSummary, GetAudienceGenerationJobCommandOutput } from './types.js';

function copyMetrics(m: AudienceQualityMetrics): AudienceQualityMetrics {
  const out: AudienceQualityMetrics = {
    relevanceMetrics: m.relevanceMetrics.map((r) => {
      const c: AudienceQualityMetrics['relevanceMetrics'][number] = {
        audienceSize: { type: r.audienceSize.type, value: r.audienceSize.value },
      };
      if (r.score !== undefined) c.score = r.score;
      return c;
    }),
  };
  if (m.recallMetric !== undefined) out.recallMetric = m.recallMetric;
  return out;
}

export function snapshotFromJob(out: GetAudienceGenerationJobCommandOutput): JobSnapshot {
  const s: JobSnapshot = {
    arn: out.audienceGenerationJobArn,
    name: out.name,
    status: out.status,
    createTime: out.createTime.getTime(),
    updateTime: out.updateTime.getTime(),
    configuredAudienceModelArn: out.configuredAudienceModelArn,
    detail: 'full',
  };
  if (out.collaborationId !== undefined) s.collaborationId = out.collaborationId;
  if (out.description !== undefined) s.description = out.description;
  if (out.statusDetails !== undefined) {
    const d: NonNullable<JobSnapshot['statusDetails']> = {};
    if (out.statusDetails.statusCode !== undefined) d.statusCode = out.statusDetails.statusCode;
    if (out.statusDetails.message !== undefined) d.message = out.statusDetails.message;
    s.statusDetails = d;
  }
  if (out.metrics !== undefined) s.metrics = copyMetrics(out.metrics);
  if (out.startedBy !== undefined) s.startedBy = out.startedBy;
  if (out.protectedQueryIdentifier !== undefined) s.protectedQueryIdentifier = out.protectedQueryIdentifier;
  if (out.includeSeedInOutput !== undefined) s.includeSeedInOutput = out.includeSeedInOutput;
  return shareSnapshotStrings(s);
}

export function snapshotFromSummary(sum: AudienceGenerationJobSummary): JobSnapshot {
  const s: JobSnapshot = {
    arn: sum.audienceGenerationJobArn,
    name: sum.name,
    status: sum.status,
    createTime: sum.createTime.getTime(),
    updateTime: sum.updateTime.getTime(),
    configuredAudienceModelArn: sum.configuredAudienceModelArn,
    detail: 'summary',
  };
  if (sum.collaborationId !== undefined) s.collaborationId = sum.collaborationId;
  if (sum.description !== undefined) s.description = sum.description;
  if (sum.startedBy !== undefined) s.startedBy = sum.startedBy;
  return shareSnapshotStrings(s);
}

/**
 * A snapshot in the GetAudienceGenerationJob JSON shape (member order as in the model, ISO
 * timestamps, absent members omitted): the `job` of webhook bodies.
 */
export function jobToWire(s: JobSnapshot): Record<string, unknown> {
  const w: Record<string, unknown> = {
    createTime: formatIsoTimestamp(s.createTime),
    updateTime: formatIsoTimestamp(s.updateTime),
    audienceGenerationJobArn: s.arn,
    name: s.name,
  };
  if (s.description !== undefined) w['description'] = s.description;
  w['status'] = s.status;
  if (s.statusDetails !== undefined) w['statusDetails'] = { ...s.statusDetails };
  w['configuredAudienceModelArn'] = s.configuredAudienceModelArn;
  if (s.includeSeedInOutput !== undefined) w['includeSeedInOutput'] = s.includeSeedInOutput;
  if (s.collaborationId !== undefined) w['collaborationId'] = s.collaborationId;
  if (s.metrics !== undefined) w['metrics'] = copyMetrics(s.metrics);
  if (s.startedBy !== undefined) w['startedBy'] = s.startedBy;
  if (s.protectedQueryIdentifier !== undefined) w['protectedQueryIdentifier'] = s.protectedQueryIdentifier;
  return w;
}
