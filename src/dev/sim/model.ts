// The simulator's job model. A job is a list of steps (status + details from a time on); a job
// set through the control API has one step, a scenario job several. The state at any instant is
// derived lazily from the clock (no timers): the last step whose time has come. Before its first
// step a scenario job does not exist yet (404, absent from List).
import type { AudienceQualityMetrics } from '../../state/legacy-job.js';
import { formatIsoTimestamp } from '../../timestamps.js';

export interface SimStatusDetails {
  statusCode?: string;
  message?: string;
}

export interface SimStep {
  /** Epoch ms from which the step holds; also the job's updateTime during the step. */
  t: number;
  status: string;
  statusDetails?: SimStatusDetails;
  /** Effective metrics during the step (carried forward from earlier steps). */
  metrics?: AudienceQualityMetrics;
}

export interface SimJob {
  arn: string;
  name: string;
  description?: string;
  configuredAudienceModelArn: string;
  collaborationId?: string;
  startedBy?: string;
  includeSeedInOutput?: boolean;
  protectedQueryIdentifier?: string;
  /** Opaque; returned by Get like AWS does, so clients can prove they drop it. */
  seedAudience?: Record<string, unknown>;
  tags?: Record<string, string>;
  createTime: number;
  /** Sorted by t, at least one. */
  steps: SimStep[];
}

/** The optional descriptive members a scenario or the control API may set, copied when present. */
export type SimJobExtras = Pick<SimJob, 'description' | 'includeSeedInOutput' | 'protectedQueryIdentifier' | 'seedAudience' | 'tags'>;

export function withExtras(job: SimJob, from: SimJobExtras): SimJob {
  if (from.description !== undefined) job.description = from.description;
  if (from.includeSeedInOutput !== undefined) job.includeSeedInOutput = from.includeSeedInOutput;
  if (from.protectedQueryIdentifier !== undefined) job.protectedQueryIdentifier = from.protectedQueryIdentifier;
  if (from.seedAudience !== undefined) job.seedAudience = from.seedAudience;
  if (from.tags !== undefined) job.tags = from.tags;
  return job;
}

/** The step in force at `now`, or undefined when the job does not exist yet. */
export function currentStep(job: SimJob, now: number): SimStep | undefined {
  const steps = job.steps;
  if (steps.length === 1 || steps[steps.length - 1]!.t <= now) return steps[0]!.t <= now ? steps[steps.length - 1] : undefined;
  let found: SimStep | undefined;
  for (const s of steps) {
    if (s.t > now) break;
    found = s;
  }
  return found;
}

/** GetAudienceGenerationJobResponse, members in model order, absent ones omitted. */
export function jobWire(job: SimJob, step: SimStep): Record<string, unknown> {
  const w: Record<string, unknown> = {
    createTime: formatIsoTimestamp(job.createTime),
    updateTime: formatIsoTimestamp(step.t),
    audienceGenerationJobArn: job.arn,
    name: job.name,
  };
  if (job.description !== undefined) w['description'] = job.description;
  w['status'] = step.status;
  if (step.statusDetails !== undefined) w['statusDetails'] = step.statusDetails;
  w['configuredAudienceModelArn'] = job.configuredAudienceModelArn;
  if (job.seedAudience !== undefined) w['seedAudience'] = job.seedAudience;
  if (job.includeSeedInOutput !== undefined) w['includeSeedInOutput'] = job.includeSeedInOutput;
  if (job.collaborationId !== undefined) w['collaborationId'] = job.collaborationId;
  if (step.metrics !== undefined) w['metrics'] = step.metrics;
  if (job.startedBy !== undefined) w['startedBy'] = job.startedBy;
  if (job.tags !== undefined) w['tags'] = job.tags;
  if (job.protectedQueryIdentifier !== undefined) w['protectedQueryIdentifier'] = job.protectedQueryIdentifier;
  return w;
}

/** AudienceGenerationJobSummary: exactly its members (no metrics, statusDetails, seed or tags). */
export function summaryWire(job: SimJob, step: SimStep): Record<string, unknown> {
  const w: Record<string, unknown> = {
    createTime: formatIsoTimestamp(job.createTime),
    updateTime: formatIsoTimestamp(step.t),
    audienceGenerationJobArn: job.arn,
    name: job.name,
  };
  if (job.description !== undefined) w['description'] = job.description;
  w['status'] = step.status;
  w['configuredAudienceModelArn'] = job.configuredAudienceModelArn;
  if (job.collaborationId !== undefined) w['collaborationId'] = job.collaborationId;
  if (job.startedBy !== undefined) w['startedBy'] = job.startedBy;
  return w;
}
