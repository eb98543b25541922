// JSON of any kind's Get or List answer -> ResourceSnapshot, driven by the kind's declaration.
//
// The ranges and lengths the service model gives its output shapes are documentation, not a
// contract: the AWS SDKs do not enforce them and AWS raises limits. A finite number outside its
// range, or an identifier longer than its shape says, is accepted as given and reported as an
// AnswerIssue of type `out_of_range` (logged once per resource and counted by the caller).
// What cannot be read at all is refused: another JSON type than the model's, a number that is
// not finite (JSON allows `1e400`, Infinity once parsed, which a state file would store as null
// and /metrics print as an invalid sample), a required member missing, a timestamp that is not
// ISO-8601, text past TEXT_CEILING times its model bound (no raised limit looks like that; it
// would bloat every snapshot, state file and label). A refusal names the member and costs only
// what it is in: one List item (the rest of the page is read; the refused item is reported as
// `refused` and listed in the page, so the caller keeps that resource's last state) or the whole
// Get (a MalformedResponseError, not retryable: the same request would get the same body).
// A body that is not a JSON object, or a page without its list, refuses the whole answer.
// Free text (names, descriptions, status details) is capped (cap-text.ts). Unknown members are
// ignored; unknown enum values (status, metricsStatus...) are kept as given, so a new AWS value
// never blinds the monitor. JSON null counts as absent.
// Only declared members are read: what the monitor does not keep (seed audiences, which may hold
// a `sensitive` SQL shape, hyperparameters) is never copied, so it reaches neither the state file,
// nor metrics, nor a webhook body. Tags are read from the operations that carry them
// (src/kinds/tags.ts): a Get that carries them and answers without them says the resource has none.
import type {
  GetDecl,
  KindDecl,
  LabelNumberDecl,
  ListDecl,
  MemberPath,
  NumberResultDecl,
  ParentDecl,
  ParentIdDecl,
  ParentKey,
} from '../kinds/kind.js';
import { type IdentityParts, resourceId } from '../kinds/identity.js';
import { operationCarriesTags } from '../kinds/tags.js';
import type { ResourceSnapshot, ResultSample } from '../kinds/resource.js';
import { shareResourceStrings } from '../intern.js';
import { capText } from './cap-text.js';
import { CleanRoomsMlError } from './errors.js';
import { type NumberRange, numberProblem, rangeNote } from './number-range.js';
import type { AnswerObserver } from './api.js';
import { parseIsoTimestamp } from '../timestamps.js';

type Obj = Record<string, unknown>;

// Length bounds of the model's identifier shapes (checked against the model by
// test/unit/aws-resource-bounds.test.ts): beyond them a value is out of range, accepted and
// reported. Enums (status, metricsStatus) keep unknown values; MAX_ENUM is longer than any name.
export const MAX_ARN = 2048;
export const MAX_UUID = 36;
export const MAX_ENUM = 64;
export const MAX_NEXT_TOKEN = 10_240;
/** The model's TagMap: at most 200 entries, keys 1..128 characters (TagKey), values up to 256 (TagValue). */
export const MAX_TAGS = 200;
export const MAX_TAG_KEY = 128;
export const MAX_TAG_VALUE = 256;
/**
 * Every label member is an ARN, UUID, account, S3 path or enum in the model: none is longer than an ARN.
 * @alias MAX_ARN under the name of what it bounds
 */
export const MAX_LABEL = MAX_ARN;
/**
 * How many times its model bound a text member may be and still be read. A raised limit is
 * accepted; text this long is no identifier (every snapshot, state file and label would carry it)
 * and refuses its item.
 */
export const TEXT_CEILING = 8;

/** The model bound of a parent identifier, by what its declaration says it is: a UUID or an ARN. */
export function parentMax(id: ParentIdDecl): number {
  return id.type === 'uuid' ? MAX_UUID : MAX_ARN;
}

/** A List item that could not be read. */
export interface RefusedItem {
  /** Its position in the page. */
  index: number;
  /** The resource's id, when the item names it readably: that resource keeps its last state. */
  id?: string;
  /** The member at fault, as in the item (`audienceSize.value`). */
  member: string;
  /** What is wrong, naming the member. */
  message: string;
}

