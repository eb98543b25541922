// The AWS side of the simulator: the two operations of service-2.json, routed on the RAW path
// (before any decoding). The ARN label is not greedy, so it must be exactly one segment:
//   GET /audience-generation-job/arn%3Aaws%3Acleanrooms-ml%3A...%3Aaudience-generation-job%2F<id>
// A literal `/` inside it makes another path, which no operation matches: 404
// UnknownOperationException, as the AWS frontend answers an unknown route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { MODEL_ARN_RE } from '../../aws/arn.js';
import { KINDS as K } from '../../kinds/index.js';
const JOB_ARN_RE = K.audienceGenerationJob.arn!.pattern;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ARN_MIN = 20;
const ARN_MAX = 2048;
import { currentStep, jobWire, summaryWire } from './model.js';
import { resetSocket, sendAwsError, sendJson, validationMessage } from './respond.js';
import { checkSignature, type SimCredentials } from './sigv4.js';
import type { SimState } from './state.js';
import type { MalformedFault, MalformedKind } from './faults.js';
import { outcomeOfStatus } from './stats.js';
import { handleResourceOp, matchResourceRoute, type ResourceRoute } from './resource-api.js';
import { KINDS } from '../../kinds/index.js';
import type { KindDecl } from '../../kinds/kind.js';

const JOB_ARN_PATTERN = 'arn:aws[-a-z]*:cleanrooms-ml:[-a-z0-9]+:[0-9]{12}:audience-generation-job/[-a-zA-Z0-9_/.]+';
const MODEL_ARN_PATTERN = 'arn:aws[-a-z]*:cleanrooms-ml:[-a-z0-9]+:[0-9]{12}:configured-audience-model/[-a-zA-Z0-9_/.]+';
const UUID_PATTERN = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** The model sets no default page size; the simulator uses the maximum. */
export const DEFAULT_MAX_RESULTS = 100;

type Route =
  | { op: 'GetAudienceGenerationJob'; label: string }
  | { op: 'ListAudienceGenerationJobs' }
  | { op: 'UnknownOperation' }
  /** Every other kind's operations (resource-api.ts). */
  | { op: string; resource: ResourceRoute };

function route(method: string, rawPath: string): Route {
  if (method === 'GET' && rawPath === '/audience-generation-job') return { op: 'ListAudienceGenerationJobs' };
  const m = /^\/audience-generation-job\/([^/]+)$/.exec(rawPath);
  if (method === 'GET' && m) return { op: 'GetAudienceGenerationJob', label: m[1]! };
  const resource = matchResourceRoute(method, rawPath);
  if (resource) return { op: resource.op.name, resource };
  return { op: 'UnknownOperation' };
}

export interface AwsContext {
  state: SimState;
  credentials: SimCredentials | undefined;
  /** Aborted on close, so pending latency timers end. */
  closing: AbortSignal;
}

export async function handleAws(ctx: AwsContext, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
  const r = route(req.method ?? 'GET', rawPath);
  try {
    await respond(ctx, req, res, body, r, rawPath, rawQuery);
  } finally {
    // Counted synchronously with the response write, so /_sim/stats is exact as soon as a client has its answer.
    if (res.headersSent) {
      ctx.state.stats.record(r.op, outcomeOfStatus(res.statusCode));
      ctx.state.requestLog.add({
        t: ctx.state.clock.now(),
        op: r.op,
        status: res.statusCode,
        url: rawUrl,
        ...(faultOf.has(res) ? { fault: faultOf.get(res)! } : {}),
      });
    }
  }
}

async function respond(
  ctx: AwsContext,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  r: Route,
  rawPath: string,
  rawQuery: string,
): Promise<void> {
  const { latencyMs } = ctx.state.faults.current;
  if (latencyMs > 0) {
    try {
      await delay(latencyMs, undefined, { signal: ctx.closing });
    } catch {
      res.destroy();
      return;
    }
  }
  const authFailure = await checkSignature({ method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headers, body }, ctx.credentials);
  if (authFailure) return sendAwsError(res, 403, authFailure.type, authFailure.message);
  if (r.op === 'UnknownOperation')
    return sendAwsError(res, 404, 'UnknownOperationException', `No operation matches ${req.method} ${rawPath}`);

  const verdict = ctx.state.faults.decide();
  if (verdict === 'throttle') return sendAwsError(res, 429, 'ThrottlingException', 'Rate exceeded');
  if (verdict === 'error')
    return sendAwsError(res, 500, 'InternalServiceException', 'An internal service error occurred. Retry your request. (injected fault)');
  if (verdict === 'reset') return resetConnection(ctx.state, req, r.op);

  if ('resource' in r) {
    return handleResourceOp(ctx.state, res, r.resource, rawQuery, {
      reset: () => resetConnection(ctx.state, req, r.op),
      malformed: (kind, wire) => sendMalformed(res, kind, wire),
      breakWire: breakJob,
    });
  }
  if (r.op === 'GetAudienceGenerationJob' && 'label' in r) return getJob(ctx.state, res, r.label);
  return listJobs(ctx.state, req, res, rawQuery);
}

