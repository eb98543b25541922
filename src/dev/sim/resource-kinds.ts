// Control-API input -> SimResource for every kind. A resource is given as {kind, name, status?,
// arn?, versionIdentifier?, <any parent key: membershipId?, collaborationId?, trainedModelArn?,
// audienceGenerationJobArn?...>, statusDetails?, createTime?, updateTime?, ...any member of the
// kind's outputs}. What the input leaves out comes from the declaration: an ARN of the kind's
// resource type, the membership of a membership-scoped ARN, default parents (the simulator's
// collaboration, membership, configured audience model; an ARN of a parent resource's kind), and
// example values of the other members the model requires (samples.ts). Every output of the kind
// is then rendered and read back with the monitor's own deserializer, so the simulator never
// serves what a client would have to call malformed (unless a fault asks for it).
import { snapshotFromWire } from '../../aws/resource-deserialize.js';
import { resourceId } from '../../kinds/identity.js';
import { ALL_KINDS, isKindName, KINDS } from '../../kinds/index.js';
import { getCarriesTags } from '../../kinds/tags.js';
import type { KindDecl, ParentDecl, ParentKey } from '../../kinds/kind.js';
import { parseIsoTimestamp } from '../../timestamps.js';
import { arnOf, DEFAULT_MEMBERSHIP_ID, DEFAULT_PARENTS, membershipOf } from './defaults.js';
import { renderResource, type ResourceStep, type SimResource, type SimStatusDetails } from './resource-store.js';
import { SAMPLE_MEMBERS } from './samples.js';
import { SimInputError } from './schemas.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Control keys besides the kind's wire members: its ARN and version, and every parent key of any kind. */
const ID_KEYS: readonly string[] = ['arn', 'versionIdentifier', ...new Set(ALL_KINDS.flatMap((k) => Object.keys(k.parents)))];
const OTHER_KEYS = ['kind', 'name', 'status', 'statusDetails', 'createTime', 'updateTime'] as const;

/** What the control input of a kind is read with, worked out once per kind. */
interface KindInput {
  /** Members of every output of the kind (Gets and List items). */
  wire: ReadonlySet<string>;
  late: ReadonlySet<string>;
  /** Members some output requires. */
  required: ReadonlySet<string>;
}
const inputs = new WeakMap<KindDecl, KindInput>();
function inputOf(kind: KindDecl): KindInput {
  let i = inputs.get(kind);
  if (!i) {
    const ops = [...Object.values(kind.get), ...kind.lists];
    const late = new Set<string>();
    for (const r of kind.results) if (r.type === 'number' && r.arrivesLate) late.add((r.items ?? r.value)[0]!);
    i = { wire: new Set(ops.flatMap((op) => op.members)), late, required: new Set(ops.flatMap((op) => op.required)) };
    inputs.set(kind, i);
  }
  return i;
}

/**
 * The top-level members of the results that land after the status settled (an audience's
 * quality metrics): they belong to a step, so a status change keeps them unless it sets them.
 */
export function lateMembers(kind: KindDecl): ReadonlySet<string> {
  return inputOf(kind).late;
}

/** Why `v` cannot be the parent `p`, if it cannot. */
function parentProblem(p: ParentDecl, v: string): string | undefined {
  if (p.id.type === 'uuid') return UUID_RE.test(v) ? undefined : "must be a lowercase UUID (the model's UUID pattern)";
  if (p.id.type === 'resource') return arnProblem(KINDS[p.id.kind], v);
  return p.id.pattern.test(v) ? undefined : `must match ${p.id.pattern.source}`;
}

function arnProblem(k: KindDecl, v: string): string | undefined {
  return k.arn!.pattern.test(v) ? undefined : `must be a ${k.title} ARN matching ${k.arn!.pattern.source}`;
}

export interface ControlContext {
  now: number;
  uuid: () => string;
  existing: (id: string) => SimResource | undefined;
}

