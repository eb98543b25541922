// The simulator's state and its in-process control API (the HTTP control routes call these).
import type { Clock } from '../../domain.js';
import type { AudienceQualityMetrics } from '../../state/legacy-job.js';
import { parseIsoTimestamp } from '../../timestamps.js';
import { DEFAULT_ACCOUNT_ID, DEFAULT_COLLABORATION_ID, DEFAULT_MODEL_ARN, DEFAULT_REGION, jobArnFor } from './defaults.js';
import { FaultInjector, type Faults } from './faults.js';
import { buildFleet } from './fleet.js';
import { currentStep, jobWire, withExtras, type SimJob, type SimStep } from './model.js';
import { createRng, rngUuid, type Rng } from './prng.js';
import { scenarioJobs } from './scenario.js';
import { scenarioResources } from './resource-scenario.js';
import { buildResourceFleet, type ResourceFleetOptions } from './resource-fleet.js';
import {
  faultsSchema,
  parseWith,
  putJobsSchema,
  setStatusSchema,
  type ControlJobInput,
  type FaultsInput,
  type Scenario,
  type SetStatusInput,
} from './schemas.js';
import { RequestLog, StatsCounter, type SimStats } from './stats.js';
import { JobStore } from './store.js';
import { ResourceStore } from './resource-store.js';

export type WireJob = Record<string, unknown>;

export class SimState {
  readonly store = new JobStore();
  /** Every other kind (see resources.ts); audience generation jobs stay in `store`. */
  readonly resources = new ResourceStore();
  readonly stats = new StatsCounter();
  readonly requestLog = new RequestLog();
  readonly faults: FaultInjector;
  readonly startedAt: number;
  private idRng!: Rng;
  private faultRng!: Rng;
  /** Ids of generated resource ARNs (a stream of their own, so job ARNs stay as they were). */
  resourceRng!: Rng;

  constructor(
    readonly clock: Clock,
    private readonly seed: number,
  ) {
    this.startedAt = clock.now();
    this.reseed();
    this.faults = new FaultInjector(
      () => this.faultRng(),
      () => this.clock.now(),
    );
  }

  private reseed(): void {
    this.idRng = createRng(this.seed);
    this.faultRng = createRng(this.seed ^ 0x0fa017);
    this.resourceRng = createRng(this.seed ^ 0x7e5041);
  }

  loadScenario(s: Scenario): void {
    for (const job of scenarioJobs(s, this.startedAt, this.idRng)) this.store.put(job);
    for (const r of scenarioResources(s.resources ?? [], this.startedAt, () => rngUuid(this.resourceRng))) this.resources.put(r);
  }

  /** A membership fleet of the other kinds; audience export jobs hang off the jobs loaded so far. */
  loadResourceFleet(opts: ResourceFleetOptions): void {
    const audienceGenerationJobArns = opts.audienceGenerationJobArns ?? this.store.all().map((j) => j.arn);
    for (const r of buildResourceFleet({ ...opts, audienceGenerationJobArns, seed: this.seed, startedAt: this.startedAt }))
      this.resources.put(r);
  }

  loadFleet(count: number): void {
    for (const job of buildFleet({ count, seed: this.seed, startedAt: this.startedAt })) this.store.put(job);
  }

  /** Jobs as Get returns them (only those that exist at the current time). */
  jobs(): WireJob[] {
    const now = this.clock.now();
    const out: WireJob[] = [];
    for (const job of this.store.all()) {
      const step = currentStep(job, now);
      if (step) out.push(jobWire(job, step));
    }
    return out;
  }

  /** Add or replace jobs (PUT /_sim/jobs). Missing ARNs are generated from the seeded PRNG. */
  putJobs(input: unknown): WireJob[] {
    const { jobs } = parseWith(putJobsSchema, Array.isArray(input) ? { jobs: input } : input, 'jobs');
    const now = this.clock.now();
    return jobs.map((j) => {
      const job = this.fromControl(j, now);
      this.store.put(job);
      return jobWire(job, job.steps[0]!);
    });
  }

  private fromControl(j: ControlJobInput, now: number): SimJob {
    const arn = j.arn ?? jobArnFor(DEFAULT_REGION, DEFAULT_ACCOUNT_ID, rngUuid(this.idRng));
    const old = this.store.get(arn);
    const updateTime = j.updateTime !== undefined ? parseIsoTimestamp(j.updateTime)! : now;
    const createTime = j.createTime !== undefined ? parseIsoTimestamp(j.createTime)! : (old?.createTime ?? Math.min(now, updateTime));
    const step: SimStep = { t: Math.max(updateTime, createTime), status: j.status ?? 'CREATE_PENDING' };
    if (j.statusDetails) step.statusDetails = j.statusDetails;
    if (j.metrics) step.metrics = j.metrics as AudienceQualityMetrics;
    const job: SimJob = {
      arn,
      name: j.name,
      configuredAudienceModelArn: j.configuredAudienceModelArn ?? DEFAULT_MODEL_ARN,
      collaborationId: j.collaborationId ?? DEFAULT_COLLABORATION_ID,
      startedBy: j.startedBy ?? DEFAULT_ACCOUNT_ID,
      createTime,
      steps: [step],
    };
    return withExtras(job, j);
  }

  /**
   * Set a job's status now (updateTime = now). The job's timeline, if any, is frozen: from then on
   * only the control API moves it. Metrics are kept unless given; statusDetails are replaced.
   * Undefined when the job does not exist (yet).
   */
  setStatus(arn: string, input: SetStatusInput | unknown): WireJob | undefined {
    const body = parseWith(setStatusSchema, input, 'status body');
    const job = this.store.get(arn);
    const now = this.clock.now();
    const cur = job ? currentStep(job, now) : undefined;
    if (!job || !cur) return undefined;
    const step: SimStep = { t: Math.max(now, cur.t), status: body.status };
    if (body.statusDetails) step.statusDetails = body.statusDetails;
    const metrics = (body.metrics as AudienceQualityMetrics | undefined) ?? cur.metrics;
    if (metrics) step.metrics = metrics;
    job.steps = [step];
    return jobWire(job, step);
  }

  deleteJob(arn: string): boolean {
    return this.store.delete(arn);
  }

  setFaults(input: FaultsInput | unknown): Faults {
    return this.faults.set(parseWith(faultsSchema, input, 'faults'));
  }

  statsSnapshot(): SimStats {
    return this.stats.snapshot();
  }

  /** Forget jobs, faults and counts; the PRNGs restart from the seed. */
  reset(): void {
    this.store.clear();
    this.resources.clear();
    this.stats.reset();
    this.requestLog.reset();
    this.reseed();
    this.faults.set({});
  }
}
