// Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Slack sends seconds on
// 429 (https://api.slack.com/apis/rate-limits). Capped so a hostile or buggy receiver cannot park
// an event for days; negative or unparsable values are ignored.

export const RETRY_AFTER_CAP_MS = 3_600_000;

/** Milliseconds to wait from `nowMs`, or undefined when absent/invalid. */
export function parseRetryAfter(
  value: string | readonly string[] | undefined,
  nowMs: number,
  capMs = RETRY_AFTER_CAP_MS,
): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (v === undefined || v === '') return undefined;
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    const at = Date.parse(v);
    // Only real HTTP-dates ("Wed, 21 Oct 2015 07:28:00 GMT"), not arbitrary strings Date.parse accepts.
    if (!Number.isFinite(at) || !/GMT$/.test(v)) return undefined;
    ms = Math.max(0, at - nowMs);
  }
  return Math.min(ms, capMs);
}