/** One PUT /_sim/resources item. Throws SimInputError naming the field. */
export function resourceFromControl(input: unknown, where: string, ctx: ControlContext): SimResource {
  const fail = (field: string, msg: string): never => {
    throw new SimInputError(`invalid resources:\n${where}${field ? `.${field}` : ''}: ${msg}`);
  };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail('', 'must be an object');
  const o = input as Record<string, unknown>;
  if (!isKindName(o['kind'])) return fail('kind', `must be one of ${Object.keys(KINDS).join(', ')}`);
  const kind = KINDS[o['kind']];
  const { wire: members, late, required } = inputOf(kind);
  if (o['tags'] !== undefined) {
    const problem = tagsProblem(kind);
    if (problem) fail('tags', problem);
    parseTags(o['tags'], (msg) => fail('tags', msg));
  }
  for (const k of Object.keys(o)) {
    if (!(ID_KEYS as readonly string[]).includes(k) && !(OTHER_KEYS as readonly string[]).includes(k) && !members.has(k)) {
      fail(k, `is not a member of ${kind.kind} (control keys: ${[...OTHER_KEYS, ...ID_KEYS].join(', ')}; or any member of its outputs)`);
    }
  }
  const str = (k: string): string | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length === 0) return fail(k, 'must be a non-empty string');
    return v;
  };
  const name = str('name') ?? fail('name', 'is required');
  if (name.length > 63) fail('name', 'must be at most 63 characters');
  const status = str('status') ?? 'CREATE_PENDING';
  const time = (k: string): number | undefined => {
    const v = str(k);
    if (v === undefined) return undefined;
    return parseIsoTimestamp(v) ?? fail(k, 'must be an ISO-8601 timestamp such as 2026-11-28T12:00:00.000Z');
  };
  let statusDetails: SimStatusDetails | undefined;
  if (o['statusDetails'] !== undefined) statusDetails = parseStatusDetails(o['statusDetails'], (msg) => fail('statusDetails', msg));

  // Wire members given directly, then the id keys mapped onto the kind's members.
  const fields: Record<string, unknown> = {};
  const stepFields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o))
    if (members.has(k) && !['status', 'statusDetails', 'createTime', 'updateTime', 'name'].includes(k))
      (late.has(k) ? stepFields : fields)[k] = v;
  fields['name'] = name;
  const setId = (key: string, member: string | undefined, check: (v: string) => string | undefined): void => {
    // The member may also be given under its wire name: it gets the same checks.
    const direct = member !== undefined ? fields[member] : undefined;
    if (direct !== undefined) {
      const problem = typeof direct === 'string' ? check(direct) : 'must be a string';
      if (problem) fail(member!, problem);
    }
    const v = str(key);
    if (v === undefined) return;
    if (!member) return fail(key, `does not apply to ${kind.kind}`);
    const problem = check(v);
    if (problem) fail(key, problem);
    if (fields[member] !== undefined && fields[member] !== v) fail(key, `contradicts ${member}`);
    fields[member] = v;
  };
  if (o['arn'] !== undefined && !kind.arn) fail('arn', `${kind.kind} has no ARN: its id is ${kind.identity.description}`);
  if (kind.arn) setId('arn', kind.arn.member, (v) => arnProblem(kind, v));
  setId('versionIdentifier', kind.versionMember, (v) =>
    UUID_RE.test(v) ? undefined : "must be a lowercase UUID (the model's UUID pattern)",
  );
  const declared = kind.parents as Readonly<Record<string, ParentDecl | undefined>>;
  for (const key of ID_KEYS) {
    if (key === 'arn' || key === 'versionIdentifier') continue;
    const p = declared[key];
    setId(key, p?.member, (v) => parentProblem(p!, v));
  }
  // A membership-scoped ARN names its membership: the membership defaults to it.
  const own = kind.arn ? (fields[kind.arn.member] as string | undefined) : undefined;
  const memberOf = own !== undefined ? membershipOf(own) : undefined;
  const membershipMember = kind.parents.membershipId?.member;
  if (memberOf && membershipMember) {
    const given = fields[membershipMember];
    if (given !== undefined && given !== memberOf) fail('membershipId', `contradicts the membership of the ARN (${memberOf})`);
    fields[membershipMember] = memberOf;
  }
  const membership = (membershipMember ? (fields[membershipMember] as string | undefined) : undefined) ?? DEFAULT_MEMBERSHIP_ID;
  if (kind.arn && fields[kind.arn.member] === undefined) fields[kind.arn.member] = arnOf(kind, ctx.uuid(), { membership });
  for (const [key, p] of Object.entries(kind.parents) as Array<[ParentKey, ParentDecl]>) {
    if (fields[p.member] !== undefined) continue;
    const made = DEFAULT_PARENTS[key];
    if (made) fields[p.member] = made(membership);
    // A parent resource the model requires: a resource of its kind that need not exist.
    else if (p.id.type === 'resource' && required.has(p.member))
      fields[p.member] = arnOf(KINDS[p.id.kind], `default-${KINDS[p.id.kind].arn!.resourceType}`, { membership });
  }
  for (const [k, v] of Object.entries(SAMPLE_MEMBERS[kind.kind]?.({ membership }) ?? {})) if (fields[k] === undefined) fields[k] = v;

  const parents: Partial<Record<ParentKey, string>> = {};
  for (const [key, { member }] of Object.entries(kind.parents) as Array<[ParentKey, ParentDecl]>) {
    if (typeof fields[member] === 'string') parents[key] = fields[member] as string;
  }
  const arn = kind.arn ? (fields[kind.arn.member] as string) : undefined;
  const versionIdentifier = kind.versionMember ? (fields[kind.versionMember] as string | undefined) : undefined;
  const givenCreate = time('createTime');
  const givenUpdate = time('updateTime');
  // Kinds with an ARN keep their createTime when replaced; an ARN-less one is identified by it.
  const probeId =
    arn !== undefined
      ? resourceId(kind, { arn, ...(versionIdentifier !== undefined ? { versionIdentifier } : {}), parents, name, createTime: 0 })
      : undefined;
  const old = probeId !== undefined ? ctx.existing(probeId) : undefined;
  const updateTime = givenUpdate ?? ctx.now;
  const createTime = givenCreate ?? old?.createTime ?? Math.min(ctx.now, updateTime);
  const id = resourceId(kind, {
    ...(arn !== undefined ? { arn } : {}),
    ...(versionIdentifier !== undefined ? { versionIdentifier } : {}),
    parents,
    name,
    createTime,
  });
  const step: ResourceStep = { t: Math.max(updateTime, createTime), status };
  if (statusDetails) step.statusDetails = statusDetails;
  if (Object.keys(stepFields).length > 0) step.fields = stepFields;
  const r: SimResource = { kind: kind.kind, id, fields, createTime, steps: [step] };
  checkRenders(kind, r, where);
  return r;
}

