// Typed errors of the Clean Rooms ML client and their retry classification.
// The error type is read the way the AWS SDK's rest-json protocol does it (@smithy/core
// loadRestJsonErrorCode): header `x-amzn-errortype`, then body `code`, then body `__type`; each
// value sanitized by cutting at `,` and `:` (the `:http://internal.amazon.com/...` suffix) and
// keeping what follows `#` (the `aws.foo#` namespace prefix).
import { capText } from './cap-text.js';
import type { ApiOutcome } from './api.js';

/** The modeled error shapes of the 2023-09-06 service model, with their HTTP status. */
export const MODELED_ERRORS: Readonly<Record<string, number>> = {
  ValidationException: 400,
  ServiceQuotaExceededException: 402,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ThrottlingException: 429,
  InternalServiceException: 500,
};

// Throttling codes the AWS SDKs treat as throttling (@smithy/service-error-classification
// THROTTLING_ERROR_CODES): any of them is retried with backoff and counted as `throttled`.
const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);
// Expired temporary credentials heal on the next attempt once the provider refreshes them.
const EXPIRED_CREDENTIAL_CODES = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

export interface CleanRoomsMlErrorInit {
  /** AWS error type (e.g. `ThrottlingException`), or a client-side name: UnknownError, NetworkError, TimeoutError, MalformedResponseError, CredentialsError. */
  name: string;
  message: string;
  /** 0 when no HTTP response was received. */
  httpStatus: number;
  requestId?: string;
  cause?: unknown;
}

/**
 * An error of one Clean Rooms ML call. `name` is the AWS error type as the service sent it
 * (unmodeled ones such as `InvalidSignatureException` are kept as given) or a client-side name.
 * Never carries credentials or request headers. Every text it carries is capped (cap-text.ts):
 * it is built from answers of the service, and it is logged on every retry.
 */
export class CleanRoomsMlError extends Error {
  override readonly name: string;
  readonly httpStatus: number;
  readonly retryable: boolean;
  readonly throttled: boolean;
  readonly outcome: ApiOutcome;
  readonly requestId: string | undefined;

  constructor(init: CleanRoomsMlErrorInit) {
    super(capText(init.message), init.cause === undefined ? undefined : { cause: init.cause });
    // An error type or request id is short; a longer one is not one and is cut harder.
    this.name = capText(init.name, 100);
    this.httpStatus = init.httpStatus;
    this.requestId = init.requestId === undefined ? undefined : capText(init.requestId, 100);
    const c = classifyNameAndStatus(this.name, init.httpStatus);
    this.retryable = c.retryable;
    this.throttled = c.throttled;
    this.outcome = c.outcome;
  }
}

export interface ErrorClass {
  retryable: boolean;
  outcome: ApiOutcome;
  throttled: boolean;
}

function classifyNameAndStatus(name: string, status: number): ErrorClass {
  if (status === 429 || THROTTLING_CODES.has(name)) return { retryable: true, outcome: 'throttled', throttled: true };
  if (EXPIRED_CREDENTIAL_CODES.has(name)) return { retryable: true, outcome: 'access_denied', throttled: false };
  if (status >= 500) return { retryable: true, outcome: 'error', throttled: false };
  if (status === 0) {
    // No response: network failures and timeouts heal; a malformed 200 or a local input error does not.
    const retryable = name === 'NetworkError' || name === 'TimeoutError' || name === 'CredentialsError';
    return { retryable, outcome: name === 'ValidationException' ? 'validation' : 'error', throttled: false };
  }
  if (status === 400) return { retryable: false, outcome: 'validation', throttled: false };
  if (status === 401 || status === 403) return { retryable: false, outcome: 'access_denied', throttled: false };
  if (status === 404) return { retryable: false, outcome: 'not_found', throttled: false };
  // 402 ServiceQuotaExceeded, 409 Conflict, other 4xx: terminal, no better label than `error`.
  return { retryable: false, outcome: 'error', throttled: false };
}

/** Sanitize an error type exactly like the AWS SDK (see file header). */
export function sanitizeErrorType(raw: string): string {
  let v = raw;
  if (v.includes(',')) v = v.split(',')[0]!;
  if (v.includes(':')) v = v.split(':')[0]!;
  if (v.includes('#')) v = v.split('#')[1]!;
  return v.trim();
}

function statusFallbackName(status: number): string {
  for (const [name, s] of Object.entries(MODELED_ERRORS)) if (s === status) return name;
  return 'UnknownError';
}

/** Build the typed error of one non-2xx response. `body` may be any text (HTML from a proxy included). */
export function errorFromResponse(
  status: number,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: string,
): CleanRoomsMlError {
  const header = (n: string): string | undefined => {
    const v = headers[n];
    return Array.isArray(v) ? v[0] : v;
  };
  let data: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = body.length > 0 ? JSON.parse(body) : undefined;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, unknown>;
  } catch {
    data = undefined;
  }
  const findKey = (key: string): string | undefined => (data ? Object.keys(data).find((k) => k.toLowerCase() === key) : undefined);
  let type: string | undefined;
  const headerType = header('x-amzn-errortype');
  if (headerType) type = sanitizeErrorType(headerType);
  else {
    const codeKey = findKey('code');
    const raw = codeKey !== undefined ? data![codeKey] : data?.['__type'];
    if (typeof raw === 'string' || typeof raw === 'number') type = sanitizeErrorType(String(raw));
  }
  if (!type) type = statusFallbackName(status);
  const msgKey = findKey('message');
  const rawMsg = msgKey !== undefined ? data![msgKey] : undefined;
  const message = typeof rawMsg === 'string' && rawMsg.length > 0 ? rawMsg : `HTTP ${status}`;
  const requestId = header('x-amzn-requestid') ?? header('x-amz-request-id');
  return new CleanRoomsMlError({ name: type, message, httpStatus: status, ...(requestId ? { requestId } : {}) });
}

/**
 * Classify anything a call may throw: a CleanRoomsMlError, a raw network error (by `code`),
 * an AbortError/TimeoutError (treated as a timeout: retryable), or anything else (terminal).
 */
export function classifyError(err: unknown): ErrorClass {
  if (err instanceof CleanRoomsMlError) return { retryable: err.retryable, outcome: err.outcome, throttled: err.throttled };
  if (err && typeof err === 'object') {
    const e = err as { name?: unknown; code?: unknown; cause?: unknown; $metadata?: { httpStatusCode?: unknown } };
    // An error shaped like the official SDK's ServiceException (name + $metadata.httpStatusCode).
    if (typeof e.name === 'string' && typeof e.$metadata?.httpStatusCode === 'number') {
      return classifyNameAndStatus(e.name, e.$metadata.httpStatusCode);
    }
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return { retryable: true, outcome: 'error', throttled: false };
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return { retryable: true, outcome: 'error', throttled: false };
    // fetch() wraps socket errors: TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }).
    if (e.cause && e.cause !== err) return classifyError(e.cause);
  }
  return { retryable: false, outcome: 'error', throttled: false };
}
