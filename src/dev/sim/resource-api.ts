// The AWS side of the simulator, for every kind: each Get and List its declaration names
// (collaboration views included), routed on the RAW path with one non-greedy segment per label,
// like the service. Answers follow the model: ValidationException 400 naming the member (labels,
// filters, maxResults 1..100, nextToken), ResourceNotFoundException 404, pages of at most
// maxResults with an opaque nextToken. A parameter is checked by what the declaration says it
// is: the kind's ARN, a UUID, the ARN of a parent resource's kind, or a declared ARN pattern.
//
// Not said by the model, chosen here, for kinds with versions (a versionMember): a List that is
// not under one resource of the kind returns one item per ARN, its latest version, and a List
// under one resource (its versions) answers 404 when that resource does not exist; a Get without
// a version answers the latest one. A List on a membership or collaboration the simulator does
// not know is empty.
import type { ServerResponse } from 'node:http';
import { ALL_KINDS, KINDS } from '../../kinds/index.js';
import type { GetDecl, KindDecl, ListDecl, ParamDecl, ParamSource, ParentKey } from '../../kinds/kind.js';
import type { MalformedKind } from './faults.js';
import { type MemberFilter, renderResource, type ResourceStep, type SimResource, stepAt } from './resource-store.js';
import { sendAwsError, sendJson, validationMessage } from './respond.js';
import type { SimState } from './state.js';

/** How the caller answers faults: drop the connection, or send a 200 that breaks the model. */
export interface FaultAnswers {
  reset(): void;
  malformed(kind: MalformedKind, wire: Record<string, unknown>): void;
  /** One resource's members broken the way `kind` says (missingField, badTimestamp, wrongType, nonFinite). */
  breakWire(w: Record<string, unknown>, kind: MalformedKind, decl: KindDecl): Record<string, unknown>;
}

const UUID_PATTERN = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const UUID_RE = new RegExp(`^${UUID_PATTERN}$`);
/** The model sets no default page size; the simulator uses the maximum. */
const DEFAULT_MAX_RESULTS = 100;

export interface ResourceRoute {
  kind: KindDecl;
  op: GetDecl | ListDecl;
  /** Raw (still percent-encoded) label values by member name. */
  labels: Record<string, string>;
}

interface CompiledRoute {
  kind: KindDecl;
  op: GetDecl | ListDecl;
  re: RegExp;
  names: string[];
}

const ROUTES: CompiledRoute[] = ALL_KINDS.flatMap((kind) =>
  [...Object.values(kind.get), ...kind.lists].map((op) => {
    const names: string[] = [];
    const re = new RegExp(
      `^${op.path.replace(/\{([^}]+)\}/g, (_, n: string) => {
        names.push(n);
        return '([^/]+)';
      })}$`,
    );
    return { kind, op, re, names };
  }),
);

/** The operation a raw path names, if any. */
export function matchResourceRoute(method: string, rawPath: string): ResourceRoute | undefined {
  if (method !== 'GET') return undefined;
  for (const r of ROUTES) {
    const m = r.re.exec(rawPath);
    if (m) return { kind: r.kind, op: r.op, labels: Object.fromEntries(r.names.map((n, i) => [n, m[i + 1]!])) };
  }
  return undefined;
}

type Problem = { field: string; value: string; constraint: string };

const patternText = (re: RegExp): string => re.source.slice(1, -1).replaceAll('\\/', '/');

/** The model's constraint on a parameter, by what the declaration says it stands for. */
function checkParam(kind: KindDecl, from: ParamSource, field: string, v: string): Problem | undefined {
  const bad = (constraint: string): Problem => ({ field, value: v, constraint });
  if (from === 'status')
    return kind.statuses.includes(v) ? undefined : bad(`Member must satisfy enum value set: [${kind.statuses.join(', ')}]`);
  const parent = from === 'arn' || from === 'versionIdentifier' ? undefined : kind.parents[from]?.id;
  const uuid =
    from === 'versionIdentifier' || parent?.type === 'uuid' || (!parent && (from === 'membershipId' || from === 'collaborationId'));
  if (uuid) {
    if (v.length !== 36) return bad('Member must have length equal to 36');
    return UUID_RE.test(v) ? undefined : bad(`Member must satisfy regular expression pattern: ${UUID_PATTERN}`);
  }
  const pattern =
    from === 'arn'
      ? kind.arn?.pattern
      : parent?.type === 'resource'
        ? KINDS[parent.kind].arn?.pattern
        : parent?.type === 'arn'
          ? parent.pattern
          : undefined;
  if (!pattern) return undefined;
  if (v.length < 20) return bad('Member must have length greater than or equal to 20');
  if (v.length > 2048) return bad('Member must have length less than or equal to 2048');
  return pattern.test(v) ? undefined : bad(`Member must satisfy regular expression pattern: ${patternText(pattern)}`);
}

