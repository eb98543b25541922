// A real recording HTTP receiver on 127.0.0.1 (port 0) for notify tests and the demo sink:
// scriptable responses (status, headers such as Retry-After or Location, Slack-style plain-text
// bodies, delays, held-open requests), a record of every request, Standard Webhooks verification.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, type VerifyResult } from '../../src/targets/webhook-body.js';

export interface Recorded {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Arrival time (Date.now()) of the complete request. */
  at: number;
}

export interface Scripted {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this many ms. */
  delayMs?: number;
  /** Keep the request open until release() (or close()). */
  hold?: boolean;
}

export interface Receiver {
  url: string;
  port: number;
  requests: Recorded[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Queue responses, used in order by the next requests; then the default applies. */
  respond(...r: Scripted[]): void;
  /** Default response (initially 200 "ok"); a function can script by request. */
  setDefault(r: Scripted | ((req: Recorded) => Scripted)): void;
  /** Resolves when at least n requests have been recorded. */
  waitFor(n: number, timeoutMs?: number): Promise<Recorded[]>;
  /** Answers every held request with 200 "ok". */
  release(): void;
  verify(req: Recorded, secrets: readonly string[], nowMs?: number): VerifyResult;
  close(): Promise<void>;
}

/** `port`: listen on this port (a restarted receiver keeps its URL); default 0, an ephemeral port. */
export async function startReceiver(opts: { port?: number } = {}): Promise<Receiver> {
  const requests: Recorded[] = [];
  const queue: Scripted[] = [];
  let fallback: Scripted | ((req: Recorded) => Scripted) = { status: 200, body: 'ok' };
  const held: http.ServerResponse[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let connections = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rec: Recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(rec);
      for (const w of [...waiters]) if (requests.length >= w.n) w.resolve();
      const s = queue.shift() ?? (typeof fallback === 'function' ? fallback(rec) : fallback);
      if (s.hold) {
        held.push(res);
        return;
      }
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(s.status ?? 200, { 'content-type': 'text/plain', ...(s.headers ?? {}) });
        res.end(s.body ?? '');
      };
      if (s.delayMs) setTimeout(answer, s.delayMs);
      else answer();
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => connections,
    respond: (...r) => queue.push(...r),
    setDefault: (r) => {
      fallback = r;
    },
    waitFor: (n, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        if (requests.length >= n) return resolve(requests);
        const timer = setTimeout(() => reject(new Error(`receiver: ${requests.length}/${n} requests after ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve(requests);
          },
        });
      }),
    release: () => {
      for (const res of held.splice(0)) if (!res.destroyed) res.end('ok');
    },
    verify: (req, secrets, nowMs = Date.now()) => verifyWebhook({ body: req.body, headers: req.headers, secrets, nowMs }),
    close: async () => {
      for (const res of held.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
