// Exponential backoff with "full jitter" (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/):
// spreads retries of many events so a receiver coming back is not hit by a synchronized wave.
// A floor of baseMs keeps even an unlucky draw from becoming a tight loop.

/** Delay before attempt `attempt + 1`, given `attempt` (>= 1) failed attempts so far. In [baseMs, min(maxMs, baseMs * 2^(attempt-1))]. */
export function deliveryBackoffDelay(attempt: number, opts: { baseMs: number; maxMs: number; random: () => number }): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  const r = Math.min(Math.max(opts.random(), 0), 1);
  return Math.max(Math.min(opts.baseMs, ceiling), Math.round(r * ceiling));
}
