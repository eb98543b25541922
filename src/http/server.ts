// Two listeners. The main one (server.host:port, scraped by Prometheus, probed by the kubelet)
// serves /metrics /healthz /readyz only. The admin one (server.admin, 127.0.0.1:9465 by default)
// serves the status page (/) and the JSON API: /api/resources and /api/outbox name resources,
// ARNs and dead-letter reasons, and POST /api/outbox/retry changes state. A pod network, a service mesh (where every caller looks like
// loopback) or a browser page (CSRF, DNS rebinding against a laptop running `demo`) must reach
// neither, so the admin listener binds to loopback, answers only a Host naming itself, refuses any
// Origin (browsers send one on every cross-site POST; curl and the CLI never do) and takes only
// `Content-Type: application/json` bodies, which no HTML form can send.
// Both listeners bound how long a client may take (headers, body, idle) and how many may connect.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { readinessText, type Readiness } from './readiness.js';
import { adminHostAllowed, type AdminListen } from './admin-address.js';
import { createAssets, type Assets } from './assets.js';
import { ADMIN_HEADERS, json, send } from './respond.js';
import { resourceRoutes, type ResourceSource } from './resource-routes.js';

export interface HttpDeps {
  /**
   * The exposition of one scrape, in chunks (streamed, never joined); gzip-encoded when asked.
   * release() is called once the response no longer needs the chunks.
   */
  metrics(gzip: boolean): Promise<{ value: Iterable<Buffer | string>; release(): void }>;
  metricsContentType: string;
  readiness(): Readiness;
  /** GET /api/resources, /api/resources/{id} and the status page (GET /) read it. */
  resources: ResourceSource;
  /** JSON for GET /api/jobs (deprecated: /api/resources replaces it). */
  jobs(): unknown;
  /** JSON for GET /api/outbox. */
  outbox(): unknown;
  retryDeadLetters(ids: string[] | 'all'): Promise<number>;
  /** Durably removes dead letters. */
  discardDeadLetters(ids: string[] | 'all'): Promise<number>;
  log: Logger;
}

export interface RunningHttpServer {
  /** Base URL of the main listener. */
  url: string;
  port: number;
  /** Base URL of the admin listener; undefined when server.admin.enabled is false. */
  adminUrl: string | undefined;
  close(): Promise<void>;
}

/** Limits against slow or numerous clients; every value in ms except the counts and bytes. */
export interface HttpLimits {
  /** Time to receive a request's headers (a trickling client is cut off with 408). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included. */
  requestTimeoutMs: number;
  /** Idle time of a kept-alive connection between requests. */
  keepAliveTimeoutMs: number;
  /** Idle time of a socket while a response is written (a scraper that stops reading). */
  idleTimeoutMs: number;
  /** How often Node checks the two request timeouts (its default, 30 s, would let a client overstay by that much). */
  checkIntervalMs: number;
  /** Open connections per listener; more are closed at once. */
  maxConnections: number;
  /** Largest POST body. */
  maxBodyBytes: number;
}

/** Main listener: keep-alive longer than the 60 s idle timeout of common load balancers in front of Prometheus. */
export const MAIN_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  idleTimeoutMs: 70_000,
  checkIntervalMs: 1_000,
  maxConnections: 128,
  maxBodyBytes: 16 * 1024,
};

/** Admin listener: one operator at a time, small JSON bodies. */
export const ADMIN_LIMITS: HttpLimits = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
  checkIntervalMs: 1_000,
  maxConnections: 16,
  maxBodyBytes: 16 * 1024,
};

class BodyTooLarge extends Error {}

