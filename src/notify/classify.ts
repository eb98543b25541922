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
  'invalid_payload', 'user_not_found', 'channel_not_found', 'channel_is_archived', 'action_prohibited',
  'posting_to_general_channel_denied', 'too_many_attachments', 'no_service', 'no_service_id', 'no_team',
  'team_disabled', 'invalid_token', 'missing_text_or_fallback_or_attachments', 'no_text', 'invalid_blocks',
  'invalid_attachments', 'msg_too_long',
]);

/** First line of a body, printable only, at most 200 chars: enough to diagnose, too short to dump a page. */
export function bodySnippet(body: string): string {
  return body.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 200);
}

export function classifyResponse(status: number, headers: Record<string, string | string[] | undefined>, body: string, nowMs: number): SendResult {
  if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  const snippet = bodySnippet(body);
  const reason = `HTTP ${status}${snippet ? `: ${snippet}` : ''}`;
  // Redirects are never followed: the target could bounce us to a metadata address after the guard.
  if (status >= 300 && status < 400) return { outcome: 'permanent', status, reason: `redirect refused (HTTP ${status})` };
  if (SLACK_PERMANENT_ERRORS.has(snippet) && status < 500) return { outcome: 'permanent', status, reason };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headers['retry-after'], nowMs);
    return retryAfterMs === undefined ? { outcome: 'retryable', status, reason } : { outcome: 'retryable', status, reason, retryAfterMs };
  }
  return { outcome: 'permanent', status, reason };
}
