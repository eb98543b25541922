// The ONE outbound HTTP path for notifications (flux notification-controller style): timeout, no
// redirects, https unless allowed, and an address guard applied to IP literals and to every
// address the host resolves to, BEFORE anything is sent, proxy or not, on every delivery.
// Resolution is bounded in time and threads (src/net/lookup.ts). The AWS client deliberately
// does not use this path (EKS Pod Identity is 169.254.170.23).
//
// Proxies (HTTPS_PROXY / HTTP_PROXY / NO_PROXY, src/net/proxy-env.ts): the target is resolved and
// checked here first, the proxy itself may be a private address. Then
// - https:// goes through a CONNECT tunnel to the host NAME, TLS end to end: proxies commonly
//   allow-list CONNECT by domain, and a DNS-rebinding answer at the proxy cannot matter, since
//   the peer must present a certificate for that name before a byte of the request is sent;
// - http:// (allowHttp targets) is sent to the proxy in absolute form with the CHECKED address
//   (`POST http://<ip>:<port>/path`, Host: the name): nothing protects plain http from rebinding,
//   so the proxy is not asked to resolve the name again;
// - direct connections use the checked addresses too (no second resolution).
//
// Connections are kept alive in a pool of their own (docs/decisions/0007-kept-alive-connections.md
// says why it is safe): every delivery still resolves and checks its target first, and a pooled
// socket is reused only by a delivery whose check passed the very same set of addresses (the
// pool key), so a name that now resolves elsewhere gets a new connection to a checked address.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { checkAddress, classifyAddress } from './guard.js';
import { classifyHttp, type ReceiverAnswer, type SendResult } from '../targets/classify.js';
import { scrubUrl } from './redact.js';
import { boundedLookup, lookupCallback, withTimeout, DNS_TIMEOUT_MS, DnsError } from '../net/lookup.js';
import { ProxyConfigError, proxyFor, type ProxyEnv } from '../net/proxy-env.js';
import { createProxyAwareAgents, poolOptions, type LookupFunction, type ProxyAwareAgents } from '../net/proxy-agent.js';
import type { PooledRequestOptions } from '../net/agents.js';
import { isStaleSocketFailure } from '../net/stale-socket.js';

export type { SendResult } from '../targets/classify.js';

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
  /** What an answer means: the target type's reading (src/targets/<type>.ts); default the shared rules. */
  classify?: (answer: ReceiverAnswer, nowMs: number) => SendResult;
  signal?: AbortSignal;
}

export interface SendDeps {
  /** Name resolution (all addresses); tests inject names that resolve to forbidden addresses. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
  /** Bound of one resolution (default 5 s); a lookup that takes longer is a retryable failure. */
  dnsTimeoutMs?: number;
  /** Proxy variables (default process.env). */
  env?: ProxyEnv;
  now?: () => number;
  /** The connection pool (default: the process's delivery pool). */
  agents?: ProxyAwareAgents;
}

/**
 * Connections per target and address set: the outbox sends at most 4 at once to one target (the
 * largest concurrency of a target type, src/targets/; test/unit/notify-targets.test.ts). Proxy hosts resolve through the bounded lookup; targets need no lookup
 * of the pool's own: each request brings the addresses its guard checked.
 */
export const DELIVERY_POOL = { maxSockets: 4, maxFreeSockets: 4 } as const;

let deliveryAgents: ProxyAwareAgents | undefined;

/** The process's pool of delivery connections, separate from the AWS one. */
function defaultAgents(): ProxyAwareAgents {
  deliveryAgents ??= createProxyAwareAgents(poolOptions(DELIVERY_POOL, { proxyLookup: lookupCallback as LookupFunction }));
  return deliveryAgents;
}

/**
 * One POST. Never throws: every failure is a classified SendResult. Its reason is built of fixed
 * words (a status, an error code, a host name); what the receiver wrote is in its detail, scrubbed
 * here of the URL's path, query and userinfo (the caller scrubs it of the rest it sent).
 */
