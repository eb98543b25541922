// Synthetic membership fleet (benchmarks, load tests): trained models with versions, inference
// jobs on them, ML input channels, trained model export jobs and audience export jobs, in one
// membership of one collaboration. About `inFlightRatio` of them are under way and finish at
// seeded times during the first ~10 minutes after start (mostly ACTIVE, some *_FAILED with a
// statusCode); the rest have long been done. Everything is drawn from the seed and follows the
// clock lazily: same seed + clock = same answers.
import { KINDS } from '../../kinds/index.js';
import type { KindName } from '../../kinds/kind.js';
import { formatIsoTimestamp } from '../../timestamps.js';
import { createRng, type Rng, rngInt, rngUuid } from './prng.js';
import { checkRenders, resourceFromControl } from './resource-kinds.js';
import type { ResourceStep, SimResource } from './resource-store.js';
import { arnOf, DEFAULT_COLLABORATION_ID, DEFAULT_MEMBERSHIP_ID } from './defaults.js';

export interface ResourceFleetOptions {
  trainedModels?: number;
  /** Versions per trained model, the base one included. Default 2. */
  versionsPerModel?: number;
  inferenceJobs?: number;
  mlInputChannels?: number;
  trainedModelExportJobs?: number;
  audienceExportJobs?: number;
  /** Parents of the audience export jobs (for example the job fleet's ARNs); required when audienceExportJobs > 0. */
  audienceGenerationJobArns?: readonly string[];
  membershipId?: string;
  collaborationId?: string;
  /** Share of resources under way at start (0..1). Default 0.1. */
  inFlightRatio?: number;
}

const FAILURES: Partial<Record<KindName, { statusCode: string; message: string }>> = {
  trainedModel: { statusCode: 'ALGORITHM_ERROR', message: 'The training container exited with code 1.' },
  trainedModelInferenceJob: { statusCode: 'INSUFFICIENT_CAPACITY', message: 'No capacity for the requested instance type.' },
  mlInputChannel: { statusCode: 'QUERY_FAILED', message: 'The protected query that builds the channel failed.' },
  trainedModelExportJob: { statusCode: 'ACCESS_DENIED', message: 'The receiving member cannot be written to.' },
  audienceExportJob: { statusCode: 'ACCESS_DENIED', message: 'The output bucket denied the write.' },
};

/** A timeline that has long ended, or one under way that ends in the first minutes. */
function timeline(rng: Rng, kind: KindName, t0: number, inFlight: boolean): ResourceStep[] {
  const fail = rng() < (inFlight ? 0.15 : 0.07);
  const end = (t: number): ResourceStep =>
    fail ? { t, status: 'CREATE_FAILED', statusDetails: { ...FAILURES[kind]! } } : { t, status: 'ACTIVE' };
  if (inFlight) {
    const pending = t0 - rngInt(rng, 10, 300) * 1000;
    const running = pending + rngInt(rng, 5, 90) * 1000;
    const done = Math.max(running, t0) + rngInt(rng, 30, 600) * 1000;
    return [{ t: pending, status: 'CREATE_PENDING' }, { t: running, status: 'CREATE_IN_PROGRESS' }, end(done)];
  }
  // Created at least 3 h before start and done within 2 h: finished before start.
  const created = t0 - rngInt(rng, 3 * 3_600, 30 * 86_400) * 1000;
  return [{ t: created, status: 'CREATE_PENDING' }, end(created + rngInt(rng, 300, 7_200) * 1000)];
}

