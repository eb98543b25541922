// Pure classification of a receiver's answer, the part every target type shares: 2xx delivered;
// 408, 429 and 5xx retried (after Retry-After when given); redirects and other 4xx permanent. A
// type that knows more about its receiver (Slack's error words, for one) reads the answer first
// and falls back to this (src/targets/<type>.ts `classify`).
import { parseRetryAfter } from './retry-after.js';

/**
 * What one attempt came to. A failure's `reason` is ours: fixed words (the status, a redirect, an
 * error code of the receiver's vocabulary that its type knows, what to do about it). Anything else
 * the receiver wrote goes in `detail`, which is scrubbed of everything we sent before it is kept or
 * printed (src/notify/send.ts, src/notify/outbox.ts): receivers echo URL segments, tokens and
 * signatures back. Keeping the two apart lets a known code such as WorkflowNotFound survive the
 * scrubbing of a URL whose path says /workflows/.
 */
export type SendResult =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'retryable'; status?: number; reason: string; detail?: string; retryAfterMs?: number }
  | { outcome: 'permanent'; status?: number; reason: string; detail?: string };

/** A failure's reason, as our words and the receiver's. */
export interface FailureText {
  reason: string;
  detail?: string;
}

/** An HTTP answer as the one outbound path read it (the body capped, src/notify/send.ts). */
export interface ReceiverAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Most of a body kept in a reason: enough to diagnose ("invalid signature"), too short to dump a page. */
export const MAX_EXCERPT = 120;

/**
 * A body, printable only, whitespace collapsed, at most MAX_EXCERPT characters. When cut, the word
 * cut in half goes too: a few characters of an echoed token are too little for the scrubber to
 * recognize, and still part of the token.
 */
export function bodySnippet(body: string): string {
  const flat = body
    .slice(0, 4 * MAX_EXCERPT)
    .replace(/[\u0000-\u001f\u007f\s]+/g, ' ')
    .trim();
  if (flat.length <= MAX_EXCERPT) return flat;
  return `${flat.slice(0, MAX_EXCERPT - 1).replace(/[^\s"'<>()[\]{},;:]*$/, '')}…`;
}

/** "HTTP 500", and the receiver's body, capped, as the detail. */
export function responseText(status: number, body: string): FailureText {
  const snippet = bodySnippet(body);
  return snippet === '' ? { reason: `HTTP ${status}` } : { reason: `HTTP ${status}`, detail: snippet };
}

/** The one line a failure is recorded and logged as: the reason, then the (scrubbed) detail. */
export function reasonLine(r: FailureText): string {
  return r.detail !== undefined && r.detail !== '' ? `${r.reason}: ${r.detail}` : r.reason;
}

/** Retried after the receiver's Retry-After when it gave one. */
export function retryable(answer: ReceiverAnswer, text: FailureText, nowMs: number): SendResult {
  const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], nowMs);
  const base = { outcome: 'retryable' as const, status: answer.status, ...text };
  return retryAfterMs === undefined ? base : { ...base, retryAfterMs };
}

/** 408, 429 and 5xx: the receiver may take it later. */
export const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** The shared rules; `text` overrides the default ("HTTP <status>", the body as detail) of a failure. */
export function classifyHttp(answer: ReceiverAnswer, nowMs: number, text = responseText(answer.status, answer.body)): SendResult {
  const { status } = answer;
  if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  // Redirects are never followed: the target could bounce us to a metadata address after the guard.
  if (status >= 300 && status < 400) return { outcome: 'permanent', status, reason: `redirect refused (HTTP ${status})` };
  if (isRetryableStatus(status)) return retryable(answer, text, nowMs);
  return { outcome: 'permanent', status, ...text };
}
