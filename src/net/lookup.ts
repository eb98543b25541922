// Name resolution bounded in time and in threads. dns.lookup (getaddrinfo) runs on libuv's thread
// pool, 4 threads by default, which file I/O shares: a resolver that never answers holds a thread
// per lookup (glibc gives up only after timeout x attempts x nameservers x search domains), and
// the state journal's fsync would wait behind them. So a lookup (a) is abandoned after
// `timeoutMs` (the caller treats that as a retryable failure), and (b) once `maxStuck` abandoned
// lookups still hold their threads, new lookups fail at once instead of queueing in front of file
// I/O, until those return. Healthy lookups are not limited: a burst of new connections is normal.
//
// getaddrinfo and not c-ares (dns.Resolver, off the pool): c-ares' resolve4/resolve6 ignore
// /etc/hosts (Kubernetes hostAliases), nsswitch and the search domains of resolv.conf, so a
// webhook host would resolve differently from curl in the same pod, and the address guard would
// judge other addresses than the ones the connection uses. Bounding getaddrinfo keeps one behaviour.
import { promises as dns, type LookupAddress } from 'node:dns';

export const DNS_TIMEOUT_MS = 5_000;
export const MAX_STUCK_LOOKUPS = 2;

export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

export class DnsError extends Error {
  constructor(
    message: string,
    readonly code: 'EDNSTIMEOUT' | 'EDNSBUSY',
  ) {
    super(message);
  }
}

export interface BoundedLookupOptions {
  /** The underlying resolution (default: getaddrinfo through dns.lookup, every address). */
  lookup?: Resolve;
  timeoutMs?: number;
  /** Timed-out lookups still unanswered beyond which new lookups fail at once. */
  maxStuck?: number;
}

/** A Resolve that times out and refuses new lookups while too many timed-out ones hold threads. */
export function createBoundedLookup(opts: BoundedLookupOptions = {}): Resolve & { stuck(): number } {
  const lookup = opts.lookup ?? ((h: string) => dns.lookup(h, { all: true, verbatim: true }));
  const timeoutMs = opts.timeoutMs ?? DNS_TIMEOUT_MS;
  const max = opts.maxStuck ?? MAX_STUCK_LOOKUPS;
  let stuck = 0;
  const resolve = (hostname: string): Promise<LookupAddress[]> => {
    if (stuck >= max) return Promise.reject(new DnsError(`DNS lookups stalled (${stuck} unanswered for over ${timeoutMs} ms)`, 'EDNSBUSY'));
    let timedOut = false;
    const pending = lookup(hostname).finally(() => {
      if (timedOut) stuck--;
    });
    return withTimeout(pending, timeoutMs, () => {
      timedOut = true;
      stuck++;
    });
  };
  return Object.assign(resolve, { stuck: () => stuck });
}

/** `p`, or a DnsError after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      reject(new DnsError(`DNS lookup timed out after ${ms} ms`, 'EDNSTIMEOUT'));
    }, ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** The process-wide bounded getaddrinfo, shared by notifications and outbound agents. */
export const boundedLookup = createBoundedLookup();

/** `boundedLookup` in the callback shape net.connect's `lookup` option expects. */
export function lookupCallback(
  hostname: string,
  options: { all?: boolean; family?: number | string },
  cb: (...args: unknown[]) => void,
): void {
  boundedLookup(hostname).then(
    (addresses) => {
      const fam = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0);
      const usable = fam === 4 || fam === 6 ? addresses.filter((a) => a.family === fam) : addresses;
      if (usable.length === 0) return cb(Object.assign(new Error('no address for host'), { code: 'ENOTFOUND' }));
      if (options.all === true) cb(null, usable);
      else cb(null, usable[0]!.address, usable[0]!.family);
    },
    (err: unknown) => cb(err),
  );
}
