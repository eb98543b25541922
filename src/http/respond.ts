// How both listeners answer: plain text or JSON, never cached, and the headers every answer of
// the admin listener carries. The admin listener serves a page to browsers, so every answer of it
// also forbids what a page could be abused for: no inline script or style, nothing loaded or sent
// anywhere but itself, no framing (clickjacking), no base or form target elsewhere, no sniffing a
// JSON body into a script, no Referer leaking a resource id to a link's target.
import type { ServerResponse } from 'node:http';

/** The Content-Security-Policy of the admin listener: the page's one script and stylesheet from itself, nothing inline. */
export const ADMIN_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Set on every answer of the admin listener. */
export const ADMIN_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': ADMIN_CSP,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export function send(
  res: ServerResponse,
  status: number,
  body: string | Buffer,
  type = 'text/plain; charset=utf-8',
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

export function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, `${JSON.stringify(value, null, 2)}\n`, 'application/json', headers);
}

/** A JSON error: `{"error": "..."}`, the message naming what was wrong. */
export function jsonError(res: ServerResponse, status: number, error: string): void {
  json(res, status, { error });
}
