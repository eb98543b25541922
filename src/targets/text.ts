// Plain-text helpers every message format uses: hard length limits and how times read.

export const ELLIPSIS = '…';

/** Cuts to at most `max` UTF-16 units (receivers' limits are in characters; units >= characters), ending in an ellipsis. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  let cut = Math.max(0, max - ELLIPSIS.length);
  // Never split a surrogate pair (it would render as a replacement character).
  const code = s.charCodeAt(cut - 1);
  if (cut > 0 && code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return s.slice(0, cut) + ELLIPSIS;
}

/** 45 s, 12 min, 1 h 23 min, 2 d 3 h: how long a job took, at a glance. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/** 2026-11-28 12:00 UTC: minute precision is what a reader needs. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
