import { arnOf } from './defaults.js';
import { JOB_GET, JOB_KIND } from './job-kind.js';
import { rngUuid } from './prng.js';
import { renderResource, type ResourceStep, type SimResource, stepAt } from './resource-store.js';
import { changeStatus } from './resources.js';
import { jobResource } from './scenario-jobs.js';
import { parseWith, putJobsSchema, setStatusSchema } from './schemas.js';
import type { SimState } from './state.js';

export type WireJob = Record<string, unknown>;

/** A job as its Get returns it during `step`. */
const wire = (r: SimResource, step: ResourceStep): WireJob => renderResource(r, JOB_GET, step);

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