/** Drop the connection without an answer (the client sees ECONNRESET / socket hang up). */
function resetConnection(state: SimState, req: IncomingMessage, op: string): void {
  state.stats.record(op, 'error');
  state.requestLog.add({ t: state.clock.now(), op, status: 0, url: req.url ?? '', fault: 'reset' });
  resetSocket(req.socket);
}

const HUGE_BODY_BYTES = 6 * 1024 * 1024;
/** The injected fault an answer carries, for the request log. */
const faultOf = new WeakMap<ServerResponse, string>();

/** Stands for `1e400` in a broken answer until it is written (JSON.stringify cannot write a number that is not finite). */
const NON_FINITE = '\u0000sim-non-finite\u0000';

/** Send a 200 that breaks the model in the way `kind` says (see MalformedFault). */
function sendMalformed(res: ServerResponse, kind: MalformedKind, wire: Record<string, unknown>): void {
  faultOf.set(res, `malformed:${kind}`);
  if (kind === 'nonJson') {
    const html = '<html><head><title>502 Bad Gateway</title></head><body>upstream answered nothing (injected fault)</body></html>';
    res.writeHead(200, {
      'content-type': 'text/html',
      'content-length': String(Buffer.byteLength(html)),
      'x-amzn-requestid': 'sim-malformed',
    });
    res.end(html);
    return;
  }
  if (kind === 'hugeBody') return sendJson(res, 200, { ...wire, padding: 'x'.repeat(HUGE_BODY_BYTES) });
  // A page may hold several broken items of different kinds: every nonFinite one is written out.
  const text = JSON.stringify(wire).replaceAll(JSON.stringify(NON_FINITE), '1e400');
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    'x-amzn-requestid': 'sim-malformed',
  });
  res.end(text);
}

/** One resource's members broken the way `kind` says (missingField, badTimestamp, wrongType, nonFinite). */
function breakJob(w: Record<string, unknown>, kind: MalformedKind, decl: KindDecl = KINDS.audienceGenerationJob): Record<string, unknown> {
  const out = structuredClone(w);
  if (kind === 'missingField') {
    delete out['status'];
    delete out['updateTime'];
  } else if (kind === 'badTimestamp') out['updateTime'] = 'not-a-timestamp';
  else if (kind === 'wrongType') out['status'] = 7;
  else if (kind === 'nonFinite' && !breakFirstNumber(out, decl)) out['updateTime'] = NON_FINITE;
  return out;
}

/** Puts NON_FINITE in place of the first number result of `decl` that `w` carries; false when it carries none. */
function breakFirstNumber(w: Record<string, unknown>, decl: KindDecl): boolean {
  const holder = (from: unknown, path: readonly string[]): Record<string, unknown> | undefined => {
    let cur = from;
    for (const step of path.slice(0, -1)) {
      if (typeof cur !== 'object' || cur === null) return undefined;
      cur = (cur as Record<string, unknown>)[step];
    }
    return typeof cur === 'object' && cur !== null && typeof (cur as Record<string, unknown>)[path.at(-1)!] === 'number'
      ? (cur as Record<string, unknown>)
      : undefined;
  };
  for (const r of decl.results) {
    if (r.type !== 'number') continue;
    let from: unknown = w;
    if (r.items) {
      const list = r.items.reduce<unknown>(
        (cur, step) => (typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[step] : undefined),
        w,
      );
      from = Array.isArray(list) ? list[0] : undefined;
    }
    const h = holder(from, r.value);
    if (h) {
      h[r.value.at(-1)!] = NON_FINITE;
      return true;
    }
  }
  return false;
}

function getJob(state: SimState, res: ServerResponse, label: string): void {
  let arn: string;
  try {
    arn = decodeURIComponent(label);
  } catch {
    return sendAwsError(
      res,
      400,
      'ValidationException',
      validationMessage([{ field: 'audienceGenerationJobArn', value: label, constraint: 'Member must be a valid percent-encoded string' }]),
    );
  }
  const problem = arnProblem(arn, ARN_MIN, ARN_MAX, JOB_ARN_RE, JOB_ARN_PATTERN);
  if (problem)
    return sendAwsError(
      res,
      400,
      'ValidationException',
      validationMessage([{ field: 'audienceGenerationJobArn', value: arn, constraint: problem }]),
    );
  const job = state.store.get(arn);
  const step = job ? currentStep(job, state.clock.now()) : undefined;
  if (!job || !step) return sendAwsError(res, 404, 'ResourceNotFoundException', `Audience generation job not found: ${arn}`);
  const bad = state.faults.malformedFor(arn, 'get');
  if (bad) return sendMalformed(res, bad.kind, breakJob(jobWire(job, step), bad.kind));
  sendJson(res, 200, jobWire(job, step));
}