export async function send(req: SendRequest, deps: SendDeps = {}): Promise<SendResult> {
  const r = await attempt(req, deps);
  return r.outcome === 'delivered' || r.detail === undefined ? r : { ...r, detail: scrubUrl(r.detail, req.url) };
}

/** Where a request goes, and how: the URL, and the options that hold it to its checked addresses. */
interface RequestTarget {
  url?: URL;
  options: https.RequestOptions & PooledRequestOptions;
}

/** The target URL, or why it is refused: not a URL, not http(s), or http without allowHttp (pure). */
export function targetUrl(raw: string, allowHttp: boolean): URL | SendResult {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { outcome: 'permanent', reason: 'invalid URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { outcome: 'permanent', reason: `unsupported scheme ${url.protocol}` };
  if (url.protocol === 'http:' && !allowHttp)
    return { outcome: 'permanent', reason: 'http refused (https required unless allowHttp: true)' };
  return url;
}

/**
 * Every address of the host, each checked by the guard, or why the delivery stops here. Every
 * address must pass; one bad answer refuses the lot (a DNS-rebinding answer mixing a public and
 * a metadata address is an attack, not a fallback).
 */
async function checkedAddresses(host: string, allowPrivate: boolean, deps: SendDeps): Promise<LookupAddress[] | SendResult> {
  // IP literals never go through lookup, so they are checked here (URL keeps IPv6 in brackets and
  // normalizes ::ffff:169.254.169.254 to [::ffff:a9fe:a9fe]).
  if (classifyAddress(host) !== undefined) {
    const refusal = checkAddress(host, { allowPrivate });
    if (refusal !== null) return { outcome: 'permanent', reason: refusal };
  }
  const literal = isIP(host);
  if (literal !== 0) return [{ address: host, family: literal }];
  let addresses: LookupAddress[];
  try {
    addresses = deps.resolve ? await withTimeout(deps.resolve(host), deps.dnsTimeoutMs ?? DNS_TIMEOUT_MS) : await boundedLookup(host);
  } catch (err) {
    if (err instanceof DnsError) return { outcome: 'retryable', reason: err.message };
    return { outcome: 'retryable', reason: `DNS lookup failed ${(err as NodeJS.ErrnoException).code ?? (err as Error).name}` };
  }
  if (addresses.length === 0) return { outcome: 'retryable', reason: 'DNS lookup failed ENOTFOUND' };
  for (const a of addresses) {
    const refusal = checkAddress(a.address, { allowPrivate });
    if (refusal !== null) return { outcome: 'permanent', reason: `${refusal} (resolved from ${host})` };
  }
  return addresses;
}

/** The request's target for its checked addresses: direct, through a CONNECT tunnel, or to an http proxy (pure). */
function requestTarget(url: URL, addresses: readonly LookupAddress[], proxy: URL | undefined, agent: http.Agent): RequestTarget {
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  // The connection goes to the checked addresses only: Node asks this instead of DNS.
  const checkedLookup = (_h: string, options: { all?: boolean; family?: number | string }, cb: (...args: unknown[]) => void): void => {
    const fam = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0);
    const usable = fam === 4 || fam === 6 ? addresses.filter((a) => a.family === fam) : addresses;
    if (usable.length === 0) return cb(Object.assign(new Error('no address for host'), { code: 'ENOTFOUND' }));
    if (options.all === true) cb(null, usable);
    else cb(null, usable[0]!.address, usable[0]!.family);
  };
  // A pooled socket was opened to one of the addresses of its key, all checked when it was
  // opened: reusing it for this delivery is sound only if this delivery checked the same ones.
  const poolKey = [...new Set(addresses.map((a) => a.address))].sort().join(',');
  const first = addresses[0]!;
  const checkedHost = first.family === 6 ? `[${first.address}]` : first.address;
  if (!proxy) return { url, options: { agent, lookup: checkedLookup as never, poolKey } };
  if (url.protocol === 'https:') return { url, options: { agent, poolKey } };
  return {
    // The absolute form with the checked address: the forwarding agent keeps it as the
    // request target (else it would build it from the name).
    options: {
      protocol: 'http:',
      host: first.address,
      port,
      path: `http://${checkedHost}:${port}${url.pathname}${url.search}`,
      agent,
      headers: { host: url.host },
      poolKey,
    },
  };
}

