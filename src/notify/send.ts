// The ONE outbound HTTP path for notifications (flux notification-controller style): timeout, no
// redirects, https unless allowed, and an address guard applied after DNS resolution (custom
// `lookup`) and to IP literals, so neither a hostile DNS answer nor a literal URL can reach cloud
// metadata. The AWS client deliberately does not use this path (EKS Pod Identity is 169.254.170.23).
import http from 'node:http';
import https from 'node:https';
import { promises as dns } from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { checkAddress, classifyAddress } from './guard.js';
import { classifyResponse, type SendResult } from './classify.js';
import { scrubUrl } from './redact.js';

export type { SendResult } from './classify.js';

export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface SendRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Permits http://. */
  allowHttp: boolean;
  /** Permits loopback and private ranges (never link-local/metadata/multicast); the config defaults it to allowHttp. */
  allowPrivate: boolean;
  signal?: AbortSignal;
}

export interface SendDeps {
  /** Name resolution (all addresses); tests inject names that resolve to forbidden addresses. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
  now?: () => number;
}

const defaultResolve = (hostname: string) => dns.lookup(hostname, { all: true, verbatim: true });

class RefusedError extends Error {
  readonly code = 'ERR_NOTIFY_ADDRESS_REFUSED';
}

/** One POST. Never throws: every failure is a classified SendResult whose reason holds no URL path or secret. */
export async function send(req: SendRequest, deps: SendDeps = {}): Promise<SendResult> {
  const now = deps.now ?? Date.now;
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return { outcome: 'permanent', reason: 'invalid URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { outcome: 'permanent', reason: `unsupported scheme ${url.protocol}` };
  if (url.protocol === 'http:' && !req.allowHttp) return { outcome: 'permanent', reason: 'http refused (https required unless allowHttp: true)' };
  const allowPrivate = req.allowPrivate;

  // IP literals never go through lookup, so they are checked here (URL keeps IPv6 in brackets and
  // normalizes ::ffff:169.254.169.254 to [::ffff:a9fe:a9fe]).
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (classifyAddress(host) !== undefined) {
    const refusal = checkAddress(host, { allowPrivate });
    if (refusal !== null) return { outcome: 'permanent', reason: refusal };
  }

  const resolve = deps.resolve ?? defaultResolve;
  // Node calls lookup with { all: true } when autoSelectFamily is on (default since Node 20), else
  // expects (err, address, family). Every resolved address must pass; one bad answer refuses the lot
  // (a DNS-rebinding answer mixing a public and a metadata address is an attack, not a fallback).
  const lookup = (hostname: string, options: { all?: boolean; family?: number | string }, cb: (...args: unknown[]) => void): void => {
    resolve(hostname).then(
      (addresses) => {
        const fam = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0);
        const usable = fam === 4 || fam === 6 ? addresses.filter((a) => a.family === fam) : addresses;
        if (usable.length === 0) return cb(Object.assign(new Error(`no address for host`), { code: 'ENOTFOUND' }));
        for (const a of addresses) {
          const refusal = checkAddress(a.address, { allowPrivate });
          if (refusal !== null) return cb(new RefusedError(`${refusal} (resolved from ${hostname})`));
        }
        if (options.all === true) cb(null, usable);
        else cb(null, usable[0]!.address, usable[0]!.family);
      },
      (err: NodeJS.ErrnoException) => cb(err),
    );
  };

  return new Promise<SendResult>((resolvePromise) => {
    let settled = false;
    const settle = (r: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise(r.outcome === 'delivered' ? r : { ...r, reason: scrubUrl(r.reason, req.url) });
    };
    const body = Buffer.from(req.body, 'utf8');
    const mod = url.protocol === 'https:' ? https : http;
    const request = mod.request(url, {
      method: 'POST',
      // No keep-alive agent: one connection per delivery keeps the guard on every connect simple.
      agent: false,
      lookup: lookup as never,
      headers: { 'user-agent': 'cleanroomsml-monitor', ...req.headers, 'content-length': String(body.length) },
      ...(req.signal ? { signal: req.signal } : {}),
    });
    const timer = setTimeout(() => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })), req.timeoutMs);
    request.on('error', (err: NodeJS.ErrnoException) => settle(socketFailure(err, req.timeoutMs)));
    request.on('response', (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        res.destroy();
        return settle(classifyResponse(status, res.headers, '', now()));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => settle(classifyResponse(status, res.headers, Buffer.concat(chunks).toString('utf8'), now()));
      res.on('data', (chunk: Buffer) => {
        if (size >= MAX_RESPONSE_BYTES) return;
        const take = chunk.subarray(0, MAX_RESPONSE_BYTES - size);
        chunks.push(take);
        size += take.length;
        // Enough read: stop reading a possibly endless body.
        if (size >= MAX_RESPONSE_BYTES) {
          finish();
          res.destroy();
        }
      });
      res.on('end', finish);
      // The status line already arrived: a body cut short does not change the verdict.
      res.on('error', finish);
      res.on('close', finish);
    });
    request.end(body);
  });
}

/** A request that got no HTTP answer: refused by the guard (permanent), or a timeout or socket error (retryable). */
function socketFailure(err: NodeJS.ErrnoException, timeoutMs: number): SendResult {
  if (err instanceof RefusedError) return { outcome: 'permanent', reason: err.message };
  if (err.code === 'ETIMEOUT') return { outcome: 'retryable', reason: `timeout after ${timeoutMs} ms` };
  if (err.name === 'AbortError') return { outcome: 'retryable', reason: 'aborted' };
  // Codes only: Node's messages embed addresses and sometimes hostnames, never anything more useful.
  return { outcome: 'retryable', reason: `network error ${err.code ?? err.name}` };
}
