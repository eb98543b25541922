// Control-API input -> SimResource for every kind but audience generation jobs. A resource is
// given as {kind, name, status?, arn?, membershipId?, collaborationId?, trainedModelArn?,
// versionIdentifier?, trainedModelVersionIdentifier?, audienceGenerationJobArn?, statusDetails?,
// createTime?, updateTime?, ...any member of the kind's outputs}; the members the model requires
// and the input leaves out get realistic defaults. Every output of the kind is then rendered and
// read back with the monitor's own deserializer, so the simulator never serves what a client
// would have to call malformed (unless a fault asks for it).
import { snapshotFromWire } from '../../aws/resource-deserialize.js';
import { parseIsoTimestamp } from '../../timestamps.js';
import { resourceId } from '../../kinds/identity.js';
import { isKindName, KINDS } from '../../kinds/index.js';
import type { KindDecl, KindName, ParentKey } from '../../kinds/kind.js';
import { DEFAULT_ACCOUNT_ID, DEFAULT_COLLABORATION_ID, DEFAULT_REGION, jobArnFor } from './defaults.js';
import { renderResource, type ResourceStep, type SimResource, type SimStatusDetails } from './resource-store.js';
import { SimInputError } from './schemas.js';

export const DEFAULT_MEMBERSHIP_ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ARN_PREFIX = `arn:aws:cleanrooms-ml:${DEFAULT_REGION}:${DEFAULT_ACCOUNT_ID}`;

/** Control keys besides the kind's wire members, and the ids they stand for. */
const ID_KEYS = [
  'arn',
  'versionIdentifier',
  'membershipId',
  'collaborationId',
  'trainedModelArn',
  'trainedModelVersionIdentifier',
  'audienceGenerationJobArn',
] as const;
const OTHER_KEYS = ['kind', 'name', 'status', 'statusDetails', 'createTime', 'updateTime'] as const;

export const membershipArn = (m: string, type: string, id: string): string => `${ARN_PREFIX}:membership/${m}/${type}/${id}`;

/** The membership embedded in a membership-scoped ARN. */
function membershipOf(arn: string): string | undefined {
  return /:membership\/([0-9a-f-]{36})\//.exec(arn)?.[1];
}

/** Members of every output of the kind (Gets and List items). */
export function wireMembers(kind: KindDecl): Set<string> {
  const s = new Set<string>();
  for (const op of [...Object.values(kind.get), ...kind.lists]) for (const m of op.members) s.add(m);
  return s;
}

/** Required members the input left out, per kind (everything the model marks required somewhere). */
function defaults(kind: KindName, f: Record<string, unknown>, uuid: () => string): Record<string, unknown> {
  const m = (f['membershipIdentifier'] as string | undefined) ?? DEFAULT_MEMBERSHIP_ID;
  const channel = membershipArn(m, 'ml-input-channel', 'default-channel');
  const association = membershipArn(m, 'configured-model-algorithm-association', 'default-association');
  switch (kind) {
    case 'audienceModel':
      return {
        audienceModelArn: `${ARN_PREFIX}:audience-model/${uuid()}`,
        trainingDatasetArn: `${ARN_PREFIX}:training-dataset/default-training-dataset`,
      };
    case 'audienceExportJob':
      return {
        audienceGenerationJobArn: jobArnFor(DEFAULT_REGION, DEFAULT_ACCOUNT_ID, 'default-audience-generation-job'),
        audienceSize: { type: 'ABSOLUTE', value: 10_000 },
      };
    case 'trainedModel':
      return {
        trainedModelArn: membershipArn(m, 'trained-model', uuid()),
        collaborationIdentifier: DEFAULT_COLLABORATION_ID,
        configuredModelAlgorithmAssociationArn: association,
        resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1, volumeSizeInGB: 10 },
        trainingInputMode: 'File',
        creatorAccountId: DEFAULT_ACCOUNT_ID,
        dataChannels: [{ mlInputChannelArn: channel, channelName: 'train' }],
      };
    case 'trainedModelInferenceJob':
      return {
        trainedModelInferenceJobArn: membershipArn(m, 'trained-model-inference-job', uuid()),
        collaborationIdentifier: DEFAULT_COLLABORATION_ID,
        trainedModelArn: membershipArn(m, 'trained-model', 'default-trained-model'),
        configuredModelAlgorithmAssociationArn: association,
        resourceConfig: { instanceType: 'ml.m5.xlarge', instanceCount: 1 },
        outputConfiguration: { members: [{ accountId: DEFAULT_ACCOUNT_ID }] },
        dataSource: { mlInputChannelArn: channel },
        creatorAccountId: DEFAULT_ACCOUNT_ID,
      };
    case 'trainedModelExportJob':
      return {
        collaborationIdentifier: DEFAULT_COLLABORATION_ID,
        trainedModelArn: membershipArn(m, 'trained-model', 'default-trained-model'),
        outputConfiguration: { members: [{ accountId: DEFAULT_ACCOUNT_ID }] },
        creatorAccountId: DEFAULT_ACCOUNT_ID,
      };
    case 'mlInputChannel':
      return {
        mlInputChannelArn: membershipArn(m, 'ml-input-channel', uuid()),
        collaborationIdentifier: DEFAULT_COLLABORATION_ID,
        configuredModelAlgorithmAssociations: [association],
        retentionInDays: 7,
        // Carries a query (a `sensitive` shape in the model), so tests can prove clients drop it.
        inputChannel: {
          dataSource: { protectedQueryInputParameters: { sqlParameters: { queryString: 'SELECT user_id, features FROM training' } } },
          roleArn: `arn:aws:iam::${DEFAULT_ACCOUNT_ID}:role/cleanrooms-ml-input`,
        },
        creatorAccountId: DEFAULT_ACCOUNT_ID,
      };
    case 'audienceGenerationJob':
      throw new Error('audience generation jobs live in the job store');
  }
}

