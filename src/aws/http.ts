// One HTTP exchange over node:http/https with keep-alive: exactly the headers given are sent
// (so what was signed is what goes out), the body is capped (a runaway body is an error, not an
// OOM), and the whole exchange (connect, headers, body) is bounded by the AbortSignal. The agents
// honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY (src/net/proxy-env.ts), for the Clean Rooms ML API
// and for STS (role assumption, IRSA web identity) alike.
import http from 'node:http';
import https from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createProxyAwareAgents } from '../net/proxy-agent.js';
import type { ProxyEnv } from '../net/proxy-env.js';

export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

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
}

const POOL = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16 };

export function createAgents(env: ProxyEnv = process.env): { http: http.Agent; https: http.Agent } {
  return createProxyAwareAgents(POOL, env);
}

let sts: NodeHttpHandler | undefined;

/**
 * The request handler of the SDK's STS clients (AssumeRole, AssumeRoleWithWebIdentity), with the
 * same proxy rules. The instance metadata and container (Pod Identity) credential endpoints use
 * their own link-local HTTP and never a proxy, as NO_PROXY would have it anyway.
 */
export function stsRequestHandler(): NodeHttpHandler {
  if (!sts) {
    const agents = createProxyAwareAgents(POOL);
    sts = new NodeHttpHandler({ httpAgent: agents.http, httpsAgent: agents.https as https.Agent });
  }
  return sts;
}

export function sendRequest(req: RawRequest): Promise<RawResponse> {
  const mod = req.url.protocol === 'https:' ? https : http;
  return new Promise<RawResponse>((resolve, reject) => {
    const r = mod.request(req.url, { method: req.method, headers: req.headers, agent: req.agent, signal: req.signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
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
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), truncated });
      };
      res.on('end', finish);
      res.on('error', (err) => {
        if (!done) {
          done = true;
          reject(err);
        }
      });
      res.on('aborted', () => {
        if (!done) {
          done = true;
          reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' }));
        }
      });
    });
    r.on('error', reject);
    r.end();
  });
}
