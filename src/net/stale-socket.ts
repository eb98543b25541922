// Pure: did a request fail only because the kept-alive socket it was given had been closed by the
// server while idle? A server (or a load balancer, a NAT, a proxy) may close an idle connection at
// the moment the client sends on it; the request then fails with a reset, a broken pipe or node's
// "socket hang up" (code ECONNRESET) before any answer. Such a request never reached the
// application, and sending it again on another connection is what HTTP clients do: node's
// documentation of `request.reusedSocket` (https://nodejs.org/api/http.html#requestreusedsocket),
// Go's net/http Transport for idempotent requests. The same failure on a FRESH connection is a
// real network failure and is classified as such by the caller.

/** Error codes of a connection closed under a request. */
const STALE_CODES = new Set(['ECONNRESET', 'EPIPE']);

export interface FailedExchange {
  /** The request went out on a socket taken from the pool (ClientRequest.reusedSocket). */
  reusedSocket: boolean;
  /** Part of an answer had arrived (a status line at least): the server did read the request. */
  answered: boolean;
  error: unknown;
}

/** True when the exchange may be sent again at once on another connection. */
export function isStaleSocketFailure(f: FailedExchange): boolean {
  if (!f.reusedSocket || f.answered) return false;
  const code = (f.error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && STALE_CODES.has(code);
}