/** The body, refused past `limit` bytes (announced by Content-Length or counted while reading). */
async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  if (Number(req.headers['content-length'] ?? 0) > limit) throw new BodyTooLarge();
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** True when the client accepts gzip (`Accept-Encoding: gzip`, not `gzip;q=0`); Prometheus does. */
export function acceptsGzip(header: string | undefined): boolean {
  for (const token of (header ?? '').split(',')) {
    const [coding, ...params] = token.split(';').map((t) => t.trim().toLowerCase());
    if (coding !== 'gzip') continue;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/**
 * Streams the exposition chunk by chunk under the socket's backpressure; gzip-encoded (from the
 * metrics' cached compressed pieces) when the scraper asks for it. A scraper that hangs up
 * mid-body just ends the stream.
 */
async function sendMetrics(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
  const gzip = acceptsGzip(req.headers['accept-encoding']);
  const body = await deps.metrics(gzip && req.method !== 'HEAD');
  try {
    res.writeHead(200, {
      'content-type': deps.metricsContentType,
      'cache-control': 'no-store',
      vary: 'Accept-Encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    if (req.method === 'HEAD') return void res.end();
    await writeAll(res, body.value);
    // The chunks were handed over without copies: they are ours again only once the socket has
    // written them all ('finish') or dropped them ('close').
    await new Promise<void>((resolve) => {
      if (res.writableFinished || res.destroyed) return resolve();
      res.once('finish', resolve);
      res.once('close', resolve);
    });
  } finally {
    body.release();
  }
}

/**
 * Writes the chunks as they are (no copies): corked in batches of ~64 KB so each batch leaves in
 * one writev, then waits for 'drain' when the socket is full. Ends quietly if the client leaves.
 */
async function writeAll(res: ServerResponse, chunks: Iterable<Buffer | string>): Promise<void> {
  let closed = false;
  let wake: (() => void) | undefined;
  const onClose = () => {
    closed = true;
    wake?.();
  };
  res.once('close', onClose);
  try {
    let batch = 0;
    res.cork();
    for (const c of chunks) {
      if (closed) return;
      res.write(c);
      batch += c.length;
      if (batch < BATCH_BYTES) continue;
      res.uncork();
      batch = 0;
      if (res.writableNeedDrain && !closed) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          res.once('drain', resolve);
        });
        res.off('drain', wake!);
        wake = undefined;
      }
      res.cork();
    }
    res.uncork();
    if (!closed) res.end();
  } finally {
    res.off('close', onClose);
  }
}

const BATCH_BYTES = 64 * 1024;

/** The raw path (not decoded) and the query (without `?`) of a request target. */
function splitUrl(url: string | undefined): [string, string] {
  const target = url ?? '/';
  const q = target.indexOf('?');
  return q === -1 ? [target, ''] : [target.slice(0, q), target.slice(q + 1)];
}

/** The day /api/jobs was deprecated (RFC 9745: `@` and seconds since the epoch) and its successor. */
const JOBS_DEPRECATION = {
  deprecation: `@${Date.UTC(2026, 11, 7) / 1000}`,
  link: '</api/resources>; rel="successor-version"',
};

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The main listener: /metrics /healthz /readyz, and a pointer to the admin listener for the rest. */
async function serveMain(req: IncomingMessage, res: ServerResponse, deps: HttpDeps): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
  switch (path) {
    case '/metrics':
      return sendMetrics(req, res, deps);
    case '/healthz':
      return send(res, 200, 'ok\n');
    case '/readyz': {
      const r = deps.readiness();
      return send(res, r.ready ? 200 : 503, readinessText(r));
    }
    case '/':
      return send(
        res,
        200,
        'cleanroomsml-monitor: /metrics /healthz /readyz (the status page and the JSON API are on the admin listener, server.admin)\n',
      );
  }
  if (path?.startsWith('/api/'))
    return send(res, 404, 'not found: the JSON API is served on the admin listener (server.admin, 127.0.0.1:9465 by default)\n');
  return send(res, 404, 'not found\n');
}

/** The dead letters a POST body names: every one (`{"all": true}`), a list of ids, or undefined when it names none well (pure). */
export function deadLetterIds(body: { ids?: unknown; all?: unknown }): string[] | 'all' | undefined {
  if (body.all === true) return 'all';
  return Array.isArray(body.ids) && body.ids.every((i) => typeof i === 'string') ? (body.ids as string[]) : undefined;
}

/** POST /api/outbox/retry and /api/outbox/discard: a JSON body naming dead letters, re-queued or removed. */
async function changeDeadLetters(
  req: IncomingMessage,
  res: ServerResponse,
  verb: 'retry' | 'discard',
  deps: HttpDeps,
  maxBodyBytes: number,
): Promise<void> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return send(res, 415, 'Content-Type must be application/json\n');
  let body: { ids?: unknown; all?: unknown };
  try {
    body = JSON.parse((await readBody(req, maxBodyBytes)) || '{}') as typeof body;
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      res.setHeader('connection', 'close');
      return send(res, 413, `body larger than ${maxBodyBytes} bytes\n`);
    }
    return send(res, 400, 'body must be JSON: {"all": true} or {"ids": ["evt_..."]}\n');
  }
  const ids = deadLetterIds(body ?? {});
  if (ids === undefined) return send(res, 400, 'body must be {"all": true} or {"ids": ["evt_..."]}\n');
  if (verb === 'discard') {
    const removed = await deps.discardDeadLetters(ids);
    deps.log.info({ removed, ids: ids === 'all' ? 'all' : ids.length }, 'dead letters discarded');
    return json(res, 200, { discarded: removed });
  }
  const moved = await deps.retryDeadLetters(ids);
  deps.log.info({ moved, ids: ids === 'all' ? 'all' : ids.length }, 'dead letters re-queued');
  return json(res, 200, { requeued: moved });
}

