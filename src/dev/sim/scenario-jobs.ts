// A job definition of the shape `/_sim/jobs` and scenario `jobs:` take, made the one resource it
// stands for. Apart from jobs-view.ts (the control routes) so the simulator's state can build a
// scenario's jobs without importing the routes that read that state.
import { formatIsoTimestamp } from '../../timestamps.js';
import { parseDuration } from './duration.js';
import { arnOf, DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from './defaults.js';
import { JOB_KIND } from './job-kind.js';
import { rngUuid } from './prng.js';
import { checkRenders, lateMembers, resourceFromControl } from './resource-kinds.js';
import type { ResourceStep, SimResource } from './resource-store.js';
import { type ControlJobInput, type Scenario, SimInputError } from './schemas.js';

type ScenarioJob = Scenario['jobs'][number];

/** A job definition (its schema already checked) as the one resource it stands for. */
export function jobResource(
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
export function checked<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof SimInputError) throw new SimInputError(err.message.replace(/^invalid resources:/, 'invalid jobs:'));
    throw err;
  }
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
