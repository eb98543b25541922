// One signed GET of the Clean Rooms ML service, shared by every operation of every kind:
// endpoint, credentials, SigV4, timeout, body cap, error mapping and the request observer. One
// attempt per call, typed errors, no retries (the poller wraps calls in p-retry and uses
// classifyError).
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { awsUriEncode } from './arn.js';
import type { CleanRoomsMlClientOptions, Operation } from './api.js';
import { cacheCredentials, defaultCredentialChain } from './credentials.js';
import { resolveEndpoint } from './endpoint.js';
import { CleanRoomsMlError, errorFromResponse } from './errors.js';
import { createAwsAgents, DEFAULT_CONNECTIONS, DEFAULT_MAX_BODY_BYTES, sendRequest, type RawRequest, type RawResponse } from './http.js';
import { monotonic } from '../clock.js';

export const SIGNING_NAME = 'cleanrooms-ml';
const DEFAULT_TIMEOUT_MS = 10_000;

class Sha256 extends Hash {
  constructor(secret?: Parameters<typeof Hash.prototype.update>[0]) {
    super('sha256', secret as never);
  }
}

/**
 * One signed GET of the service: endpoint, credentials, SigV4, timeout, body cap, error mapping
 * and the observer, shared by every operation (the generic kind client in resource-client.ts).
 * `path` is already encoded; `parse` turns a 2xx body into the output or throws a
 * MalformedResponseError.
 */
export type SignedCall = <T>(
  operation: Operation,
  path: string,
  query: Record<string, string>,
  signal: AbortSignal | undefined,
  parse: (body: string, requestId: string | undefined) => T,
) => Promise<T>;

/** The error of an exchange that got no HTTP answer: our timeout, or a network failure (pure). */
export function transportError(operation: Operation, err: unknown, timedOut: boolean, timeoutMs: number): CleanRoomsMlError {
  return timedOut
    ? new CleanRoomsMlError({
        name: 'TimeoutError',
        message: `${operation} timed out after ${timeoutMs} ms`,
        httpStatus: 0,
        cause: err,
      })
    : new CleanRoomsMlError({
        name: 'NetworkError',
        message: `${operation} failed: ${(err as NodeJS.ErrnoException)?.code ?? (err as Error)?.message ?? 'network error'}`,
        httpStatus: 0,
        cause: err,
      });
}

/** The error an HTTP answer stands for, before its body is parsed: a non-2xx status or a body cut at the cap (pure). */
export function answerError(operation: Operation, res: RawResponse, maxBodyBytes: number): CleanRoomsMlError | undefined {
  if (res.status < 200 || res.status >= 300) return errorFromResponse(res.status, res.headers, res.body);
  if (!res.truncated) return undefined;
  const requestId = headerValue(res.headers['x-amzn-requestid']);
  return new CleanRoomsMlError({
    name: 'MalformedResponseError',
    message: `${operation} response body exceeds ${maxBodyBytes} bytes`,
    httpStatus: 0,
    ...(requestId ? { requestId } : {}),
  });
}

/** Resolved before each call (cached) so a provider failure becomes a typed, retryable CredentialsError. */
async function loadCredentials(creds: ReturnType<typeof cacheCredentials>): Promise<void> {
  try {
    await creds.get();
  } catch (err) {
    // Provider messages name the source that failed, never a secret.
    throw new CleanRoomsMlError({
      name: 'CredentialsError',
      message: `could not load AWS credentials: ${(err as Error)?.message ?? String(err)}`,
      httpStatus: 0,
      cause: err,
    });
  }
}

/** What every call of one client shares: where it goes, how it signs, its limits. */
interface Endpoint {
  origin: string;
  basePath: string;
  signer: SignatureV4;
  userAgent: string;
  timeoutMs: number;
  maxBodyBytes: number;
  agent: RawRequest['agent'];
  staleResends: number;
}

/** The URL and the signed headers of one GET. */
async function signedGet(
  ep: Endpoint,
  path: string,
  query: Record<string, string>,
): Promise<{ url: URL; headers: Record<string, string> }> {
  const keys = Object.keys(query).sort();
  const queryString = keys.map((k) => `${awsUriEncode(k)}=${awsUriEncode(query[k]!)}`).join('&');
  const fullPath = ep.basePath + path;
  const url = new URL(ep.origin + fullPath + (queryString ? `?${queryString}` : ''));
  const signed = await ep.signer.sign({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: fullPath,
    query,
    headers: { host: url.host, accept: 'application/json' },
  });
  return { url, headers: { ...(signed.headers as Record<string, string>), 'user-agent': ep.userAgent } };
}

