// Escaping for Slack mrkdwn, within hard length limits.
// https://api.slack.com/reference/surfaces/formatting#escaping: only &, < and > need escaping in mrkdwn.
import { ELLIPSIS } from './text.js';

export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escapes, then fits in `max` without cutting an entity such as `&amp;` in half: the raw text is
 * shortened code point by code point until its escaped form, plus the ellipsis, fits.
 */
export function mrkdwnFit(raw: string, max: number): string {
  const escaped = escapeMrkdwn(raw);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const ch of raw) {
    const e = escapeMrkdwn(ch);
    if (out.length + e.length > max - ELLIPSIS.length) break;
    out += e;
  }
  return out + ELLIPSIS;
}
