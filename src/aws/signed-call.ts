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
import { createAwsAgents, DEFAULT_CONNECTIONS, DEFAULT_MAX_BODY_BYTES, sendRequest, type RawResponse } from './http.js';
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

export function createSignedCall(opts: CleanRoomsMlClientOptions): SignedCall {
  const base = resolveEndpoint(opts.region, {
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.useFipsEndpoint ? { useFips: true } : {}),
  });
  const basePath = base.pathname.replace(/\/+$/, '');
  const agents = opts.agents ?? createAwsAgents(DEFAULT_CONNECTIONS);
  const creds = cacheCredentials(opts.credentials ?? defaultCredentialChain(agents));
  const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBodyBytes = opts.maxResponseBytes ?? DEFAULT_MAX_BODY_BYTES;
  const userAgent = opts.userAgent ?? 'cleanroomsml-monitor';
  const agent = base.protocol === 'https:' ? agents.https : agents.http;
  // Every idle socket of the endpoint may have gone stale at once (a server restart): one more
  // than the pool keeps idle reaches a fresh connection.
  const staleResends = agents.pool.maxFreeSockets + 1;
  // uriEscapePath defaults to true: the canonical path is the already-encoded path encoded once
  // more (`%3A` -> `%253A`), as the SDK and the service do for every non-S3 service.
  const signer = new SignatureV4({ service: SIGNING_NAME, region: opts.region, sha256: Sha256, credentials: () => creds.get() });

  async function call<T>(
    operation: Operation,
    path: string,
    query: Record<string, string>,
    signal: AbortSignal | undefined,
    parse: (body: string, requestId: string | undefined) => T,
  ): Promise<T> {
    signal?.throwIfAborted();
    try {
      // Resolved here (cached) so a provider failure becomes a typed, retryable CredentialsError.
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
    const keys = Object.keys(query).sort();
    const queryString = keys.map((k) => `${awsUriEncode(k)}=${awsUriEncode(query[k]!)}`).join('&');
    const fullPath = basePath + path;
    const url = new URL(base.origin + fullPath + (queryString ? `?${queryString}` : ''));
    const signed = await signer.sign({
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: fullPath,
      query,
      headers: { host: url.host, accept: 'application/json' },
    });
    const headers: Record<string, string> = { ...(signed.headers as Record<string, string>), 'user-agent': userAgent };

    // The caller may have aborted while credentials were resolved or the request signed.
    signal?.throwIfAborted();
    // One controller per attempt, fed by our timer and the caller's signal; both are detached
    // afterwards (a long-lived caller signal must not accumulate listeners or dependants).
    const ac = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    const onCallerAbort = (): void => ac.abort(signal?.reason);
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    const started = monotonic();
    let res: RawResponse;
    try {
      // Counted apart from failed calls: a load balancer that forgot an idle connection is routine,
      // a server that resets requests it did read shows as a rate of these.
      const onResend = (): void => opts.onResend?.(operation);
      res = await sendRequest({ url, method: 'GET', headers, signal: ac.signal, maxBodyBytes, agent, staleResends, onResend });
    } catch (err) {
      const ms = monotonic() - started;
      // The caller's own abort (shutdown) is not an API failure: rethrow its reason untouched.
      if (signal?.aborted) throw signal.reason;
      const e = timedOut
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
      opts.observer?.(operation, e.outcome, ms);
      throw e;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    }
    const ms = monotonic() - started;
    const requestId = headerValue(res.headers['x-amzn-requestid']);
    if (res.status < 200 || res.status >= 300) {
      const e = errorFromResponse(res.status, res.headers, res.body);
      if (e.name === 'ExpiredTokenException' || e.name === 'ExpiredToken') creds.invalidate();
      opts.observer?.(operation, e.outcome, ms);
      throw e;
    }
    if (res.truncated) {
      const e = new CleanRoomsMlError({
        name: 'MalformedResponseError',
        message: `${operation} response body exceeds ${maxBodyBytes} bytes`,
        httpStatus: 0,
        ...(requestId ? { requestId } : {}),
      });
      opts.observer?.(operation, e.outcome, ms);
      throw e;
    }
    let out: T;
    try {
      out = parse(res.body, requestId);
    } catch (err) {
      if (err instanceof CleanRoomsMlError) opts.observer?.(operation, err.outcome, ms);
      throw err;
    }
    opts.observer?.(operation, 'success', ms);
    return out;
  }

  return call;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
