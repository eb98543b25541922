// The AWS side of the simulator: authentication, faults, counting and the request log around
// the operations of every kind (resource-api.ts), routed on the RAW path (before any decoding).
// An ARN label is not greedy, so it must be exactly one segment:
//   GET /audience-generation-job/arn%3Aaws%3Acleanrooms-ml%3A...%3Aaudience-generation-job%2F<id>
// A literal `/` inside it makes another path, which no operation matches: 404
// UnknownOperationException, as the AWS frontend answers an unknown route.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { KindDecl } from '../../kinds/kind.js';
import type { MalformedKind } from './faults.js';
import { handleResourceOp, matchResourceRoute, type ResourceRoute } from './resource-api.js';
import { resetSocket, sendAwsError, sendJson } from './respond.js';
import { checkSignature, type SimCredentials } from './sigv4.js';
import type { SimState } from './state.js';
import { outcomeOfStatus } from './stats.js';

type Route = { op: 'UnknownOperation' } | { op: string; resource: ResourceRoute };

function route(method: string, rawPath: string): Route {
  const resource = matchResourceRoute(method, rawPath);
  return resource ? { op: resource.op.name, resource } : { op: 'UnknownOperation' };
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
  if (!('resource' in r)) return sendAwsError(res, 404, 'UnknownOperationException', `No operation matches ${req.method} ${rawPath}`);

  const verdict = ctx.state.faults.decide();
  if (verdict === 'throttle') return sendAwsError(res, 429, 'ThrottlingException', 'Rate exceeded');
  if (verdict === 'error')
    return sendAwsError(res, 500, 'InternalServiceException', 'An internal service error occurred. Retry your request. (injected fault)');
  if (verdict === 'reset') return resetConnection(ctx.state, req, r.op);

  if (!('resource' in r)) return;
  return handleResourceOp(ctx.state, res, r.resource, rawQuery, {
    reset: () => resetConnection(ctx.state, req, r.op),
    malformed: (kind, wire) => sendMalformed(res, kind, wire),
    breakWire,
  });
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
function breakWire(w: Record<string, unknown>, kind: MalformedKind, decl: KindDecl): Record<string, unknown> {
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
