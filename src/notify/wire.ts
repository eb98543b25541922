// Local JobSnapshot -> GetAudienceGenerationJob-output converter for webhook bodies. (src/aws had no
// `jobToWire` when this was written; swap to it if it appears with the same shape.)
// seedAudience and tags are never part of a snapshot, so they can never leak into a webhook.
import type { AudienceQualityMetrics, JobSnapshot } from '../domain.js';

/** GetAudienceGenerationJob output as JSON: ISO-8601 timestamps, AWS member names. */
export interface WireJob {
  createTime: string;
  updateTime: string;
  audienceGenerationJobArn: string;
  name: string;
  description?: string;
  status: string;
  statusDetails?: { statusCode?: string; message?: string };
  configuredAudienceModelArn: string;
  includeSeedInOutput?: boolean;
  collaborationId?: string;
  metrics?: AudienceQualityMetrics;
  startedBy?: string;
  protectedQueryIdentifier?: string;
}

export function jobToWire(s: JobSnapshot): WireJob {
  const w: WireJob = {
    createTime: new Date(s.createTime).toISOString(),
    updateTime: new Date(s.updateTime).toISOString(),
    audienceGenerationJobArn: s.arn,
    name: s.name,
    status: s.status,
    configuredAudienceModelArn: s.configuredAudienceModelArn,
  };
  // Optional members only when present, as the AWS JSON protocol omits absent members.
  if (s.description !== undefined) w.description = s.description;
  if (s.statusDetails !== undefined) w.statusDetails = { ...s.statusDetails };
  if (s.includeSeedInOutput !== undefined) w.includeSeedInOutput = s.includeSeedInOutput;
  if (s.collaborationId !== undefined) w.collaborationId = s.collaborationId;
  if (s.metrics !== undefined) {
    w.metrics = {
      relevanceMetrics: s.metrics.relevanceMetrics.map((m) => ({ audienceSize: { ...m.audienceSize }, ...(m.score !== undefined ? { score: m.score } : {}) })),
      ...(s.metrics.recallMetric !== undefined ? { recallMetric: s.metrics.recallMetric } : {}),
    };
  }
  if (s.startedBy !== undefined) w.startedBy = s.startedBy;
  if (s.protectedQueryIdentifier !== undefined) w.protectedQueryIdentifier = s.protectedQueryIdentifier;
  return w;
}