function parseQuery(rawQuery: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const pair of rawQuery.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    try {
      const k = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      const v = decodeURIComponent(eq < 0 ? '' : pair.slice(eq + 1));
      if (!params.has(k)) params.set(k, v); // first value wins
    } catch {
      // An undecodable pair is ignored, as an unknown parameter would be.
    }
  }
  return params;
}

interface PageToken {
  v: 1;
  /** Operation and parameters the token was issued for. */
  o: string;
  f: string;
  /** Last id of the previous page. */
  a: string;
  /** Page number (1-based) the token asks for. */
  p: number;
}

function encodeToken(t: PageToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(s: string): PageToken | undefined {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as PageToken;
    return t && t.v === 1 && typeof t.a === 'string' && typeof t.o === 'string' && typeof t.f === 'string' && typeof t.p === 'number'
      ? t
      : undefined;
  } catch {
    return undefined;
  }
}

/** The member a parameter is matched against in a resource of `kind`. */
function memberOf(kind: KindDecl, from: ParamSource): string | undefined {
  if (from === 'arn') return kind.arn?.member;
  if (from === 'versionIdentifier') return kind.versionMember;
  if (from === 'status') return undefined;
  return kind.parents[from]?.member;
}

/** A List parameter naming one resource of the List's own kind (the model whose versions are listed). */
function ownResourceParam(kind: KindDecl, op: ListDecl): ParamDecl | undefined {
  return op.pathParams.find((p) => {
    const id =
      p.from === 'arn' || p.from === 'versionIdentifier' || p.from === 'status' ? undefined : kind.parents[p.from as ParentKey]?.id;
    return id?.type === 'resource' && id.kind === kind.kind;
  });
}

/** The newer of two versions of one resource: the newest createTime, then the greatest id. */
const newer = (a: SimResource, b: SimResource | undefined): boolean =>
  !b || a.createTime > b.createTime || (a.createTime === b.createTime && a.id > b.id);

/** The latest version of `r` that exists at `now`, among the resources sharing its ARN. */
function isLatest(state: SimState, kind: KindDecl, r: SimResource, now: number): boolean {
  let best: SimResource | undefined;
  for (const v of state.resources.where(kind.kind, kind.arn!.member, r.fields[kind.arn!.member] as string))
    if (stepAt(v, now) && newer(v, best)) best = v;
  return best === r;
}

/** Does `r` (during `step`) match the operation's scope and filters? */
function matches(kind: KindDecl, r: SimResource, step: ResourceStep, params: Map<ParamSource, string>): boolean {
  for (const [from, v] of params) {
    if (from === 'status') {
      if (step.status !== v) return false;
      continue;
    }
    const member = memberOf(kind, from);
    if (member === undefined || r.fields[member] !== v) return false;
  }
  return true;
}

