// `/_sim/jobs`: the control routes of the simulator's first releases, a view of the resources of
// JOB_KIND in the one store. A job is answered as its Get returns it; a definition in the shape
// those routes (and scenario `jobs:`) always took is checked with its schema, then made a
// resource like any PUT /_sim/resources item, so a job put through either route is read, moved
// and deleted through the other.
import { formatIsoTimestamp } from '../../timestamps.js';
import { parseDuration } from './duration.js';
import { arnOf, DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from './defaults.js';
import { JOB_GET, JOB_KIND } from './job-kind.js';
import { rngUuid } from './prng.js';
import { checkRenders, lateMembers, resourceFromControl } from './resource-kinds.js';
import { renderResource, type ResourceStep, type SimResource, stepAt } from './resource-store.js';
import { changeStatus } from './resources.js';
import {
  type ControlJobInput,
  parseWith,
  putJobsSchema,
  type Scenario,
  type ScenarioJob,
  SimInputError,
  setStatusSchema,
} from './schemas.js';
import type { SimState } from './state.js';

export type WireJob = Record<string, unknown>;

/** A job as its Get returns it during `step`. */
const wire = (r: SimResource, step: ResourceStep): WireJob => renderResource(r, JOB_GET, step);

/** A job definition (its schema already checked) as the one resource it stands for. */
function jobResource(
  def: Omit<ControlJobInput, 'arn'>,
  arn: string,
  where: string,
  now: number,
  existing: (id: string) => SimResource | undefined,
): SimResource {
  return checked(() => {
    const uuid = (): string => {
      throw new Error('a job is made with its ARN');
    };
    return resourceFromControl({ kind: JOB_KIND.kind, ...def, arn }, where, { now, uuid, existing });
  });
}

/** `f`, with what it refuses said of jobs. */
function checked<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof SimInputError) throw new SimInputError(err.message.replace(/^invalid resources:/, 'invalid jobs:'));
    throw err;
  }
}

/** GET /_sim/jobs: the jobs that exist at the current time, as Get returns them. */
export function listJobs(state: SimState): WireJob[] {
  const now = state.clock.now();
  const out: WireJob[] = [];
  for (const r of state.resources.all(JOB_KIND.kind)) {
    const step = stepAt(r, now);
    if (step) out.push(wire(r, step));
  }
  return out;
}

/** PUT /_sim/jobs: add or replace jobs; missing ARNs are generated from the seeded PRNG. Every job is checked before any is put. */
export function putJobs(state: SimState, input: unknown): WireJob[] {
  const { jobs } = parseWith(putJobsSchema, Array.isArray(input) ? { jobs: input } : input, 'jobs');
  const now = state.clock.now();
  const planned = new Map<string, SimResource>();
  const made = jobs.map(({ arn, ...def }, i) => {
    const r = jobResource(
      def,
      arn ?? arnOf(JOB_KIND, rngUuid(state.jobRng)),
      `jobs[${i}]`,
      now,
      (id) => planned.get(id) ?? state.resources.get(id),
    );
    planned.set(r.id, r);
    return r;
  });
  return made.map((r) => {
    state.resources.put(r);
    return wire(r, r.steps[0]!);
  });
}

/**
 * POST /_sim/jobs/{arn}/status: the status now (updateTime = now). A timeline, if any, is frozen;
 * metrics are kept unless given; statusDetails are replaced. Undefined when the job does not exist (yet).
 */
export function setJobStatus(state: SimState, arn: string, input: unknown): WireJob | undefined {
  const { status, statusDetails, metrics } = parseWith(setStatusSchema, input, 'status body');
  const r = state.resources.get(arn);
  if (r?.kind !== JOB_KIND.kind) return undefined;
  const step = changeStatus(state, r, { status, ...(statusDetails ? { statusDetails } : {}), ...(metrics ? { fields: { metrics } } : {}) });
  return step ? wire(r, step) : undefined;
}

/** DELETE /_sim/jobs/{arn}: false for an unknown ARN. */
export function deleteJob(state: SimState, arn: string): boolean {
  return state.resources.get(arn)?.kind === JOB_KIND.kind && state.resources.delete(arn);
}

/**
 * A scenario's `jobs:` as resources anchored at `startedAt`: each step in force from its time;
 * createTime is the first step's time. A step's late results (metrics) carry forward to later
 * steps; statusDetails belong to their step only.
 */
export function scenarioJobs(s: Scenario, startedAt: number, jobRng: () => number): SimResource[] {
  const region = s.region ?? DEFAULT_REGION;
  const account = s.accountId ?? DEFAULT_ACCOUNT_ID;
  const late = lateMembers(JOB_KIND);
  return s.jobs.map((j: ScenarioJob, i) => {
    const { timeline, arn, ...def } = j;
    let carried: Record<string, unknown> | undefined;
    const steps: ResourceStep[] = timeline.map((st) => {
      const step: ResourceStep = { t: startedAt + parseDuration(st.at)!, status: st.status };
      if (st.statusDetails) step.statusDetails = st.statusDetails;
      for (const m of late) {
        const v = (st as Record<string, unknown>)[m];
        if (v !== undefined) carried = { ...carried, [m]: v };
      }
      if (carried) step.fields = carried;
      return step;
    });
    const t0 = steps[0]!.t;
    const r = jobResource(
      { ...def, startedBy: def.startedBy ?? account, createTime: formatIsoTimestamp(t0), status: steps[0]!.status },
      arn ?? arnOf(JOB_KIND, rngUuid(jobRng), { region, account }),
      `jobs[${i}]`,
      t0,
      () => undefined,
    );
    r.steps = steps;
    checked(() => checkRenders(JOB_KIND, r, `jobs[${i}]`));
    return r;
  });
}
