// The control API over resources of every kind (/_sim/resources). Audience generation jobs stay
// in the job store behind /_sim/jobs: both routes are views of the same jobs, so a job put
// through one is read, moved and deleted through the other. The other kinds live in
// state.resources. Each resource is answered as its (member) Get returns it, or as its List item
// for kinds without a Get, plus "kind" and "id".
import { isKindName, KINDS } from '../../kinds/index.js';
import type { KindName } from '../../kinds/kind.js';
import { rngUuid } from './prng.js';
import { controlView, controlViewOf } from './resource-api.js';
import { parseStatusDetails, resourceFromControl } from './resource-kinds.js';
import { type ResourceStep, type SimResource, type SimStatusDetails, stepAt } from './resource-store.js';
import { controlJobSchema, parseWith, SimInputError } from './schemas.js';
import type { SimState, WireJob } from './state.js';

export type WireResource = Record<string, unknown>;

function jobView(job: WireJob): WireResource {
  return { kind: 'audienceGenerationJob', id: job['audienceGenerationJobArn'], ...job };
}

/** GET /_sim/resources[?kind=K]: every kind in declaration order, each in id order. */
export function listResources(state: SimState, kind?: string): WireResource[] {
  if (kind !== undefined && !isKindName(kind)) throw new SimInputError(`unknown kind ${kind}: one of ${Object.keys(KINDS).join(', ')}`);
  const out: WireResource[] = [];
  for (const k of Object.keys(KINDS) as KindName[]) {
    if (kind !== undefined && k !== kind) continue;
    if (k === 'audienceGenerationJob') out.push(...state.jobs().map(jobView));
    else {
      const now = state.clock.now();
      for (const r of state.resources.all(k)) {
        const v = controlView(r, now);
        if (v) out.push(v);
      }
    }
  }
  return out;
}

/** PUT /_sim/resources: validate every item first, then add or replace them all. */
export function putResources(state: SimState, input: unknown): WireResource[] {
  const list = Array.isArray(input)
    ? input
    : typeof input === 'object' && input !== null
      ? (input as Record<string, unknown>)['resources']
      : undefined;
  if (!Array.isArray(list)) throw new SimInputError('invalid resources:\nresources: must be a list');
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const extra = Object.keys(input).filter((k) => k !== 'resources');
    if (extra.length > 0) throw new SimInputError(`invalid resources:\n${extra[0]}: unknown key (the body is {"resources": [...]})`);
  }
  const now = state.clock.now();
  const uuid = (): string => rngUuid(state.resourceRng);
  // Validated up front: a bad item leaves the store untouched.
  const planned: Array<{ job: Record<string, unknown> } | { resource: SimResource }> = list.map((item, i) => {
    const where = `resources[${i}]`;
    if (typeof item === 'object' && item !== null && (item as Record<string, unknown>)['kind'] === 'audienceGenerationJob') {
      const { kind: _kind, ...job } = item as Record<string, unknown>;
      try {
        parseWith(controlJobSchema, job, where);
      } catch (err) {
        throw new SimInputError(
          String((err as Error).message)
            .replace(/^invalid [^:]*:\n/, 'invalid resources:\n')
            .replace(/^(?!invalid)/gm, `${where}.`)
            .replaceAll(`${where}.(root)`, where),
        );
      }
      return { job };
    }
    // Ids seen earlier in this body count as existing (a replace keeps its createTime).
    return { resource: resourceFromControl(item, where, { now, uuid, existing: (id) => state.resources.get(id) }) };
  });
  return planned.map((p) => {
    if ('job' in p) return jobView(state.putJobs({ jobs: [p.job] })[0]!);
    state.resources.put(p.resource);
    // As put, even when its updateTime lies ahead of the clock.
    return controlViewOf(p.resource, p.resource.steps[0]!);
  });
}

/** POST /_sim/resources/{id}/status: set now (updateTime = now). Undefined for an unknown id or one that does not exist yet. */
export function setResourceStatus(state: SimState, id: string, input: unknown): WireResource | undefined {
  const r = state.resources.get(id);
  if (!r) {
    // Audience generation jobs: the job store's own rules (it also takes `metrics`).
    const job = state.store.get(id) ? state.setStatus(id, input) : undefined;
    return job ? jobView(job) : undefined;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new SimInputError('invalid status body:\n(root): must be an object {"status", "statusDetails"?}');
  const body = input as Record<string, unknown>;
  for (const k of Object.keys(body))
    if (k !== 'status' && k !== 'statusDetails') throw new SimInputError(`invalid status body:\n${k}: unknown key (status, statusDetails)`);
  const status = body['status'];
  if (typeof status !== 'string' || status.length === 0)
    throw new SimInputError('invalid status body:\nstatus: must be a non-empty string');
  let details: SimStatusDetails | undefined;
  if (body['statusDetails'] !== undefined) {
    details = parseStatusDetails(body['statusDetails'], (msg) => {
      throw new SimInputError(`invalid status body:\nstatusDetails: ${msg}`);
    });
  }
  const now = state.clock.now();
  const cur = stepAt(r, now);
  if (!cur) return undefined;
  // A timeline, if any, is frozen: from now on only the control API moves the resource.
  // statusDetails belong to the status they explain: replaced, or dropped when not given.
  const step: ResourceStep = { t: Math.max(now, cur.t), status };
  if (details) step.statusDetails = details;
  r.steps = [step];
  return controlView(r, now);
}

/** DELETE /_sim/resources/{id}: false for an unknown id. */
export function deleteResource(state: SimState, id: string): boolean {
  return state.resources.delete(id) || state.deleteJob(id);
}
