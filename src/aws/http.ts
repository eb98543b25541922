// One HTTP exchange over node:http/https on a kept-alive connection: exactly the headers given are
// sent (so what was signed is what goes out), the body is capped (a runaway body is an error, not
// an OOM), and the whole exchange (connect, headers, body) is bounded by the AbortSignal. A request
// that fails only because its pooled socket had been closed while idle is sent again at once on
// another connection (src/net/stale-socket.ts). The agents pool the connections of every
// Clean Rooms ML client and of STS (role assumption, IRSA web identity) alike, and honour
// HTTPS_PROXY / HTTP_PROXY / NO_PROXY (src/net/proxy-agent.ts).
import http from 'node:http';
import https from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createProxyAwareAgents, poolOptions, type LookupFunction, type ProxyAwareAgents } from '../net/proxy-agent.js';
import type { ProxyEnv } from '../net/proxy-env.js';
import { lookupCallback } from '../net/lookup.js';
import { isStaleSocketFailure } from '../net/stale-socket.js';

export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Connections per endpoint of a client built without a shared pool (the config sizes the daemon's). */
export const DEFAULT_CONNECTIONS = 8;

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** True when the body was cut at maxBodyBytes. */
  truncated: boolean;
}

export interface RawRequest {
  url: URL;
  method: 'GET';
  headers: Record<string, string>;
  signal: AbortSignal;
  maxBodyBytes: number;
  agent: http.Agent;
  /**
   * How many times the request is sent again at once after failing on a pooled socket that had
   * been closed while idle. Each try takes another pooled socket, so the pool's idle sockets plus
   * one cover a pool whose every idle socket went stale. Default 0.
   */
  staleResends?: number;
  /** Told of each failed exchange that is sent again. */
  onResend?: (error: unknown) => void;
}

/**
 * The pool of AWS connections: `connections` sockets per endpoint (the calls a sweep has in
 * flight: polling.concurrency), as many kept idle. Shared by every client and STS call of a config.
 */
export function createAwsAgents(connections: number, env: ProxyEnv = process.env): ProxyAwareAgents {
  // Bounded lookups (src/net/lookup.ts) for targets and proxies.
  const lookup = lookupCallback as LookupFunction;
  return createProxyAwareAgents(
    poolOptions({ maxSockets: connections, maxFreeSockets: connections }, { lookup, proxyLookup: lookup }),
    env,
  );
}

const stsHandlers = new WeakMap<ProxyAwareAgents, NodeHttpHandler>();

/**
 * The request handler of the SDK's STS clients (AssumeRole, AssumeRoleWithWebIdentity) on the
 * pool `agents`, so STS calls reuse connections and follow the same proxy rules. The instance
 * metadata and container (Pod Identity) credential endpoints use their own link-local HTTP and
 * never a proxy, as NO_PROXY would have it anyway.
 */
export function stsRequestHandler(agents: ProxyAwareAgents): NodeHttpHandler {
  let h = stsHandlers.get(agents);
  if (!h) stsHandlers.set(agents, (h = new NodeHttpHandler({ httpAgent: agents.http, httpsAgent: agents.https as https.Agent })));
  return h;
}

export async function sendRequest(req: RawRequest): Promise<RawResponse> {
  for (let resends = req.staleResends ?? 0; ; resends--) {
    const r = await exchange(req);
    if ('response' in r) return r.response;
    if (resends > 0 && !req.signal.aborted && isStaleSocketFailure(r)) {
      req.onResend?.(r.error);
      continue;
    }
    throw r.error;
  }
}

type Exchange = { response: RawResponse } | { error: unknown; reusedSocket: boolean; answered: boolean };

function exchange(req: RawRequest): Promise<Exchange> {
  const mod = req.url.protocol === 'https:' ? https : http;
  return new Promise<Exchange>((resolve) => {
    let done = false;
    let answered = false;
    let r: http.ClientRequest | undefined;
    const fail = (error: unknown): void => {
      if (done) return;
      done = true;
      resolve({ error, reusedSocket: r?.reusedSocket ?? false, answered });
    };
    try {
      r = mod.request(req.url, { method: req.method, headers: req.headers, agent: req.agent, signal: req.signal }, (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        const finish = (): void => {
          if (done) return;
          done = true;
          resolve({
            response: { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), truncated },
          });
        };
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          size += chunk.length;
          if (size > req.maxBodyBytes) {
            truncated = true;
            chunks.push(chunk.subarray(0, chunk.length - (size - req.maxBodyBytes)));
            // Settle first ('aborted' fires synchronously inside destroy), then stop reading:
            // the socket is destroyed rather than drained.
            finish();
            res.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', finish);
        res.on('error', fail);
        res.on('aborted', () => fail(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
      });
    } catch (err) {
      // A request node refuses to build (or a malformed proxy variable, read on first use).
      return fail(err);
    }
    r.on('error', fail);
    r.end();
  });
}
