// Plain types shared by every layer. Imports only types, so the pure core stays pure.
import type { ResourceEvent } from './kinds/event.js';

/** Every status value of AudienceGenerationJobStatus in the 2023-09-06 service model. */
export const JOB_STATUSES = [
  'CREATE_PENDING',
  'CREATE_IN_PROGRESS',
  'CREATE_FAILED',
  'ACTIVE',
  'DELETE_PENDING',
  'DELETE_IN_PROGRESS',
  'DELETE_FAILED',
] as const;

export type KnownJobStatus = (typeof JOB_STATUSES)[number];
/**
 * A status as the API returned it. Unknown future values are kept as given (exported and
 * diffed like any other) instead of being rejected, so a new AWS status never blinds the monitor.
 */
export type JobStatus = KnownJobStatus | (string & {});

/** Statuses a job does not leave on its own: the end of a create or delete attempt. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['ACTIVE', 'CREATE_FAILED', 'DELETE_FAILED']);
/** Statuses that notify by default. */
export const DEFAULT_NOTIFY_STATUSES: readonly KnownJobStatus[] = ['ACTIVE', 'CREATE_FAILED', 'DELETE_FAILED'];
/** Pseudo-status used when a job that was seen starts answering 404. */
export const VANISHED = 'VANISHED';

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

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

/**
 * `next` with statusSince carried over from `prev` while the status stays the same, or set to
 * next.updateTime when the status changed (or on first sight). AWS has no such field: updateTime
 * also moves when only metrics or statusDetails change, so "time in current status" needs this.
 */
export function stampStatusSince(prev: JobSnapshot | undefined, next: JobSnapshot): JobSnapshot {
  const since = prev !== undefined && prev.status === next.status ? (prev.statusSince ?? prev.updateTime) : next.updateTime;
  return next.statusSince === since ? next : { ...next, statusSince: since };
}

export type TransitionKind = 'first_seen' | 'status_changed' | 'metrics_appeared' | 'vanished';

/** One observed change of a job, produced by the pure diff. */
export interface Transition {
  kind: TransitionKind;
  arn: string;
  /** Previous status; null on first sight. */
  from: JobStatus | null;
  /** New status; VANISHED when the job started answering 404. */
  to: JobStatus;
  /** When the monitor observed it (epoch ms). */
  observedAt: number;
  /** The newest snapshot (for `vanished`: the last one seen). */
  snapshot: JobSnapshot;
}

/** The target-independent content of a notification. */
export interface JobEvent {
  type: 'audience_generation_job.status_changed';
  transition: TransitionKind;
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
