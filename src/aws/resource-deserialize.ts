// JSON of any kind's Get or List answer -> ResourceSnapshot, driven by the kind's declaration.
// A 200 whose body breaks the model (not JSON, a required member missing, a timestamp that is
// not ISO-8601, a number that is not finite or outside the model's range, an identifier longer
// than the model allows) is a MalformedResponseError naming the member: not retryable, the same
// request would get the same body. The whole answer is refused, not just the bad member: the
// resource keeps its last good snapshot and the failure shows in the logs and in
// api_requests_total{outcome="error"} until AWS answers correctly (dropping only the member
// would be quieter, and silently wrong). JSON allows `1e400` (Infinity once parsed), which a
// state file would store as null and /metrics print as an invalid sample.
// Text is bounded: an identifier longer than its model shape allows is refused (cutting it
// would make it name something else); free text (names, descriptions, status details) is capped
// (cap-text.ts). Unknown members are ignored; unknown enum values (status, metricsStatus...) are
// kept as given, so a new AWS value never blinds the monitor. JSON null counts as absent.
// Only declared members are read: what the monitor does not keep (seed audiences, which may hold
// a `sensitive` SQL shape, tags, hyperparameters) is never copied, so it reaches neither the
// state file, nor metrics, nor a webhook body.
import type { GetDecl, KindDecl, LabelNumberDecl, ListDecl, MemberPath, NumberResultDecl, ParentKey } from '../kinds/kind.js';
import { type IdentityParts, resourceId } from '../kinds/identity.js';
import type { ResourceSnapshot, ResultSample } from '../kinds/resource.js';
import { shareResourceStrings } from '../intern.js';
import { capText } from './cap-text.js';
import { CleanRoomsMlError } from './errors.js';
import { type NumberRange, numberProblem } from './number-range.js';
import { parseIsoTimestamp } from './timestamps.js';

type Obj = Record<string, unknown>;

// Length bounds of the model's identifier shapes (checked against the model by
// test/unit/aws-resource-bounds.test.ts). Enums (status, metricsStatus) keep unknown values, but
// nothing longer than an enum name.
export const MAX_ARN = 2048;
export const MAX_UUID = 36;
export const MAX_ENUM = 64;
export const MAX_NEXT_TOKEN = 10_240;
/** Every label member is an ARN, UUID, account, S3 path or enum in the model: none is longer than an ARN. */
export const MAX_LABEL = MAX_ARN;

/** The model bound of each parent identifier: a UUID (membership, collaboration, version) or an ARN. */
export const PARENT_MAX: Readonly<Record<ParentKey, number>> = {
  membershipId: MAX_UUID,
  collaborationId: MAX_UUID,
  trainedModelVersionIdentifier: MAX_UUID,
  trainedModelArn: MAX_ARN,
  audienceGenerationJobArn: MAX_ARN,
  configuredAudienceModelArn: MAX_ARN,
  trainingDatasetArn: MAX_ARN,
  configuredModelAlgorithmAssociationArn: MAX_ARN,
};

/** One page of a List. */
export interface ResourcePage {
  items: ResourceSnapshot[];
  nextToken?: string;
}

