// The control API over resources of every kind (/_sim/resources), on the one store: `/_sim/jobs`
// (jobs-view.ts) is a view of the same resources, so a job put through one route is read, moved
// and deleted through the other. Each resource is answered as its (member) Get returns it, or as
// its List item for kinds without a Get, plus "kind" and "id".
import { isKindName, KINDS } from '../../kinds/index.js';
import type { KindName } from '../../kinds/kind.js';
import { rngUuid } from './prng.js';
import { controlView, controlViewOf } from './resource-api.js';
import { checkRenders, lateMembers, parseStatusDetails, parseTags, resourceFromControl, tagsProblem } from './resource-kinds.js';
import { type ResourceStep, type SimResource, type SimStatusDetails, stepAt } from './resource-store.js';
import { SimInputError } from './schemas.js';
import type { SimState } from './state.js';

export type WireResource = Record<string, unknown>;

/** GET /_sim/resources[?kind=K]: every kind in declaration order, each in id order. */
export function listResources(state: SimState, kind?: string): WireResource[] {
  if (kind !== undefined && !isKindName(kind)) throw new SimInputError(`unknown kind ${kind}: one of ${Object.keys(KINDS).join(', ')}`);
  const now = state.clock.now();
  const out: WireResource[] = [];
  for (const k of Object.keys(KINDS) as KindName[]) {
    if (kind !== undefined && k !== kind) continue;
    for (const r of state.resources.all(k)) {
      const v = controlView(r, now);
      if (v) out.push(v);
    }
  }
  return out;
}

/** PUT /_sim/resources: validate every item first, then add or replace them all. */
export function putResources(state: SimState, input: unknown): WireResource[] {
  const list = Array.isArray(input)
    ? input
    : typeof input === 'object' && input !== null && Array.isArray((input as Record<string, unknown>)['resources'])
      ? ((input as Record<string, unknown>)['resources'] as unknown[])
      : undefined;
  if (!list) throw new SimInputError('invalid resources:\nresources: must be a list');
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const extra = Object.keys(input).filter((k) => k !== 'resources');
    if (extra.length > 0) throw new SimInputError(`invalid resources:\n${extra[0]}: unknown key (the body is {"resources": [...]})`);
  }
  const now = state.clock.now();
  const uuid = (): string => rngUuid(state.resourceRng);
  // Validated up front: a bad item leaves the store untouched. Ids seen earlier in this body count
  // as existing (a replace keeps its createTime).
  const planned = new Map<string, SimResource>();
  const made = list.map((item, i) => {
    const r = resourceFromControl(item, `resources[${i}]`, { now, uuid, existing: (id) => planned.get(id) ?? state.resources.get(id) });
    planned.set(r.id, r);
    return r;
  });
  return made.map((r) => {
    state.resources.put(r);
    // As put, even when its updateTime lies ahead of the clock.
    return controlViewOf(r, r.steps[0]!);
  });
}

/** A status change: the status, its details, and late results (members that change with the status). */
interface StatusChange {
  status: string;
  statusDetails?: SimStatusDetails;
  fields?: Record<string, unknown>;
}

/**
 * Set the status of `r` now (updateTime = now). A timeline, if any, is frozen: from now on only
 * the control API moves the resource. statusDetails belong to the status they explain: replaced,
 * or dropped when not given; late results are kept unless given. The new step must render as the
 * model says (else SimInputError, and nothing changes). Undefined when `r` does not exist yet.
 */
export function changeStatus(state: SimState, r: SimResource, change: StatusChange): ResourceStep | undefined {
  const now = state.clock.now();
  const cur = stepAt(r, now);
  if (!cur) return undefined;
  const step: ResourceStep = { t: Math.max(now, cur.t), status: change.status };
  if (change.statusDetails) step.statusDetails = change.statusDetails;
  const fields = { ...cur.fields, ...change.fields };
  if (Object.keys(fields).length > 0) step.fields = fields;
  try {
    checkRenders(KINDS[r.kind], { ...r, steps: [step] }, '(root)');
  } catch (err) {
    if (err instanceof SimInputError) throw new SimInputError(err.message.replace(/^invalid resources:/, 'invalid status body:'));
    throw err;
  }
  r.steps = [step];
  return step;
}

/**
 * POST /_sim/resources/{id}/status: body {status, statusDetails?} and, for a kind with results
 * that land late, those members (an audience generation job's `metrics`). Undefined for an
 * unknown id or one that does not exist yet.
 */
export function setResourceStatus(state: SimState, id: string, input: unknown): WireResource | undefined {
  const r = state.resources.get(id);
  if (!r) return undefined;
  const late = lateMembers(KINDS[r.kind]);
  const keys = ['status', 'statusDetails', ...late];
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new SimInputError('invalid status body:\n(root): must be an object {"status", "statusDetails"?}');
  const body = input as Record<string, unknown>;
  for (const k of Object.keys(body))
    if (!keys.includes(k)) throw new SimInputError(`invalid status body:\n${k}: unknown key (${keys.join(', ')})`);
  const status = body['status'];
  if (typeof status !== 'string' || status.length === 0)
    throw new SimInputError('invalid status body:\nstatus: must be a non-empty string');
  const change: StatusChange = { status };
  if (body['statusDetails'] !== undefined) {
    change.statusDetails = parseStatusDetails(body['statusDetails'], (msg) => {
      throw new SimInputError(`invalid status body:\nstatusDetails: ${msg}`);
    });
  }
  for (const m of late) if (body[m] !== undefined) change.fields = { ...change.fields, [m]: body[m] };
  return changeStatus(state, r, change) ? controlView(r, state.clock.now()) : undefined;
}

/**
 * POST /_sim/resources/{id}/tags: body {"tags": {...}} replaces the resource's tags, as AWS's
 * TagResource/UntagResource would, without moving its updateTime (tagging is no update of the
 * resource's status: the monitor must find the change by reading the tags again). Undefined for an
 * unknown id or one that does not exist yet; SimInputError for a kind whose Get carries no tags.
 */
export function setResourceTags(state: SimState, id: string, input: unknown): WireResource | undefined {
  const r = state.resources.get(id);
  if (!r) return undefined;
  const fail = (msg: string): never => {
    throw new SimInputError(`invalid tags body:\n${msg}`);
  };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail('(root): must be an object {"tags": {...}}');
  const body = input as Record<string, unknown>;
  for (const k of Object.keys(body)) if (k !== 'tags') fail(`${k}: unknown key (the body is {"tags": {...}})`);
  if (body['tags'] === undefined) fail('tags: is required');
  const problem = tagsProblem(KINDS[r.kind]);
  if (problem) fail(`tags: ${problem}`);
  const tags = parseTags(body['tags'], (msg) => fail(`tags: ${msg}`));
  const now = state.clock.now();
  if (!stepAt(r, now)) return undefined;
  // Fields are shared by every step, so a timeline keeps its times; only the tags change.
  if (Object.keys(tags).length > 0) r.fields = { ...r.fields, tags };
  else {
    const { tags: _gone, ...rest } = r.fields;
    r.fields = rest;
  }
  return controlView(r, now);
}

/** DELETE /_sim/resources/{id}: false for an unknown id. */
export function deleteResource(state: SimState, id: string): boolean {
  return state.resources.delete(id);
}