/** Answer one routed operation; `faults` answers the resetListPage and malformed faults. */
export function handleResourceOp(state: SimState, res: ServerResponse, route: ResourceRoute, rawQuery: string, faults: FaultAnswers): void {
  const { kind, op } = route;
  const problems: Problem[] = [];
  const params = new Map<ParamSource, string>();
  for (const p of op.pathParams) {
    let v: string;
    try {
      v = decodeURIComponent(route.labels[p.member]!);
    } catch {
      problems.push({ field: p.member, value: route.labels[p.member]!, constraint: 'Member must be a valid percent-encoded string' });
      continue;
    }
    const bad = checkParam(kind, p.from, p.member, v);
    if (bad) problems.push(bad);
    params.set(p.from, v);
  }
  const query = parseQuery(rawQuery);
  // Filters are checked in member-name order, so a message listing several reads the same every time.
  for (const p of [...op.queryParams].sort((a, b) => a.member.localeCompare(b.member))) {
    const v = query.get(p.member);
    if (v === undefined) continue;
    const bad = checkParam(kind, p.from, p.member, v);
    if (bad) problems.push(bad);
    params.set(p.from, v);
  }
  if (op.type === 'get') {
    if (problems.length > 0) return sendAwsError(res, 400, 'ValidationException', validationMessage(problems));
    return get(state, res, kind, op, params, faults);
  }
  let limit = DEFAULT_MAX_RESULTS;
  const maxRaw = query.get('maxResults');
  if (maxRaw !== undefined) {
    const n = /^-?\d+$/.test(maxRaw) ? Number(maxRaw) : NaN;
    if (!Number.isInteger(n)) problems.push({ field: 'maxResults', value: maxRaw, constraint: 'Member must be an integer' });
    else if (n < 1) problems.push({ field: 'maxResults', value: maxRaw, constraint: 'Member must have value greater than or equal to 1' });
    else if (n > 100) problems.push({ field: 'maxResults', value: maxRaw, constraint: 'Member must have value less than or equal to 100' });
    else limit = n;
  }
  const nextToken = query.get('nextToken');
  if (nextToken !== undefined && (nextToken.length < 1 || nextToken.length > 10240)) {
    problems.push({ field: 'nextToken', value: nextToken, constraint: 'Member must have length between 1 and 10240' });
  }
  if (problems.length > 0) return sendAwsError(res, 400, 'ValidationException', validationMessage(problems));
  const filterKey = JSON.stringify([...params].sort());
  let after: string | undefined;
  let pageNo = 1;
  if (nextToken !== undefined) {
    const t = decodeToken(nextToken);
    // A token belongs to the operation and parameters it was issued for.
    if (!t || t.o !== op.name || t.f !== filterKey)
      return sendAwsError(res, 400, 'ValidationException', 'Invalid nextToken: it is malformed or was issued for other parameters');
    after = t.a;
    pageNo = t.p;
  }
  if (state.faults.resetsListPage(pageNo)) return faults.reset();
  const now = state.clock.now();
  const own = kind.versionMember !== undefined ? ownResourceParam(kind, op) : undefined;
  if (own !== undefined) {
    // The versions of one resource: it must exist in the List's scope.
    const v = params.get(own.from)!;
    const scope = [...params].filter(([from]) => from !== own.from && from !== 'status');
    const exists = state.resources
      .where(kind.kind, kind.arn!.member, v)
      .some((r) => stepAt(r, now) && scope.every(([from, value]) => r.fields[memberOf(kind, from) ?? ''] === value));
    if (!exists) return sendAwsError(res, 404, 'ResourceNotFoundException', `${title(kind)} not found: ${v}`);
  }
  const latestOnly = kind.versionMember !== undefined && own === undefined;
  const filters: MemberFilter[] = [];
  for (const [from, v] of params) {
    const m = memberOf(kind, from);
    if (m !== undefined) filters.push([m, v]);
  }
  const steps = new Map<SimResource, ResourceStep>();
  const keep = (r: SimResource): boolean => {
    const step = stepAt(r, now);
    if (!step || !matches(kind, r, step, params) || (latestOnly && !isLatest(state, kind, r, now))) return false;
    steps.set(r, step);
    return true;
  };
  const page = state.resources.page(kind.kind, filters, keep, after, state.faults.pageLimit(limit));
  const body: Record<string, unknown> = {};
  if (page.more)
    body['nextToken'] = encodeToken({ v: 1, o: op.name, f: filterKey, a: page.items[page.items.length - 1]!.id, p: pageNo + 1 });
  let bad: MalformedKind | undefined;
  body[op.listMember] = page.items.map((r) => {
    const wire = renderResource(r, op, steps.get(r)!);
    const m = state.faults.malformedFor(r.id, 'list');
    if (!m) return wire;
    bad = m.kind;
    return faults.breakWire(wire, m.kind, kind);
  });
  if (bad) return faults.malformed(bad, body);
  sendJson(res, 200, body);
}

const title = (kind: KindDecl): string => `${kind.title[0]!.toUpperCase()}${kind.title.slice(1)}`;

function get(
  state: SimState,
  res: ServerResponse,
  kind: KindDecl,
  op: GetDecl,
  params: Map<ParamSource, string>,
  faults: FaultAnswers,
): void {
  const arn = params.get('arn')!;
  const version = params.get('versionIdentifier');
  const now = state.clock.now();
  let found: SimResource | undefined;
  let foundStep: ResourceStep | undefined;
  for (const r of state.resources.where(kind.kind, kind.arn!.member, arn)) {
    const step = stepAt(r, now);
    // Without a version the latest one answers.
    if (!step || !matches(kind, r, step, params) || !newer(r, found)) continue;
    found = r;
    foundStep = step;
  }
  if (!found || !foundStep) {
    const what = version !== undefined ? `${arn} version ${version}` : arn;
    return sendAwsError(res, 404, 'ResourceNotFoundException', `${title(kind)} not found: ${what}`);
  }
  const wire = renderResource(found, op, foundStep);
  const m = state.faults.malformedFor(found.id, 'get');
  if (m) return faults.malformed(m.kind, faults.breakWire(wire, m.kind, kind));
  sendJson(res, 200, wire);
}

/**
 * The representation the control API answers at `now`: the member Get's output (the List item for
 * kinds without a Get) plus kind and id; undefined before the resource's first step.
 */
export function controlView(r: SimResource, now: number): Record<string, unknown> | undefined {
  const step = stepAt(r, now);
  return step ? controlViewOf(r, step) : undefined;
}

/** The control representation during one step. */
export function controlViewOf(r: SimResource, step: ResourceStep): Record<string, unknown> {
  const kind = KINDS[r.kind];
  const op = kind.get.member ?? kind.lists[0]!;
  return { kind: r.kind, id: r.id, ...renderResource(r, op, step) };
}