/** One page of a List. */
export interface ResourcePage {
  items: ResourceSnapshot[];
  nextToken?: string;
  /** Items that could not be read (absent: none); every other item of the page is in `items`. */
  refused?: RefusedItem[];
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

/** A member path with its list positions left out (`relevanceMetrics[].score`): the same for every item, a bounded label. */
export function memberField(member: string): string {
  return member === '' ? '(item)' : member.replace(/\[\d+\]/g, '[]');
}

/** Why one structure cannot be read: the member at fault and the message naming it. */
class Refusal extends Error {
  constructor(
    readonly member: string,
    message: string,
  ) {
    super(message);
  }
}

/** A value accepted outside the model's documented range. */
interface Note {
  member: string;
  problem: string;
}

/** Reads members of one structure: refuses what cannot be read, notes what lies outside the documented range. */
class Reader {
  readonly notes: Note[] = [];
  /** A member read in two roles (a parent that is also an `_info` label) is noted once. */
  private readonly noted = new Set<string>();

  constructor(private readonly o: Obj) {}

  fail(member: string, message: string): never {
    throw new Refusal(member, message);
  }

  /** The value at `path`, undefined when any step is absent or null; a non-object step is an error. */
  at(path: MemberPath, from: Obj = this.o, prefix = ''): unknown {
    let cur: unknown = from;
    for (let i = 0; i < path.length; i++) {
      if (cur === undefined || cur === null) return undefined;
      if (!isObj(cur)) {
        const m = `${prefix}${path.slice(0, i).join('.')}`;
        this.fail(m, `member ${m} is not an object`);
      }
      cur = cur[path[i]!];
    }
    return cur === null ? undefined : cur;
  }

  // Member names in messages are built only on failure or note: a List page reads thousands of members.

  /** A string member; longer than `max` characters (an identifier's model bound) is noted, or refused past the ceiling. */
  string(path: MemberPath, required: boolean, max: number | undefined, from?: Obj, prefix = ''): string | undefined {
    const v = this.at(path, from, prefix);
    if (v === undefined) {
      if (required) this.fail(prefix + path.join('.'), `required member ${prefix}${path.join('.')} is missing`);
      return undefined;
    }
    if (typeof v !== 'string') this.fail(prefix + path.join('.'), `member ${prefix}${path.join('.')} is not a string`);
    if (required && v.length === 0) this.fail(prefix + path.join('.'), `required member ${prefix}${path.join('.')} is empty`);
    if (max !== undefined && v.length > max) this.tooLong(prefix + path.join('.'), v, max);
    return v;
  }

  tooLong(name: string, v: string, max: number): void {
    const problem = `is ${v.length} characters long, more than the ${max} the model allows`;
    if (v.length > max * TEXT_CEILING) this.fail(name, `member ${name} ${problem} (over ${TEXT_CEILING} times that is no identifier)`);
    this.note(name, problem);
  }

  note(member: string, problem: string): void {
    if (this.noted.has(member)) return;
    this.noted.add(member);
    this.notes.push({ member, problem });
  }

  time(path: MemberPath, required: boolean): number | undefined {
    const v = this.at(path);
    const name = path.join('.');
    if (v === undefined) {
      if (required) this.fail(name, `required member ${name} is missing`);
      return undefined;
    }
    const t = parseIsoTimestamp(v);
    if (t === undefined) this.fail(name, `member ${name} is not an ISO-8601 timestamp: ${JSON.stringify(v).slice(0, 64)}`);
    return t;
  }

  number(r: NumberRange, v: unknown, name: string): number {
    const problem = numberProblem(v);
    if (problem !== undefined) this.fail(name, `member ${name} ${problem}`);
    const note = rangeNote(v as number, r);
    if (note !== undefined) this.note(name, note);
    return v as number;
  }

  /**
   * A TagMap: every value a string. Problems are reported under the member `tags` alone (a tag key
   * is text anyone with the right to tag wrote: never a metric label), the key named in the text.
   */
  tags(path: MemberPath): Record<string, string> {
    const v = this.at(path);
    const name = path.join('.');
    if (v === undefined) return {};
    if (!isObj(v)) return this.fail(name, `member ${name} is not a map`);
    const entries = Object.entries(v);
    if (entries.length > MAX_TAGS) this.note(name, `has ${entries.length} entries, more than the ${MAX_TAGS} the model allows`);
    for (const [k, val] of entries) {
      const key = JSON.stringify(k.slice(0, 64));
      if (typeof val !== 'string') this.fail(name, `member ${name} value of key ${key} is not a string`);
      if (k.length === 0) this.note(name, 'has an empty key, shorter than the model allows');
      if (k.length > MAX_TAG_KEY) this.tooLong(name, k, MAX_TAG_KEY);
      if (val.length > MAX_TAG_VALUE) this.tooLong(name, val, MAX_TAG_VALUE);
    }
    // fromEntries defines each key as an own property, `__proto__` included.
    return Object.fromEntries(entries) as Record<string, string>;
  }

