// The simulator's state: one store of the resources of every kind, faults, counts, and the seeded
// streams ids are drawn from. The control routes (control-api.ts) and the in-process API
// (server.ts) call into it through jobs-view.ts and resources.ts.
import type { Clock } from '../../domain.js';
import { FaultInjector, type Faults } from './faults.js';
import { buildFleet } from './fleet.js';
import { JOB_KIND, JOB_OPERATIONS } from './job-kind.js';
import { scenarioJobs } from './scenario-jobs.js';
import { createRng, type Rng, rngUuid } from './prng.js';
import { buildResourceFleet, type ResourceFleetOptions } from './resource-fleet.js';
import { scenarioResources } from './resource-scenario.js';
import { ResourceStore } from './resource-store.js';
import { type FaultsInput, faultsSchema, parseWith, type Scenario } from './schemas.js';
import { RequestLog, type SimStats, StatsCounter } from './stats.js';

export class SimState {
  /** Every resource of every kind. */
  readonly resources = new ResourceStore();
  readonly stats = new StatsCounter(JOB_OPERATIONS);
  readonly requestLog = new RequestLog();
  readonly faults: FaultInjector;
  readonly startedAt: number;
  /** Ids of the ARNs generated for jobs (`/_sim/jobs`, scenario `jobs:`). */
  jobRng!: Rng;
  private faultRng!: Rng;
  /** Ids of the ARNs generated through `/_sim/resources` and scenario `resources:` (a stream of their own, so job ARNs stay as they were). */
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
    this.jobRng = createRng(this.seed);
    this.faultRng = createRng(this.seed ^ 0x0fa017);
    this.resourceRng = createRng(this.seed ^ 0x7e5041);
  }

  loadScenario(s: Scenario): void {
    for (const r of scenarioJobs(s, this.startedAt, this.jobRng)) this.resources.put(r);
    for (const r of scenarioResources(s.resources ?? [], this.startedAt, () => rngUuid(this.resourceRng))) this.resources.put(r);
  }

  /** A membership fleet of every other kind; audience export jobs hang off the jobs loaded so far. */
  loadResourceFleet(opts: ResourceFleetOptions): void {
    const audienceGenerationJobArns = opts.audienceGenerationJobArns ?? this.resources.all(JOB_KIND.kind).map((j) => j.id);
    for (const r of buildResourceFleet({ ...opts, audienceGenerationJobArns, seed: this.seed, startedAt: this.startedAt }))
      this.resources.put(r);
  }

  /** `count` jobs (`simulate --jobs N`). */
  loadFleet(count: number): void {
    for (const r of buildFleet({ count, seed: this.seed, startedAt: this.startedAt })) this.resources.put(r);
  }

  setFaults(input: FaultsInput | unknown): Faults {
    return this.faults.set(parseWith(faultsSchema, input, 'faults'));
  }

  statsSnapshot(): SimStats {
    return this.stats.snapshot();
  }

  /** Forget resources, faults and counts; the PRNGs restart from the seed. */
  reset(): void {
    this.resources.clear();
    this.stats.reset();
    this.requestLog.reset();
    this.reseed();
    this.faults.set({});
  }
}