/** Why resources of `kind` take no tags, if they take none: no Get of its own carries them. */
export function tagsProblem(kind: KindDecl): string | undefined {
  if (getCarriesTags(kind, 'member')) return undefined;
  const from = kind.tags.inherit !== undefined ? `; it takes those of its ${kind.tags.inherit.replace(/Arn$/, '')}` : '';
  return `${kind.kind} has no Get that carries tags${from}`;
}

/** A TagMap as the model has it: at most 200 entries, keys 1..128 characters, values strings up to 256. */
export function parseTags(v: unknown, fail: (msg: string) => never): Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail('must be a map of tag keys to string values');
  const entries = Object.entries(v);
  if (entries.length > 200) fail('must have at most 200 tags');
  for (const [k, val] of entries) {
    if (k.length < 1 || k.length > 128) fail(`key ${JSON.stringify(k.slice(0, 40))} must be 1-128 characters`);
    if (typeof val !== 'string') fail(`${k} must be a string`);
    if (val.length > 256) fail(`${k} must be at most 256 characters`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

export function parseStatusDetails(v: unknown, fail: (msg: string) => never): SimStatusDetails {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail('must be an object {statusCode?, message?}');
  const out: SimStatusDetails = {};
  for (const [k, val] of Object.entries(v)) {
    if (k !== 'statusCode' && k !== 'message') fail(`unknown key ${k} (statusCode, message)`);
    if (typeof val !== 'string') fail(`${k} must be a string`);
    out[k as 'statusCode' | 'message'] = val as string;
  }
  return out;
}

/** Render every output of the kind at every step and read it back as the monitor would. */
export function checkRenders(kind: KindDecl, r: SimResource, where: string): void {
  for (const step of r.steps) {
    for (const op of [...Object.values(kind.get), ...kind.lists]) {
      try {
        snapshotFromWire(kind, op, renderResource(r, op, step), op.name);
      } catch (err) {
        throw new SimInputError(`invalid resources:\n${where}: ${(err as Error).message}`);
      }
    }
  }
}