function arnProblem(v: string, min: number, max: number, re: RegExp, pattern: string): string | undefined {
  if (v.length < min) return `Member must have length greater than or equal to ${min}`;
  if (v.length > max) return `Member must have length less than or equal to ${max}`;
  if (!re.test(v)) return `Member must satisfy regular expression pattern: ${pattern}`;
  return undefined;
}

interface PageToken {
  v: 1;
  a: string;
  /** Page number (1-based) this token asks for. */
  p?: number;
  c?: string;
  m?: string;
}

function encodeToken(t: PageToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeToken(s: string): PageToken | undefined {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as PageToken;
    return t && t.v === 1 && typeof t.a === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}

function listJobs(state: SimState, req: IncomingMessage, res: ServerResponse, rawQuery: string): void {
  const params = new Map<string, string>();
  for (const pair of rawQuery.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const k = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
    const v = safeDecode(eq < 0 ? '' : pair.slice(eq + 1));
    if (k !== undefined && v !== undefined && !params.has(k)) params.set(k, v); // first value wins
  }
  const errors: Array<{ field: string; value: string; constraint: string }> = [];
  const collaborationId = params.get('collaborationId');
  const modelArn = params.get('configuredAudienceModelArn');
  const maxRaw = params.get('maxResults');
  const nextToken = params.get('nextToken');
  if (collaborationId !== undefined) {
    const p =
      collaborationId.length !== 36
        ? 'Member must have length equal to 36'
        : UUID_RE.test(collaborationId)
          ? undefined
          : `Member must satisfy regular expression pattern: ${UUID_PATTERN}`;
    if (p) errors.push({ field: 'collaborationId', value: collaborationId, constraint: p });
  }
  if (modelArn !== undefined) {
    const p = arnProblem(modelArn, ARN_MIN, ARN_MAX, MODEL_ARN_RE, MODEL_ARN_PATTERN);
    if (p) errors.push({ field: 'configuredAudienceModelArn', value: modelArn, constraint: p });
  }
  let limit = DEFAULT_MAX_RESULTS;
  if (maxRaw !== undefined) {
    const n = /^-?\d+$/.test(maxRaw) ? Number(maxRaw) : NaN;
    if (!Number.isInteger(n)) errors.push({ field: 'maxResults', value: maxRaw, constraint: 'Member must be an integer' });
    else if (n < 1) errors.push({ field: 'maxResults', value: maxRaw, constraint: 'Member must have value greater than or equal to 1' });
    else if (n > 100) errors.push({ field: 'maxResults', value: maxRaw, constraint: 'Member must have value less than or equal to 100' });
    else limit = n;
  }
  if (nextToken !== undefined && (nextToken.length < 1 || nextToken.length > 10240)) {
    errors.push({ field: 'nextToken', value: nextToken, constraint: 'Member must have length between 1 and 10240' });
  }
  if (errors.length > 0) return sendAwsError(res, 400, 'ValidationException', validationMessage(errors));
  let after: string | undefined;
  let pageNo = 1;
  if (nextToken !== undefined) {
    const t = decodeToken(nextToken);
    // A token belongs to the filters it was issued for.
    if (!t || t.c !== collaborationId || t.m !== modelArn)
      return sendAwsError(res, 400, 'ValidationException', 'Invalid nextToken: it is malformed or was issued for other filters');
    after = t.a;
    pageNo = t.p ?? 2;
  }
  if (state.faults.resetsListPage(pageNo)) return resetConnection(state, req, 'ListAudienceGenerationJobs');
  const page = state.store.page({
    ...(collaborationId !== undefined ? { collaborationId } : {}),
    ...(modelArn !== undefined ? { configuredAudienceModelArn: modelArn } : {}),
    ...(after !== undefined ? { after } : {}),
    limit: state.faults.pageLimit(limit),
    now: state.clock.now(),
  });
  const body: Record<string, unknown> = {};
  if (page.more) {
    const t: PageToken = { v: 1, a: page.items[page.items.length - 1]!.job.arn, p: pageNo + 1 };
    if (collaborationId !== undefined) t.c = collaborationId;
    if (modelArn !== undefined) t.m = modelArn;
    body['nextToken'] = encodeToken(t);
  }
  let bad: MalformedFault | undefined;
  body['audienceGenerationJobs'] = page.items.map(({ job, step }) => {
    const m = state.faults.malformedFor(job.arn, 'list');
    if (!m) return summaryWire(job, step);
    bad = m;
    return breakJob(summaryWire(job, step), m.kind);
  });
  if (bad) return sendMalformed(res, bad.kind, body);
  sendJson(res, 200, body);
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
