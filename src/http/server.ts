// /metrics /healthz /readyz and a small JSON API. Read-only except POST /api/outbox/retry, which
// only answers loopback clients (`kubectl exec ... outbox retry` talks to it from inside the pod).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import type { Readiness } from './readiness.js';

export interface HttpDeps {
  /**
   * The exposition of one scrape, in chunks (streamed, never joined); gzip-encoded when asked.
   * release() is called once the response no longer needs the chunks.
   */
  metrics(gzip: boolean): Promise<{ value: Iterable<Buffer | string>; release(): void }>;
  metricsContentType: string;
  readiness(): Readiness;
  /** JSON for GET /api/jobs. */
  jobs(): unknown;
  /** JSON for GET /api/outbox. */
  outbox(): unknown;
  retryDeadLetters(ids: string[] | 'all'): Promise<number>;
  /** Durably removes dead letters. */
  discardDeadLetters(ids: string[] | 'all'): Promise<number>;
  log: Logger;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
}

function isLoopback(req: IncomingMessage): boolean {
  const a = req.socket.remoteAddress ?? '';
  return a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
}

async function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error('body too large');
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

export async function startHttpServer(listen: { host: string; port: number }, deps: HttpDeps): Promise<RunningHttpServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' || req.method === 'HEAD') {
      switch (path) {
        case '/metrics':
          return sendMetrics(req, res, deps);
        case '/healthz':
          return send(res, 200, 'ok\n');
        case '/readyz': {
          const r = deps.readiness();
          return send(res, r.ready ? 200 : 503, r.ready ? 'ready\n' : `not ready: ${r.reasons.join('; ')}\n`);
        }
        case '/api/jobs':
          return json(res, 200, deps.jobs());
        case '/api/outbox':
          return json(res, 200, deps.outbox());
        case '/':
          return send(res, 200, 'cleanroomsml-monitor: /metrics /healthz /readyz /api/jobs /api/outbox\n');
      }
      return send(res, 404, 'not found\n');
    }
    if (req.method === 'POST' && (path === '/api/outbox/retry' || path === '/api/outbox/discard')) {
      const verb = path === '/api/outbox/retry' ? 'retry' : 'discard';
      if (!isLoopback(req)) return send(res, 403, `outbox ${verb} is only accepted from loopback (kubectl exec into the pod)\n`);
      let body: { ids?: unknown; all?: unknown };
      try {
        body = JSON.parse((await readBody(req)) || '{}') as typeof body;
      } catch {
        return send(res, 400, 'body must be JSON: {"all": true} or {"ids": ["evt_..."]}\n');
      }
      const ids = body.all === true ? 'all' : Array.isArray(body.ids) && body.ids.every((i) => typeof i === 'string') ? (body.ids as string[]) : undefined;
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
    return send(res, 405, 'method not allowed\n');
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      deps.log.error({ err: { message: (err as Error).message } }, 'HTTP handler failed');
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 65_000; // longer than typical scrape intervals behind proxies
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = listen.host === '0.0.0.0' || listen.host === '::' ? '127.0.0.1' : listen.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