export function buildResourceFleet(opts: ResourceFleetOptions & { seed: number; startedAt: number }): SimResource[] {
  const rng = createRng(opts.seed ^ 0x3e5f1ee7);
  const m = opts.membershipId ?? DEFAULT_MEMBERSHIP_ID;
  const c = opts.collaborationId ?? DEFAULT_COLLABORATION_ID;
  const ratio = opts.inFlightRatio ?? 0.1;
  const t0 = opts.startedAt;
  const out: SimResource[] = [];
  const add = (kind: KindName, item: Record<string, unknown>): SimResource => {
    const steps = timeline(rng, kind, t0, rng() < ratio);
    const first = steps[0]!;
    const r = resourceFromControl(
      { kind, ...item, status: first.status, createTime: formatIsoTimestamp(first.t), updateTime: formatIsoTimestamp(first.t) },
      `fleet ${kind}`,
      { now: first.t, uuid: () => rngUuid(rng), existing: () => undefined },
    );
    r.steps = steps;
    checkRenders(KINDS[kind], r, `fleet ${kind}`);
    out.push(r);
    return r;
  };
  const pad = (i: number): string => String(i + 1).padStart(5, '0');
  const models: Array<{ arn: string; versions: Array<string | undefined> }> = [];
  for (let i = 0; i < (opts.trainedModels ?? 0); i++) {
    const arn = arnOf(KINDS.trainedModel, `fleet-${pad(i)}`, { membership: m });
    const versions: Array<string | undefined> = [];
    for (let v = 0; v < (opts.versionsPerModel ?? 2); v++) {
      // The base version has no versionIdentifier; incremental versions get one.
      const versionIdentifier = v === 0 ? undefined : rngUuid(rng);
      versions.push(versionIdentifier);
      add('trainedModel', {
        name: `fleet-model-${pad(i)}`,
        arn,
        collaborationId: c,
        ...(versionIdentifier ? { versionIdentifier } : {}),
        stoppingCondition: { maxRuntimeInSeconds: rngInt(rng, 1, 24) * 3600 },
      });
    }
    models.push({ arn, versions });
  }
  const pick = <T>(a: readonly T[]): T => a[rngInt(rng, 0, a.length - 1)]!;
  for (let i = 0; i < (opts.inferenceJobs ?? 0); i++) {
    const model = models.length > 0 ? pick(models) : undefined;
    const version = model ? pick(model.versions) : undefined;
    add('trainedModelInferenceJob', {
      name: `fleet-inference-${pad(i)}`,
      membershipId: m,
      collaborationId: c,
      ...(model ? { trainedModelArn: model.arn } : {}),
      ...(version ? { trainedModelVersionIdentifier: version } : {}),
    });
  }
  for (let i = 0; i < (opts.mlInputChannels ?? 0); i++) {
    add('mlInputChannel', {
      name: `fleet-channel-${pad(i)}`,
      membershipId: m,
      collaborationId: c,
      numberOfRecords: rngInt(rng, 1_000, 50_000_000),
      sizeInGb: Math.round(rng() * 500_00) / 100,
      numberOfFiles: rngInt(rng, 1, 2_000),
    });
  }
  for (let i = 0; i < (opts.trainedModelExportJobs ?? 0); i++) {
    const model = models.length > 0 ? pick(models) : undefined;
    const version = model ? pick(model.versions) : undefined;
    add('trainedModelExportJob', {
      name: `fleet-model-export-${pad(i)}`,
      membershipId: m,
      collaborationId: c,
      ...(model ? { trainedModelArn: model.arn } : {}),
      ...(version ? { trainedModelVersionIdentifier: version } : {}),
    });
  }
  const parents = opts.audienceGenerationJobArns ?? [];
  if ((opts.audienceExportJobs ?? 0) > 0 && parents.length === 0) throw new Error('audienceExportJobs needs audienceGenerationJobArns');
  for (let i = 0; i < (opts.audienceExportJobs ?? 0); i++) {
    add('audienceExportJob', {
      name: `fleet-audience-export-${pad(i)}`,
      audienceGenerationJobArn: pick(parents),
      audienceSize:
        rng() < 0.5 ? { type: 'ABSOLUTE', value: rngInt(rng, 1, 100) * 10_000 } : { type: 'PERCENTAGE', value: rngInt(rng, 1, 50) },
      outputLocation: `s3://fleet-exports/audience/${pad(i)}/`,
    });
  }
  return out;
}