export interface ControlContext {
  now: number;
  uuid: () => string;
  existing: (id: string) => SimResource | undefined;
}

/** One PUT /_sim/resources item (not an audience generation job). Throws SimInputError naming the field. */
export function resourceFromControl(input: unknown, where: string, ctx: ControlContext): SimResource {
  const fail = (field: string, msg: string): never => {
    throw new SimInputError(`invalid resources:\n${where}${field ? `.${field}` : ''}: ${msg}`);
  };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail('', 'must be an object');
  const o = input as Record<string, unknown>;
  if (!isKindName(o['kind'])) return fail('kind', `must be one of ${Object.keys(KINDS).join(', ')}`);
  const kind = KINDS[o['kind']];
  const members = wireMembers(kind);
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
  for (const [k, v] of Object.entries(o))
    if (members.has(k) && !['status', 'statusDetails', 'createTime', 'updateTime', 'name'].includes(k)) fields[k] = v;
  fields['name'] = name;
  const setId = (key: (typeof ID_KEYS)[number], member: string | undefined, check: (v: string) => string | undefined): void => {
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
  const uuid = (v: string): string | undefined => (UUID_RE.test(v) ? undefined : "must be a lowercase UUID (the model's UUID pattern)");
  const arnOf =
    (k: KindDecl) =>
    (v: string): string | undefined =>
      k.arn!.pattern.test(v) ? undefined : `must be a ${k.title} ARN matching ${k.arn!.pattern.source}`;
  if (o['arn'] !== undefined && !kind.arn) fail('arn', `${kind.kind} has no ARN: its id is ${kind.identity.description}`);
  if (kind.arn) setId('arn', kind.arn.member, arnOf(kind));
  setId('versionIdentifier', kind.versionMember, uuid);
  const parent = (key: ParentKey): string | undefined => kind.parents[key]?.member;
  // A membership-scoped ARN names its membership: the membership defaults to it.
  const arnValue = kind.arn ? (fields[kind.arn.member] as string | undefined) : undefined;
  const impliedMembership = arnValue !== undefined ? membershipOf(arnValue) : undefined;
  setId('membershipId', parent('membershipId'), uuid);
  if (impliedMembership && parent('membershipId')) {
    const given = fields[parent('membershipId')!];
    if (given !== undefined && given !== impliedMembership)
      fail('membershipId', `contradicts the membership of the ARN (${impliedMembership})`);
    fields[parent('membershipId')!] = impliedMembership;
  } else if (parent('membershipId') && fields[parent('membershipId')!] === undefined) {
    fields[parent('membershipId')!] = DEFAULT_MEMBERSHIP_ID;
  }
  setId('collaborationId', parent('collaborationId'), uuid);
  setId('trainedModelArn', parent('trainedModelArn'), arnOf(KINDS.trainedModel));
  setId('trainedModelVersionIdentifier', parent('trainedModelVersionIdentifier'), uuid);
  setId('audienceGenerationJobArn', parent('audienceGenerationJobArn'), arnOf(KINDS.audienceGenerationJob));
  for (const [k, v] of Object.entries(defaults(kind.kind, fields, ctx.uuid))) if (fields[k] === undefined) fields[k] = v;

  const parents: Partial<Record<ParentKey, string>> = {};
  for (const [key, { member }] of Object.entries(kind.parents) as Array<[ParentKey, { member: string }]>) {
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
  const r: SimResource = { kind: kind.kind, id, fields, createTime, steps: [step] };
  checkRenders(kind, r, where);
  return r;
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