async function attempt(req: SendRequest, deps: SendDeps): Promise<SendResult> {
  const now = deps.now ?? Date.now;
  const url = targetUrl(req.url, req.allowHttp);
  if (!(url instanceof URL)) return url;
  const addresses = await checkedAddresses(url.hostname.replace(/^\[|\]$/g, ''), req.allowPrivate, deps);
  if (!Array.isArray(addresses)) return addresses;

  let proxy: URL | undefined;
  try {
    proxy = proxyFor(url, deps.env ?? process.env);
  } catch (err) {
    // A deployment problem, fixed by a restart with a corrected variable: retry until then.
    if (err instanceof ProxyConfigError) return { outcome: 'retryable', reason: err.message };
    throw err;
  }
  const agents = deps.agents ?? defaultAgents();
  const target = requestTarget(url, addresses, proxy, agents.via(proxy, url.protocol === 'https:' ? 'https:' : 'http:'));
  if (req.signal?.aborted) return { outcome: 'retryable', reason: 'aborted' };

  // A delivery that failed only because its pooled socket had been closed while idle is sent
  // again at once on another socket (src/net/stale-socket.ts), within the same timeout: the
  // receiver never read it, and receivers deduplicate by webhook-id anyway.
  const deadline = now() + req.timeoutMs;
  for (let resends = agents.pool.maxFreeSockets + 1; ; resends--) {
    const r = await exchange(req, url, target, Math.max(1, deadline - now()), now);
    if (!r.stale || resends <= 0 || req.signal?.aborted) return r.result;
  }
}

/** One POST; `stale` when it failed on a pooled socket the server had closed while idle. */
function exchange(
  req: SendRequest,
  url: URL,
  target: { url?: URL; options: https.RequestOptions },
  timeoutMs: number,
  now: () => number,
): Promise<{ result: SendResult; stale: boolean }> {
  const classify = req.classify ?? classifyHttp;
  return new Promise((resolvePromise) => {
    let settled = false;
    let answered = false;
    const settle = (result: SendResult, stale = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise({ result, stale });
    };
    const body = Buffer.from(req.body, 'utf8');
    const mod = url.protocol === 'https:' ? https : http;
    const options: https.RequestOptions = {
      method: 'POST',
      ...target.options,
      headers: { 'user-agent': 'cleanroomsml-monitor', ...req.headers, ...target.options.headers, 'content-length': String(body.length) },
      ...(req.signal ? { signal: req.signal } : {}),
    };
    const request = target.url ? mod.request(target.url, options) : mod.request(options);
    const timer = setTimeout(() => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })), timeoutMs);
    request.on('error', (err: NodeJS.ErrnoException) =>
      settle(socketFailure(err, req.timeoutMs), isStaleSocketFailure({ reusedSocket: request.reusedSocket, answered, error: err })),
    );
    request.on('response', (res) => {
      answered = true;
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        res.destroy();
        return settle(classify({ status, headers: res.headers, body: '' }, now()));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = () => settle(classify({ status, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }, now()));
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
  if (err.code === 'ETIMEOUT') return { outcome: 'retryable', reason: `timeout after ${timeoutMs} ms` };
  if (err.name === 'AbortError') return { outcome: 'retryable', reason: 'aborted' };
  // Codes only: Node's messages embed addresses and sometimes hostnames, never anything more useful.
  return { outcome: 'retryable', reason: `network error ${err.code ?? err.name}` };
}
