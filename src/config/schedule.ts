// polling.schedule: node-cron expressions with a seconds field, and the interval they imply.
import { createTask, parse, validate } from 'node-cron';

export const DEFAULT_SCHEDULE = '*/30 * * * * *';
export const CRON_MESSAGE = `not a valid cron expression with seconds, e.g. "${DEFAULT_SCHEDULE}"`;

/**
 * True for a node-cron expression with exactly six fields (seconds first). node-cron also
 * takes five fields and @nicknames, but a five-field line is easy to misread by one unit,
 * so the daemon insists on the explicit form.
 */
export function isCronWithSeconds(expr: string): boolean {
  return expr.trim().split(/ +/).length === 6 && validate(expr);
}

const DAY_MS = 86_400_000;
const HORIZON_MS = 8 * DAY_MS; // a full week plus a day: weekly patterns show their longest gap
const SAMPLE_MS = 3_600_000;
const MAX_SCAN_DAYS = 366 * 9; // "29 Feb" on a Monday can be decades away; give up after 9 years

/**
 * The longest gap (ms) between consecutive ticks of `expr` in the 8 days after `from`.
 *
 * Used for readiness ("a sweep succeeded within 3 intervals"), where the longest gap is the
 * right "typical" interval: `*\/10 * 9-17 * * *` ticks every 10 s by day but not at night, and
 * `0 0 9 * * MON-FRI` not at weekends, and /readyz must not flap through those quiet hours.
 *
 * node-cron 4 only offers next run times relative to the wall clock (task.getNextRuns), so
 * this walks its parsed second/minute/hour lists itself and asks node-cron's own matcher
 * (task.match) whether a day qualifies: day-of-month/day-of-week tokens (L, W, 1#2, 5L) keep
 * node-cron's meaning. Local time, like node-cron's default. Gaps are measured between the first
 * ticks, then found by hourly sampling and measured exactly.
 * Throws if `expr` is not a cron expression with seconds.
 */
export function scheduleIntervalMs(expr: string, from: number = Date.now()): number {
  if (!isCronWithSeconds(expr)) throw new Error(`polling.schedule: ${CRON_MESSAGE}`);
  const fields = parse(expr);
  const asc = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const [secs, mins, hours] = [asc(fields.second), asc(fields.minute), asc(fields.hour)];
  const task = createTask(expr, () => undefined);
  const dayCache = new Map<string, boolean>();
  const dayOk = (y: number, m: number, d: number): boolean => {
    const key = `${y}-${m}-${d}`;
    let ok = dayCache.get(key);
    if (ok === undefined) dayCache.set(key, (ok = task.match(new Date(y, m, d, hours[0], mins[0], secs[0]))));
    return ok;
  };
  const next = (after: number): number => {
    const a = new Date(after);
    for (let i = 0; i < MAX_SCAN_DAYS; i++) {
      const day = new Date(a.getFullYear(), a.getMonth(), a.getDate() + i);
      const [y, m, d] = [day.getFullYear(), day.getMonth(), day.getDate()];
      if (!dayOk(y, m, d)) continue;
      // Whole hours and minutes already past are skipped, so the first day costs < 150 steps.
      for (const h of hours) {
        if (new Date(y, m, d, h + 1).getTime() <= after) continue;
        for (const mi of mins) {
          if (new Date(y, m, d, h, mi + 1).getTime() <= after) continue;
          for (const s of secs) {
            const t = new Date(y, m, d, h, mi, s).getTime();
            if (t > after) return t;
          }
        }
      }
    }
    throw new Error(`polling.schedule: no tick within ${MAX_SCAN_DAYS} days`);
  };
  try {
    let longest = 0;
    // At least one exact gap, more while they fall within the horizon.
    for (let i = 0, t = next(from); i < 8 && (i === 0 || t < from + HORIZON_MS); i++) {
      const u = next(t);
      longest = Math.max(longest, u - t);
      t = u;
    }
    // Hourly samples find the quiet periods; samples between p and next(p) would only find
    // shorter waits, so the walk jumps straight to next(p).
    let lastTick: number | undefined; // a tick at or before p
    for (let p = from; p < from + HORIZON_MS; ) {
      const n = next(p);
      if (n - p > longest) {
        // A longer gap: measure it exactly from the last tick before p (walked to from a known tick).
        let t = lastTick ?? p;
        if (lastTick !== undefined) for (let u = next(t); u <= p; u = next(u)) t = u;
        longest = Math.max(longest, n - t);
      }
      lastTick = n;
      p = Math.max(p + SAMPLE_MS, n);
    }
    return longest;
  } finally {
    // createTask registers the task globally; it never started, so destroy only unregisters it.
    void task.destroy();
  }
}