export interface ServerListen {
  host: string;
  port: number;
  admin: AdminListen;
}

/** Starts the main listener and, unless disabled, the admin listener. Limits are injectable (tests). */
export async function startHttpServer(
  listen: ServerListen,
  deps: HttpDeps,
  limits: { main?: Partial<HttpLimits>; admin?: Partial<HttpLimits> } = {},
  assets?: Assets,
): Promise<RunningHttpServer> {
  const mainLimits = { ...MAIN_LIMITS, ...limits.main };
  const adminLimits = { ...ADMIN_LIMITS, ...limits.admin };

  const main = (req: IncomingMessage, res: ServerResponse) => serveMain(req, res, deps);

  const routes = resourceRoutes(deps.resources, assets ?? createAssets());
  const admin = async (req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of Object.entries(ADMIN_HEADERS)) res.setHeader(k, v);
    // Checked before anything else, for reads too: a rebinding page must not read the job list either.
    // (The status page's own requests carry no Origin: same-origin GETs of a classic script and fetch.)
    if (req.headers.origin !== undefined) return send(res, 403, 'requests carrying an Origin header (browsers) are refused\n');
    if (!adminHostAllowed(req.headers.host, listen.admin.host))
      return send(res, 421, 'Host must name this listener (localhost, 127.0.0.1, [::1] or server.admin.host)\n');
    const [path = '/', search = ''] = splitUrl(req.url);
    if (req.method === 'GET' || req.method === 'HEAD') {
      switch (path) {
        case '/api/jobs':
          // The old name of /api/resources, kept for one minor release (CHANGELOG.md): RFC 9745's
          // Deprecation header and a successor link tell a client that looks.
          return json(res, 200, deps.jobs(), JOBS_DEPRECATION);
        case '/api/outbox':
          return json(res, 200, deps.outbox());
      }
      if (await routes(req, res, path, search)) return;
      return send(
        res,
        404,
        'not found: the admin listener serves / (the status page), GET /api/resources, /api/resources/{id}, /api/outbox\n',
      );
    }
    if (req.method === 'POST' && (path === '/api/outbox/retry' || path === '/api/outbox/discard'))
      return changeDeadLetters(req, res, path === '/api/outbox/retry' ? 'retry' : 'discard', deps, adminLimits.maxBodyBytes);
    return send(
      res,
      405,
      'method not allowed: only POST /api/outbox/retry and /api/outbox/discard change anything; everything else is GET\n',
      undefined,
      {
        allow: path.startsWith('/api/outbox/') ? 'POST' : 'GET, HEAD',
      },
    );
  };

  return listenBoth(listen, main, admin, { main: mainLimits, admin: adminLimits }, deps.log);
}

/** The main listener, then the admin one unless disabled (the main one is closed again if the admin one cannot listen). */
async function listenBoth(
  listen: ServerListen,
  main: Handler,
  admin: Handler,
  limits: { main: HttpLimits; admin: HttpLimits },
  log: Logger,
): Promise<RunningHttpServer> {
  const mainServer = await listenOn({ host: listen.host, port: listen.port }, main, limits.main, log);
  let adminServer: { server: Server; port: number } | undefined;
  if (listen.admin.enabled) {
    try {
      adminServer = await listenOn({ host: listen.admin.host, port: listen.admin.port }, admin, limits.admin, log);
    } catch (err) {
      await closeServer(mainServer.server);
      throw err;
    }
  }
  return {
    url: baseUrl(listen.host, mainServer.port),
    port: mainServer.port,
    adminUrl: adminServer ? baseUrl(listen.admin.host, adminServer.port) : undefined,
    close: async () => {
      await Promise.all([closeServer(mainServer.server), ...(adminServer ? [closeServer(adminServer.server)] : [])]);
    },
  };
}

function baseUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function listenOn(
  at: { host: string; port: number },
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  limits: HttpLimits,
  log: Logger,
): Promise<{ server: Server; port: number }> {
  const server: Server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        log.error({ err: { message: (err as Error).message } }, 'HTTP handler failed');
        if (!res.headersSent) send(res, 500, 'internal error\n');
        else res.destroy();
      });
    },
  );
  // Idle sockets (a client that stops reading a response, or never sends) are destroyed.
  server.setTimeout(limits.idleTimeoutMs);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
