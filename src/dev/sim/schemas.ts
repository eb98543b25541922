// Input schemas shared by scenario files and the control API: the job definitions of
// `/_sim/jobs` and scenario `jobs:` (the resources of JOB_KIND, in the shape those inputs always
// had), faults, and the scenario file. Strict: an unknown key is an error naming its path (a typo
// such as `statusDetail:` must not silently do nothing). Constraints mirror service-2.json
// (NameString 1..63, UUID, ARN patterns), except the ranges of output numbers (metricsSchema).
import { z } from 'zod';
import { MODEL_ARN_RE } from '../../aws/arn.js';
import { kindOfArn } from '../../kinds/index.js';
import { parseIsoTimestamp } from '../../timestamps.js';
import { parseDuration } from './duration.js';
import { MALFORMED_KINDS } from './faults.js';
import { JOB_KIND } from './job-kind.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Numbers are any finite number: the model's output ranges (AudienceSizeValue 1..20,000,000, score
// 0..10, recall 0..1) are documentation AWS may outgrow, and the simulator serves what a test sets
// so the monitor's handling of a value past them can be exercised.
export const metricsSchema = z.strictObject({
  relevanceMetrics: z.array(
    z.strictObject({
      audienceSize: z.strictObject({
        type: z.enum(['ABSOLUTE', 'PERCENTAGE'], { error: 'must be ABSOLUTE or PERCENTAGE' }),
        value: z.number(),
      }),
      score: z.number().optional(),
    }),
  ),
  recallMetric: z.number().optional(),
});

export const statusDetailsSchema = z.strictObject({
  statusCode: z.string().optional(),
  message: z.string().optional(),
});

const jobArn = z
  .string()
  .max(2048)
  .regex(
    JOB_KIND.arn!.pattern,
    `must be an ${JOB_KIND.title} ARN: arn:aws:cleanrooms-ml:<region>:<account>:${JOB_KIND.arn!.resourceType}/<id>`,
  );
const modelArn = z
  .string()
  .max(2048)
  .regex(MODEL_ARN_RE, 'must be a configured audience model ARN: arn:aws:cleanrooms-ml:<region>:<account>:configured-audience-model/<id>');
const uuid = z.string().regex(UUID_RE, "must be a lowercase UUID (the model's UUID pattern)");
const isoTime = z
  .string()
  .refine((v) => parseIsoTimestamp(v) !== undefined, 'must be an ISO-8601 timestamp such as 2026-11-28T12:00:00.000Z');
// Scenario timelines are written by hand: a status outside the enum is more likely a typo than a
// future value (the control API takes any status string, to play those).
const JOB_STATUSES = [...JOB_KIND.statuses] as [string, ...string[]];
const knownStatus = z.enum(JOB_STATUSES, { error: `must be one of ${JOB_STATUSES.join(', ')}` });

/** Members every job definition may carry besides its status. */
const jobCommon = {
  name: z.string().min(1).max(63),
  arn: jobArn.optional(),
  description: z.string().max(255).optional(),
  collaborationId: uuid.optional(),
  configuredAudienceModelArn: modelArn.optional(),
  startedBy: z
    .string()
    .regex(/^[0-9]{12}$/, 'must be a 12-digit account id')
    .optional(),
  includeSeedInOutput: z.boolean().optional(),
  protectedQueryIdentifier: z.string().optional(),
  seedAudience: z.record(z.string(), z.unknown()).optional(),
  tags: z.record(z.string(), z.string()).optional(),
};

/** PUT /_sim/jobs items. Any status string is accepted here, to exercise unknown future values. */
export const controlJobSchema = z.strictObject({
  ...jobCommon,
  status: z.string().min(1).optional(),
  metrics: metricsSchema.optional(),
  statusDetails: statusDetailsSchema.optional(),
  createTime: isoTime.optional(),
  updateTime: isoTime.optional(),
});
export type ControlJobInput = z.infer<typeof controlJobSchema>;

export const putJobsSchema = z.strictObject({ jobs: z.array(controlJobSchema) });

export const setStatusSchema = z.strictObject({
  status: z.string().min(1),
  metrics: metricsSchema.optional(),
  statusDetails: statusDetailsSchema.optional(),
});
export type SetStatusInput = z.infer<typeof setStatusSchema>;

const malformedSchema = z.strictObject({
  /** A job ARN, or the id of a resource of another kind (its ARN, or `<parent ARN>#...` for kinds without one). */
  arn: z
    .string()
    .max(4096)
    .refine((v) => kindOfArn(v.split('#')[0]!) !== undefined, 'must be the ARN or id of a simulated resource'),
  kind: z.enum(MALFORMED_KINDS, { error: `must be one of ${MALFORMED_KINDS.join(', ')}` }),
  operations: z
    .array(z.enum(['get', 'list']))
    .min(1)
    .default(['get', 'list']),
});

export const faultsSchema = z.strictObject({
  throttleRatio: z.number().min(0).max(1).optional(),
  errorRatio: z.number().min(0).max(1).optional(),
  latencyMs: z.number().int().min(0).max(600_000).optional(),
  maxRequestsPerSecond: z.number().min(0).optional(),
  resetRatio: z.number().min(0).max(1).optional(),
  resetListPage: z.number().int().min(1).optional(),
  maxPageSize: z.number().int().min(1).max(100).optional(),
  resetIdleAfterMs: z.number().int().min(0).optional(),
  /** One fault or a list of them. */
  malformed: z.preprocess((m) => (m === undefined || Array.isArray(m) ? m : [m]), z.array(malformedSchema)).optional(),
});
export type FaultsInput = z.input<typeof faultsSchema>;

const duration = z
  .union([z.string(), z.number()])
  .refine((v) => parseDuration(v) !== undefined, 'must be a duration such as "0s", "45s", "1m30s", "-2h" or a number of seconds');

export const scenarioStepSchema = z.strictObject({
  at: duration,
  status: knownStatus,
  metrics: metricsSchema.optional(),
  statusDetails: statusDetailsSchema.optional(),
});

export const scenarioJobSchema = z.strictObject({
  ...jobCommon,
  timeline: z.array(scenarioStepSchema).min(1, 'must have at least one step'),
});

export const scenarioSchema = z.strictObject({
  /** Region and account of generated ARNs. */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region such as us-east-1')
    .optional(),
  accountId: z
    .string()
    .regex(/^[0-9]{12}$/, 'must be a 12-digit account id')
    .optional(),
  jobs: z.array(scenarioJobSchema).default([]),
  /** Resources of any other kind with timelines (checked in resource-scenario.ts). */
  resources: z.array(z.unknown()).optional(),
});
export type Scenario = z.infer<typeof scenarioSchema>;

/** Format zod issues as `jobs[2].timeline[1].at: message`, one per line. */
export function formatIssues(err: z.ZodError, prefix = ''): string {
  return err.issues
    .map((i) => {
      const path = i.path.reduce<string>(
        (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
        prefix,
      );
      return `${path || '(root)'}: ${i.message}`;
    })
    .join('\n');
}

/** Thrown for invalid simulator input (scenario files, control API bodies). */
export class SimInputError extends Error {
  override name = 'SimInputError';
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new SimInputError(`invalid ${what}:\n${formatIssues(r.error)}`);
  return r.data;
}