function malformed(message: string, requestId?: string): CleanRoomsMlError {
  return new CleanRoomsMlError({ name: 'MalformedResponseError', message, httpStatus: 0, ...(requestId ? { requestId } : {}) });
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(body: string, where: string, requestId?: string): Obj {
  let v: unknown;
  try {
    v = body.length === 0 ? {} : JSON.parse(body);
  } catch {
    throw malformed(`${where}: response body is not JSON`, requestId);
  }
  if (!isObj(v)) throw malformed(`${where}: response body is not a JSON object`, requestId);
  return v;
}

/** Reads members of one structure, failing with the member's path in the message. */
class Reader {
  constructor(
    private readonly o: Obj,
    private readonly where: string,
    private readonly requestId?: string,
  ) {}

  fail(msg: string): never {
    throw malformed(`${this.where}: ${msg}`, this.requestId);
  }

  /** The value at `path`, undefined when any step is absent or null; a non-object step is an error. */
  at(path: MemberPath, from: Obj = this.o, prefix = ''): unknown {
    let cur: unknown = from;
    for (let i = 0; i < path.length; i++) {
      if (cur === undefined || cur === null) return undefined;
      if (!isObj(cur)) this.fail(`member ${prefix}${path.slice(0, i).join('.')} is not an object`);
      cur = cur[path[i]!];
    }
    return cur === null ? undefined : cur;
  }

  // Member names in messages are built only on failure: a List page reads thousands of members.

  /** A string member; longer than `max` characters (an identifier's model bound) refuses the answer. */
  string(path: MemberPath, required: boolean, max: number | undefined, from?: Obj, prefix = ''): string | undefined {
    const v = this.at(path, from, prefix);
    if (v === undefined) {
      if (required) this.fail(`required member ${prefix}${path.join('.')} is missing`);
      return undefined;
    }
    if (typeof v !== 'string') this.fail(`member ${prefix}${path.join('.')} is not a string`);
    if (required && v.length === 0) this.fail(`required member ${prefix}${path.join('.')} is empty`);
    if (max !== undefined && v.length > max) this.tooLong(prefix + path.join('.'), v, max);
    return v;
  }

  tooLong(name: string, v: string, max: number): never {
    return this.fail(`member ${name} is ${v.length} characters long, more than the ${max} the model allows`);
  }

  time(path: MemberPath, required: boolean): number | undefined {
    const v = this.at(path);
    if (v === undefined) {
      if (required) this.fail(`required member ${path.join('.')} is missing`);
      return undefined;
    }
    const t = parseIsoTimestamp(v);
    if (t === undefined) this.fail(`member ${path.join('.')} is not an ISO-8601 timestamp: ${JSON.stringify(v).slice(0, 64)}`);
    return t;
  }

  number(r: NumberRange, v: unknown, name: string): number {
    const problem = numberProblem(v, r);
    if (problem !== undefined) this.fail(`member ${name} ${problem}`);
    return v as number;
  }

  boolean(path: MemberPath): boolean | undefined {
    const v = this.at(path);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.fail(`member ${path.join('.')} is not a boolean`);
    return v;
  }

  /** A label value: a string, or a number of the model (`range`: an audience size) written as digits. */
  labelValue(path: MemberPath, from: Obj | undefined, prefix: string, range?: LabelNumberDecl): string | undefined {
    const v = this.at(path, from, prefix);
    if (v === undefined) return undefined;
    if (range !== undefined) {
      if (numberProblem(v, range) !== undefined) this.number(range, v, prefix + path.join('.'));
      return String(v);
    }
    if (typeof v !== 'string') return this.fail(`member ${prefix}${path.join('.')} is not a string`);
    if (v.length > MAX_LABEL) this.tooLong(prefix + path.join('.'), v, MAX_LABEL);
    return v;
  }
}

function numberSamples(r: NumberResultDecl, rd: Reader): ResultSample[] | undefined {
  const sample = (item: Obj | undefined, prefix: string): ResultSample | undefined => {
    const raw = rd.at(r.value, item, prefix);
    if (raw === undefined) return undefined;
    const value = rd.number(r, raw, prefix + r.value.join('.'));
    const labels: Record<string, string> = {};
    for (const [label, path] of Object.entries(r.labels ?? {})) {
      const v = rd.labelValue(path, item, prefix, r.labelNumbers?.[label]);
      if (v === undefined) return rd.fail(`member ${prefix}${path.join('.')} is missing (the ${label} of ${r.key})`);
      labels[label] = v;
    }
    return { labels, value };
  };
  if (!r.items) {
    const s = sample(undefined, '');
    return s ? [s] : undefined;
  }
  const list = rd.at(r.items);
  if (list === undefined) return undefined;
  const name = r.items.join('.');
  if (!Array.isArray(list)) return rd.fail(`member ${name} is not a list`);
  const out: ResultSample[] = [];
  list.forEach((item, i) => {
    if (!isObj(item)) rd.fail(`member ${name}[${i}] is not an object`);
    const s = sample(item, `${name}[${i}].`);
    if (s) out.push(s);
  });
  return out;
}

const NAME = ['name'];
const STATUS = ['status'];
const CREATE_TIME = ['createTime'];
const UPDATE_TIME = ['updateTime'];
const STATUS_DETAILS = ['statusDetails'];
const STATUS_CODE = ['statusCode'];
const MESSAGE = ['message'];

/** The member paths one operation of one kind reads, worked out once per operation. */
interface Reads {
  arn?: MemberPath;
  version?: MemberPath;
  parents: Array<{ key: ParentKey; path: MemberPath; required: boolean; max: number }>;
  attributes: Array<{ decl: NonNullable<KindDecl['attributes']>[number]; path: MemberPath }>;
}
const readsOf = new WeakMap<GetDecl | ListDecl, Reads>();
function reads(kind: KindDecl, op: GetDecl | ListDecl): Reads {
  let r = readsOf.get(op);
  if (r === undefined) {
    r = {
      parents: (Object.entries(kind.parents) as Array<[ParentKey, string]>).map(([key, member]) => ({
        key,
        path: [member],
        required: op.required.includes(member),
        max: PARENT_MAX[key],
      })),
      attributes: (kind.attributes ?? []).map((decl) => ({ decl, path: [decl.member] })),
    };
    if (kind.arn) r.arn = [kind.arn.member];
    if (kind.versionMember) r.version = [kind.versionMember];
    readsOf.set(op, r);
  }
  return r;
}

/** One resource from a Get output or a List item. `op` says which members the model marks required. */
export function snapshotFromWire(kind: KindDecl, op: GetDecl | ListDecl, o: Obj, where: string, requestId?: string): ResourceSnapshot {
  const rd = new Reader(o, where, requestId);
  const plan = reads(kind, op);
  for (const m of op.required) if (o[m] === undefined || o[m] === null) rd.fail(`required member ${m} is missing`);
  // Names are free text here: capped, not refused (the model allows 63 characters).
  const name = capText(rd.string(NAME, true, undefined)!);
  const status = rd.string(STATUS, true, MAX_ENUM)!;
  const createTime = rd.time(CREATE_TIME, true)!;
  const updateTime = rd.time(UPDATE_TIME, true)!;
  const arn = plan.arn ? rd.string(plan.arn, true, MAX_ARN) : undefined;
  const versionIdentifier = plan.version ? rd.string(plan.version, false, MAX_UUID) : undefined;
  const parents: Partial<Record<ParentKey, string>> = {};
  for (const p of plan.parents) {
    const v = rd.string(p.path, p.required, p.max);
    if (v !== undefined) parents[p.key] = v;
  }
  const identity: IdentityParts = { parents, name, createTime };
  if (arn !== undefined) identity.arn = arn;
  if (versionIdentifier !== undefined) identity.versionIdentifier = versionIdentifier;
  const snap: ResourceSnapshot = {
    kind: kind.kind,
    id: resourceId(kind, identity),
    name,
    status,
    createTime,
    updateTime,
    parents,
    results: {},
    labels: {},
    detail: op.type === 'get' ? 'full' : 'summary',
    view: op.view,
  };
  if (arn !== undefined) snap.arn = arn;
  if (versionIdentifier !== undefined) snap.versionIdentifier = versionIdentifier;
  const sdRaw = rd.at(STATUS_DETAILS);
  if (sdRaw !== undefined) {
    const sd = isObj(sdRaw) ? sdRaw : rd.fail('member statusDetails is not an object');
    const details: NonNullable<ResourceSnapshot['statusDetails']> = {};
    const code = rd.string(STATUS_CODE, false, undefined, sd, 'statusDetails.');
    const message = rd.string(MESSAGE, false, undefined, sd, 'statusDetails.');
    // Both are unbounded Strings in the model: kept only up to a bound (cap-text.ts).
    if (code !== undefined) details.statusCode = capText(code);
    if (message !== undefined) details.message = capText(message);
    snap.statusDetails = details;
  }
  for (const r of kind.results) {
    if (r.type === 'number') {
      const samples = numberSamples(r, rd);
      if (samples !== undefined) snap.results[r.key] = samples;
    } else if (r.type === 'enum') {
      const v = rd.string(r.value, false, MAX_ENUM);
      if (v !== undefined) snap.results[r.key] = v;
    } else {
      const t = rd.time(r.value, false);
      if (t !== undefined) snap.results[r.key] = t;
    }
  }
  for (const l of kind.labels) {
    const v = rd.labelValue(l.path, undefined, '');
    if (v !== undefined) snap.labels[l.label] = v;
  }
  for (const { decl: a, path } of plan.attributes) {
    const v = a.type === 'string' ? rd.string(path, false, a.max) : rd.boolean(path);
    if (v === undefined) continue;
    snap.attributes ??= {};
    // Identifiers were checked against their bound; free text (descriptions) is capped.
    snap.attributes[a.member] = typeof v === 'string' && a.max === undefined ? capText(v) : v;
  }
  return shareResourceStrings(snap);
}

export function deserializeResourceGet(kind: KindDecl, op: GetDecl, body: string, requestId?: string): ResourceSnapshot {
  return snapshotFromWire(kind, op, parseJson(body, op.name, requestId), op.name, requestId);
}

export function deserializeResourceList(kind: KindDecl, op: ListDecl, body: string, requestId?: string): ResourcePage {
  const o = parseJson(body, op.name, requestId);
  const list = o[op.listMember];
  if (!Array.isArray(list)) throw malformed(`${op.name}: required member ${op.listMember} is missing or not a list`, requestId);
  const items = list.map((item, i) => {
    const where = `${op.name}.${op.listMember}[${i}]`;
    if (!isObj(item)) throw malformed(`${where} is not an object`, requestId);
    return snapshotFromWire(kind, op, item, where, requestId);
  });
  const token = o['nextToken'];
  if (token !== undefined && token !== null && typeof token !== 'string')
    throw malformed(`${op.name}: member nextToken is not a string`, requestId);
  if (typeof token === 'string' && token.length > MAX_NEXT_TOKEN)
    throw malformed(
      `${op.name}: member nextToken is ${token.length} characters long, more than the ${MAX_NEXT_TOKEN} the model allows`,
      requestId,
    );
  // An empty token ends the pagination like an absent one (the SDK paginators stop on it too).
  return typeof token === 'string' && token.length > 0 ? { items, nextToken: token } : { items };
}