  boolean(path: MemberPath): boolean | undefined {
    const v = this.at(path);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.fail(path.join('.'), `member ${path.join('.')} is not a boolean`);
    return v;
  }

  /** A label value: a string, or a number of the model (`range`: an audience size) written as digits. */
  labelValue(path: MemberPath, from: Obj | undefined, prefix: string, range?: LabelNumberDecl): string | undefined {
    const v = this.at(path, from, prefix);
    if (v === undefined) return undefined;
    if (range !== undefined) return String(this.number(range, v, prefix + path.join('.')));
    if (typeof v !== 'string') return this.fail(prefix + path.join('.'), `member ${prefix}${path.join('.')} is not a string`);
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
      if (v === undefined)
        return rd.fail(prefix + path.join('.'), `member ${prefix}${path.join('.')} is missing (the ${label} of ${r.key})`);
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
  if (!Array.isArray(list)) return rd.fail(name, `member ${name} is not a list`);
  const out: ResultSample[] = [];
  list.forEach((item, i) => {
    if (!isObj(item)) rd.fail(`${name}[${i}]`, `member ${name}[${i}] is not an object`);
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
  /** The tags member, when the operation's output carries it. */
  tags?: MemberPath;
}
const readsOf = new WeakMap<GetDecl | ListDecl, Reads>();
function reads(kind: KindDecl, op: GetDecl | ListDecl): Reads {
  let r = readsOf.get(op);
  if (r === undefined) {
    r = {
      parents: (Object.entries(kind.parents) as Array<[ParentKey, ParentDecl]>).map(([key, p]) => ({
        key,
        path: [p.member],
        required: op.required.includes(p.member),
        max: parentMax(p.id),
      })),
      attributes: (kind.attributes ?? []).map((decl) => ({ decl, path: [decl.member] })),
    };
    if (kind.arn) r.arn = [kind.arn.member];
    if (kind.versionMember) r.version = [kind.versionMember];
    if (operationCarriesTags(kind, op)) r.tags = [kind.tags.member!];
    readsOf.set(op, r);
  }
  return r;
}

/** One resource from a Get output or a List item, with the values it carries outside the documented ranges; throws Refusal. */
function readResource(kind: KindDecl, op: GetDecl | ListDecl, o: Obj): { snapshot: ResourceSnapshot; notes: Note[] } {
  const rd = new Reader(o);
  const plan = reads(kind, op);
  for (const m of op.required) if (o[m] === undefined || o[m] === null) rd.fail(m, `required member ${m} is missing`);
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
    const sd = isObj(sdRaw) ? sdRaw : rd.fail('statusDetails', 'member statusDetails is not an object');
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
  if (plan.tags) snap.tags = rd.tags(plan.tags);
  return { snapshot: shareResourceStrings(snap), notes: rd.notes };
}

/**
 * The id an item names, read leniently (an item refused for another member may still say whose
 * it is); undefined when its identity itself is unreadable.
 */
function itemId(kind: KindDecl, item: unknown): string | undefined {
  if (!isObj(item)) return undefined;
  const text = (member: string | undefined): string | undefined => {
    const v = member === undefined ? undefined : item[member];
    return typeof v === 'string' && v.length > 0 && v.length <= MAX_ARN * TEXT_CEILING ? v : undefined;
  };
  const parents: Partial<Record<ParentKey, string>> = {};
  for (const [key, p] of Object.entries(kind.parents) as Array<[ParentKey, ParentDecl]>) {
    const v = text(p.member);
    if (v !== undefined) parents[key] = v;
  }
  const name = typeof item['name'] === 'string' ? capText(item['name']) : undefined;
  const createTime = parseIsoTimestamp(item['createTime']);
  try {
    if (kind.arn) {
      const arn = text(kind.arn.member);
      if (arn === undefined) return undefined;
      const versionIdentifier = text(kind.versionMember);
      return resourceId(kind, { arn, ...(versionIdentifier ? { versionIdentifier } : {}), parents, name: name ?? '', createTime: 0 });
    }
    return name === undefined || createTime === undefined ? undefined : resourceId(kind, { parents, name, createTime });
  } catch {
    return undefined;
  }
}

function reportNotes(report: AnswerObserver | undefined, operation: string, id: string, notes: readonly Note[]): void {
  if (report === undefined) return;
  for (const n of notes)
    report({ type: 'out_of_range', operation, id, member: n.member, field: memberField(n.member), problem: n.problem });
}

/**
 * One resource from a Get output or a List item; a value it cannot read throws a
 * MalformedResponseError naming `where` and the member. Values outside the documented ranges
 * are accepted (the simulator checks what it serves with this).
 */
export function snapshotFromWire(kind: KindDecl, op: GetDecl | ListDecl, o: Obj, where: string, requestId?: string): ResourceSnapshot {
  try {
    return readResource(kind, op, o).snapshot;
  } catch (err) {
    if (err instanceof Refusal) throw malformed(`${where}: ${err.message}`, requestId);
    throw err;
  }
}

/** A Get's answer: the resource, or a MalformedResponseError when it cannot be read. `report` hears of out-of-range values. */
export function deserializeResourceGet(
  kind: KindDecl,
  op: GetDecl,
  body: string,
  requestId?: string,
  report?: AnswerObserver,
): ResourceSnapshot {
  const o = parseJson(body, op.name, requestId);
  let read: ReturnType<typeof readResource>;
  try {
    read = readResource(kind, op, o);
  } catch (err) {
    if (err instanceof Refusal) throw malformed(`${op.name}: ${err.message}`, requestId);
    throw err;
  }
  reportNotes(report, op.name, read.snapshot.id, read.notes);
  return read.snapshot;
}

/**
 * A List page: every item that can be read, and the others as `refused` (each also reported).
 * Only a body that is not a JSON object, a missing list or an unusable nextToken refuse the page.
 */
export function deserializeResourceList(
  kind: KindDecl,
  op: ListDecl,
  body: string,
  requestId?: string,
  report?: AnswerObserver,
): ResourcePage {
  const o = parseJson(body, op.name, requestId);
  const list = o[op.listMember];
  if (!Array.isArray(list)) throw malformed(`${op.name}: required member ${op.listMember} is missing or not a list`, requestId);
  const items: ResourceSnapshot[] = [];
  const refused: RefusedItem[] = [];
  list.forEach((item, index) => {
    const where = `${op.name}.${op.listMember}[${index}]`;
    let read: ReturnType<typeof readResource>;
    try {
      if (!isObj(item)) throw new Refusal('', `${where} is not an object`);
      read = readResource(kind, op, item);
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      const id = itemId(kind, item);
      const message = err.member === '' ? err.message : `${where}: ${err.message}`;
      refused.push({ index, ...(id !== undefined ? { id } : {}), member: err.member, message });
      report?.({
        type: 'refused',
        operation: op.name,
        ...(id !== undefined ? { id } : {}),
        member: err.member,
        field: memberField(err.member),
        problem: message,
      });
      return;
    }
    reportNotes(report, op.name, read.snapshot.id, read.notes);
    items.push(read.snapshot);
  });
  const token = o['nextToken'];
  if (token !== undefined && token !== null && typeof token !== 'string')
    throw malformed(`${op.name}: member nextToken is not a string`, requestId);
  if (typeof token === 'string' && token.length > MAX_NEXT_TOKEN) {
    const problem = `is ${token.length} characters long, more than the ${MAX_NEXT_TOKEN} the model allows`;
    // The token goes back to the service as is: a longer one is AWS's own to judge, up to the ceiling.
    if (token.length > MAX_NEXT_TOKEN * TEXT_CEILING) throw malformed(`${op.name}: member nextToken ${problem}`, requestId);
    report?.({ type: 'out_of_range', operation: op.name, member: 'nextToken', field: 'nextToken', problem });
  }
  const page: ResourcePage = { items };
  // An empty token ends the pagination like an absent one (the SDK paginators stop on it too).
  if (typeof token === 'string' && token.length > 0) page.nextToken = token;
  if (refused.length > 0) page.refused = refused;
  return page;
}
