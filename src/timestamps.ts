// Timestamps of SyntheticTimestamp_date_time (timestampFormat iso8601). The SDK parses them with
// parseRfc3339DateTimeWithOffset: RFC 3339, any number of fractional digits, `Z` or `±hh:mm`.
// A base module (it imports nothing): the AWS layer reads and writes wire timestamps with it, and
// the identity of a kind without an ARN (src/kinds/identity.ts) carries its createTime in this form.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[tT](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([zZ]|[-+]\d{2}:\d{2})$/;

/** Epoch ms of an RFC 3339 timestamp, or undefined when it is not one (or not a real date). */
export function parseIsoTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y),
    month = Number(mo),
    day = Number(d),
    hour = Number(h),
    minute = Number(mi),
    second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  let t = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), ms);
  // Reject rollovers such as 2026-02-31.
  if (new Date(t).getUTCDate() !== day) return undefined;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const oh = Number(zone.slice(1, 3)),
      om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    t -= sign * (oh * 60 + om) * 60_000;
  }
  return t;
}

/** The wire form we emit: `2026-11-28T12:00:00.000Z` (Date#toISOString, always milliseconds). */
export function formatIsoTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