/**
 * One exchange bounded by our timeout and the caller's signal; a failure comes back as the typed
 * error (or the caller's own abort reason, untouched: shutdown is not an API failure).
 */
async function exchange(
  ep: Endpoint,
  operation: Operation,
  request: { url: URL; headers: Record<string, string> },
  signal: AbortSignal | undefined,
  onResend: () => void,
): Promise<{ res: RawResponse } | { error: CleanRoomsMlError } | { aborted: unknown }> {
  // One controller per attempt, fed by our timer and the caller's signal; both are detached
  // afterwards (a long-lived caller signal must not accumulate listeners or dependants).
  const ac = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort(new DOMException(`timed out after ${ep.timeoutMs} ms`, 'TimeoutError'));
  }, ep.timeoutMs);
  const onCallerAbort = (): void => ac.abort(signal?.reason);
  signal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    const { maxBodyBytes, agent, staleResends } = ep;
    return { res: await sendRequest({ ...request, method: 'GET', signal: ac.signal, maxBodyBytes, agent, staleResends, onResend }) };
  } catch (err) {
    if (signal?.aborted) return { aborted: signal.reason };
    return { error: transportError(operation, err, timedOut, ep.timeoutMs) };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onCallerAbort);
  }
}

export function createSignedCall(opts: CleanRoomsMlClientOptions): SignedCall {
  const base = resolveEndpoint(opts.region, {
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.useFipsEndpoint ? { useFips: true } : {}),
  });
  const agents = opts.agents ?? createAwsAgents(DEFAULT_CONNECTIONS);
  const creds = cacheCredentials(opts.credentials ?? defaultCredentialChain(agents));
  const ep: Endpoint = {
    origin: base.origin,
    basePath: base.pathname.replace(/\/+$/, ''),
    // uriEscapePath defaults to true: the canonical path is the already-encoded path encoded once
    // more (`%3A` -> `%253A`), as the SDK and the service do for every non-S3 service.
    signer: new SignatureV4({ service: SIGNING_NAME, region: opts.region, sha256: Sha256, credentials: () => creds.get() }),
    userAgent: opts.userAgent ?? 'cleanroomsml-monitor',
    timeoutMs: opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxBodyBytes: opts.maxResponseBytes ?? DEFAULT_MAX_BODY_BYTES,
    agent: base.protocol === 'https:' ? agents.https : agents.http,
    // Every idle socket of the endpoint may have gone stale at once (a server restart): one more
    // than the pool keeps idle reaches a fresh connection.
    staleResends: agents.pool.maxFreeSockets + 1,
  };

  return async function call<T>(
    operation: Operation,
    path: string,
    query: Record<string, string>,
    signal: AbortSignal | undefined,
    parse: (body: string, requestId: string | undefined) => T,
  ): Promise<T> {
    signal?.throwIfAborted();
    await loadCredentials(creds);
    const request = await signedGet(ep, path, query);
    // The caller may have aborted while credentials were resolved or the request signed.
    signal?.throwIfAborted();
    const started = monotonic();
    // Counted apart from failed calls: a load balancer that forgot an idle connection is routine,
    // a server that resets requests it did read shows as a rate of these.
    const sent = await exchange(ep, operation, request, signal, () => opts.onResend?.(operation));
    const ms = monotonic() - started;
    if ('aborted' in sent) throw sent.aborted;
    if ('error' in sent) {
      opts.observer?.(operation, sent.error.outcome, ms);
      throw sent.error;
    }
    const { res } = sent;
    const e = answerError(operation, res, ep.maxBodyBytes);
    if (e) {
      if (e.name === 'ExpiredTokenException' || e.name === 'ExpiredToken') creds.invalidate();
      opts.observer?.(operation, e.outcome, ms);
      throw e;
    }
    let out: T;
    try {
      out = parse(res.body, headerValue(res.headers['x-amzn-requestid']));
    } catch (err) {
      if (err instanceof CleanRoomsMlError) opts.observer?.(operation, err.outcome, ms);
      throw err;
    }
    opts.observer?.(operation, 'success', ms);
    return out;
  };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
