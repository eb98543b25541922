// Plain types shared by every layer. Imports only types, so the pure core stays pure.
import type { ResourceEvent } from './kinds/event.js';

/** Pseudo-status of a resource that was seen and now answers 404. */
export const VANISHED = 'VANISHED';

/** A status as the API returned it: unknown future values are kept as given, never rejected. */
export type JobStatus = string;

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
 * What the monitor knows about one audience generation job at one instant.
 * Times are epoch milliseconds (the wire carries ISO-8601; parsed once in src/aws).
 * `detail` is 'full' when the snapshot came from GetAudienceGenerationJob (metrics and
 * statusDetails are authoritative) and 'summary' when it came from a List page.
 */
export interface JobSnapshot {
  arn: string;
  name: string;
  status: JobStatus;
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
  /**
   * When the current status began (epoch ms): the updateTime of the first snapshot the monitor saw
   * with this status. Set by the monitor, not by AWS; absent in state written by older versions
   * (readers fall back to updateTime).
   */
  statusSince?: number;
}

/** The event of a notification about a job, as version 1 of the state stored it (read by src/state/legacy-job.ts). */
export interface JobEvent {
  type: 'audience_generation_job.status_changed';
  transition: 'first_seen' | 'status_changed' | 'metrics_appeared' | 'vanished';
  arn: string;
  name: string;
  previousStatus: JobStatus | null;
  status: JobStatus;
  /** The job's updateTime (epoch ms) that produced the event. */
  updateTime: number;
  /** When the monitor observed it (epoch ms). */
  observedAt: number;
  job: JobSnapshot;
}

/** A notification waiting for delivery to one target. Persisted with the snapshot that caused it. */
export interface OutboxEntry {
  /** Stable id, `evt_...`, derived from (arn, status, updateTime, target): the webhook-id. */
  id: string;
  target: string;
  /** The event about a resource of any kind (state of version 1 held job events: converted on load). */
  event: ResourceEvent;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
}

export interface DeadLetter extends OutboxEntry {
  deadAt: number;
  reason: string;
}

/** Injected time source. Tests pass a fake; production uses Date.now. */
export interface Clock {
  now(): number;
}
