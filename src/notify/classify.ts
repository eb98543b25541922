// Pure classification of a webhook response: 2xx delivered; 408, 429 and 5xx retried; redirects and
// other 4xx permanent.
import { parseRetryAfter } from './retry-after.js';

export type SendResult =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'retryable'; status?: number; reason: string; retryAfterMs?: number }
  | { outcome: 'permanent'; status?: number; reason: string };

/**
 * Error strings Slack incoming webhooks answer in a plain-text body
 * (https://api.slack.com/messaging/webhooks#handling_errors). None gets better by retrying.
 */
export const SLACK_PERMANENT_ERRORS: ReadonlySet<string> = new Set([
  'invalid_payload',
  'user_not_found',
  'channel_not_found',
  'channel_is_archived',
  'action_prohibited',
  'posting_to_general_channel_denied',
  'too_many_attachments',
  'no_service',
  'no_service_id',
  'no_team',
  'team_disabled',
  'invalid_token',
  'missing_text_or_fallback_or_attachments',
  'no_text',
  'invalid_blocks',
  'invalid_attachments',
  'msg_too_long',
]);

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

/**
 * The reason text of a failed response: the status and a capped excerpt of the body. A Slack
 * error code (`channel_not_found`) is the whole body and a fixed word; any other text is the
 * receiver's, so the caller scrubs it of everything it sent (redact.ts scrubText): receivers
 * echo URL segments, tokens and signatures back.
 */
export function responseReason(status: number, body: string): string {
  const snippet = bodySnippet(body);
  if (snippet === '') return `HTTP ${status}`;
  return `HTTP ${status}: ${snippet}`;
}

export function classifyResponse(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  nowMs: number,
): SendResult {
  if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  const snippet = bodySnippet(body);
  const reason = responseReason(status, body);
  // Redirects are never followed: the target could bounce us to a metadata address after the guard.
  if (status >= 300 && status < 400) return { outcome: 'permanent', status, reason: `redirect refused (HTTP ${status})` };
  if (SLACK_PERMANENT_ERRORS.has(snippet) && status < 500) return { outcome: 'permanent', status, reason };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headers['retry-after'], nowMs);
    return retryAfterMs === undefined ? { outcome: 'retryable', status, reason } : { outcome: 'retryable', status, reason, retryAfterMs };
  }
  return { outcome: 'permanent', status, reason };
}
